"""Read the text of Hugging Face Daily Papers pages saved from a browser.

Two layouts occur in saved pages: items separated by blank lines, and one line per item
with the "Subscribe" button text glued to the first title.  Both are read the same way:
page furniture is dropped, then each title line is paired with the abstract line after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from kg.errors import InputError
from kg.model import Entry, Occurrence, Source

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
# Lines at a page's top where its chrome ("Daily Papers", "Subscribe") stands.
_CHROME_LINES = 40
_IRREGULAR_SPACE = ("  ", "\t", "\r", "\f", "\v", "\xa0", "\u2009", "\u202f", "\u3000")
_CHUNK = 1 << 20  # characters split into lines at a time


def lines_of(text: str, chunk: int = _CHUNK) -> Iterator[str]:
    """The lines of `text` as `text.splitlines()` gives them, a chunk at a time: no list of
    every line of a large page is ever held beside its text.  Each chunk ends just after a
    newline, so no line (nor a CR LF pair) is cut in two."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + chunk)
        end = len(text) if end < 0 else end + 1
        yield from text[start:end].splitlines()
        start = end


def looks_like_abstract(line: str) -> bool:
    """True for prose paragraphs; titles are short and at most one sentence.

    Seed titles reach 23 words and seed abstracts start at 52, so the bounds leave margin
    on both sides while a two-sentence line of 25+ words still counts as prose.
    """
    words = line.count(" ") + 1  # lines arrive with whitespace collapsed to single spaces
    if words >= 40:
        return True
    return words >= 25 and len(_SENTENCE_END.findall(line)) >= 2


def parse_page(
    text: str | Iterable[str], name: str, path: Path | None = None
) -> tuple[Source, list[Entry], list[str]]:
    """Split one page's text (or its lines, e.g. an open file) into entries; returns the
    source, entries and warnings.

    A title followed by another title has no abstract and is kept with `abstract=None`.
    Prose with no title before it cannot be attributed and is reported as a warning.
    The lines are read in one pass and only those kept (titles, abstracts) are held, so the
    memory a page takes follows what it keeps, not the file (issue 26).
    """
    listed: str | None = None
    entries: list[Entry] = []
    warnings: list[str] = []
    where = path if path is not None else name
    content: list[tuple[int, str]] = []
    for number, raw in enumerate(lines_of(text) if isinstance(text, str) else text, start=1):
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


def reads_as_page(text: str, source: Source, entries: list[Entry], warnings: list[str]) -> bool:
    """True when what `parse_page` made of `text` reads as a saved page, for a file found in a
    folder: no prose without a title, some abstracts, and either the page's own lines (a
    listing date, "Daily Papers", "Subscribe") or an abstract for nearly every title.  A README,
    a licence or a requirements file does not."""
    with_abstract = sum(e.abstract is not None for e in entries)
    if not with_abstract or any("abstract without a title" in w for w in warnings):
        return False
    chrome = source.listed is not None or any(
        " ".join(line.split()).casefold() in FURNITURE for line in islice(lines_of(text), _CHROME_LINES)
    )
    return chrome or 10 * (len(entries) - with_abstract) <= len(entries)


def read(text: str, name: str, path: Path | None = None) -> tuple[Source, list[Entry], list[str]]:
    """The page reader (`kg.sources` calls every reader this way)."""
    return parse_page(text, name, path)
