"""Merge entries from every input into one `Paper` per identity, reporting conflicts.

Entries that share an arXiv id are one paper; so are entries that share a DOI, and entries
that share a normalised title, unless joining them would put two different arXiv ids (or
two different DOIs) in one paper: those stay apart, with a warning.  Within a paper the
first entry in (source name, line) order gives each value; a later entry fills what the
earlier ones lacked, and a value that disagrees is reported, never merged silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from kg.model import Entry, Link, Occurrence, Paper
from kg.sources.identity import arxiv_key, doi_key, normalize_title

T = TypeVar("T")
_NONE: frozenset[str] = frozenset()


class _Groups:
    """Union-find over entry indices, each root knowing its arXiv ids and DOIs."""

    def __init__(self, entries: Sequence[Entry]):
        self.parent = list(range(len(entries)))
        # One shared empty set for the many entries without ids; `union` makes new sets.
        self.arxiv: list[frozenset[str]] = [
            frozenset((e.arxiv_id,)) if e.arxiv_id else _NONE for e in entries
        ]
        self.doi: list[frozenset[str]] = [frozenset((e.doi,)) if e.doi else _NONE for e in entries]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def clash(self, a: int, b: int) -> str | None:
        """What two groups disagree on (arXiv id, then DOI), or None."""
        ra, rb = self.find(a), self.find(b)
        if self.arxiv[ra] and self.arxiv[rb] and self.arxiv[ra] != self.arxiv[rb]:
            return f"arXiv ids {min(self.arxiv[ra])} and {min(self.arxiv[rb])}"
        if self.doi[ra] and self.doi[rb] and self.doi[ra] != self.doi[rb]:
            return f"DOIs {min(self.doi[ra])} and {min(self.doi[rb])}"
        return None

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.arxiv[ra] = self.arxiv[ra] | self.arxiv[rb]
        self.doi[ra] = self.doi[ra] | self.doi[rb]


def _where(occurrence: Occurrence) -> str:
    return f"{occurrence.source}:{occurrence.line}"


def _places(a: Occurrence, b: Occurrence) -> tuple[str, str]:
    """Where two entries were read, with their JSON Pointers where the line does not tell
    them apart (the items of a JSON array written on one line)."""
    first, second = _where(a), _where(b)
    if first == second and a.pointer != b.pointer:
        return f"{first} ({a.pointer})", f"{second} ({b.pointer})"
    return first, second


def merge_entries(entries: Iterable[Entry], warnings: list[str] | None = None) -> list[Paper]:
    """One `Paper` per identity, remembering every occurrence; sorted by key.

    Conflicts (kept-apart titles, disagreeing values) are appended to `warnings` when given.
    """
    report = warnings if warnings is not None else []
    ordered: list[Entry] = []
    titles: list[str] = []  # normalised, computed once: it is most of the cost on a large corpus
    for entry in sorted(
        entries, key=lambda e: (e.occurrence.source, e.occurrence.line, e.occurrence.pointer)
    ):
        title = normalize_title(entry.title) if entry.title else ""
        if title or entry.arxiv_id or entry.doi:
            ordered.append(entry)
            titles.append(title)
    groups = _Groups(ordered)
    # Strong ids first, so a title joins papers only after their ids have made them whole.
    passes: list[tuple[str, Sequence[str | None]]] = [
        ("arxiv", [e.arxiv_id for e in ordered]),
        ("doi", [e.doi for e in ordered]),
        ("title", titles),
    ]
    for kind, values in passes:
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            if not value:
                continue
            j = first.setdefault(value, i)
            if j == i or groups.find(i) == groups.find(j):
                continue
            # One arXiv id is one paper whatever else disagrees (reported when the paper is made).
            clash = None if kind == "arxiv" else groups.clash(j, i)
            if clash is None:
                groups.union(i, j)
            else:
                entry = ordered[i]
                what = f"title {entry.title!r}" if kind == "title" else f"DOI {value}"
                earlier, later = _places(ordered[j].occurrence, entry.occurrence)
                report.append(f"same {what} at {earlier} and {later}, but {clash}: kept apart")
    members: dict[int, list[int]] = {}
    for i in range(len(ordered)):
        members.setdefault(groups.find(i), []).append(i)
    papers: dict[str, Paper] = {}
    for root, indices in members.items():
        paper = _paper([ordered[i] for i in indices], titles[indices[0]], report)
        if paper.key in papers:  # two DOIs that differ only in characters a key cannot hold
            paper.key = f"{paper.key}-{root}"
        papers[paper.key] = paper
    return [papers[k] for k in sorted(papers)]


def _paper(group: list[Entry], first_title: str, report: list[str]) -> Paper:
    """The paper of one group of entries (in occurrence order); `first_title` is the first
    entry's normalised title."""
    if len(group) == 1:  # most papers are listed once: nothing to compare
        entry = group[0]
        paper = Paper(
            _key(entry.arxiv_id, entry.doi, first_title),
            entry.title,
            entry.abstract,
            occurrences=[entry.occurrence],
            arxiv_id=entry.arxiv_id,
            doi=entry.doi,
            issued=entry.issued,
            venue=entry.venue,
            authors=[(name, None) for name in entry.authors],
            upvotes=entry.upvotes,
            categories=list(entry.categories),
        )
        if entry.links:
            paper.links = list({link.target: link for link in entry.links[::-1]}.values())[::-1]
        return paper
    arxiv_id = _agreed(group, "arXiv id", [(e, e.arxiv_id) for e in group], report)
    doi = _agreed(group, "DOI", [(e, e.doi) for e in group], report)
    title = _agreed(group, "title", [(e, e.title) for e in group], report, same=normalize_title)
    authors = _agreed(
        group,
        "authors",
        [(e, e.authors) for e in group],
        report,
        same=lambda names: [_surname(n) for n in names],
    )
    paper = Paper(
        _key(arxiv_id, doi, normalize_title(title) if title else ""),
        title or "",
        next((e.abstract for e in group if e.abstract), None),
        occurrences=sorted({e.occurrence for e in group}),
        arxiv_id=arxiv_id,
        doi=doi,
        issued=_date(group, report),
        venue=next((e.venue for e in group if e.venue), None),
        authors=[(name, None) for name in authors or ()],
        upvotes=max((e.upvotes for e in group if e.upvotes is not None), default=None),
        categories=list(next((e.categories for e in group if e.categories), ())),
    )
    links: dict[str, Link] = {}
    for entry in group:
        for link in entry.links:
            links.setdefault(link.target, link)
    paper.links = list(links.values())
    return paper


def _key(arxiv_id: str | None, doi: str | None, normalized_title: str) -> str:
    if arxiv_id:
        return arxiv_key(arxiv_id)
    if doi:
        return doi_key(doi)
    return normalized_title.replace(" ", "-")


def _surname(name: str) -> str:
    words = normalize_title(name).split()
    return words[-1] if words else ""


def _label(group: list[Entry], title: str | None = None) -> str:
    for entry in group:
        if entry.arxiv_id:
            return f"arXiv {entry.arxiv_id}"
    for entry in group:
        if entry.doi:
            return f"DOI {entry.doi}"
    return repr(title or group[0].title)


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) if len(value) <= 3 else f"{', '.join(value[:3])}, … ({len(value)} names)"
    return str(value)


def _agreed(
    group: list[Entry],
    what: str,
    values: list[tuple[Entry, T | None]],
    report: list[str],
    same: Callable[[T], object] = lambda v: v,
) -> T | None:
    """The first non-empty value; each later one that differs (under `same`) is reported."""
    kept = None
    for entry, value in values:
        if not value:
            continue
        if kept is None:
            kept = (entry, value)
        elif same(value) != same(kept[1]):
            earlier, later = _places(kept[0].occurrence, entry.occurrence)
            report.append(
                f"conflict for {_label(group, str(kept[1]) if what == 'title' else None)}: {what} "
                f"{_show(kept[1])!r} ({earlier}) vs {_show(value)!r} ({later}); kept the first"
            )
    return kept[1] if kept else None


def _date(group: list[Entry], report: list[str]) -> str | None:
    """The most precise date the entries agree on; `2017` and `2017-06-12` agree."""
    kept: tuple[Entry, str] | None = None
    for entry in group:
        value = entry.issued
        if not value:
            continue
        if kept is None:
            kept = (entry, value)
        elif value.startswith(kept[1]):
            kept = (kept[0], value) if len(value) > len(kept[1]) else kept
        elif not kept[1].startswith(value):
            earlier, later = _places(kept[0].occurrence, entry.occurrence)
            report.append(
                f"conflict for {_label(group)}: date {kept[1]!r} ({earlier}) vs {value!r} ({later}); kept the first"
            )
    return kept[1] if kept else None
