"""The request plan: the cheapest requests first, what a run will send, and the run itself.

Each step serves only the papers the earlier steps left:

1. arXiv `id_list`, 100 ids a request, for papers whose arXiv id an input gave (`arxiv`);
2. arXiv title search, 10 titles a request, for papers with a title but no arXiv id (`arxiv`;
   with `s2` alone, only for papers with no id at all: it finds their arXiv ids cheaply);
3. a Semantic Scholar title match, one a request, for papers still without any id;
4. `POST /paper/batch` with the details and counts, 500 ids a request (`ARXIV:`, `DOI:`, S2 ids);
5. `POST /paper/batch` with references and citing works, packed within the documented limits;
6. `/paper/{id}/references` pages, only for reference lists cut at 1,000;
7. arXiv `id_list` for arXiv ids only Semantic Scholar knew (categories and dates; `arxiv`).

Before anything is sent, the steps run once against the HTTP cache alone: what the cache answers
costs nothing, what it cannot answer is counted (exactly where the requests are known, else
estimated), and that count with the expected waits is the `Plan`.  When the cache answers
everything the run ends there.  A source that stays rate-limited after its retries is not asked
again in the run: its remaining papers count as rate-limited, and a rerun resumes from the
cache, sending only what is missing.  Papers no request was sent for (the host given up for
the run, the deadline passed, offline and not cached: `NotAsked`) count as not asked.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from kg.enrich.run import Run
from kg.enrich.session import Client
from kg.enrich.steps import NAMES, NOT_ASKED, OUTCOMES, Probe, Progress, RunResult, Step
from kg.model import Paper

__all__ = ["NAMES", "NOT_ASKED", "OUTCOMES", "Plan", "RunResult", "make_plan", "run_plan"]


@dataclass
class Plan:
    """What a run will send, per source and step, and the rate-limit intervals behind the waits."""

    steps: list[Step]
    intervals: dict[str, float]

    def requests(self, source: str) -> tuple[int, int]:
        """(requests expected, further requests possible) for `source`."""
        steps = [s for s in self.steps if s.source == source]
        return sum(s.send + s.about for s in steps), sum(s.up_to for s in steps)

    @property
    def nothing_to_send(self) -> bool:
        return all(s.send + s.about + s.up_to == 0 for s in self.steps)

    def lines(self) -> list[str]:
        """The plan in words, one line per source that has anything to send."""
        if self.nothing_to_send:
            return ["every answer is in the cache; nothing to send"]
        out = []
        for source, name in NAMES.items():
            steps = [s for s in self.steps if s.source == source and s.send + s.about + s.up_to]
            if not steps:
                continue
            expected, possible = self.requests(source)
            estimated = any(s.about for s in steps)
            parts = []
            for s in steps:
                if s.send + s.about:
                    parts.append(f"{'about ' if s.about else ''}{_count(s.send + s.about, s.what)}")
            head = f"{name}: {'about ' if estimated else ''}{_count(expected, 'request|requests')}"
            if parts:
                head += f" ({', '.join(parts)})"
            bounded = [f"up to {_count(s.up_to, s.what)}" for s in steps if s.up_to]
            if bounded:
                head += f", and {' and '.join(bounded)}"
            interval = self.intervals.get(source, 0.0)
            wait = f"{'about ' if estimated else ''}{_duration(max(expected - 1, 0) * interval)} of waits"
            longest = _duration(max(expected + possible - 1, 0) * interval)
            if possible and longest != _duration(max(expected - 1, 0) * interval):
                wait += f" (up to {longest})"
            out.append(f"{head}; {wait}")
        return out


def _count(n: int, forms: str) -> str:
    one, many = forms.split("|")
    return f"{n} {one if n == 1 else many}"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def make_plan(
    papers: Sequence[Paper], sources: Sequence[str], clients: dict[str, Client], *, embeddings: bool = False
) -> tuple[Plan, list[Paper] | None, RunResult]:
    """The plan for enriching `papers`, from a dry run against the cache alone.

    Returns the plan, and when the cache answered everything the enriched copies of the
    papers with the run's outcomes (else None and the dry run's partial outcomes).
    """
    probes = {
        name: Probe(session=c.session, limiter=c.limiter, headers=dict(c.headers), refresh=c.refresh)
        for name, c in clients.items()
    }
    copies = copy.deepcopy(list(papers))
    result = Run(copies, sources, dict(probes), dry=True, embeddings=embeddings, progress=None).run()
    plan = Plan(result.steps, {name: c.limiter.interval for name, c in clients.items()})
    return plan, (copies if result.complete and plan.nothing_to_send else None), result


def run_plan(
    papers: Sequence[Paper],
    sources: Sequence[str],
    clients: dict[str, Client],
    *,
    embeddings: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """Enrich `papers` in place, sending what the cache does not hold."""
    return Run(papers, sources, clients, dry=False, embeddings=embeddings, progress=progress).run()
