"""`kg build`: read the inputs, build the graph, write the exports and print a summary."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kg.cli.common import (
    CONCEPTS,
    ENRICHMENT,
    INPUTS,
    OUTPUT,
    DrawOpt,
    LargestOpt,
    MaxEdgesOpt,
    MaxNodesOpt,
    MinConceptOpt,
    err_console,
    fail,
    interrupted,
    out_console,
    progress_bar,
    view_options,
)
from kg.errors import KgError
from kg.export.namespaces import DEFAULT_BASE
from kg.view.options import ViewOptions

if TYPE_CHECKING:
    from kg.enrich import EnrichReport
    from kg.enrich.plan import Plan

MAX_WARNINGS = 20  # more than this buries the summary; the count of the rest is printed
# The pipeline's stages (`BuildResult.timings`) as the summary and -v name them.
STAGES = {
    "ingest": "reading",
    "enrich": "enrichment",
    "text": "text normalised",
    "extract": "links",
    "concepts": "concepts",
    "similar": "similar papers",
    "graph": "graph",
    "rdf": "RDF and store",
    "html": "map",
    "graphml": "GraphML",
    "gexf": "GEXF",
}


class RdfFormat(str, enum.Enum):
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"
    graphml = "graphml"
    gexf = "gexf"


class Source(str, enum.Enum):
    arxiv = "arxiv"
    s2 = "s2"
    specter = "specter"


class InputFormat(str, enum.Enum):
    auto = "auto"
    page = "page"
    hf = "hf"
    html = "html"
    ids = "ids"
    bibtex = "bibtex"
    snapshot = "snapshot"


def build(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            show_default=False,
            help="Files, folders (every *.txt, *.json, *.jsonl, *.bib, *.html, *.gz below) or globs: "
            "saved Daily Papers pages, Hugging Face API JSON, saved HTML, arXiv id / DOI lists, BibTeX "
            "and arXiv's metadata snapshot, plain or gzip, told apart by content. Default: the bundled sample.",
        ),
    ] = None,
    input_format: Annotated[
        InputFormat,
        typer.Option(
            "--input-format",
            metavar="FORMAT",
            rich_help_panel=INPUTS,
            help="Read every input as this format (page, hf, html, ids, bibtex, snapshot) instead of "
            "detecting it.",
        ),
    ] = InputFormat.auto,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            metavar="CAT",
            rich_help_panel=INPUTS,
            help="From an arXiv snapshot, read only papers in this category (cs.CL) or archive "
            "(cs.* or cs), primary or cross-listed; repeat for several.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM",
            rich_help_panel=INPUTS,
            help="From an arXiv snapshot, read only papers first submitted in this month or later.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM",
            rich_help_panel=INPUTS,
            help="From an arXiv snapshot, read only papers first submitted in this month or earlier.",
        ),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad", rich_help_panel=INPUTS, help="Warn about unreadable inputs, build the rest."
        ),
    ] = False,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="DIR", rich_help_panel=OUTPUT, help="Folder for the exports."),
    ] = Path("exports"),
    formats: Annotated[
        list[RdfFormat] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            rich_help_panel=OUTPUT,
            help="What to write: RDF (ttl, the default; nt, jsonld) or graphs for Gephi and "
            "Cytoscape (graphml, gexf); repeat for several.",
        ),
    ] = None,
    base_iri: Annotated[
        str,
        typer.Option(
            metavar="IRI", rich_help_panel=OUTPUT, help="Base of the IRIs kg mints for papers, concepts, …"
        ),
    ] = DEFAULT_BASE,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", rich_help_panel=OUTPUT, help="No progress bar or summary.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", rich_help_panel=OUTPUT, help="Print each stage's time as it ends."),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            rich_help_panel=OUTPUT,
            help="Worker processes for a large corpus (default: one per core).",
        ),
    ] = None,
    concepts_per_paper: Annotated[
        int,
        typer.Option(min=1, metavar="N", rich_help_panel=CONCEPTS, help="Most concepts tagged on one paper."),
    ] = 6,
    min_papers: Annotated[
        int,
        typer.Option(min=1, metavar="N", rich_help_panel=CONCEPTS, help="Fewest papers a concept must tag."),
    ] = 2,
    stoplist: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", rich_help_panel=CONCEPTS, help="Phrases (one a line) that must never be concepts."
        ),
    ] = None,
    synonyms: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", rich_help_panel=CONCEPTS, help="'alias = preferred label' lines merging concepts."
        ),
    ] = None,
    enrich: Annotated[
        list[Source] | None,
        typer.Option(
            "--enrich",
            "-e",
            metavar="SOURCE",
            rich_help_panel=ENRICHMENT,
            help="Ask arxiv and/or s2 (Semantic Scholar) for ids, authors, references and citations; "
            "specter also asks s2 for SPECTER v2 embeddings (nearest-paper links). Repeat for several. "
            "Without it the build sends nothing over the network; citation queries need s2.",
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            rich_help_panel=ENRICHMENT,
            help="HTTP cache (SQLite). Default: $KG_CACHE_DIR/http.sqlite or ~/.cache/kg/http.sqlite.",
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", rich_help_panel=ENRICHMENT, help="Use only cached answers; send nothing."),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh", rich_help_panel=ENRICHMENT, help="Ask again even for answers the cache holds."
        ),
    ] = False,
    enrich_timeout: Annotated[
        float | None,
        typer.Option(
            min=0,
            metavar="SECONDS",
            rich_help_panel=ENRICHMENT,
            help="Stop asking the web services after this many seconds in all (retries and waits included); "
            "papers not reached by then are counted as not asked. Default: no limit.",
        ),
    ] = None,
    draw: DrawOpt = None,
    min_concept_papers: MinConceptOpt = ViewOptions.min_concept_papers,
    largest_component: LargestOpt = False,
    max_nodes: MaxNodesOpt = ViewOptions.max_nodes,
    max_edges: MaxEdgesOpt = ViewOptions.max_edges,
) -> None:
    """Build the graph from your papers (pages, HF JSON, id lists, BibTeX) and write it to --out.

    Example: kg build pages/ library.bib --out exports --format ttl --format nt

    Example: kg build arxiv-metadata-oai-snapshot.json.gz --category cs.CL --since 2025-01
    """
    from kg import pipeline
    from kg.enrich import EnrichOptions
    from kg.enrich.session import make_session
    from kg.extract.concepts import ConceptOptions, read_stoplist, read_synonyms
    from kg.sources import SnapshotFilter

    chosen = [f.value for f in formats] if formats else ["ttl"]
    try:
        options = ConceptOptions(
            per_paper=concepts_per_paper,
            min_papers=min_papers,
            stoplist=read_stoplist(stoplist) if stoplist else frozenset(),
            synonyms=read_synonyms(synonyms) if synonyms else {},
        )
        try:
            keep = SnapshotFilter(tuple(category or ()), since, until)
        except KgError as err:
            raise fail(err, code=2) from None
        drawing = view_options(draw, min_concept_papers, largest_component, max_nodes, max_edges)
        sources = [e.value for e in enrich] if enrich else []
        if offline and refresh:
            raise fail(KgError("--offline and --refresh exclude each other"), code=2)
        session = make_session(cache, offline=offline) if sources else None

        def show_plan(plan: Plan) -> None:
            if not quiet:
                for line in plan.lines():
                    err_console.print(f"Plan: {line}", markup=False, soft_wrap=True)

        def show_stage(stage: str, seconds: float) -> None:
            if verbose:
                err_console.print(
                    f"{STAGES.get(stage, stage)}: {seconds:.2f} s", markup=False, soft_wrap=True
                )

        with progress_bar(quiet) as progress:
            result = pipeline.build(
                inputs,
                view=drawing,
                enrich=sources,
                session=session,
                enrich_options=EnrichOptions(timeout=enrich_timeout, refresh=refresh),
                out=out,
                formats=chosen,
                base=base_iri,
                skip_bad=skip_bad,
                input_format=None if input_format is InputFormat.auto else input_format.value,
                concepts=options,
                progress=progress,
                jobs=jobs,
                on_plan=show_plan,
                keep=keep,
                on_stage=show_stage,
            )
    except KgError as err:
        raise fail(err) from None
    except KeyboardInterrupt as stop:
        raise interrupted(stop, out) from None
    for note in result.notes:
        err_console.print(f"Note: {note}", markup=False, soft_wrap=True)
    for warning in result.warnings[:MAX_WARNINGS]:
        err_console.print(f"Warning: {warning}", markup=False, soft_wrap=True)
    if len(result.warnings) > MAX_WARNINGS:
        err_console.print(
            f"Warning: … and {len(result.warnings) - MAX_WARNINGS} more warnings", soft_wrap=True
        )
    if quiet:
        return
    table = Table(title="kg build", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("files read", result.files),
        *([("files skipped (no input format)", result.skipped)] if result.skipped else []),
        ("entries", result.entries),
        ("distinct papers", len(result.papers)),
        ("papers with a repository", result.papers_with_repo),
        ("repositories", result.count("repo")),
        ("owners", result.count("owner")),
        ("hosts", result.count("host")),
        ("concepts", result.count("concept")),
        ("texts shown as read (LaTeX, Markdown)", result.normalised),
        ("values repaired", result.repaired),
        ("values dropped", result.dropped),
        ("triples", result.triples),
        ("time", f"{result.elapsed:.2f} s"),
    ]
    for what, value in rows:
        table.add_row(what, str(value))
    for stage, seconds in result.timings.items():
        table.add_row(f"  {STAGES.get(stage, stage)}", f"{seconds:.2f} s")
    out_console.print(table)
    if result.enrichment is not None and result.enrichment.counts:
        out_console.print(_enrichment_table(result.enrichment))
    for path in result.outputs:
        out_console.print(f"wrote {path}", markup=False, soft_wrap=True)
    if verbose:
        for stage, seconds in result.timings.items():
            err_console.print(f"{stage:>12} {seconds:8.2f} s", markup=False)


def _enrichment_table(report: EnrichReport) -> Table:
    """Papers per source and outcome, and the requests sent; a caption says why papers were
    not asked (network down, time limit, offline and not cached)."""
    reasons = [
        f"{source} ({report.not_asked_reason[source]})"
        for source, counts in report.counts.items()
        if counts["not_asked"] and report.not_asked_reason.get(source)
    ]
    table = Table(
        title="enrichment (papers; requests sent)",
        caption=f"not asked: {'; '.join(reasons)}" if reasons else None,
    )
    for name in ("source", "matched", "not found", "rate-limited", "failed", "not asked", "requests"):
        table.add_column(name, justify="left" if name == "source" else "right")
    for source, counts in report.counts.items():
        outcomes = ("matched", "not_found", "rate_limited", "failed", "not_asked", "requests")
        table.add_row(source, *(str(counts[k]) for k in outcomes))
    return table
