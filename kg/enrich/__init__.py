"""Optional enrichment of papers from arXiv and Semantic Scholar, through one cached session.

`enrich_papers` follows the request plan of `kg.enrich.plan` (cheapest requests first), tells
the caller the plan before anything is sent, and reports per source how many papers were
matched, not found, rate-limited or failed, and how many requests went to the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests

from kg.enrich import arxiv, s2
from kg.enrich.plan import OUTCOMES, Plan, make_plan, run_plan
from kg.enrich.session import Client, Limiter
from kg.errors import ConfigError
from kg.model import Paper
from kg.sources.identity import arxiv_key

# "specter" asks Semantic Scholar for SPECTER v2 embeddings too (it implies "s2").
SOURCES = ("arxiv", "s2", "specter")
# (label, done, total): progress of the step under way.
Progress = Callable[[str, int, int], None]


@dataclass
class EnrichReport:
    """Per source: papers matched / not_found / rate_limited / failed and the requests sent;
    the plan shown before sending; warnings."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    plan: Plan | None = None


def make_clients(session: requests.Session) -> dict[str, Client]:
    """The real clients: arXiv's 3-second rule, Semantic Scholar's rate with or without a key."""
    headers = s2.api_headers()
    return {
        "arxiv": Client(session, Limiter(arxiv.INTERVAL)),
        "s2": Client(session, Limiter(s2.INTERVAL_KEY if headers else s2.INTERVAL_KEYLESS), headers=headers),
    }


def enrich_papers(
    papers: Sequence[Paper],
    sources: Sequence[str],
    *,
    session: requests.Session,
    progress: Progress | None = None,
    clients: dict[str, Client] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> tuple[list[Paper], EnrichReport]:
    """Fill enrichment fields of `papers` from `sources`; papers sharing an arXiv id merge.

    `on_plan` receives the plan (from the cache alone) before any request is sent.  Never
    raises for network or data problems: they become warnings and per-paper outcomes.
    """
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ConfigError(
            f"unknown enrichment source(s) {', '.join(unknown)} (choose from {', '.join(SOURCES)})"
        )
    embeddings = "specter" in sources
    asked = sorted({"s2" if s == "specter" else s for s in sources})
    clients = clients or make_clients(session)
    plan, done, result = make_plan(papers, asked, clients, embeddings=embeddings)
    report = EnrichReport(plan=plan)
    if on_plan:
        on_plan(plan)
    if done is not None:  # the cache answered everything
        papers = done
    else:
        result = run_plan(papers, asked, clients, embeddings=embeddings, progress=progress)
    for source, status in result.status.items():
        report.counts[source] = {o: sum(1 for v in status.values() if v == o) for o in OUTCOMES}
        report.counts[source]["requests"] = clients[source].sent
    report.warnings += result.warnings
    return _merge_by_arxiv_id(papers, report), report


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
