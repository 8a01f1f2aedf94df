"""`kg view`: open the map of the last build, or draw it anew with other options."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import (
    DrawOpt,
    LargestOpt,
    MaxEdgesOpt,
    MaxNodesOpt,
    MinConceptOpt,
    QuietOpt,
    VerboseOpt,
    fail,
    note,
    out_console,
    view_options,
)
from kg.errors import KgError
from kg.export.files import atomic_outputs
from kg.view.options import ViewOptions


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
        bool,
        typer.Option(
            "--no-open",
            help="Print the page's path instead of opening it (printed too when no browser opens).",
        ),
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
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Open the map of the last build (exports/graph.html) in the browser; it works offline.

    Drawing options redraw the page from the build's graph.ttl (or the inputs given) first.
    Example: kg view --paper "Scaling Laws for Speculative Decoding" --no-open
    """
    page = out / "graph.html"
    try:
        options = view_options(draw, min_concept_papers, largest_component, max_nodes, max_edges, paper)
        if inputs or options != ViewOptions():
            from kg import pipeline, view

            graph = pipeline.build_corpus(inputs).graph if inputs else view.read_build(out)
            notes = view.check_drawable(graph, options)
            with atomic_outputs(out) as staged:
                staged.write("graph.html", lambda p: view.write_html(graph, p, options))
            for text in notes:
                note(f"Warning: nothing drawn for {text}")
        elif not page.is_file():
            raise KgError("no such page (run `kg build` first)", path=page)
    except KgError as err:
        raise fail(err) from None
    if no_open:
        out_console.print(str(page), markup=False, soft_wrap=True)
        return
    import webbrowser

    opened = False
    with contextlib.suppress(webbrowser.Error):
        opened = webbrowser.open(page.resolve().as_uri())
    if not opened:  # no browser here (a server, a container): say where the page is
        out_console.print(str(page), markup=False, soft_wrap=True)
        note("Note: no browser to open it in; open that file in one (it works offline).")
