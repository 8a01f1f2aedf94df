"""`kg query`, `kg serve` and `kg stats`: asking the last build questions.

Like the rest of the CLI they import the library's heavier parts inside the commands.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg.ask import guard, query, results
from kg.cli.common import (
    EXIT_FALSE,
    EXIT_USAGE,
    QuietOpt,
    VerboseOpt,
    detail,
    err_console,
    fail,
    note,
    out_console,
)
from kg.errors import KgError


def stats(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="PATH",
            show_default=False,
            help="A build folder, or RDF files (repeat for several). Default: exports, where kg build writes.",
        ),
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show counts of papers, code links, sources and top repository owners in a build.

    Example: kg stats --data exports
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


def _stop_after(seconds: float) -> None:
    """End this process with a one-line error once `seconds` pass: an Oxigraph query cannot be
    interrupted from Python, and `kg query` is one query, so the process itself stops."""
    import os
    import threading

    def stop() -> None:
        sys.stdout.flush()
        err_console.print(f"Error: query stopped: it ran longer than {seconds:g} s (--timeout)", markup=False)
        os._exit(1)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()


class ResultFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"


def query_command(
    query_spec: Annotated[
        str | None,
        typer.Argument(metavar="QUERY", help="A bundled query name, a .rq file, or SPARQL text."),
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="PATH",
            show_default=False,
            help="A build folder, or RDF files (.ttl, .nt, .jsonld, …; repeat for several). Default: exports, where kg build writes.",
        ),
    ] = None,
    fmt: Annotated[
        ResultFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            show_default=False,
            help="table (default), or csv, tsv, json for SELECT and ASK; ttl, nt, jsonld for CONSTRUCT and DESCRIBE.",
        ),
    ] = ResultFormat.table,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="NAME=VALUE",
            help="Give a query's parameter a value, e.g. label=LLM (repeat for several; --list shows each query's).",
        ),
    ] = None,
    max_rows: Annotated[
        int, typer.Option(min=1, metavar="N", help="Most rows the table shows (the other formats give all).")
    ] = results.MAX_TABLE_ROWS,
    list_queries: Annotated[bool, typer.Option("--list", help="List the bundled queries.")] = False,
    fail_empty: Annotated[
        bool,
        typer.Option("--fail-empty", help="Exit 1 when a SELECT gives no rows or a CONSTRUCT no triples."),
    ] = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-service",
            metavar="HOST",
            help="A host that a federated query (SERVICE <http://host/…>) may send requests to; repeat for several. Without it, SERVICE is refused.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            metavar="SECONDS",
            help="Stop the query after this many seconds (exit 1). Default: no limit.",
        ),
    ] = None,
) -> None:
    """Ask the last build a question in SPARQL: a bundled query by name, a .rq file or the
    query's text; the usual prefixes (schema:, dcterms:, skos:, kg:, …) are predeclared.
    ASK exits 0 for true and 1 for false.

    Example: kg query --list

    Example: kg query papers-for-concept --param label="speculative decoding" --format csv

    Example: kg query 'SELECT ?title WHERE { ?p schema:name ?title } LIMIT 5'
    """
    if list_queries:
        # Borderless, so a wrapped description still reads as one text.
        table = Table(box=None, show_header=False, padding=(0, 2, 1, 0))
        table.add_column("name", no_wrap=True)
        table.add_column("answers")
        for q in query.bundled_queries():
            described = "".join(f"\n--param {k}: {v}" for k, v in q.params.items())
            described += f"\nneeds {q.needs}" if q.needs else ""
            table.add_row(q.name, q.description + described)
        out_console.print(table)
        return
    if query_spec is None:
        note("Error: give a QUERY (a bundled name, a .rq file or SPARQL text), or --list")
        raise typer.Exit(EXIT_USAGE)
    import time

    try:
        params = query.parse_params(param or [])
        chosen = query.resolve_query(query_spec)
        guard.check_query(chosen.text, allow_service or ())
        if timeout is not None:
            _stop_after(timeout)
        store = query.load_store(data or [query.DEFAULT_DATA])
        began = time.perf_counter()
        matched = query.match_values(store, chosen, params)
        result = query.run_query(store, chosen, params, matched)
        results.check_format(result, fmt.value)
        notes = query.unmatched_params(store, chosen, params, matched)
    except KgError as err:  # a usage error (query text, options) exits 2, a data error 3
        raise fail(err) from None
    detail(f"Ran {chosen.name} with {params or 'no parameters'}, matched {matched or 'nothing'}")
    for text in notes:
        note(f"Note: {text}")
    if isinstance(result, query.ox.QueryBoolean) and fmt is ResultFormat.table:
        out_console.print("true" if result else "false")
        detail(f"Answered in {time.perf_counter() - began:.3f} s")
        raise typer.Exit(0 if result else EXIT_FALSE)
    if isinstance(result, query.ox.QuerySolutions) and fmt is ResultFormat.table:
        shown = results.table_rows(result, max_rows)
        table = Table(show_lines=False)
        for name in shown.names:
            table.add_column(name, overflow="fold")
        for row in shown.rows:
            table.add_row(*row)
        out_console.print(table)
        if shown.more:
            more = f"{'over ' if shown.more_is_lower_bound else ''}{shown.more:,}"
            note(
                f"Note: {more} more rows not shown (the table shows {max_rows}); "
                "--format csv, tsv or json gives every row, --max-rows more of them here."
            )
        detail(f"Answered in {time.perf_counter() - began:.3f} s")
        if not shown.rows and chosen.needs:
            note(f"Note: no rows; {chosen.name} needs {chosen.needs}")
        if fail_empty and not shown.rows:
            raise typer.Exit(EXIT_FALSE)
        return
    answer = bool(result) if isinstance(result, query.ox.QueryBoolean) else True
    if fail_empty and not isinstance(result, query.ox.QueryBoolean):
        answer = results.write_counted(result, fmt.value, sys.stdout.buffer) > 0
    else:
        results.write_results(result, fmt.value, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    detail(f"Answered in {time.perf_counter() - began:.3f} s")
    if not answer:
        raise typer.Exit(EXIT_FALSE)


def serve_command(
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            "-d",
            metavar="PATH",
            help="The build folder to serve (kg build's --out), or an RDF file.",
        ),
    ] = Path("exports"),
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS",
            help="Address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 lets other machines query it.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, metavar="N", help="Port to listen on (0: any free port).")
    ] = 7878,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            metavar="SECONDS",
            help="Seconds a query may take, from its arrival; past them it is stopped and the client gets 503.",
        ),
    ] = 30.0,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            metavar="ORIGIN",
            help="Let pages from this origin (https://host[:port], or * for any) query it in a browser; repeat for several.",
        ),
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-service",
            metavar="HOST",
            help="A host that a federated query (SERVICE <http://host/…>) may send requests to; repeat for several. Without it, SERVICE is refused (400).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            metavar="N",
            help="Queries that run at once, each in a process of its own; as many more may wait (then 503).",
        ),
    ] = 6,
    memory: Annotated[
        int,
        typer.Option(
            min=64,
            metavar="MB",
            help="Megabytes each query process may use beyond the open store; a query past it is stopped (503).",
        ),
    ] = 2048,
) -> None:
    """Serve the last build as a read-only SPARQL 1.1 endpoint at /query, with a query page
    at / to open in a browser; Ctrl-C stops it.

    Example: kg serve   (then open http://127.0.0.1:7878/)

    Example: curl http://127.0.0.1:7878/query -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3'

    Example: kg serve --cors https://yasgui.org   (lets that site's page query it)
    """
    import signal

    from kg.ask.serve import serve

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    def ready(url: str) -> None:
        out_console.print(
            f"kg serve: {url} (SPARQL endpoint {url}query, read-only; Ctrl-C stops)",
            markup=False,
            soft_wrap=True,
        )
        sys.stdout.flush()

    try:
        serve(
            data,
            host=host,
            port=port,
            timeout=timeout,
            workers=workers,
            memory=memory << 20,
            cors=cors or (),
            verbose=verbose,
            ready=ready,
            allow_service=allow_service or (),
        )
    except KgError as err:
        raise fail(err) from None
    except KeyboardInterrupt:
        pass
