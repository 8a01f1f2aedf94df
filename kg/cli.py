"""The `kg` command line: thin typer commands over the library."""

from __future__ import annotations

import enum
import sys
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import pipeline, query, view
from kg.concepts import ConceptOptions, read_stoplist, read_synonyms
from kg.enrich.plan import Plan
from kg.enrich.session import make_session
from kg.errors import KgError
from kg.files import atomic_outputs
from kg.rdf import DEFAULT_BASE

app = typer.Typer(
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


def fail(err: KgError, code: int = 1) -> typer.Exit:
    """Print the one-line error and return the exit to raise."""
    err_console.print(f"Error: {err}", markup=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[pipeline.Progress]:
    """A rich progress bar on stderr, one task per pipeline stage; it vanishes when done."""
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


DrawOpt = Annotated[
    list[DrawKind] | None,
    typer.Option("--draw", help="Node kinds the HTML view draws (repeat); default papers, concepts, code."),
]
MinConceptOpt = Annotated[int, typer.Option(min=1, help="Draw concepts tagging at least this many papers.")]
LargestOpt = Annotated[bool, typer.Option(help="Draw only the largest connected component.")]
MaxNodesOpt = Annotated[int, typer.Option(min=1, help="Most nodes drawn (highest degree first).")]
MaxEdgesOpt = Annotated[int, typer.Option(min=0, help="Most edges drawn (similarity and topic links first).")]


def _view_options(
    draw: list[DrawKind] | None, min_concept: int, largest: bool, max_nodes: int, max_edges: int
) -> view.ViewOptions:
    groups = tuple(d.value for d in draw) if draw else view.DEFAULT_GROUPS
    return view.ViewOptions(groups, min_concept, largest, max_nodes, max_edges)


@app.command()
def build(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Papers to read: files, folders (every *.txt, *.json, *.bib, *.html below) or globs. "
            "Saved Daily Papers pages, Hugging Face API JSON, saved HTML, arXiv id / DOI lists and "
            "BibTeX are told apart by content. Default: the bundled sample."
        ),
    ] = None,
    input_format: Annotated[
        InputFormat,
        typer.Option(
            "--input-format",
            help="Read every input as this format instead of detecting it from the content.",
        ),
    ] = InputFormat.auto,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the exports.")] = Path("exports"),
    formats: Annotated[
        list[RdfFormat] | None,
        typer.Option("--format", "-f", help="RDF format(s) to write; repeat for several."),
    ] = None,
    base_iri: Annotated[
        str, typer.Option(help="Base for the IRIs kg mints (papers, sources).")
    ] = DEFAULT_BASE,
    skip_bad: Annotated[bool, typer.Option(help="Warn about unreadable inputs and build the rest.")] = False,
    concepts_per_paper: Annotated[int, typer.Option(min=1, help="Most concepts tagged on one paper.")] = 8,
    min_papers: Annotated[int, typer.Option(min=1, help="Fewest papers a concept must tag.")] = 2,
    stoplist: Annotated[
        Path | None, typer.Option(help="File of phrases (one a line) that must never be concepts.")
    ] = None,
    synonyms: Annotated[
        Path | None, typer.Option(help="File of 'alias = preferred label' lines merging concepts.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    enrich: Annotated[
        list[Source] | None,
        typer.Option(
            "--enrich",
            "-e",
            help="Ask arXiv and/or Semantic Scholar (s2) for ids, authors, references and citations; "
            "specter also asks Semantic Scholar for SPECTER v2 embeddings (nearest-neighbour links).",
        ),
    ] = None,
    cache: Annotated[
        Path | None, typer.Option(help="HTTP cache file (SQLite). Default: $KG_CACHE_DIR or ~/.cache/kg.")
    ] = None,
    offline: Annotated[bool, typer.Option(help="Use only cached answers; send no request.")] = False,
    draw: DrawOpt = None,
    min_concept_papers: MinConceptOpt = view.ViewOptions.min_concept_papers,
    largest_component: LargestOpt = False,
    max_nodes: MaxNodesOpt = view.ViewOptions.max_nodes,
    max_edges: MaxEdgesOpt = view.ViewOptions.max_edges,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes for a large corpus (default: one per core)."
        ),
    ] = None,
) -> None:
    """Build the graph from your papers (pages, HF JSON, id lists, BibTeX) and write RDF to the output directory.

    Example: kg build pages/ library.bib --out exports --format ttl --format nt
    """
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
        enriched = Table(title="enrichment (papers)")
        for name in ("source", "matched", "not found", "rate-limited", "failed", "requests sent"):
            enriched.add_column(name, justify="left" if name == "source" else "right")
        for source, counts in result.enrichment.counts.items():
            enriched.add_row(
                source,
                *(str(counts[k]) for k in ("matched", "not_found", "rate_limited", "failed", "requests")),
            )
        out_console.print(enriched)
    for path in result.outputs:
        out_console.print(f"wrote {path}", markup=False, soft_wrap=True)


@app.command()
def stats(
    data: Annotated[list[Path] | None, typer.Option("--data", "-d", help="RDF file(s) of a build.")] = None,
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


@app.command("view")
def view_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Pages to draw (rebuilds the page); default: open the last build's page."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory holding graph.html.")] = Path("exports"),
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Print the page's path instead of opening it.")
    ] = False,
    draw: DrawOpt = None,
    min_concept_papers: MinConceptOpt = view.ViewOptions.min_concept_papers,
    largest_component: LargestOpt = False,
    max_nodes: MaxNodesOpt = view.ViewOptions.max_nodes,
    max_edges: MaxEdgesOpt = view.ViewOptions.max_edges,
) -> None:
    """Open the interactive graph (exports/graph.html) in the browser; it works offline.

    Drawing options or inputs redraw the page first. Example: kg view --draw papers --draw code --no-open
    """
    page = out / "graph.html"
    try:
        options = _view_options(draw, min_concept_papers, largest_component, max_nodes, max_edges)
        if inputs or options != view.ViewOptions():
            corpus = pipeline.build_corpus(inputs)
            with atomic_outputs(out) as staged:
                staged.write("graph.html", lambda p: view.write_html(corpus.graph, p, options))
        elif not page.is_file():
            raise KgError("no such page (run `kg build` first)", path=page)
    except KgError as err:
        raise fail(err) from None
    if no_open:
        out_console.print(str(page), markup=False, soft_wrap=True)
        return
    webbrowser.open(page.resolve().as_uri())


class FetchSource(str, enum.Enum):
    hf = "hf"


@app.command("fetch")
def fetch_command(
    source: Annotated[FetchSource, typer.Argument(help="What to fetch: hf (Hugging Face Daily Papers).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the saved JSON files.")],
    date: Annotated[
        list[str] | None, typer.Option("--date", "-d", help="A day's list, YYYY-MM-DD (repeatable).")
    ] = None,
    week: Annotated[
        list[str] | None, typer.Option(help="An ISO week's list, e.g. 2024-W43 (repeatable).")
    ] = None,
    month: Annotated[
        list[str] | None, typer.Option(help="A month's list, e.g. 2024-10 (repeatable).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day of a range (one file a day).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day of the range.")] = None,
    cache: Annotated[
        Path | None, typer.Option(help="HTTP cache file (SQLite). Default: $KG_CACHE_DIR or ~/.cache/kg.")
    ] = None,
    offline: Annotated[bool, typer.Option(help="Use only cached answers; send no request.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Save Hugging Face Daily Papers lists as JSON files that kg build reads offline.

    One file per day, week or month in --out (hf-daily-2024-10-25.json, ...). Answers are cached, so fetching again sends nothing; KG_HF_API points at a mirror.

    Example: kg fetch hf --date 2024-10-25 --out papers && kg build papers
    """
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


class ResultFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


@app.command("query")
def query_command(
    query_spec: Annotated[
        str | None,
        typer.Argument(metavar="QUERY", help="A bundled query name, a .rq file, or SPARQL text."),
    ] = None,
    data: Annotated[list[Path] | None, typer.Option("--data", "-d", help="RDF file(s) to query.")] = None,
    fmt: Annotated[ResultFormat, typer.Option("--format", "-f", help="Output format.")] = ResultFormat.table,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Bind a variable: name=value (repeatable).")
    ] = None,
    list_queries: Annotated[bool, typer.Option("--list", help="List the bundled queries.")] = False,
) -> None:
    """Ask the graph a question in SPARQL; ASK exits 0 for true and 1 for false.

    Example: kg query papers-for-concept --param label="speculative decoding" --format csv
    """
    if list_queries:
        table = Table(title="bundled queries")
        table.add_column("name")
        table.add_column("answers")
        table.add_column("parameters")
        for q in query.bundled_queries():
            table.add_row(q.name, q.description, ", ".join(q.params))
        out_console.print(table)
        return
    if query_spec is None:
        err_console.print("Error: give a QUERY (a bundled name, a .rq file or SPARQL text), or --list")
        raise typer.Exit(2)
    params = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            err_console.print(f"Error: --param expects name=value, got {item!r}", markup=False)
            raise typer.Exit(2)
        params[name.strip().lstrip("?$")] = value
    try:
        chosen = query.resolve_query(query_spec)
        store = query.load_store(data or [query.DEFAULT_DATA])
        result = query.run_query(store, chosen, params)
    except (query.QuerySyntaxError, query.UnknownQueryError) as err:
        raise fail(err, code=2) from None
    except KgError as err:
        raise fail(err) from None
    if isinstance(result, query.ox.QueryBoolean):
        out_console.print("true" if result else "false")
        raise typer.Exit(0 if result else 1)
    if fmt is ResultFormat.table and isinstance(result, query.ox.QuerySolutions):
        names = [v.value for v in result.variables]
        table = Table(show_lines=False)
        for name in names:
            table.add_column(name, overflow="fold")
        for row in result:
            table.add_row(*(query.compact(row[n]) for n in names))
        out_console.print(table)
        return
    text = query.serialize_results(result, "json" if fmt is ResultFormat.table else fmt.value)
    sys.stdout.buffer.write(text)
    sys.stdout.buffer.flush()


def main() -> None:
    app()
