"""`kg fetch`: save API answers (Hugging Face Daily Papers) as files that `kg build` reads."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import VerboseOpt, err_console, fail, out_console, plural, progress_bar
from kg.errors import KgError


class FetchSource(str, enum.Enum):
    hf = "hf"


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
    verbose: VerboseOpt = False,
) -> None:
    """Save Hugging Face Daily Papers lists as JSON files that kg build reads offline.

    One file per day, week or month in --out (hf-daily-2024-10-25.json, ...). Answers are
    cached, so fetching again sends nothing; KG_HF_API points at a mirror.

    Example: kg fetch hf --date 2024-10-25 --out papers && kg build papers
    """
    from kg.enrich.fetch import fetch_hf, periods
    from kg.enrich.session import make_session

    try:
        wanted = periods(dates=date or (), weeks=week or (), months=month or (), start=start, end=end)
    except KgError as err:
        raise fail(err, code=2) from None
    try:
        with progress_bar(quiet) as progress:
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
        out_console.print(f"wrote {path} ({plural(count, 'paper')})", markup=False, soft_wrap=True)
    out_console.print(
        f"{plural(result.requests, 'request')} sent ({plural(len(wanted), 'list')}; the rest came from the cache)"
    )
