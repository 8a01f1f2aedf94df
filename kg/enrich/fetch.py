"""`kg fetch`: save API answers as files that `kg build` reads offline.

Fetching and building stay apart: `fetch_hf` writes one JSON file per period (a day, an ISO
week, a month) into a folder, in the shape the Hugging Face API answers (an array of daily
items, all pages joined), and `kg build folder/` reads them like any other input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import requests

from kg.enrich import hf
from kg.enrich.session import Client, EnrichError, Limiter
from kg.errors import ConfigError, KgError
from kg.export.files import atomic_outputs

MAX_DAYS = 366  # a range longer than a year is more likely a typo than a plan

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Period:
    """One list to fetch: the API parameter (`date`, `week` or `month`), its value, and
    whether it includes today (so its list may still grow)."""

    kind: str
    value: str
    still_open: bool = False

    @property
    def file_name(self) -> str:
        return f"hf-{'daily' if self.kind == 'date' else self.kind}-{self.value}.json"


@dataclass
class FetchResult:
    """The files written (with their paper counts) and the requests that reached the network."""

    files: list[tuple[Path, int]] = field(default_factory=list)
    empty: list[Period] = field(default_factory=list)  # lists with no papers: no file written
    requests: int = 0


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} expects a date like 2024-10-25, got {text!r}") from None


def periods(
    *,
    dates: Sequence[str] = (),
    weeks: Sequence[str] = (),
    months: Sequence[str] = (),
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> list[Period]:
    """The periods the options name, checked: no future day, week or month (the API refuses
    them), a range with both ends and at most `MAX_DAYS` days.  Raises `ConfigError`."""
    today = today or datetime.now(timezone.utc).date()
    found: dict[tuple[str, str], Period] = {}

    def add_day(day: date) -> None:
        if day > today:
            raise ConfigError(f"{day.isoformat()} is in the future (today is {today.isoformat()} UTC)")
        found[("date", day.isoformat())] = Period("date", day.isoformat(), day == today)

    for text in dates:
        add_day(_day(text, "--date"))
    if (start is None) != (end is None):
        raise ConfigError("a date range needs both --from and --to")
    if start is not None and end is not None:
        first, last = _day(start, "--from"), _day(end, "--to")
        if last < first:
            raise ConfigError(f"--to {end} is before --from {start}")
        if (last - first).days + 1 > MAX_DAYS:
            raise ConfigError(
                f"the range holds {(last - first).days + 1} days; fetch at most {MAX_DAYS} at once"
            )
        for offset in range((last - first).days + 1):
            add_day(first + timedelta(days=offset))
    for text in weeks:
        match = re.fullmatch(r"(\d{4})-W(\d{2})", text)
        try:
            monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1) if match else None
        except ValueError:
            monday = None
        if monday is None:
            raise ConfigError(f"--week expects an ISO week like 2024-W43, got {text!r}")
        if monday > today:
            raise ConfigError(f"week {text} has not begun (today is {today.isoformat()} UTC)")
        found[("week", text)] = Period("week", text, monday + timedelta(days=6) >= today)
    for text in months:
        match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text)
        if match is None:
            raise ConfigError(f"--month expects a month like 2024-10, got {text!r}")
        first_day = date(int(match.group(1)), int(match.group(2)), 1)
        if first_day > today:
            raise ConfigError(f"month {text} has not begun (today is {today.isoformat()} UTC)")
        found[("month", text)] = Period(
            "month", text, (today.year, today.month) == (first_day.year, first_day.month)
        )
    if not found:
        raise ConfigError("name what to fetch: --date, --week, --month, or --from and --to")
    return [found[k] for k in sorted(found)]


def fetch_hf(
    wanted: Sequence[Period],
    out: Path,
    *,
    session: requests.Session,
    client: Client | None = None,
    progress: Progress | None = None,
) -> FetchResult:
    """Fetch each period's Daily Papers list and write it to `out` as `Period.file_name`.

    All files are written together at the end, or none: a failed request raises a `KgError`
    and leaves `out` as it was (what was fetched is in the cache, so a retry is quick).
    """
    client = client or Client(session, Limiter(hf.INTERVAL))
    result = FetchResult()
    answers: list[tuple[Period, list[dict]]] = []
    for done, period in enumerate(wanted):
        if progress:
            progress("Hugging Face", done, len(wanted))
        try:
            items = hf.daily_papers({period.kind: period.value}, client=client, still_open=period.still_open)
        except EnrichError as err:
            raise KgError(f"cannot fetch {period.kind} {period.value}: {err}") from None
        answers.append((period, items))
    if progress:
        progress("Hugging Face", len(wanted), len(wanted))
    with atomic_outputs(out) as staged:
        for period, items in answers:
            if not items:
                result.empty.append(period)
                continue
            text = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
            path = staged.write(period.file_name, partial(Path.write_text, data=text, encoding="utf-8"))
            result.files.append((path, len(items)))
    result.requests = client.sent
    return result
