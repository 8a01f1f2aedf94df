"""Read arXiv's metadata snapshot: JSON lines, one paper a line, plain or gzip, streamed.

The snapshot (arXiv's bulk metadata, as Kaggle's "arXiv Dataset" distributes it) writes one
object a line: `id` (no version), `title`, `abstract` (hard-wrapped, two leading spaces),
`authors` (`A, B and C`), `authors_parsed` (`[[last, first, suffix], …]`), `categories`
(space-separated, primary first), `doi` (space-separated when several), `journal-ref`,
`comments`, `versions` (`[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, …]`)
and `update_date`; a field may be null or absent.  The file is read line by line, so a
several-GB snapshot never sits in memory; `SnapshotFilter` keeps only the papers asked for
while reading (categories, months), and the line number is each paper's provenance.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from kg.errors import ConfigError, InputError
from kg.export.taxonomy import category_names
from kg.model import Entry, Occurrence, Source
from kg.sources.hf import unwrap
from kg.sources.identity import parse_arxiv_id, parse_doi

GZIP_MAGIC = b"\x1f\x8b"
# Fields a snapshot line has that other JSON-lines exports rarely all share.
_MARKS = ("abstract", "categories", "authors_parsed", "versions", "update_date", "journal-ref")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.")
_OLD_ID = re.compile(r"/(\d{2})(\d{2})\d{3}$")
_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[a-z-]+)?$", re.IGNORECASE)
# Bad lines listed one by one with --skip-bad before the rest are only counted.
MAX_LISTED = 20


@dataclass(frozen=True)
class SnapshotFilter:
    """Which snapshot papers to keep: any of `categories` (`cs.CL`; `cs.*` or `cs` for an
    archive) and a first-version month within `since`..`until` (`YYYY-MM`, both included)."""

    categories: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        for name, value in (("--since", self.since), ("--until", self.until)):
            if value is not None and not _MONTH.match(value):
                raise ConfigError(f"{name} takes a month as YYYY-MM, not {value!r}")
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"--since {self.since} is after --until {self.until}: no paper can match")
        for pattern in self.categories:
            if not _CATEGORY.match(pattern.removesuffix(".*")):
                raise ConfigError(
                    f"--category takes an arXiv category (cs.CL) or archive (cs.*), not {pattern!r}"
                )

    @property
    def active(self) -> bool:
        return bool(self.categories or self.since or self.until)

    def keeps_category(self, categories: list[str]) -> bool:
        if not self.categories:
            return True
        for pattern in self.categories:
            archive = pattern.removesuffix(".*").casefold()
            exact = len(archive) == len(pattern) and "." in pattern
            for category in categories:
                folded = category.casefold()
                if folded == archive or (not exact and folded.startswith(archive + ".")):
                    return True
        return False

    def keeps_month(self, month: str | None) -> bool:
        if not (self.since or self.until):
            return True
        if month is None:
            return False
        return (self.since is None or month >= self.since) and (self.until is None or month <= self.until)

    def describe(self) -> str:
        parts = [f"--category {c}" for c in self.categories]
        parts += [f"--since {self.since}"] if self.since else []
        parts += [f"--until {self.until}"] if self.until else []
        return " ".join(parts)


def is_gzip(head: bytes) -> bool:
    return head[:2] == GZIP_MAGIC


def open_text(path: Path) -> IO[str]:
    """The file as UTF-8 text lines, gunzipped when it starts with gzip's magic bytes."""
    try:
        with path.open("rb") as raw:
            head = raw.read(2)
        if is_gzip(head):
            return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise InputError(f"cannot read file ({err.strerror or err})", path=path) from None


def looks_like_snapshot(head: str) -> bool:
    """True when the first line that is not blank is a whole JSON object with an `id` and the
    snapshot's own fields (`abstract`, `categories`, …)."""
    for line in head.splitlines():
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            return False
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            return False
        return isinstance(record, dict) and "id" in record and sum(k in record for k in _MARKS) >= 2
    return False


def month_of(record: dict[str, Any], arxiv_id: str | None) -> str | None:
    """`YYYY-MM` of the first version (`versions[0].created`), else of the id's `YYMM`."""
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        created = versions[0].get("created")
        if isinstance(created, str):
            try:
                return parsedate_to_datetime(created).strftime("%Y-%m")
            except (TypeError, ValueError, IndexError):
                pass
    if arxiv_id:
        match = _NEW_ID.match(arxiv_id) or _OLD_ID.search(arxiv_id)
        if match:
            yy, mm = int(match.group(1)), match.group(2)
            # Old-style ids start in 1991; new-style ids (0704 on) are all this century.
            return f"{1900 + yy if yy >= 91 else 2000 + yy}-{mm}"
    return None


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    """`First Last Suffix` from `authors_parsed`, else the `authors` string split at `,`/`and`."""
    parsed = record.get("authors_parsed")
    names: list[str] = []
    if isinstance(parsed, list):
        for parts in parsed:
            if isinstance(parts, list) and parts and all(isinstance(p, str) for p in parts):
                last, first, suffix = [*parts, "", ""][:3]
                name = " ".join(" ".join((first, last, suffix)).split())
                if name:
                    names.append(name)
    if names:
        return tuple(names)
    written = record.get("authors")
    if isinstance(written, str):
        flat = " ".join(written.split())
        return tuple(n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", flat) if n.strip())
    return ()


def _text(value: Any) -> str | None:
    return unwrap(value) if isinstance(value, str) and value.strip() else None


# arXiv's archives of the 1990s that no active category names any more (arXiv's listing of
# archives); their papers' codes are still valid.
_OLD_ARCHIVES = frozenset(
    "acc-phys adap-org alg-geom ao-sci atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas dg-ga "
    "funct-an mtrl-th patt-sol plasm-ph q-alg solv-int supr-con".split()
)
_CATEGORY_SHAPE = re.compile(r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?")


@lru_cache(maxsize=1)
def _archives() -> frozenset[str]:
    return frozenset(code.split(".")[0] for code in category_names()) | _OLD_ARCHIVES


def arxiv_categories(codes: list[str]) -> list[str]:
    """The codes of `codes` that are arXiv categories (`cs.CL`, `hep-th`, `cond-mat.stat-mech`):
    of arXiv's shape and archives.  Some papers' field also holds their ACM or MSC classes and
    words around them ("68T50 % Natural language processing I.2.7;"), which are none."""
    archives = _archives()
    return [c for c in codes if _CATEGORY_SHAPE.fullmatch(c) and c.split(".")[0] in archives]


def entry_of(
    record: Any, name: str, line: int, keep: SnapshotFilter, strays: list[str] | None = None
) -> tuple[Entry | None, str | None]:
    """The entry of one parsed line, or (None, why) for a line that is no paper, or (None, None)
    for a paper the filter leaves out.  The codes of its categories field that are no arXiv
    category are left out, and added to `strays` if given."""
    if not isinstance(record, dict):
        return None, "not a JSON object"
    raw_id = record.get("id")
    arxiv_id = parse_arxiv_id(str(raw_id)) if isinstance(raw_id, str | int | float) else None
    title = _text(record.get("title")) or ""
    if not arxiv_id and not title:
        return None, "neither an arXiv id nor a title"
    raw_categories = record.get("categories")
    written = raw_categories.split() if isinstance(raw_categories, str) else []
    categories = arxiv_categories(written)
    if strays is not None and len(categories) < len(written):
        strays += [c for c in written if c not in categories]
    if not keep.keeps_category(categories):
        return None, None
    month = month_of(record, arxiv_id)
    if not keep.keeps_month(month):
        return None, None
    raw_doi = record.get("doi")
    doi = parse_doi(raw_doi.split()[0]) if isinstance(raw_doi, str) and raw_doi.split() else None
    venue = record.get("journal-ref")
    entry = Entry(
        title,
        _text(record.get("abstract")),
        Occurrence(name, line),
        arxiv_id=arxiv_id,
        doi=doi,
        authors=_authors(record),
        issued=month,
        venue=" ".join(venue.split()) if isinstance(venue, str) and venue.strip() else None,
        categories=tuple(dict.fromkeys(categories)),
    )
    return entry, None


@dataclass
class SnapshotRead:
    """What one snapshot file gave: its source, the kept entries, warnings, lines read."""

    source: Source
    entries: list[Entry]
    warnings: list[str]
    lines: int = 0
    records: int = 0


def _numbered_lines(stream: IO[str], path: Path) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for number, line in enumerate(stream, start=1):
            yield number, line
    except UnicodeDecodeError as err:
        raise InputError(
            f"not valid UTF-8 (byte 0x{err.object[err.start]:02x})", path=path, line=number + 1
        ) from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise InputError(f"gzip data is damaged or cut short ({err})", path=path, line=number + 1) from None
    except OSError as err:
        raise InputError(f"cannot read file ({err.strerror or err})", path=path, line=number + 1) from None


def read_snapshot(
    path: Path, name: str, keep: SnapshotFilter | None = None, *, skip_bad: bool = False
) -> SnapshotRead:
    """Stream the snapshot at `path`, one entry per kept line.

    A line that is not a paper raises `InputError` naming file and line; with `skip_bad` it
    is a warning instead (the first `MAX_LISTED` named, the rest counted).
    """
    keep = keep or SnapshotFilter()
    entries: list[Entry] = []
    warnings: list[str] = []
    bad = records = last = 0
    odd_papers = 0  # papers whose categories field holds codes that are no arXiv category
    odd_codes: list[str] = []
    with open_text(path) as stream:
        for number, line in _numbered_lines(stream, path):
            last = number
            if not line.strip():
                continue
            records += 1
            try:
                record = json.loads(line.rstrip("\r\n"))  # so a cut-off string is called that
            except json.JSONDecodeError as err:
                why = f"not valid JSON ({err.msg}, column {err.colno})"
            except RecursionError:
                why = "JSON nested too deeply"
            else:
                strays: list[str] = []
                entry, why_not = entry_of(record, name, number, keep, strays)
                if entry is not None:
                    entries.append(entry)
                    if strays:
                        odd_papers += 1
                        odd_codes += [c for c in strays if c not in odd_codes][: 3 - len(odd_codes)]
                    continue
                if why_not is None:
                    continue
                why = f"not a paper ({why_not})"
            if not skip_bad:
                raise InputError(f"{why}; --skip-bad skips such lines", path=path, line=number)
            bad += 1
            if bad <= MAX_LISTED:
                warnings.append(f"{path}:{number}: {why}, skipped")
    if bad > MAX_LISTED:
        warnings.append(f"{path}: … and {bad - MAX_LISTED} more lines skipped")
    if odd_papers:
        shown = ", ".join(repr(c) for c in odd_codes)
        warnings.append(
            f"{path}: {odd_papers} {'papers list' if odd_papers > 1 else 'paper lists'} among "
            f"{'their' if odd_papers > 1 else 'its'} categories codes that are no arXiv category "
            f"(ACM or MSC classes, words: {shown}): left out"
        )
    if not records:
        raise InputError("file is empty", path=path)
    if not entries and not keep.active:
        raise InputError("no papers found in this arXiv snapshot", path=path)
    return SnapshotRead(Source(name, None, "snapshot"), entries, warnings, last, records)
