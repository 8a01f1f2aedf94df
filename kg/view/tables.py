"""The corpus as compact tables for the page: every paper (drawn or not), concept, author,
repository, owner and source, and the links between papers.

Columns are lists indexed by row (papers sorted by node id, and so on), so a 10k-paper
corpus fits in the page; the page's script turns rows back into records.  Every text is
data: the page shows it through `textContent`, never as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg import graph as g
from kg.errors import KgError
from kg.export.iris import listing_date
from kg.export.taxonomy import category_name
from kg.relate.similarity import MIN_WEIGHT, STRONG_WEIGHT
from kg.sources.identity import normalize_title
from kg.view.select import BROADER, CITES, CREATOR, weight_of

# Abstracts fill the page fastest (a 10k corpus has ~10 MB of them): drawn papers' come
# first, then the rest while they fit.  The others' panels link to where the text is.
ABSTRACT_BUDGET = 1_200_000  # characters
SIMILARITY_SCALE = 10_000  # weights travel as integers (four places, as in the RDF)
# The panel lists a paper's similar papers only from the confidence of a text-similarity link
# up (links of other kinds, by shared references or embeddings, may be weaker), and calls one
# from STRONG_WEIGHT up similar, from 1.5 times it strongly similar.
SIMILAR_CONFIDENCE = MIN_WEIGHT
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# Where a paper was found, by the reader that read its file (`kg.sources.FORMATS`).
_WHERE = {
    "page": "Listed on Hugging Face Daily Papers",
    "hf": "Listed on Hugging Face Daily Papers",
    "html": "Listed on Hugging Face Daily Papers",
    "snapshot": "From the arXiv metadata snapshot",
    "bibtex": "From a BibTeX library",
    "ids": "From a list of arXiv ids and DOIs",
}


def _listing_parts(listed: str) -> tuple[str | None, int, int] | None:
    """A page's listing date (its own text, or the RDF's xsd:gMonthDay / xsd:date form) as
    (year or None, month, day), or None when it is neither."""
    value = (
        str(listing_date(listed)) if not listed.startswith("-") and not _DATE.fullmatch(listed) else listed
    )
    m = re.fullmatch(r"--(\d{2})-(\d{2})", value)
    if m:
        return None, int(m.group(1)), int(m.group(2))
    m = _DATE.fullmatch(value)
    if m:
        return m.group(1), int(m.group(2)), int(m.group(3))
    return None


def listing_label(listed: str | None) -> str:
    """A page's listing date for people ("Mar 11", "Mar 11, 2024"), from the page's own text
    or from the RDF's xsd:gMonthDay / xsd:date form, so both give the same page."""
    parts = _listing_parts(listed) if listed else None
    if parts is None:
        return listed or ""
    year, month, day = parts
    return f"{_MONTHS[month - 1]} {day}" + (f", {year}" if year else "")


def day_label(listed: str | None) -> str:
    """A listing day as a reader writes it ("11 Mar 2025"; "11 Mar" when the page gave no year)."""
    parts = _listing_parts(listed) if listed else None
    if parts is None:
        return listed or ""
    year, month, day = parts
    return f"{day} {_MONTHS[month - 1]}" + (f" {year}" if year else "")


def where_label(fmt: str | None, listed: str | None) -> str:
    """Where a source file's papers were found, in a reader's words: "Listed on Hugging Face
    Daily Papers, 11 Mar 2025", "From the arXiv metadata snapshot"."""
    words = _WHERE.get(fmt or "page", "From an input file")
    day = day_label(listed)
    return f"{words}, {day}" if day else words


def year_of(data: dict) -> int:
    """A paper's year from its `issued` date (0 when unknown)."""
    m = re.match(r"(\d{4})", str(data.get("issued") or ""))
    return int(m.group(1)) if m else 0


def month_of(data: dict) -> int:
    """A paper's month from its `issued` date as year * 12 + month - 1 (0 when unknown)."""
    m = re.match(r"(\d{4})-(\d{2})", str(data.get("issued") or ""))
    return int(m.group(1)) * 12 + int(m.group(2)) - 1 if m and 1 <= int(m.group(2)) <= 12 else 0


def _index(items: Iterable[str]) -> dict[str, int]:
    return {n: i for i, n in enumerate(items)}


def _basis(data: dict) -> str:
    basis = data.get("basis") or ""
    return ",".join(sorted(basis)) if isinstance(basis, (list, tuple)) else str(basis)


def corpus_tables(
    graph: nx.MultiDiGraph, drawn: set[str], paper_cluster: dict[str, int]
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """The tables, and each table's row numbers by node id (the map refers to rows)."""
    nodes = graph._node
    by_kind: dict[str, list[str]] = {}
    for n, kind in graph.nodes(data="kind"):
        by_kind.setdefault(kind, []).append(n)
    for ids in by_kind.values():
        ids.sort()
    papers = by_kind.get("paper", [])
    rows = {kind: _index(ids) for kind, ids in by_kind.items()}
    concept_row, author_row = rows.get("concept", {}), rows.get("author", {})
    repo_row, owner_row, source_row = rows.get("repo", {}), rows.get("owner", {}), rows.get("source", {})
    page_row = rows.get("page", {})
    paper_row = rows.get("paper", {})

    budget = ABSTRACT_BUDGET
    with_abstract = set()
    for p in sorted(papers, key=lambda p: (p not in drawn, p)):
        text = nodes[p].get("abstract") or ""
        if len(text) <= budget:
            with_abstract.add(p)
            budget -= len(text)

    category_row: dict[str, int] = {}
    for p in papers:
        for code in nodes[p].get("categories") or ():
            category_row.setdefault(code, 0)
    for i, code in enumerate(sorted(category_row)):
        category_row[code] = i

    cols: dict[str, list[Any]] = {k: [] for k in ("t", "d", "c", "a", "s", "x", "ab", "k", "n", "v", "y")}
    similar: list[tuple[int, int, int, str]] = []
    cites: list[int] = []
    mentions: list[int] = []
    for p in papers:
        data = nodes[p]
        concepts, authors, sources, links = [], [], [], []
        for target, multi in graph._succ[p].items():
            t = nodes[target]
            for edge in multi.values():
                rel = edge["rel"]
                if rel == g.SUBJECT:
                    concepts.append((-round(edge["score"], 4), concept_row[target]))
                elif rel == CREATOR:
                    authors.append((edge.get("position", 0), author_row[target]))
                elif rel == g.DERIVED_FROM:
                    sources.append([source_row[target], edge.get("line", 0)])
                elif rel == g.REPOSITORY:
                    links.append(["code", repo_row[target]])
                elif rel == g.PROJECT_PAGE:
                    links.append(["project page", page_row[target]])
                elif rel == g.LINK:
                    links.append(["owner" if t["kind"] == "owner" else "link", t["iri"]])
                elif rel in g.SIMILARITIES and target in paper_row:
                    a, b = sorted((paper_row[p], paper_row[target]))
                    similar.append((a, b, round(weight_of(edge) * SIMILARITY_SCALE), _basis(edge)))
                elif rel == CITES and target in paper_row:
                    cites += [paper_row[p], paper_row[target]]
                elif rel == g.MENTIONS and target in paper_row:
                    mentions += [paper_row[p], paper_row[target]]
        if data.get("arxiv_id"):
            links.append(["arXiv", f"https://arxiv.org/abs/{data['arxiv_id']}"])
        if data.get("doi"):
            links.append(["DOI", f"https://doi.org/{data['doi']}"])
        if data.get("s2_id"):
            links.append(["Semantic Scholar", f"https://www.semanticscholar.org/paper/{data['s2_id']}"])
        cols["t"].append(data.get("title") or p)
        cols["d"].append(str(data.get("issued") or ""))
        cols["c"].append([row for _, row in sorted(concepts)])
        cols["a"].append([row for _, row in sorted(authors)])
        cols["s"].append(sorted(sources))
        cols["x"].append(sorted(links, key=lambda link: (str(link[0]), str(link[1]))))
        cols["ab"].append(data.get("abstract") if p in with_abstract else None)
        cols["k"].append(paper_cluster.get(p, -1))
        count = data.get("citation_count")
        cols["n"].append(int(count) if count is not None else -1)
        cols["v"].append(str(data.get("venue") or ""))
        # The primary category first, the others sorted (as a build read back gives them).
        codes = list(data.get("categories") or ())
        cols["y"].append([category_row[c] for c in codes[:1] + sorted(set(codes[1:]) - set(codes[:1]))])
    tables: dict[str, Any] = {"P": cols}
    bases = sorted({basis for *_, basis in similar})
    number = {basis: i for i, basis in enumerate(bases)}
    tables["E"] = {
        "sim": _sorted_runs([v for a, b, w, basis in similar for v in (a, b, w, number[basis])], 4),
        "cite": _sorted_runs(cites, 2),
        "men": _sorted_runs(mentions, 2),
        "bases": bases,
        "conf": round(SIMILAR_CONFIDENCE * SIMILARITY_SCALE),
        "strong": round(STRONG_WEIGHT * SIMILARITY_SCALE),
    }
    tables["Y"] = {"n": sorted(category_row), "l": [category_name(c) for c in sorted(category_row)]}
    tables["C"] = _concepts(graph, by_kind.get("concept", []), concept_row)
    tables["A"] = {
        "n": [nodes[a].get("name") or "" for a in by_kind.get("author", [])],
        "s2": [
            nodes[a]["key"][3:] if nodes[a].get("key", "").startswith("s2-") else ""
            for a in by_kind.get("author", [])
        ],
    }
    tables["R"] = {"n": [], "u": [], "o": []}
    for r in by_kind.get("repo", []):
        owner = next(
            (o for o, m in graph._succ[r].items() if any(e["rel"] == g.OWNER for e in m.values())), None
        )
        tables["R"]["n"].append(nodes[r].get("name") or nodes[r]["iri"])
        tables["R"]["u"].append(nodes[r]["iri"])
        tables["R"]["o"].append(owner_row.get(owner, -1) if owner is not None else -1)
    tables["O"] = {
        "n": [nodes[o].get("name") or nodes[o]["iri"] for o in by_kind.get("owner", [])],
        "u": [nodes[o]["iri"] for o in by_kind.get("owner", [])],
    }
    tables["G"] = {"u": [nodes[n]["iri"] for n in by_kind.get("page", [])]}
    tables["S"] = {
        "n": [nodes[s]["name"] for s in by_kind.get("source", [])],
        "d": [listing_label(nodes[s].get("listed")) for s in by_kind.get("source", [])],
        "w": [where_label(nodes[s].get("format"), nodes[s].get("listed")) for s in by_kind.get("source", [])],
    }
    return tables, rows


def _sorted_runs(flat: list[int], width: int) -> list[int]:
    """Rows of `width` numbers, sorted and without repeats, flattened."""
    runs = sorted({tuple(flat[i : i + width]) for i in range(0, len(flat), width)})
    return [v for run in runs for v in run]


def _concepts(graph: nx.MultiDiGraph, concepts: list[str], row: dict[str, int]) -> dict[str, list[Any]]:
    nodes = graph._node
    broader: list[int] = []
    for c in concepts:
        for target, multi in graph._succ[c].items():
            if target in row and any(e["rel"] == BROADER for e in multi.values()):
                broader += [row[c], row[target]]
    return {
        "l": [nodes[c]["label"] for c in concepts],
        "alt": [sorted(nodes[c].get("alt_labels") or []) for c in concepts],
        "n": [int(nodes[c].get("papers", 0)) for c in concepts],
        "b": _sorted_runs(broader, 2),
    }


def find_paper(graph: nx.MultiDiGraph, title: str) -> str:
    """The paper node whose title is `title` (normalized), or the one paper whose title holds it."""
    wanted = normalize_title(title)
    papers = sorted(
        (normalize_title(d.get("title") or ""), n) for n, d in graph.nodes(data=True) if d["kind"] == "paper"
    )
    exact = [n for t, n in papers if t == wanted]
    if exact:
        return exact[0]
    partial = [n for t, n in papers if wanted and wanted in t]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise KgError(f"no paper titled {title!r} in this build")
    shown = "; ".join(graph._node[n]["title"] for n in partial[:3])
    more = f" and {len(partial) - 3} more" if len(partial) > 3 else ""
    raise KgError(f"{len(partial)} papers match {title!r}: {shown}{more} (give more of the title)")
