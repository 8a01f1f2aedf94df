"""Read saved Hugging Face Daily Papers pages into paper entries with provenance.

Two layouts occur in saved pages: items separated by blank lines, and one line per item
with the "Subscribe" button text glued to the first title.  Both are read the same way:
page furniture is dropped, then each title line is paired with the abstract line after it.
"""

from __future__ import annotations

import glob
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.model import Entry, Occurrence, Paper, Source

# Lines of page chrome, compared case-insensitively after whitespace is collapsed.
FURNITURE = frozenset(
    {
        "new",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
    }
)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
DATE_LINE = re.compile(rf"^(?:{_MONTHS})[a-z]*\.? \d{{1,2}}(?:, \d{{4}})?$", re.IGNORECASE)
# The one-line layout glues the button text to the first title: "SubscribeASAG: Building ...".
GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=[A-Z0-9\"'(\[])")
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)")
# Whitespace that needs collapsing; plain `in` tests are 10x cheaper than split/join on every
# abstract, and most lines have none of these.
_IRREGULAR_SPACE = ("  ", "\t", "\r", "\f", "\v", "\xa0", "\u2009", "\u202f", "\u3000")
_GLOB_CHARS = re.compile(r"[*?\[]")

ProgressFn = Callable[[int, int], None]


@dataclass
class PageSet:
    """What ingest produced: the readable sources, their entries, and per-file warnings."""

    sources: list[Source] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def normalize_title(title: str) -> str:
    """Identity form of a title: NFKC, case-folded, punctuation and spacing collapsed."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def title_key(title: str) -> str:
    """The IRI-safe paper key derived from a title (`normalize_title` with hyphens)."""
    return normalize_title(title).replace(" ", "-")


def looks_like_abstract(line: str) -> bool:
    """True for prose paragraphs; titles are short and at most one sentence.

    Seed titles reach 23 words and seed abstracts start at 52, so the bounds leave margin
    on both sides while a two-sentence line of 25+ words still counts as prose.
    """
    words = line.count(" ") + 1  # lines arrive with whitespace collapsed to single spaces
    if words >= 40:
        return True
    return words >= 25 and len(_SENTENCE_END.findall(line)) >= 2


def resolve_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Expand files, directories (every `*.txt` below) and globs into a sorted file list."""
    found: dict[Path, None] = {}
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            pages = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not pages:
                raise InputError("directory contains no *.txt pages", path=path)
            found.update(dict.fromkeys(pages))
        elif path.is_file():
            found[path] = None
        elif _GLOB_CHARS.search(str(raw)):
            matches = sorted(Path(m) for m in glob.glob(str(raw), recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise InputError("no files match this pattern", path=str(raw))
            found.update(dict.fromkeys(files))
        elif path.exists():
            raise InputError("not a regular file or directory", path=path)
        else:
            raise InputError("no such file or directory", path=path)
    return list(found)


def source_names(files: Sequence[Path]) -> dict[Path, str]:
    """Display names for sources: the file name, widened with parent folders only on clashes."""
    names: dict[Path, str] = {}
    depth = {f: 1 for f in files}
    while True:
        names = {f: "/".join(f.resolve().parts[-depth[f] :]) for f in files}
        by_name: dict[str, list[Path]] = {}
        for f, n in names.items():
            by_name.setdefault(n, []).append(f)
        clashes = [fs for fs in by_name.values() if len(fs) > 1]
        if not clashes:
            return names
        for fs in clashes:
            for f in fs:
                depth[f] += 1


def read_text(path: Path) -> str:
    """Read a page as UTF-8 text, refusing empty, binary and mis-encoded files."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read file ({err.strerror or err})", path=path) from None
    if not data.strip():
        raise InputError("file is empty", path=path)
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not a text page", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})",
            path=path,
            line=line,
        ) from None


def parse_page(text: str, name: str, path: Path | None = None) -> tuple[Source, list[Entry], list[str]]:
    """Split one page's text into entries; returns the source, entries and warnings.

    A title followed by another title has no abstract and is kept with `abstract=None`.
    Prose with no title before it cannot be attributed and is reported as a warning.
    """
    listed: str | None = None
    entries: list[Entry] = []
    warnings: list[str] = []
    where = path if path is not None else name
    content: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if any(mark in line for mark in _IRREGULAR_SPACE):
            line = " ".join(line.split())
        if not line or line.casefold() in FURNITURE:
            continue
        if DATE_LINE.match(line):
            listed = listed or line
            continue
        content.append((number, GLUED_SUBSCRIBE.sub("", line)))
    prose = [looks_like_abstract(line) for _, line in content]
    pending: tuple[str, int] | None = None
    for i, (number, line) in enumerate(content):
        # A long title can read like prose; the line right before an abstract is its title.
        if prose[i] and (pending is not None or i + 1 == len(content) or not prose[i + 1]):
            if pending is None:
                warnings.append(f"{where}:{number}: abstract without a title line, skipped")
                continue
            entries.append(Entry(pending[0], line, Occurrence(name, pending[1])))
            pending = None
        else:
            if pending is not None:
                entries.append(Entry(pending[0], None, Occurrence(name, pending[1])))
            pending = (line, number)
    if pending is not None:
        entries.append(Entry(pending[0], None, Occurrence(name, pending[1])))
    if not entries:
        raise InputError("no papers found (expected a title line followed by its abstract)", path=where)
    return Source(name, listed), entries, warnings


def load_pages(
    inputs: Iterable[str | Path],
    *,
    skip_bad: bool = False,
    progress: ProgressFn | None = None,
) -> PageSet:
    """Read every page named by `inputs` (files, directories, globs).

    With `skip_bad`, an unreadable page becomes a warning instead of an `InputError`;
    a path that names no page at all still raises.
    """
    files = resolve_inputs(list(inputs))
    names = source_names(files)
    pages = PageSet()
    ordered = sorted(files, key=lambda f: names[f])
    for done, path in enumerate(ordered, start=1):
        try:
            source, entries, warnings = parse_page(read_text(path), names[path], path)
        except InputError as err:
            if not skip_bad:
                raise
            pages.warnings.append(f"skipped {err}")
        else:
            pages.sources.append(source)
            pages.entries.extend(entries)
            pages.warnings.extend(warnings)
            pages.files.append(path)
        if progress is not None:
            progress(done, len(ordered))
    if not pages.sources:
        raise InputError("no readable pages among the inputs")
    return pages


def merge_entries(entries: Iterable[Entry]) -> list[Paper]:
    """One `Paper` per identity key, remembering every occurrence; sorted by key.

    The first entry (in source-name, line order) gives the title and abstract; an entry
    with an abstract fills one that an earlier entry lacked.
    """
    papers: dict[str, Paper] = {}
    for entry in entries:
        key = title_key(entry.title)
        if not key:
            continue
        paper = papers.get(key)
        if paper is None:
            paper = papers[key] = Paper(key, entry.title, entry.abstract)
        elif paper.abstract is None and entry.abstract is not None:
            paper.abstract = entry.abstract
        paper.occurrences.append(entry.occurrence)
    for paper in papers.values():
        paper.occurrences.sort()
    return [papers[k] for k in sorted(papers)]
