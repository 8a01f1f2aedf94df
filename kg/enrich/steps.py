"""What a run of the request plan records (steps, outcomes) and the state its steps share:
the clients, the papers, and how each request's outcome is counted (`RunBase._ask`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import requests

from kg.enrich import s2
from kg.enrich.session import EXPIRE_AFTER, Client, EnrichError, NotAsked, NotCached, RateLimited
from kg.model import Paper

MATCHED, NOT_FOUND, RATE_LIMITED, FAILED = "matched", "not_found", "rate_limited", "failed"
NOT_ASKED = "not_asked"  # no request was sent: host given up, deadline, offline and not cached
OUTCOMES = (MATCHED, NOT_FOUND, RATE_LIMITED, FAILED, NOT_ASKED)
NAMES = {"arxiv": "arXiv", "s2": "Semantic Scholar"}
# Nested entries a paper is expected to bring when its counts are not known yet (40-60
# references is usual in machine learning, plus citations): only for estimates.
TYPICAL_LINKS = 100
# (label, done, total) for a progress bar.
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass
class Step:
    """One kind of request in the plan: how many the cache cannot answer (`send`), how many it
    can (`cached`), and requests whose number depends on answers not known yet: an estimate
    (`about`) or an upper bound (`up_to`)."""

    source: str
    what: str  # "singular|plural"
    send: int = 0
    cached: int = 0
    about: int = 0
    up_to: int = 0


@dataclass
class Probe(Client):
    """A client that answers from the HTTP cache alone and counts what it would have to send.

    It reads the cache as `Client.fetch` does (an answer `parse` refuses is dropped; an expired
    one, or any with `refresh`, is a miss, as the real run would send it again).
    """

    hits: int = 0
    misses: int = 0

    def fetch(
        self,
        method: str,
        url: str,
        parse: Callable[[requests.Response], T],
        *,
        expire_after: timedelta = EXPIRE_AFTER,
        **kwargs: Any,
    ) -> T:
        _, key = self._prepare(method, url, **kwargs)
        fresh, _ = self._cached(key, parse)
        if fresh:
            self.hits += 1
            return fresh[0]
        self.misses += 1
        raise NotCached(f"not cached: {url}")


class Unknown(Exception):
    """Dry run: the cache does not hold the answer."""


class Failed(Exception):
    def __init__(self, outcome: str):
        self.outcome = outcome


@dataclass
class RunResult:
    """Outcomes per source and paper key, warnings, and the steps a dry run counted."""

    status: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    complete: bool = True  # a dry run that the cache answered entirely


class RunBase:
    """One pass of the steps over `papers` (mutated in place) with `clients`: the shared state."""

    def __init__(
        self,
        papers: Sequence[Paper],
        sources: Sequence[str],
        clients: dict[str, Client],
        *,
        dry: bool,
        embeddings: bool,
        progress: Progress | None,
    ):
        self.papers = list(papers)
        self.by_key = {p.key: p for p in self.papers}
        self.sources = set(sources)
        self.clients = clients
        self.dry = dry
        self.embeddings = embeddings
        self.progress = progress
        self.result = RunResult(status={s: {} for s in ("arxiv", "s2") if s in self.sources})
        self.limited: set[str] = set()
        self.unknown: set[str] = set()  # dry run: papers an unanswered request leaves open
        self.step: Step | None = None
        self.s2_found: dict[str, str] = {}  # paper key -> S2 id from a title match
        self.counts: dict[str, tuple[int | None, int | None]] = {}  # S2 id -> (references, citations)
        self.links: dict[str, s2.Links] = {}  # S2 id -> references and citing works
        self.together = False  # details and links in one call (a few papers)

    def _begin(self, source: str, what: str) -> Step:
        self.step = Step(source, what)
        self.result.steps.append(self.step)
        return self.step

    def _ask(self, source: str, call: Callable[[], T]) -> T:
        """`call()`, or `_Unknown` (dry run, not cached) or `_Failed` with the outcome."""
        if source in self.limited:
            raise Failed(RATE_LIMITED)
        client = self.clients[source]
        before = (client.hits, client.misses) if isinstance(client, Probe) else (0, 0)
        try:
            return call()
        except NotCached:
            if self.dry:
                self.result.complete = False
                raise Unknown from None
            raise Failed(NOT_ASKED) from None  # offline: counted, and said once per source
        except NotAsked:  # host given up, or the deadline passed: said once per source
            raise Failed(NOT_ASKED) from None
        except RateLimited as err:
            self.limited.add(source)
            self.result.warnings.append(
                f"{NAMES[source]}: {err}; stopped asking it for this run (what came is cached: "
                "build again later to resume)"
            )
            raise Failed(RATE_LIMITED) from None
        except EnrichError:  # the client keeps the reason, for one warning per source
            raise Failed(FAILED) from None
        finally:
            if isinstance(client, Probe) and self.step is not None:
                self.step.cached += client.hits - before[0]
                self.step.send += client.misses - before[1]

    def _mark(self, source: str, keys: Sequence[str], outcome: str) -> None:
        status = self.result.status.setdefault(source, {})
        for key in keys:
            status[key] = outcome

    def _tick(self, label: str, done: int, total: int) -> None:
        if self.progress and not self.dry:
            self.progress(label, done, total)
