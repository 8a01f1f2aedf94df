"""The `kg` command line: thin typer commands over the library.

The build's machinery (numpy, scipy, networkx, rdflib, requests) is imported inside the
commands that use it, so `kg --help`, `kg query` and `kg view` start without paying for it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kg import query
from kg.errors import KgError
from kg.files import Terminated, atomic_outputs, handle_sigterm
from kg.namespaces import DEFAULT_BASE
from kg.view.options import DEFAULT_GROUPS, ViewOptions

if TYPE_CHECKING:
    from kg.enrich import EnrichReport
    from kg.enrich.plan import Plan
    from kg.pipeline import Progress as StageProgress


class _PlainHelp:
    """Help without type labels (`<bool>`, `<list[str]>`): a flag needs none, and options and
    arguments name what they take by their metavar and help text."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if isinstance(param, typer.core.TyperOption) and param.metavar is None:
                param.metavar = "" if param.is_flag else (param.name or "").upper()
            elif isinstance(param, typer.core.TyperArgument):
                setattr(param, "display_type_rich", lambda ctx: "")  # noqa: B010 (an instance's override)
        return params


class PlainCommand(_PlainHelp, typer.core.TyperCommand):
    pass


class PlainGroup(_PlainHelp, typer.core.TyperGroup):
    pass


app = typer.Typer(
    cls=PlainGroup,
    help="Turn saved lists of research papers into a citation/metadata knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
MAX_WARNINGS = 20  # more than this buries the summary; the count of the rest is printed
out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class RdfFormat(str, enum.Enum):
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"
    graphml = "graphml"
    gexf = "gexf"


def fail(err: KgError, code: int = 1) -> typer.Exit:
    """Print the one-line error and return the exit to raise."""
    err_console.print(f"Error: {err}", markup=False, soft_wrap=True)
    return typer.Exit(code)


def interrupted(stop: KeyboardInterrupt, out: Path) -> typer.Exit:
    """Say that an interrupted (Ctrl-C) or terminated (SIGTERM) command wrote nothing."""
    how, code = ("terminated (SIGTERM)", 143) if isinstance(stop, Terminated) else ("interrupted", 130)
    err_console.print(
        f"Stopped: {how}; nothing was written, {out} is as it was.", markup=False, soft_wrap=True
    )
    return typer.Exit(code)


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[StageProgress]:
    """A rich progress bar on stderr, one task per pipeline stage; it vanishes when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


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


class DrawKind(str, enum.Enum):
    papers = "papers"
    concepts = "concepts"
    code = "code"
    authors = "authors"


# Help panels: `kg build --help` groups its many options by what they are about.
INPUTS, CONCEPTS, VIEW, ENRICHMENT, OUTPUT = "Inputs", "Concepts", "View", "Enrichment", "Output"
DrawOpt = Annotated[
    list[DrawKind] | None,
    typer.Option(
        "--draw",
        metavar="KIND",
        rich_help_panel=VIEW,
        help="Node kinds to draw: papers, concepts, code, authors (repeat; default the first three).",
    ),
]
MinConceptOpt = Annotated[
    int,
    typer.Option(
        min=1, metavar="N", rich_help_panel=VIEW, help="Draw concepts tagging at least this many papers."
    ),
]
LargestOpt = Annotated[
    bool,
    typer.Option(
        "--largest-component", rich_help_panel=VIEW, help="Draw only the largest connected component."
    ),
]
MaxNodesOpt = Annotated[
    int,
    typer.Option(min=1, metavar="N", rich_help_panel=VIEW, help="Most nodes drawn (highest degree first)."),
]
MaxEdgesOpt = Annotated[
    int,
    typer.Option(
        min=0, metavar="N", rich_help_panel=VIEW, help="Most edges drawn (similarity and topic links first)."
    ),
]


def _view_options(
    draw: list[DrawKind] | None,
    min_concept: int,
    largest: bool,
    max_nodes: int,
    max_edges: int,
    paper: str | None = None,
) -> ViewOptions:
    groups = tuple(d.value for d in draw) if draw else DEFAULT_GROUPS
    return ViewOptions(groups, min_concept, largest, max_nodes, max_edges, paper)


@app.command(cls=PlainCommand)
def build(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            show_default=False,
            help="Files, folders (every *.txt, *.json, *.bib, *.html below) or globs: saved Daily Papers "
            "pages, Hugging Face API JSON, saved HTML, arXiv id / DOI lists and BibTeX, told apart by "
            "content. Default: the bundled sample.",
        ),
    ] = None,
    input_format: Annotated[
        InputFormat,
        typer.Option(
            "--input-format",
            metavar="FORMAT",
            rich_help_panel=INPUTS,
            help="Read every input as this format (page, hf, html, ids, bibtex) instead of detecting it.",
        ),
    ] = InputFormat.auto,
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
            "specter also asks s2 for SPECTER v2 embeddings (nearest-paper links). Repeat for several.",
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
            help="Stop asking after this long, waits included; the rest count as not asked.",
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
    """
    from kg import pipeline
    from kg.concepts import ConceptOptions, read_stoplist, read_synonyms
    from kg.enrich import EnrichOptions
    from kg.enrich.session import make_session

    chosen = [f.value for f in formats] if formats else ["ttl"]
    try:
        options = ConceptOptions(
            per_paper=concepts_per_paper,
            min_papers=min_papers,
            stoplist=read_stoplist(stoplist) if stoplist else frozenset(),
            synonyms=read_synonyms(synonyms) if synonyms else {},
        )
        drawing = _view_options(draw, min_concept_papers, largest_component, max_nodes, max_edges)
        sources = [e.value for e in enrich] if enrich else []
        if offline and refresh:
            raise fail(KgError("--offline and --refresh exclude each other"), code=2)
        session = make_session(cache, offline=offline) if sources else None

        def show_plan(plan: Plan) -> None:
            if not quiet:
                for line in plan.lines():
                    err_console.print(f"Plan: {line}", markup=False, soft_wrap=True)

        with _progress_bar(quiet) as progress:
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
        ("entries", result.entries),
        ("distinct papers", len(result.papers)),
        ("papers with a repository", result.papers_with_repo),
        ("repositories", result.count("repo")),
        ("owners", result.count("owner")),
        ("hosts", result.count("host")),
        ("concepts", result.count("concept")),
        ("triples", result.triples),
        ("time", f"{result.elapsed:.2f} s"),
    ]
    for what, value in rows:
        table.add_row(what, str(value))
    out_console.print(table)
    if result.enrichment is not None and result.enrichment.counts:
        out_console.print(_enrichment_table(result.enrichment))
    for path in result.outputs:
        out_console.print(f"wrote {path}", markup=False, soft_wrap=True)


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


@app.command(cls=PlainCommand)
def stats(
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", "-d", metavar="FILE", help="RDF file(s) of a build (repeat)."),
    ] = None,
) -> None:
    """Show counts of papers, code links, sources and top repository owners in a build.

    Example: kg stats --data exports/graph.ttl
    """
    try:
        result = query.graph_stats(query.load_store(data or [query.DEFAULT_DATA]))
    except KgError as err:
        raise fail(err) from None
    table = Table(title="kg stats", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, value in result.counts.items():
        table.add_row(what, str(value))
    out_console.print(table)
    for title, column, ranked in [
        ("concepts with most papers", "concept", result.top_concepts),
        ("owners with most papers", "owner", result.top_owners),
    ]:
        if ranked:
            ranking = Table(title=title)
            ranking.add_column(column)
            ranking.add_column("papers", justify="right")
            for name, n in ranked:
                ranking.add_row(name, str(n))
            out_console.print(ranking)


@app.command("view", cls=PlainCommand)
def view_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            show_default=False,
            help="Papers to draw (built in memory); default: the last build in --out.",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Folder of the build (graph.ttl or graph.nt, graph.html)."
        ),
    ] = Path("exports"),
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Print the page's path instead of opening it.")
    ] = False,
    paper: Annotated[
        str | None,
        typer.Option(
            "--paper",
            metavar="TITLE",
            help="Open on this paper (its title, or enough of it) and its nearest papers.",
        ),
    ] = None,
    draw: DrawOpt = None,
    min_concept_papers: MinConceptOpt = ViewOptions.min_concept_papers,
    largest_component: LargestOpt = False,
    max_nodes: MaxNodesOpt = ViewOptions.max_nodes,
    max_edges: MaxEdgesOpt = ViewOptions.max_edges,
) -> None:
    """Open the map of the last build (exports/graph.html) in the browser; it works offline.

    Drawing options redraw the page from the build's graph.ttl (or the inputs given) first.
    Example: kg view --paper "Scaling Laws for Speculative Decoding" --no-open
    """
    page = out / "graph.html"
    try:
        options = _view_options(draw, min_concept_papers, largest_component, max_nodes, max_edges, paper)
        if inputs or options != ViewOptions():
            from kg import pipeline, view

            graph = pipeline.build_corpus(inputs).graph if inputs else view.read_build(out)
            notes = view.check_drawable(graph, options)
            with atomic_outputs(out) as staged:
                staged.write("graph.html", lambda p: view.write_html(graph, p, options))
            for note in notes:
                err_console.print(f"Warning: nothing drawn for {note}", markup=False, soft_wrap=True)
        elif not page.is_file():
            raise KgError("no such page (run `kg build` first)", path=page)
    except KgError as err:
        raise fail(err) from None
    if no_open:
        out_console.print(str(page), markup=False, soft_wrap=True)
        return
    import webbrowser

    webbrowser.open(page.resolve().as_uri())


class FetchSource(str, enum.Enum):
    hf = "hf"


@app.command("fetch", cls=PlainCommand)
def fetch_command(
    source: Annotated[
        FetchSource, typer.Argument(metavar="SOURCE", help="What to fetch: hf (Hugging Face Daily Papers).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for the saved JSON files.")],
    date: Annotated[
        list[str] | None,
        typer.Option("--date", "-d", metavar="DAY", help="A day's list, YYYY-MM-DD (repeatable)."),
    ] = None,
    week: Annotated[
        list[str] | None, typer.Option(metavar="WEEK", help="An ISO week's list, e.g. 2024-W43 (repeatable).")
    ] = None,
    month: Annotated[
        list[str] | None, typer.Option(metavar="MONTH", help="A month's list, e.g. 2024-10 (repeatable).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", metavar="DAY", help="First day of a range (one file a day).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", metavar="DAY", help="Last day of the range.")] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="HTTP cache (SQLite). Default: $KG_CACHE_DIR/http.sqlite or ~/.cache/kg."
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only cached answers; send nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Save Hugging Face Daily Papers lists as JSON files that kg build reads offline.

    One file per day, week or month in --out (hf-daily-2024-10-25.json, ...). Answers are
    cached, so fetching again sends nothing; KG_HF_API points at a mirror.

    Example: kg fetch hf --date 2024-10-25 --out papers && kg build papers
    """
    from kg.enrich.session import make_session
    from kg.fetch import fetch_hf, periods

    try:
        wanted = periods(dates=date or (), weeks=week or (), months=month or (), start=start, end=end)
    except KgError as err:
        raise fail(err, code=2) from None
    try:
        with _progress_bar(quiet) as progress:
            result = fetch_hf(wanted, out, session=make_session(cache, offline=offline), progress=progress)
    except KgError as err:
        raise fail(err) from None
    for period in result.empty:
        err_console.print(
            f"Note: no papers listed for {period.kind} {period.value}; no file written", soft_wrap=True
        )
    if quiet:
        return
    for path, count in result.files:
        out_console.print(f"wrote {path} ({count} papers)", markup=False, soft_wrap=True)
    out_console.print(f"{result.requests} requests sent ({len(wanted)} lists; the rest came from the cache)")


# The commands that ask a build questions and look after the cache: they register on `app`.
from kg import cli_ask  # noqa: E402, F401


def main() -> None:
    handle_sigterm()
    app()
