"""What every `kg` command shares: help without type labels, the consoles, one-line errors,
the progress bar and the option types that more than one command takes.

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

from kg.errors import KgError
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


class PlainCommand(_PlainHelp, typer.core.TyperCommand):
    pass


class PlainGroup(_PlainHelp, typer.core.TyperGroup):
    pass


out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


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
