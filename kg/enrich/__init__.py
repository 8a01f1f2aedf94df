"""Optional enrichment of papers from arXiv and Semantic Scholar, through one cached session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests

from kg.enrich import arxiv, s2
from kg.enrich.session import Client, EnrichError, Health, Limiter
from kg.model import Paper
from kg.sources.identity import arxiv_key

SOURCES = ("arxiv", "s2")
NAMES = {"arxiv": "arXiv", "s2": "Semantic Scholar"}
# (label, done, total): the label carries the expected rate-limit wait.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EnrichOptions:
    """How a run asks: `timeout` bounds the whole enrichment in seconds (waits included;
    None for no bound); `refresh` asks the network even for answers the cache holds."""

    timeout: float | None = None
    refresh: bool = False


@dataclass
class EnrichReport:
    """Per source: matched / unmatched / failed / not asked counts and the requests sent;
    why papers were not asked; warnings."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    not_asked_reason: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def enrich_papers(
    papers: Sequence[Paper],
    sources: Sequence[str],
    *,
    session: requests.Session,
    progress: Progress | None = None,
    options: EnrichOptions | None = None,
    clients: dict[str, Client] | None = None,
) -> tuple[list[Paper], EnrichReport]:
    """Fill enrichment fields of `papers` from `sources`; papers sharing an arXiv id merge.

    Never raises for network or data problems: they become warnings and "failed" or "not
    asked" counts.  A host that keeps failing is given up for the run, and `options.timeout`
    bounds the whole run; papers left are "not asked".  `clients` (tests) replace the real
    ones, `options` included.
    """
    options = options or EnrichOptions()
    if clients is None:
        health = Health.with_timeout(options.timeout)
        clients = {
            "arxiv": Client(session, Limiter(arxiv.INTERVAL), health=health, refresh=options.refresh),
            "s2": Client(
                session,
                Limiter(s2.INTERVAL_KEY if s2.api_headers() else s2.INTERVAL_KEYLESS),
                headers=s2.api_headers(),
                health=health,
                refresh=options.refresh,
            ),
        }
    report = EnrichReport()
    # A paper named only by an id has no title to search for.
    titles = {p.key: p.title for p in papers if p.title}
    by_key = {p.key: p for p in papers}
    if "arxiv" in sources:
        # Known arXiv ids are looked up by id (batched); the other papers by title.
        known = {p.key: p.arxiv_id for p in papers if p.arxiv_id}
        searched = {k: t for k, t in titles.items() if k not in known}
        if progress:
            batches = -(-len(searched) // arxiv.TITLES_PER_QUERY) + -(-len(known) // arxiv.IDS_PER_QUERY)
            progress(f"arXiv (up to {max(batches - 1, 0) * arxiv.INTERVAL:.0f} s of waits)", 0, 1)
        found = arxiv.search_titles(searched, client=clients["arxiv"])
        by_id = arxiv.lookup_ids(known, client=clients["arxiv"])
        for key, record in found.matched.items():
            paper = by_key[key]
            paper.arxiv_id = record.arxiv_id
            _fill(paper, record)
        for key, record in by_id.matched.items():
            _fill(by_key[key], record)
        found.matched.update(by_id.matched)
        found.unmatched += by_id.unmatched
        found.failed += by_id.failed
        found.warnings += by_id.warnings
        _count(report, "arxiv", found, clients["arxiv"])
        unasked = sum(1 for p in papers if not p.arxiv_id and not p.title)
        if unasked:
            report.warnings.append(
                f"arXiv: {unasked} papers known only by DOI were not asked (arXiv looks papers up by id or title)"
            )
        if progress:
            progress("arXiv", 1, 1)
    if "s2" in sources:
        if progress:
            progress(
                f"Semantic Scholar (≈{2 * len(titles) * clients['s2'].limiter.interval:.0f} s of waits)", 0, 1
            )
        result = s2.enrich_s2(titles, client=clients["s2"])
        for key, hit in result.matched.items():
            paper = by_key[key]
            if paper.arxiv_id and hit.arxiv_id and paper.arxiv_id != hit.arxiv_id:
                report.warnings.append(
                    f"conflict for {paper.title!r}: arXiv id {paper.arxiv_id} (arXiv) vs {hit.arxiv_id} "
                    "(Semantic Scholar); kept arXiv's"
                )
            if paper.doi and hit.doi and paper.doi.lower() != hit.doi.lower():
                report.warnings.append(
                    f"conflict for {paper.title!r}: DOI {paper.doi} (arXiv) vs {hit.doi} (Semantic Scholar); kept arXiv's"
                )
            paper.s2_id = hit.s2_id
            paper.arxiv_id = paper.arxiv_id or hit.arxiv_id
            paper.doi = paper.doi or hit.doi
            paper.venue = hit.venue
            paper.issued = paper.issued or hit.published
            if hit.authors:
                paper.authors = list(hit.authors)
            paper.references = sorted(set(hit.references), key=lambda r: (r.s2_id or "", r.title or ""))
        _count(report, "s2", result, clients["s2"])
        if progress:
            progress("Semantic Scholar", 1, 1)
        if "arxiv" in sources:
            _fill_from_ids([p for p in papers if p.arxiv_id and not p.categories], clients["arxiv"], report)
    for source in sources:
        report.warnings += _network_warnings(source, clients[source], report)
    return _merge_by_arxiv_id(papers, report), report


def _fill(paper: Paper, record: arxiv.ArxivRecord) -> None:
    """What arXiv knows and the inputs did not say; a date the inputs gave is kept unless
    arXiv's is the same date, more precisely (`2017` -> `2017-06-12`)."""
    paper.title = paper.title or record.title
    paper.abstract = paper.abstract or record.summary
    if record.published and (not paper.issued or record.published.startswith(paper.issued)):
        paper.issued = record.published
    paper.categories = list(record.categories)
    paper.doi = paper.doi or record.doi
    if not paper.authors:
        paper.authors = [(name, None) for name in record.authors]


def _fill_from_ids(papers: Sequence[Paper], client: Client, report: EnrichReport) -> None:
    """arXiv metadata for ids that Semantic Scholar supplied but the title search missed."""
    if not papers:
        return
    try:
        records = arxiv.fetch_ids([p.arxiv_id for p in papers if p.arxiv_id], client=client)
    except EnrichError:  # counted by the client, reported with its other failures
        return
    for paper in papers:
        record = records.get(paper.arxiv_id or "")
        if record is not None:
            paper.categories = list(record.categories)
            paper.issued = record.published or paper.issued
    report.counts["arxiv"]["requests"] = client.sent


def _count(
    report: EnrichReport, source: str, result: arxiv.ArxivResult | s2.S2Result, client: Client
) -> None:
    report.counts[source] = {
        "matched": len(result.matched),
        "unmatched": len(result.unmatched),
        "failed": len(result.failed),
        "not asked": len(result.not_asked),
        "requests": client.sent,
    }
    report.warnings += result.warnings


def _papers(n: int) -> str:
    return f"{n} paper{'' if n == 1 else 's'}"


def _network_warnings(source: str, client: Client, report: EnrichReport) -> list[str]:
    """At most one line for a source: why papers were not asked, or what failed."""
    name, counts, health = NAMES[source], report.counts.get(source, {}), client.health
    failed, not_asked = counts.get("failed", 0), counts.get("not asked", 0)
    down = sorted(host for host in client.hosts if host in health.down)
    if down:
        report.not_asked_reason[source] = "network down"
        hosts = " and ".join(f"{host} ({health.down[host]})" for host in down)
        lost = [f"{_papers(failed)} failed"] * bool(failed) + [f"{not_asked} not asked"] * bool(not_asked)
        return [
            f"{name}: {hosts} {'is' if len(down) == 1 else 'are'} unreachable"
            + (f": {', '.join(lost)}" if lost else "")
            + ". Check the connection, or build with --offline to use only cached answers."
        ]
    if health.timed_out and not_asked:
        report.not_asked_reason[source] = "time limit"
        return [f"{name}: stopped at the time limit (--enrich-timeout): {_papers(not_asked)} not asked."]
    if not_asked:
        report.not_asked_reason[source] = "offline, not cached" if client.offline else "not asked"
        if client.offline:
            return [f"{name}: {_papers(not_asked)} not asked (offline, and not in the cache)."]
    if client.failures:
        more = len(client.failures) - 1
        return [
            f"{name}: {len(client.failures)} requests failed, e.g. {client.failures[0]}"
            if more
            else f"{name}: a request failed: {client.failures[0]}"
        ]
    return []


def _merge_by_arxiv_id(papers: Sequence[Paper], report: EnrichReport) -> list[Paper]:
    merged: dict[str, Paper] = {}
    for paper in papers:
        key = arxiv_key(paper.arxiv_id) if paper.arxiv_id else paper.key
        if key in merged:
            into = merged[key]
            report.warnings.append(
                f"merged {paper.title!r} into {into.title!r} (same arXiv id {paper.arxiv_id})"
            )
            into.occurrences = sorted(set(into.occurrences) | set(paper.occurrences))
            into.title = into.title or paper.title
            into.abstract = into.abstract or paper.abstract
            into.links = into.links + [link for link in paper.links if link not in into.links]
            continue
        paper.key = key
        merged[key] = paper
    return [merged[k] for k in sorted(merged)]
