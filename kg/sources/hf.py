"""Read the JSON of the Hugging Face papers API: a day's `daily_papers`, or one paper.

`GET /api/daily_papers` answers an array of items, each holding a `paper` object (`id` = the
arXiv id, `title`, `summary`, `authors[].name`, `publishedAt`, `upvotes`, and in newer answers
`githubRepo`, `projectPage`, `ai_keywords`, `organization`, `submittedOnDailyAt`); some of
these also, or only, stand at the item's top level, so each field is looked up in the paper
first and in the item second.  `GET /api/papers/{id}` answers one paper object.  The API
hard-wraps `summary` (and sometimes `title`) at about 80 columns; the text is unwrapped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.extract.links import classify
from kg.extract.text import unwrap
from kg.model import Entry, Link, Occurrence, Source
from kg.sources.identity import parse_arxiv_id

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_WS = re.compile(r"\s")

Item = tuple[str, int, Any]  # (JSON Pointer, line, value)


def _array_lines(text: str) -> list[int]:
    """The 1-based line where each element of a top-level JSON array starts."""
    decoder = json.JSONDecoder()
    lines: list[int] = []
    i = text.index("[") + 1
    while True:
        while i < len(text) and (text[i].isspace() or text[i] == ","):
            i += 1
        if i >= len(text) or text[i] == "]":
            return lines
        lines.append(text.count("\n", 0, i) + 1)
        _, i = decoder.raw_decode(text, i)


def load_json(text: str, where: Path | str) -> Any:
    """Parse JSON, turning a syntax error into an `InputError` at its line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"not valid JSON ({err.msg}, column {err.colno})", path=where, line=err.lineno
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", path=where) from None


def _is_paper(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("paper"), dict)) or _is_bare_paper(value)


# Fields only a Hugging Face paper object has, besides `id` and `title` (which CSL JSON,
# Semantic Scholar and many other formats share).
_HF_FIELDS = ("summary", "publishedAt", "upvotes", "submittedOnDailyAt", "discussionId")


def _is_bare_paper(value: Any) -> bool:
    return (
        isinstance(value, dict) and "id" in value and "title" in value and any(k in value for k in _HF_FIELDS)
    )


def _is_csl(data: Any) -> bool:
    """CSL JSON, what Zotero and Mendeley export as "CSL JSON": items with a type and
    authors split into family and given names."""
    items = data if isinstance(data, list) else [data]
    return any(
        isinstance(i, dict)
        and "type" in i
        and any(isinstance(a, dict) and ("family" in a or "literal" in a) for a in i.get("author") or ())
        for i in items
    )


def items_of(data: Any, text: str | None = None, base: str = "", line: int = 1) -> Iterator[Item]:
    """The paper items of a parsed answer: an array (of daily items or papers), one paper
    object, or an object holding them under `dailyPapers` (the props a saved page embeds).

    `text`, when given, is the JSON text of a top-level array, for each item's line.
    """
    if isinstance(data, list):
        lines = _array_lines(text) if text is not None else [line] * len(data)
        for i, (value, at) in enumerate(zip(data, lines, strict=True)):
            yield f"{base}/{i}", at, value
    elif isinstance(data, dict) and isinstance(data.get("dailyPapers"), list):
        for i, value in enumerate(data["dailyPapers"]):
            yield f"{base}/dailyPapers/{i}", line, value
    elif _is_paper(data):
        yield base, line, data


def looks_like_hf(data: Any) -> bool:
    """True if parsed JSON has the shape of a Hugging Face papers answer."""
    if isinstance(data, list):
        return any(_is_paper(v) for v in data)
    return isinstance(data, dict) and (isinstance(data.get("dailyPapers"), list) or _is_paper(data))


def _text(value: Any) -> str | None:
    return unwrap(value) if isinstance(value, str) and value.strip() else None


def entries_from_items(
    items: Iterator[Item], name: str, where: Path | str
) -> tuple[list[Entry], list[str], str | None]:
    """Entries of API items; returns the entries, warnings, and the listing day they share."""
    entries: list[Entry] = []
    warnings: list[str] = []
    days: set[str] = set()
    for pointer, line, item in items:
        at = f"{where}:{line}" + (f" ({pointer})" if pointer else "")
        if not _is_paper(item):
            warnings.append(f"{at}: not a Daily Papers item (no paper object, no id and title), skipped")
            continue
        paper = item["paper"] if isinstance(item.get("paper"), dict) else item

        def field(key: str, paper: dict = paper, item: dict = item) -> Any:
            value = paper.get(key)
            return value if value not in (None, "", [], {}) else item.get(key)

        raw_id = field("id")
        arxiv_id = parse_arxiv_id(str(raw_id)) if raw_id not in (None, "") else None
        if raw_id not in (None, "") and arxiv_id is None:
            warnings.append(f"{at}: id {raw_id!r} is not an arXiv id; the paper is known by its title")
        title = _text(field("title")) or ""
        if not title and not arxiv_id:
            warnings.append(f"{at}: item has neither a title nor an arXiv id, skipped")
            continue
        authors = []
        for author in field("authors") or ():
            name_ = author.get("name") if isinstance(author, dict) else author
            if isinstance(name_, str) and name_.strip():
                authors.append(" ".join(name_.split()))
        published = field("publishedAt")
        issued = _DATE.match(published) if isinstance(published, str) else None
        upvotes = field("upvotes")
        day = field("submittedOnDailyAt")
        if isinstance(day, str) and _DATE.match(day):
            days.add(day[:10])
        links: list[Link] = []
        for key, context in (("githubRepo", ""), ("projectPage", "project page ")):
            url = field(key)
            if isinstance(url, str) and url.strip() and not _WS.search(url.strip()):
                link = classify(url.strip(), written=url.strip(), context=context)
                if link is not None:
                    links.append(link)
                else:
                    warnings.append(f"{at}: {key} {url!r} is not a web address, ignored")
        entries.append(
            Entry(
                title,
                _text(field("summary")),
                Occurrence(name, line, pointer),
                arxiv_id=arxiv_id,
                authors=tuple(authors),
                issued=issued.group(1) if issued else None,
                links=tuple(links),
                upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
            )
        )
    listed = days.pop() if len(days) == 1 else None
    return entries, warnings, listed


def read(text: str, name: str, path: Path | None = None) -> tuple[Source, list[Entry], list[str]]:
    """Read a saved API answer (see the module docstring)."""
    where = path if path is not None else name
    data = load_json(text, where)
    if not looks_like_hf(data):
        if _is_csl(data):
            raise InputError(
                "CSL JSON (a reference manager's export) is not read; export the library as BibTeX instead",
                path=where,
            )
        raise InputError(
            "JSON, but not Hugging Face papers data (expected the array `GET /api/daily_papers` "
            "returns, or a paper with id and title)",
            path=where,
        )
    items = items_of(data, text if isinstance(data, list) else None)
    entries, warnings, listed = entries_from_items(items, name, where)
    if not entries:
        raise InputError("no papers found in this Hugging Face JSON", path=where)
    return Source(name, listed, "hf"), entries, warnings
