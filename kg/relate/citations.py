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
_CELLS = 4_000_000  # cells of one block of the product (32 MB when dense): memory stays linear
_DENSE = 0.2  # a block whose product fills more than this share of its cells is handled dense


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
    """The kept pairs of papers whose sets share works, with counts and cosine weights.

    The product of the papers x works matrix with itself is taken a block of rows at a time
    (`_CELLS` cells at most); a block that works cited by nearly every paper make dense is
    handled as a dense array.  Each row keeps its `NEIGHBOURS` strongest entries; ties go to the larger
    count, then to the paper whose key sorts first.
    """
    keys = sorted(k for k, v in sets.items() if v)
    n = len(keys)
    if n < 2:
        return []
    columns = {w: i for i, w in enumerate(sorted({w for k in keys for w in sets[k]}))}
    indptr = np.zeros(n + 1, np.int64)
    indices: list[int] = []
    for number, key in enumerate(keys):
        indices += sorted(columns[w] for w in sets[key])
        indptr[number + 1] = len(indices)
    matrix = csr_matrix(
        (np.ones(len(indices), np.float64), np.array(indices, np.int64), indptr), shape=(n, len(columns))
    )
    transposed = matrix.T.tocsr()
    root = np.sqrt(np.diff(indptr).astype(np.float64))
    block = max(1, _CELLS // n)
    chosen: dict[tuple[int, int], int] = {}
    k = min(NEIGHBOURS, n - 1)
    for start in range(0, n, block):
        stop = min(start + block, n)
        product = matrix[start:stop] @ transposed
        if product.nnz > _DENSE * (stop - start) * n:
            shared = np.rint(product.toarray()).astype(np.int64)
            rows = np.arange(stop - start)
            shared[rows, rows + start] = 0  # a paper is not linked to itself
            shared[shared < MIN_SHARED] = 0
            weight = np.round(shared / np.outer(root[start:stop], root), 6)
            # Entries at least as strong as the row's k-th strongest (ties included).
            kth = np.partition(weight, n - k, axis=1)[:, n - k]
            row, col = np.nonzero((weight >= kth[:, None]) & (weight > 0))
            counts, strength = shared[row, col], weight[row, col]
        else:
            coo = product.tocoo()
            counts = np.rint(coo.data).astype(np.int64)
            keep = (np.asarray(coo.row) + start != coo.col) & (counts >= MIN_SHARED)
            row, col, counts = np.asarray(coo.row)[keep], np.asarray(coo.col)[keep], counts[keep]
            strength = np.round(counts / (root[row + start] * root[col]), 6)
        order = np.lexsort((col, -counts, -strength, row))
        row, col, counts = row[order], col[order], counts[order]
        first = np.searchsorted(row, row, side="left")
        top = (np.arange(len(row)) - first) < k
        for i, j, c in zip((row[top] + start).tolist(), col[top].tolist(), counts[top].tolist(), strict=True):
            chosen[(min(i, j), max(i, j))] = c
    return [
        Linked(keys[i], keys[j], c, round(c / float(root[i] * root[j]), 4))
        for (i, j), c in sorted(chosen.items())
    ]
