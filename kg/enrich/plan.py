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
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import requests

from kg.enrich import arxiv, s2
from kg.enrich.session import EXPIRE_AFTER, Client, EnrichError, NotAsked, NotCached, RateLimited
from kg.model import Paper, Reference

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


class _Unknown(Exception):
    """Dry run: the cache does not hold the answer."""


class _Failed(Exception):
    def __init__(self, outcome: str):
        self.outcome = outcome


@dataclass
class RunResult:
    """Outcomes per source and paper key, warnings, and the steps a dry run counted."""

    status: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    complete: bool = True  # a dry run that the cache answered entirely


class _Run:
    """One pass of the steps over `papers` (mutated in place) with `clients`."""

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

    # ------------------------------------------------------------------------ helpers

    def _begin(self, source: str, what: str) -> Step:
        self.step = Step(source, what)
        self.result.steps.append(self.step)
        return self.step

    def _ask(self, source: str, call: Callable[[], T]) -> T:
        """`call()`, or `_Unknown` (dry run, not cached) or `_Failed` with the outcome."""
        if source in self.limited:
            raise _Failed(RATE_LIMITED)
        client = self.clients[source]
        before = (client.hits, client.misses) if isinstance(client, Probe) else (0, 0)
        try:
            return call()
        except NotCached:
            if self.dry:
                self.result.complete = False
                raise _Unknown from None
            raise _Failed(NOT_ASKED) from None  # offline: counted, and said once per source
        except NotAsked:  # host given up, or the deadline passed: said once per source
            raise _Failed(NOT_ASKED) from None
        except RateLimited as err:
            self.limited.add(source)
            self.result.warnings.append(
                f"{NAMES[source]}: {err}; stopped asking it for this run (what came is cached: "
                "build again later to resume)"
            )
            raise _Failed(RATE_LIMITED) from None
        except EnrichError:  # the client keeps the reason, for one warning per source
            raise _Failed(FAILED) from None
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

    # ------------------------------------------------------------------------ steps

    def run(self) -> RunResult:
        if "arxiv" in self.sources:
            self.arxiv_ids()
        if self.sources & {"arxiv", "s2"}:
            self.arxiv_titles()
        if "s2" in self.sources:
            self.s2_matches()
            found = self.s2_details()
            self.s2_links(found)
            if "arxiv" in self.sources:
                self.arxiv_fill()
        return self.result

    def arxiv_ids(self) -> None:
        """Papers whose arXiv id an input gave: arXiv's record by id."""
        known = {p.key: p.arxiv_id for p in self.papers if p.arxiv_id}
        keys = sorted(known, key=lambda k: (known[k], k))
        self._begin("arxiv", "id lookup|id lookups")
        chunks = [keys[i : i + arxiv.IDS_PER_QUERY] for i in range(0, len(keys), arxiv.IDS_PER_QUERY)]
        for n, chunk in enumerate(chunks):
            self._tick("arXiv: ids", n, len(chunks))
            try:
                records = self._ask(
                    "arxiv",
                    partial(arxiv.lookup_batch, [known[k] for k in chunk], client=self.clients["arxiv"]),
                )
            except _Unknown:
                continue
            except _Failed as failed:
                self._mark("arxiv", chunk, failed.outcome)
                continue
            for key in chunk:
                record = records.get(known[key])
                self._mark("arxiv", [key], MATCHED if record else NOT_FOUND)
                if record is not None:
                    _fill(self.by_key[key], record)
        self._tick("arXiv: ids", len(chunks), len(chunks))

    def arxiv_titles(self) -> None:
        """Papers with a title and no arXiv id: arXiv's title search, 10 titles a request."""
        fill = "arxiv" in self.sources
        titles = {p.key: p.title for p in self.papers if p.title and not p.arxiv_id and (fill or not p.doi)}
        keys = sorted(titles)
        self._begin("arxiv", "title search|title searches")
        per = arxiv.TITLES_PER_QUERY
        chunks = [keys[i : i + per] for i in range(0, len(keys), per)]
        for n, chunk in enumerate(chunks):
            self._tick("arXiv: titles", n, len(chunks))
            try:
                found = self._ask(
                    "arxiv",
                    partial(arxiv.search_batch, {k: titles[k] for k in chunk}, client=self.clients["arxiv"]),
                )
            except _Unknown:
                self.unknown.update(chunk)
                continue
            except _Failed as failed:
                self._mark("arxiv", chunk, failed.outcome)
                continue
            for key in chunk:
                record = found[key]
                self._mark("arxiv", [key], MATCHED if record else NOT_FOUND)
                if record is not None:
                    paper = self.by_key[key]
                    paper.arxiv_id = record.arxiv_id
                    if fill:
                        _fill(paper, record)
        self._tick("arXiv: titles", len(chunks), len(chunks))
        unasked = sum(1 for p in self.papers if not p.arxiv_id and not p.title)
        if fill and unasked:
            self.result.warnings.append(
                f"arXiv: {unasked} papers known only by DOI were not asked (arXiv looks papers up by id or title)"
            )

    def s2_matches(self) -> None:
        """Papers still without any id: Semantic Scholar's title match, one a request."""
        keys = sorted(p.key for p in self.papers if p.title and not p.arxiv_id and not p.doi)
        open_keys = [k for k in keys if k in self.unknown]
        if open_keys:  # papers whose arXiv search is still to come: each may need a match
            self._begin("s2", "title match if arXiv misses|title matches for the papers arXiv misses")
            self.result.steps[-1].up_to = len(open_keys)
        self._begin("s2", "title match|title matches")
        wanted = [k for k in keys if k not in self.unknown]
        for n, key in enumerate(wanted):
            self._tick("Semantic Scholar: title matches", n, len(wanted))
            try:
                hit = self._ask(
                    "s2", partial(s2.match_title, self.by_key[key].title, client=self.clients["s2"])
                )
            except _Unknown:
                self.unknown.add(key)
                continue
            except _Failed as failed:
                self._mark("s2", [key], failed.outcome)
                continue
            if hit is None:
                self._mark("s2", [key], NOT_FOUND)
            else:
                self.s2_found[key] = hit
        self._tick("Semantic Scholar: title matches", len(wanted), len(wanted))

    def _wanted(self) -> dict[str, list[str]]:
        """{batch id: paper keys}: `ARXIV:` ids first, then DOIs, then title matches."""
        wanted: dict[str, list[str]] = defaultdict(list)
        for paper in self.papers:
            if paper.key in self.unknown:
                continue
            if paper.arxiv_id:
                wanted[f"ARXIV:{paper.arxiv_id}"].append(paper.key)
            elif paper.doi:
                wanted[f"DOI:{paper.doi}"].append(paper.key)
            elif paper.key in self.s2_found:
                wanted[self.s2_found[paper.key]].append(paper.key)
            elif paper.key not in self.result.status.get("s2", {}):
                self._mark("s2", [paper.key], NOT_FOUND)
        return wanted

    def s2_details(self) -> dict[str, list[str]]:
        """Details and counts of every paper with an id, 500 ids a request; {S2 id: paper keys}.

        A few papers (`s2.TOGETHER`) get their references and citations in the same call.
        """
        wanted = self._wanted()
        ids = sorted(wanted)
        open_papers = len(self.unknown)
        self.together = len(ids) + open_papers <= s2.TOGETHER
        what = "details, references and citations" if self.together else "details"
        step = self._begin("s2", f"batch of {what}|batches of {what}")
        found: dict[str, list[str]] = defaultdict(list)
        if self.dry and open_papers:
            # Which ids go together depends on answers not known yet: estimate the batches.
            step.about = math.ceil((len(ids) + open_papers) / s2.BATCH)
            self.result.complete = False
            return found
        chunks = [ids[i : i + s2.BATCH] for i in range(0, len(ids), s2.BATCH)]
        fetch: Callable[..., Sequence[Any]] = s2.fetch_together if self.together else s2.fetch_details
        for n, chunk in enumerate(chunks):
            self._tick("Semantic Scholar: details", n, len(chunks))
            keys = [k for i in chunk for k in wanted[i]]
            try:
                answers = self._ask(
                    "s2", partial(fetch, chunk, client=self.clients["s2"], embeddings=self.embeddings)
                )
            except _Unknown:
                self.unknown.update(keys)
                continue
            except _Failed as failed:
                self._mark("s2", keys, failed.outcome)
                continue
            for batch_id, answer in zip(chunk, answers, strict=True):
                record, links = answer if isinstance(answer, tuple) else (answer, None)
                if record is None:
                    self._mark("s2", wanted[batch_id], NOT_FOUND)
                    continue
                self._mark("s2", wanted[batch_id], MATCHED)
                for key in wanted[batch_id]:
                    self._apply(self.by_key[key], record)
                    found[record.s2_id].append(key)
                if links is not None:
                    self.links[record.s2_id] = links
                else:
                    self.counts[record.s2_id] = (record.reference_count, record.citation_count)
        self._tick("Semantic Scholar: details", len(chunks), len(chunks))
        return found

    def s2_links(self, found: dict[str, list[str]]) -> None:
        """References and citing works, packed by `s2.link_batches`; then cut reference lists
        page by page."""
        if not self.together:
            self._fetch_links(found)
        cut: list[str] = []
        cited_cut = 0
        for s2_id, got in sorted(self.links.items()):
            for key in found[s2_id]:
                paper = self.by_key[key]
                paper.references = _sorted(got.references)
                paper.citations = _sorted(got.citations)
            if got.references_cut:
                cut.append(s2_id)
            cited_cut += got.citations_cut
        if cited_cut:
            self.result.warnings.append(
                f"Semantic Scholar: {cited_cut} papers have more than {s2.NESTED} citing works; "
                f"the first {s2.NESTED} listed are used (co-citation counts for them are lower bounds)"
            )
        self._begin("s2", "page of references|pages of references")
        for n, s2_id in enumerate(cut):
            self._tick("Semantic Scholar: reference pages", n, len(cut))
            try:
                refs = self._ask("s2", partial(s2.fetch_references, s2_id, client=self.clients["s2"]))
            except _Unknown:
                continue
            except _Failed as failed:
                self._mark("s2", found[s2_id], failed.outcome)
                continue
            for key in found[s2_id]:
                self.by_key[key].references = _sorted(tuple(refs))

    def _fetch_links(self, found: dict[str, list[str]]) -> None:
        """The batch calls of references and citations, for the papers the details counted."""
        step = self._begin("s2", "batch of references and citations|batches of references and citations")
        if self.dry and self.unknown:
            known = sum(min(r or 0, s2.NESTED) + min(c or 0, s2.NESTED) for r, c in self.counts.values())
            step.about = math.ceil((known + TYPICAL_LINKS * len(self.unknown)) / s2.NESTED_BUDGET)
            self.result.complete = False
            return
        batches = s2.link_batches(self.counts)
        missing = 0
        for n, batch in enumerate(batches):
            self._tick("Semantic Scholar: references and citations", n, len(batches))
            try:
                self.links.update(
                    self._ask("s2", partial(s2.fetch_links, batch, self.counts, client=self.clients["s2"]))
                )
            except _Unknown:
                continue
            except _Failed as failed:
                # Matched, but without its references and citations: a rerun completes it.
                self._mark("s2", [k for i in batch for k in found[i]], failed.outcome)
                if failed.outcome != NOT_ASKED:  # not asked: the network warning says it
                    missing += len(batch)
        self._tick("Semantic Scholar: references and citations", len(batches), len(batches))
        if missing:
            self.result.warnings.append(
                f"Semantic Scholar: references and citations of {missing} papers are missing; build again to fetch them"
            )

    def arxiv_fill(self) -> None:
        """arXiv metadata for arXiv ids that only Semantic Scholar supplied."""
        papers = [p for p in self.papers if p.arxiv_id and not p.categories and p.key not in self.unknown]
        ids = sorted({p.arxiv_id for p in papers if p.arxiv_id})
        self._begin(
            "arxiv", "id lookup for ids Semantic Scholar gave|id lookups for ids Semantic Scholar gave"
        )
        per = arxiv.IDS_PER_QUERY
        records: dict[str, arxiv.ArxivRecord] = {}
        for start in range(0, len(ids), per):
            try:
                records.update(
                    self._ask(
                        "arxiv",
                        partial(arxiv.lookup_batch, ids[start : start + per], client=self.clients["arxiv"]),
                    )
                )
            except (_Unknown, _Failed):
                continue
        for paper in papers:
            record = records.get(paper.arxiv_id or "")
            if record is not None:
                paper.categories = list(record.categories)
                paper.issued = record.published or paper.issued

    # ------------------------------------------------------------------------ applying answers

    def _apply(self, paper: Paper, hit: s2.S2Record) -> None:
        """What Semantic Scholar says of `paper`; the inputs' and arXiv's ids are kept."""
        label = paper.title or paper.key
        if paper.arxiv_id and hit.arxiv_id and paper.arxiv_id != hit.arxiv_id:
            self.result.warnings.append(
                f"conflict for {label!r}: arXiv id {paper.arxiv_id} vs {hit.arxiv_id} "
                "(Semantic Scholar); kept the first"
            )
        if paper.doi and hit.doi and paper.doi.lower() != hit.doi.lower() and not _arxiv_doi(hit.doi):
            self.result.warnings.append(
                f"conflict for {label!r}: DOI {paper.doi} vs {hit.doi} (Semantic Scholar); kept the first"
            )
        paper.s2_id = hit.s2_id
        paper.arxiv_id = paper.arxiv_id or hit.arxiv_id
        if not paper.doi and hit.doi and not _arxiv_doi(hit.doi):
            paper.doi = hit.doi.lower()
        paper.title = paper.title or hit.title or ""
        paper.abstract = paper.abstract or hit.abstract
        paper.venue = paper.venue or hit.venue
        published = hit.published or (str(hit.year) if hit.year else None)
        if published and (not paper.issued or published.startswith(paper.issued)):
            paper.issued = published
        if hit.authors:
            paper.authors = list(hit.authors)
        paper.citation_count = hit.citation_count
        paper.influential_citation_count = hit.influential_citation_count
        paper.embedding = s2.embedding_array(hit)


def _arxiv_doi(doi: str) -> bool:
    # The DOI arXiv registers for every preprint names the arXiv record, not a publication.
    return doi.lower().startswith("10.48550/arxiv.")


def _sorted(works: Sequence[Reference]) -> list[Reference]:
    """Distinct works in an order that does not depend on hashing."""
    return sorted(
        set(works), key=lambda r: (r.s2_id or "", r.title or "", r.arxiv_id or "", r.doi or "", r.year or 0)
    )


def _fill(paper: Paper, record: arxiv.ArxivRecord) -> None:
    """What arXiv knows and the inputs did not say; a date the inputs gave is kept unless
    arXiv's is the same date, more precisely (`2017` -> `2017-06-12`)."""
    paper.title = paper.title or record.title
    paper.abstract = paper.abstract or record.summary
    if record.published and (not paper.issued or record.published.startswith(paper.issued)):
        paper.issued = record.published
    paper.categories = list(record.categories)
    paper.doi = paper.doi or (record.doi.lower() if record.doi else None)
    if not paper.authors:
        paper.authors = [(name, None) for name in record.authors]


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
    result = _Run(copies, sources, dict(probes), dry=True, embeddings=embeddings, progress=None).run()
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
    return _Run(papers, sources, clients, dry=False, embeddings=embeddings, progress=progress).run()
