"""Optional enrichment of papers from arXiv and Semantic Scholar, through one cached session.

`enrich_papers` follows the request plan of `kg.enrich.plan` (cheapest requests first), tells
the caller the plan before anything is sent, and reports per source how many papers were
matched, not found, rate-limited, failed or not asked (why: network down, time limit,
offline), and how many requests went to the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests

from kg.enrich import arxiv, s2
from kg.enrich import session as http_session
from kg.enrich.plan import NAMES, NOT_ASKED, OUTCOMES, Plan, make_plan, run_plan
from kg.enrich.session import Client, Health, Limiter
from kg.errors import ConfigError
from kg.model import Paper
from kg.sources.identity import arxiv_key

# "specter" asks Semantic Scholar for SPECTER v2 embeddings too (it implies "s2").
SOURCES = ("arxiv", "s2", "specter")
# (label, done, total): progress of the step under way.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EnrichOptions:
    """How a run asks: `timeout` bounds the whole enrichment in seconds (waits included;
    None for no bound); `refresh` asks the network even for answers the cache holds."""

    timeout: float | None = None
    refresh: bool = False


@dataclass
class EnrichReport:
    """Per source: papers matched / not_found / rate_limited / failed / not_asked and the
    requests sent; why papers were not asked; the plan shown before sending; warnings."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    not_asked_reason: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    plan: Plan | None = None


def make_clients(session: requests.Session, options: EnrichOptions | None = None) -> dict[str, Client]:
    """The real clients: arXiv's 3-second rule, Semantic Scholar's rate with or without a key,
    one `Health` (hosts given up, the deadline of `options.timeout`) shared by both."""
    options = options or EnrichOptions()
    health = Health.with_timeout(options.timeout)
    headers = s2.api_headers()
    return {
        "arxiv": Client(session, Limiter(arxiv.INTERVAL), health=health, refresh=options.refresh),
        "s2": Client(
            session,
            Limiter(s2.INTERVAL_KEY if headers else s2.INTERVAL_KEYLESS),
            headers=headers,
            health=health,
            refresh=options.refresh,
        ),
    }


def enrich_papers(
    papers: Sequence[Paper],
    sources: Sequence[str],
    *,
    session: requests.Session,
    progress: Progress | None = None,
    options: EnrichOptions | None = None,
    clients: dict[str, Client] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> tuple[list[Paper], EnrichReport]:
    """Fill enrichment fields of `papers` from `sources`; papers sharing an arXiv id merge.

    `on_plan` receives the plan (from the cache alone) before any request is sent.  Never
    raises for network or data problems: they become warnings and per-paper outcomes.  A
    host that keeps failing is given up for the run, and `options.timeout` bounds the whole
    run; papers left are "not asked".  `clients` (tests) replace the real ones, `options`
    included.
    """
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ConfigError(
            f"unknown enrichment source(s) {', '.join(unknown)} (choose from {', '.join(SOURCES)})"
        )
    embeddings = "specter" in sources
    asked = sorted({"s2" if s == "specter" else s for s in sources})
    clients = clients or make_clients(session, options)
    plan, done, result = make_plan(papers, asked, clients, embeddings=embeddings)
    report = EnrichReport(plan=plan)
    if on_plan:
        on_plan(plan)
    if done is not None:  # the cache answered everything
        papers = done
    else:
        result = run_plan(papers, asked, clients, embeddings=embeddings, progress=progress)
    for source, status in sorted(result.status.items()):  # arxiv, then s2
        report.counts[source] = {o: sum(1 for v in status.values() if v == o) for o in OUTCOMES}
        report.counts[source]["requests"] = clients[source].sent
    report.warnings += result.warnings
    for source in report.counts:  # arXiv too when it only found ids for Semantic Scholar
        report.warnings += _network_warnings(source, clients[source], report)
    return _merge_by_arxiv_id(papers, report), report


def _papers(n: int) -> str:
    return f"{n} paper{'' if n == 1 else 's'}"


def _network_warnings(source: str, client: Client, report: EnrichReport) -> list[str]:
    """At most one line for a source: why papers were not asked, or what failed."""
    name, counts, health = NAMES[source], report.counts.get(source, {}), client.health
    failed, not_asked = counts.get("failed", 0), counts.get(NOT_ASKED, 0)
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
    if client.cache_busy and not_asked:
        report.not_asked_reason[source] = "cache busy"
        return [
            f"{name}: the HTTP cache was locked by another process for over {http_session.CACHE_WAIT:g} s: "
            f"{_papers(not_asked)} not asked (cache busy); build again once the other process is done."
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
