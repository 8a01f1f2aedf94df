"""Read lists of arXiv ids, arXiv URLs and DOIs, one a line.

Every form `kg.sources.identity` knows is accepted (`1706.03762`, `arXiv:1706.03762v5`,
`hep-th/9901001`, `https://arxiv.org/abs/…`, `…/pdf/….pdf`, `10.…`, `https://doi.org/…`).
`#` starts a comment; anything after the id on its line is ignored.  Such a paper has an
identity but no title until enrichment (`--enrich arxiv`) fills it in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.model import Entry, Occurrence, Source
from kg.sources.identity import parse_arxiv_id, parse_doi

# Lines looked at to tell an id list from a page: enough for a header or two, and cheap on
# a page of long abstract lines.
_SAMPLE_LINES = 40


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, first word) of each line that is neither blank nor a comment (`#`).

    Only the first word counts, so a comment after it needs no stripping.
    """
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split(None, 1)
        if words and not words[0].startswith("#"):
            yield number, words[0]


def _parse(word: str) -> tuple[str | None, str | None]:
    arxiv_id = parse_arxiv_id(word)
    return arxiv_id, None if arxiv_id else parse_doi(word)


def looks_like_ids(text: str) -> bool:
    """True when at least half the lines (and at least one) start with an arXiv id or DOI,
    judged on the first `_SAMPLE_LINES` lines that are neither blank nor comments."""
    hits = total = 0
    # Ids are short lines; a prefix of the text holds the sample (a page's lines are long).
    for _, word in _lines(text[: _SAMPLE_LINES * 200]):
        total += 1
        hits += any(_parse(word))
        if total == _SAMPLE_LINES or total - hits > _SAMPLE_LINES // 2:
            break
    return hits > 0 and 2 * hits >= total


def read(text: str, name: str, path: Path | None = None) -> tuple[Source, list[Entry], list[str]]:
    """One entry per distinct id; malformed and repeated ids are warnings naming their line."""
    where = path if path is not None else name
    entries: list[Entry] = []
    warnings: list[str] = []
    first: dict[str, int] = {}
    for number, word in _lines(text):
        arxiv_id, doi = _parse(word)
        ident = f"arXiv {arxiv_id}" if arxiv_id else f"DOI {doi}" if doi else None
        if ident is None:
            warnings.append(f"{where}:{number}: not an arXiv id or DOI: {word!r}, skipped")
            continue
        if ident in first:
            warnings.append(
                f"{where}:{number}: {ident} is listed again (first on line {first[ident]}), read once"
            )
            continue
        first[ident] = number
        entries.append(Entry("", None, Occurrence(name, number), arxiv_id=arxiv_id, doi=doi))
    if not entries:
        raise InputError(
            "no arXiv ids or DOIs found (expected one a line, e.g. 1706.03762 or 10.1000/xyz)", path=where
        )
    return Source(name, None, "ids"), entries, warnings
