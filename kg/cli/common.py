"""What every `kg` command shares: help without type labels, `-q` and `-v`, the consoles,
one-line errors and exit codes, the progress bar and the option types that more than one
command takes.

Command modules import this one; it imports none of them.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from kg.errors import KgError, UsageError
from kg.export.files import Terminated
from kg.view.options import DEFAULT_GROUPS, ViewOptions

if TYPE_CHECKING:
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


class Verbosity:
    """What `-q` and `-v` asked of the command that runs (one command per process)."""

    quiet = False
    verbose = False


verbosity = Verbosity()
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="Print only results and errors: no notes, warnings, progress or summary."
    ),
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Say more where there is more (build: stage times; query: the query run and its time; serve: the server's warnings).",
    ),
]


class PlainCommand(_PlainHelp, typer.core.TyperCommand):
    """A command whose `-q/--quiet` and `-v/--verbose` (every command has them: `QuietOpt`,
    `VerboseOpt`) set `verbosity` before it runs."""

    def invoke(self, ctx: Any) -> Any:
        verbosity.quiet = bool(ctx.params.get("quiet"))
        verbosity.verbose = bool(ctx.params.get("verbose"))
        if verbosity.quiet and verbosity.verbose:
            err_console.print("Error: give -q (quiet) or -v (verbose), not both", markup=False)
            raise typer.Exit(EXIT_USAGE)
        return super().invoke(ctx)


class PlainGroup(_PlainHelp, typer.core.TyperGroup):
    pass


out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

# Exit codes (the README lists them): 0 done (ASK true), 1 ASK false or no rows where the
# command was asked to fail on none, 2 a usage error (options, query text), 3 an input or data
# or output error (a file that cannot be read or written, no build), 130/143 interrupted/terminated.
EXIT_OK, EXIT_FALSE, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3


def fail(err: KgError, code: int | None = None) -> typer.Exit:
    """Print the one-line error and return the exit to raise: `EXIT_USAGE` for a `UsageError`,
    `EXIT_DATA` for any other, unless `code` says otherwise."""
    err_console.print(f"Error: {err}", markup=False, soft_wrap=True)
    if code is None:
        code = EXIT_USAGE if isinstance(err, UsageError) else EXIT_DATA
    return typer.Exit(code)


def plural(n: int, word: str) -> str:
    """`1 paper`, `2 papers`: a count with its noun."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def note(text: str) -> None:
    """A `Note:` or `Warning:` line on stderr, unless the command is quiet."""
    if not verbosity.quiet:
        err_console.print(text, markup=False, soft_wrap=True)


def detail(text: str) -> None:
    """A line on stderr only when the command is verbose."""
    if verbosity.verbose:
        err_console.print(text, markup=False, soft_wrap=True)


def interrupted(stop: KeyboardInterrupt, out: Path) -> typer.Exit:
    """Say that an interrupted (Ctrl-C) or terminated (SIGTERM) command wrote nothing."""
    how, code = ("terminated (SIGTERM)", 143) if isinstance(stop, Terminated) else ("interrupted", 130)
    err_console.print(
        f"Stopped: {how}; nothing was written, {out} is as it was.", markup=False, soft_wrap=True
    )
    return typer.Exit(code)


@contextmanager
def progress_bar(quiet: bool, console: Console | None = None) -> Iterator[StageProgress]:
    """A rich progress bar on stderr (or `console`), one line per pipeline stage with its
    count, elapsed time and time left; only on a terminal, never with `quiet`, and it vanishes
    when done.  The callback may be called from several threads (the store's feeder)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = console or err_console
    with Progress(
        TextColumn("{task.description:<15}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}
        lock = threading.Lock()

        def progress(stage: str, done: int, total: int) -> None:
            with lock:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

        yield progress


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


def view_options(
    draw: list[DrawKind] | None,
    min_concept: int,
    largest: bool,
    max_nodes: int,
    max_edges: int,
    paper: str | None = None,
) -> ViewOptions:
    groups = tuple(d.value for d in draw) if draw else DEFAULT_GROUPS
    return ViewOptions(groups, min_concept, largest, max_nodes, max_edges, paper)
