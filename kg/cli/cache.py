"""`kg cache info` and `kg cache clear`: the HTTP cache that enrichment and fetching use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import PlainCommand, PlainGroup, QuietOpt, VerboseOpt, fail, out_console
from kg.errors import KgError

cache_app = typer.Typer(
    cls=PlainGroup, help="Show or empty the HTTP cache that enrichment uses.", no_args_is_help=True
)
CacheOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="HTTP cache (SQLite). Default: $KG_CACHE_DIR/http.sqlite or ~/.cache/kg/http.sqlite.",
    ),
]


def _size(n: int) -> str:
    value, unit = float(n), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


@cache_app.command("info", cls=PlainCommand)
def cache_info_command(cache: CacheOpt = None, quiet: QuietOpt = False, verbose: VerboseOpt = False) -> None:
    """Show where the HTTP cache is, its size and how many answers it holds.

    Example: kg cache info
    """
    from kg.enrich.session import cache_info

    try:
        info = cache_info(cache)
    except KgError as err:
        raise fail(err) from None
    if not info.exists:
        out_console.print(f"no cache yet at {info.path}", markup=False, soft_wrap=True)
        return
    lines = [
        ("file", str(info.path)),
        ("size", _size(info.size)),
        ("answers", f"{info.answers} ({info.expired} expired, asked again when next needed)"),
    ]
    if info.newest:
        lines.append(("newest", info.newest.strftime("%Y-%m-%d %H:%M UTC")))
    for what, value in lines:
        out_console.print(f"{what:8} {value}", markup=False, soft_wrap=True)


@cache_app.command("clear", cls=PlainCommand)
def cache_clear_command(cache: CacheOpt = None, quiet: QuietOpt = False, verbose: VerboseOpt = False) -> None:
    """Delete the HTTP cache: the next enriched build asks the APIs again.

    Example: kg cache clear
    """
    from kg.enrich.session import clear_cache

    try:
        info = clear_cache(cache)
    except KgError as err:
        raise fail(err) from None
    if not info.exists:
        out_console.print(f"no cache at {info.path}", markup=False, soft_wrap=True)
        return
    out_console.print(
        f"removed {info.path} ({info.answers} answers, {_size(info.size)})", markup=False, soft_wrap=True
    )
