"""Links that citations imply between corpus papers: bibliographic coupling and co-citation.

Two papers are *coupled* when they cite the same works, and *co-cited* when the same works
cite both (Connected Papers' similarity rests on the two).  A work is known by its Semantic
Scholar id, else its arXiv id, else its DOI; a work that is a corpus paper (by any of its ids
or its title) is that paper.  The works citing a paper are those Semantic Scholar lists for it
together with the corpus papers whose references name it.

Counts are exact; the weight of a link is Salton's cosine, count / sqrt(n_a * n_b) with n the
papers' numbers of (resolved) references or citing works, so a pair of papers with long
reference lists needs more shared works to be as strongly linked.  A pair is kept when it
shares at least `MIN_SHARED` works and is among the `NEIGHBOURS` strongest links of either
paper, which keeps the links of a large corpus linear in its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from kg.model import Paper, Reference
from kg.sources.identity import normalize_title

MIN_SHARED = 2  # one shared reference (everyone cites the same few classics) says little
NEIGHBOURS = 10  # links kept per paper, strongest first
_BLOCK = 500  # rows per block of the sparse product (memory stays near-linear)


@dataclass(frozen=True)
class Linked:
    """Two corpus papers (keys in sorted order): how many works link them and how strongly
    (Salton's cosine, in (0, 1])."""

    a: str
    b: str
    count: int
    weight: float


class _Works:
    """Canonical ids of works: a corpus paper's key, else `s2:`, `arxiv:` or `doi:` ids."""

    def __init__(self, papers: Sequence[Paper]):
        self.corpus: dict[str, str] = {}
        for paper in papers:
            for form in self._forms(paper.s2_id, paper.arxiv_id, paper.doi):
                self.corpus.setdefault(form, paper.key)
            if paper.title:
                self.corpus.setdefault("title:" + normalize_title(paper.title), paper.key)

    @staticmethod
    def _forms(s2_id: str | None, arxiv_id: str | None, doi: str | None) -> list[str]:
        forms = []
        if s2_id:
            forms.append("s2:" + s2_id)
        if arxiv_id:
            forms.append("arxiv:" + arxiv_id)
        if doi:
            forms.append("doi:" + doi.lower())
        return forms

    def of(self, work: Reference) -> str | None:
        forms = self._forms(work.s2_id, work.arxiv_id, work.doi)
        for form in forms:
            if form in self.corpus:
                return "paper:" + self.corpus[form]
        if work.title and not forms:
            key = self.corpus.get("title:" + normalize_title(work.title))
            return "paper:" + key if key else None  # an unresolved title names nothing else
        return forms[0] if forms else None


def cited_works(papers: Sequence[Paper]) -> dict[str, set[str]]:
    """{paper key: canonical ids of the works it cites}."""
    works = _Works(papers)
    cited: dict[str, set[str]] = {}
    for paper in papers:
        ids = {w for w in map(works.of, paper.references) if w is not None}
        ids.discard("paper:" + paper.key)
        cited[paper.key] = ids
    return cited


def citing_works(papers: Sequence[Paper]) -> dict[str, set[str]]:
    """{paper key: canonical ids of the works citing it}: the citations Semantic Scholar
    listed, and the corpus papers whose references name it."""
    works = _Works(papers)
    citing: dict[str, set[str]] = {p.key: set() for p in papers}
    for paper in papers:
        for w in map(works.of, paper.citations):
            if w is not None and w != "paper:" + paper.key:
                citing[paper.key].add(w)
    for key, cited in cited_works(papers).items():
        for w in cited:
            if w.startswith("paper:") and w[6:] in citing:
                citing[w[6:]].add("paper:" + key)
    return citing


def coupling(papers: Sequence[Paper]) -> list[Linked]:
    """Pairs of corpus papers that cite the same works (`count` = shared references)."""
    return _linked(cited_works(papers))


def co_citation(papers: Sequence[Paper]) -> list[Linked]:
    """Pairs of corpus papers that the same works cite (`count` = works citing both)."""
    return _linked(citing_works(papers))


def _linked(sets: dict[str, set[str]]) -> list[Linked]:
    """The kept pairs of papers whose sets share works, with counts and cosine weights."""
    keys = sorted(k for k, v in sets.items() if v)
    if len(keys) < 2:
        return []
    columns = {w: i for i, w in enumerate(sorted({w for k in keys for w in sets[k]}))}
    indptr = np.zeros(len(keys) + 1, np.int64)
    indices: list[int] = []
    for n, key in enumerate(keys):
        indices += sorted(columns[w] for w in sets[key])
        indptr[n + 1] = len(indices)
    data = np.ones(len(indices), np.int64)
    matrix = csr_matrix((data, np.array(indices, np.int64), indptr), shape=(len(keys), len(columns)))
    sizes = np.diff(indptr).astype(np.float64)
    chosen: set[tuple[int, int]] = set()
    counts: dict[tuple[int, int], int] = {}
    for start in range(0, len(keys), _BLOCK):
        block = (matrix[start : start + _BLOCK] @ matrix.T).tocoo()
        row, col, shared = block.row + start, block.col, block.data
        keep = (row != col) & (shared >= MIN_SHARED)
        row, col, shared = row[keep], col[keep], shared[keep]
        weight = np.round(shared / np.sqrt(sizes[row] * sizes[col]), 6)
        # Within each row, strongest first; ties to the larger count, then the key that sorts first.
        order = np.lexsort((col, -shared, -weight, row))
        row, col, shared = row[order], col[order], shared[order]
        first = np.searchsorted(row, row, side="left")
        top = (np.arange(len(row)) - first) < NEIGHBOURS
        for i, j, c in zip(row[top].tolist(), col[top].tolist(), shared[top].tolist(), strict=True):
            pair = (min(i, j), max(i, j))
            chosen.add(pair)
            counts[pair] = c
    found = [
        Linked(
            keys[i], keys[j], counts[(i, j)], round(counts[(i, j)] / float(np.sqrt(sizes[i] * sizes[j])), 4)
        )
        for i, j in sorted(chosen)
    ]
    return sorted(found, key=lambda x: (x.a, x.b))
