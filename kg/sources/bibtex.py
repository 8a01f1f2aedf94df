"""Read BibTeX (Zotero, Mendeley, Google Scholar, DBLP, Connected Papers exports).

`bibtexparser` splits the file into entries (resolving `@string` macros) and author lists
into name parts; `pylatexenc` turns the LaTeX in titles, names, venues and abstracts into
text (`{\\"u}` -> ü, braces dropped).  Kept: title, authors in order, year (and month, or a
biblatex `date`), venue (`journal`, `journaltitle` or `booktitle`), DOI, arXiv id (from
`eprint` with `archivePrefix`/`eprinttype` arXiv, Mendeley's `arxivId`, an arXiv `url` or
DOI, or a venue such as "arXiv preprint arXiv:1706.03762"), `url` (as a link) and `abstract`.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock
from bibtexparser.model import Entry as BibEntry
from pylatexenc.latex2text import LatexNodes2Text

from kg.errors import InputError
from kg.extract.links import classify
from kg.model import Entry, Link, Occurrence, Source
from kg.sources.identity import find_arxiv_id, parse_arxiv_id, parse_doi

# bibtexparser reports a broken block through logging as well as in its result; without a
# handler Python would print that to stderr, and the library must not print.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_BIBTEX_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_ARXIV_VENUE = re.compile(r"^\s*(?:arxiv(?:\s+preprint)?(?:\s+arxiv:\S+)?|corr|arxiv\.org)\s*$", re.I)
_LATEX = LatexNodes2Text()
# Macros, math, ties, comments and the --, ``, '' ligatures: what needs the LaTeX parser.
_LATEX_WORK = re.compile(r"[\\$~%]|--|``|''")


def looks_like_bibtex(text: str) -> bool:
    # An entry starts within the first 64 kB of any real export (headers and @string/@preamble
    # blocks are short); a page's e-mail addresses are not at a line start.
    head = text[:65536]
    return "@" in head and _BIBTEX_START.search(head) is not None


@lru_cache(maxsize=4096)
def latex_text(value: str) -> str:
    """LaTeX field text as plain text, on one line.

    A bare `%` is a literal percent sign in exported abstracts, not a LaTeX comment.  Text
    with nothing for LaTeX to do but braces skips the LaTeX parser, which costs ~0.2 ms a
    field; names and venues repeat, so answers are cached too.
    """
    if not _LATEX_WORK.search(value):
        return " ".join(value.replace("{", "").replace("}", "").split())
    text = _LATEX.latex_to_text(_BARE_PERCENT.sub(r"\\%", value))
    return " ".join(text.split())


def _verbatim(value: str) -> str:
    """A URL, DOI or id field: braces and the usual escapes removed, nothing else decoded."""
    for escaped in ("_", "%", "&", "#", "~"):
        value = value.replace("\\" + escaped, escaped)
    return value.replace("{", "").replace("}", "").strip()


def _name(parts: middlewares.NameParts) -> str:
    name = latex_text(" ".join(parts.first + parts.von + parts.last))
    jr = latex_text(" ".join(parts.jr))
    return f"{name}, {jr}" if jr else name


def _issued(fields: dict[str, str]) -> str | None:
    date = re.match(r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", fields.get("date", ""))
    if date:
        return "-".join(g for g in date.groups() if g)
    year = re.search(r"\b(\d{4})\b", fields.get("year", ""))
    if year is None:
        return None
    month = fields.get("month", "").strip().lower()
    number = int(month) if month.isdigit() else _MONTHS.index(month[:3]) + 1 if month[:3] in _MONTHS else 0
    return f"{year.group(1)}-{number:02d}" if 1 <= number <= 12 else year.group(1)


def _arxiv_id(fields: dict[str, str]) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = _verbatim(fields.get("eprint", ""))
    candidates = [eprint if prefix == "arxiv" or not prefix else "", _verbatim(fields.get("arxivid", ""))]
    candidates += [_verbatim(fields.get("url", "")), _verbatim(fields.get("doi", ""))]
    for value in candidates:
        arxiv_id = parse_arxiv_id(value) if value else None
        if arxiv_id:
            return arxiv_id
    volume = _verbatim(fields.get("volume", ""))
    if volume.startswith("abs/"):  # DBLP: journal = {CoRR}, volume = {abs/1706.03762}
        arxiv_id = parse_arxiv_id(volume[4:])
        if arxiv_id:
            return arxiv_id
    for key in ("journal", "journaltitle", "note", "howpublished", "booktitle"):
        arxiv_id = find_arxiv_id(fields.get(key, ""))
        if arxiv_id:
            return arxiv_id
    return None


def _entry(bib: BibEntry, name: str, where: str) -> tuple[Entry | None, list[str]]:
    fields = {f.key.lower(): f.value for f in bib.fields if isinstance(f.value, str)}
    authors_field = bib.fields_dict.get("author")
    line = (bib.start_line or 0) + 1
    warnings: list[str] = []
    authors: list[str] = []
    if authors_field is not None and isinstance(authors_field.value, list):
        authors = [_name(p) for p in authors_field.value]
        if authors and authors[-1].lower() == "others":  # BibTeX's "and others" is "et al."
            authors.pop()
        authors = [a for a in authors if a]
    title = latex_text(fields.get("title", ""))
    arxiv_id = _arxiv_id(fields)
    doi = parse_doi(_verbatim(fields.get("doi", ""))) or parse_doi(_verbatim(fields.get("url", "")))
    if doi and parse_arxiv_id(doi):  # arXiv's own DOI says no more than the arXiv id
        doi = None
    if not title and not arxiv_id and not doi:
        return None, [f"{where}:{line}: entry {bib.key!r} has no title, DOI or arXiv id, skipped"]
    venue = next(
        (latex_text(fields[k]) for k in ("journal", "journaltitle", "booktitle") if fields.get(k)), None
    )
    if venue and _ARXIV_VENUE.match(venue):
        venue = None  # "arXiv preprint arXiv:…" or CoRR names the arXiv id, not a venue
    links: list[Link] = []
    url = _verbatim(fields.get("url", ""))
    if url and not parse_arxiv_id(url) and not parse_doi(url):
        link = classify(url, written=url)
        if link is None:
            warnings.append(f"{where}:{line}: url {url!r} of entry {bib.key!r} is not a web address, ignored")
        else:
            links.append(link)
    abstract = latex_text(fields["abstract"]) if fields.get("abstract", "").strip() else None
    entry = Entry(
        title,
        abstract or None,
        Occurrence(name, line),
        arxiv_id=arxiv_id,
        doi=doi,
        authors=tuple(authors),
        issued=_issued(fields),
        venue=venue,
        links=tuple(links),
    )
    return entry, warnings


def read(text: str, name: str, path: Path | None = None) -> tuple[Source, list[Entry], list[str]]:
    """One entry per BibTeX entry; a block that does not parse is a warning naming its line."""
    where = str(path if path is not None else name)
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    )
    entries: list[Entry] = []
    warnings: list[str] = []
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            warnings.append(
                f"{where}:{(block.start_line or 0) + 1}: entry key {block.key!r} used again, entry skipped"
            )
        elif isinstance(block, ParsingFailedBlock):
            raw = (block.raw or "").strip()
            head = raw.splitlines()[0][:60] if raw else ""
            warnings.append(
                f"{where}:{(block.start_line or 0) + 1}: not a readable BibTeX entry ({head!r}), skipped"
            )
        elif isinstance(block, BibEntry):
            entry, problems = _entry(block, name, where)
            warnings += problems
            if entry is not None:
                entries.append(entry)
    if not entries:
        raise InputError("no BibTeX entries with a title, DOI or arXiv id found", path=where)
    return Source(name, None, "bibtex"), entries, warnings
