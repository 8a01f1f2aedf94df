"""Links between papers that concepts and texts imply: related concepts and similar papers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, diags, triu

from kg.extract.concepts import ConceptMap
from kg.parallel import advance

MIN_COOCCURRENCE = 2  # two concepts are related when at least this many papers carry both
NEIGHBOURS = 5  # similar papers kept per paper
MIN_SIMILARITY = 0.15  # a link weaker than this is noise...
MIN_BEST = 0.06  # ...except a paper's single best link, down to this
# The share of the texts' own similarity in a link's weight, the rest being the concepts'.
# The texts (every key phrase two papers share) separate related papers better than the six
# concepts a paper is tagged with: against the hand-judged gold pairs, precision 0.59 with
# the texts alone, 0.50 with 0.8 of them, 0.37 with concepts alone; in blind readings, pairs
# with high concept but low text similarity were mostly unrelated (a shared "transformer").
# So the concepts explain a link (kg:conceptSimilarity, kg:sharedConcept) but do not make it.
TEXT_SHARE = 1.0


@dataclass(frozen=True)
class Similar:
    """Two similar papers (keys in sorted order): the link's weight, what it rests on (the
    cosine of their concepts and of their texts) and the linking concepts they share."""

    a: str
    b: str
    weight: float
    shared: tuple[str, ...]
    by_concepts: float = 0.0
    by_text: float | None = None


def related_concepts(concepts: ConceptMap) -> list[tuple[str, str, int]]:
    """(concept a, concept b, papers carrying both), a < b, for pairs seen in enough papers.

    Co-occurrence counts are the upper triangle of BᵀB, B the papers x concepts tag matrix.
    """
    keys = sorted({k for tags in concepts.tags.values() for k, _ in tags})
    number = {k: i for i, k in enumerate(keys)}
    columns = [number[k] for tags in concepts.tags.values() for k, _ in tags]
    lengths = [len(tags) for tags in concepts.tags.values()]
    tagged = csr_matrix(
        (np.ones(len(columns), np.int64), columns, np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))),
        shape=(len(lengths), len(keys)),
    )
    together = triu(tagged.T @ tagged, k=1).tocoo()
    enough = together.data >= MIN_COOCCURRENCE
    a, b, n = together.row[enough], together.col[enough], together.data[enough]
    order = np.lexsort((b, a))  # numbers follow the keys' sorted order
    rows = zip(a[order].tolist(), b[order].tolist(), n[order].tolist(), strict=True)
    return [(keys[i], keys[j], c) for i, j, c in rows]


def _normalised(matrix: csr_matrix) -> csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(diags(1.0 / norms) @ matrix)


def _within_budget(matrix: csr_matrix, budget: float) -> csr_matrix:
    """`matrix` without its most common columns, so that M Mᵀ costs at most `budget` products.

    The product costs the sum of squared column counts: a few very common columns would make
    it quadratic in the corpus, while their low weight adds little to any pair's score.
    """
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    order = np.argsort(counts, kind="stable")
    cost = np.cumsum(counts[order] ** 2)
    keep = np.zeros(matrix.shape[1], bool)
    keep[order[cost <= budget]] = True
    if keep.all():
        return matrix
    return csr_matrix(matrix @ diags(keep.astype(np.float64)))


def _concept_rows(concepts: ConceptMap) -> csr_matrix:
    """Per paper, its linking concepts weighted by how central each is to it (score x idf)."""
    idf = concepts.idf
    number = {k: i for i, k in enumerate(sorted(idf))}
    indptr, indices, data = [0], [], []
    for paper in concepts.rows or sorted(concepts.tags):
        entries = sorted((number[k], s * idf[k]) for k, s in concepts.tags.get(paper, ()) if k in idf)
        indices += [i for i, _ in entries]
        data += [w for _, w in entries]
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(number)), dtype=np.float64)


def similar_papers(concepts: ConceptMap) -> list[Similar]:
    """Each paper's closest papers, by the concepts central to both and by their texts' own terms.

    Two cosine similarities meet: of the papers' linking concepts weighted by score x idf
    (a concept central to both counts most), and of TF-IDF vectors over every key phrase of
    title and abstract that two papers share.  The weight takes `TEXT_SHARE` of the texts'
    (all of it: the concepts explain a link rather than make it) and the rest of the
    concepts'.  Each paper keeps its `NEIGHBOURS` best links of at least `MIN_SIMILARITY`, or else its best
    one if that reaches `MIN_BEST`.  Sparse products in blocks of rows, with the commonest
    columns left out to a budget, keep it near-linear.
    """
    keys = concepts.rows or sorted(concepts.tags)
    papers = len(keys)
    if papers < 2:
        return []
    budget = POSTING_BUDGET * papers
    by_concept = _within_budget(_normalised(_concept_rows(concepts)), budget)
    signals = [by_concept]
    if concepts.text is not None:
        signals.append(_within_budget(_normalised(concepts.text), budget))
    # Each key's rank in sorted order: ties go to the key that sorts first.
    rank = np.empty(papers, np.int64)
    rank[np.argsort(np.array(keys, dtype=object), kind="stable")] = np.arange(papers)
    picked_a, picked_b = [], []
    for start in range(0, papers, _BLOCK):
        rows = slice(start, min(start + _BLOCK, papers))
        shares = _shares(signals)
        combined = _mix(
            [_product(m, rows) if share else None for m, share in zip(signals, shares, strict=True)]
        )
        combined = combined.tocoo()
        row, col, value = combined.row + start, combined.col, np.round(combined.data, 6)
        keep = (col != row) & (value >= MIN_BEST)
        row, col, value = row[keep], col[keep], value[keep]
        order = np.lexsort((rank[col], -value, row))
        row, col, value = row[order], col[order], value[order]
        # Position of each candidate within its row, best first.
        first = np.searchsorted(row, row, side="left")
        place = np.arange(len(row)) - first
        strong = (place < NEIGHBOURS) & (value >= MIN_SIMILARITY)
        has_strong = np.zeros(papers, bool)
        has_strong[row[strong]] = True
        best_only = (place == 0) & ~has_strong[row]
        chosen = strong | best_only
        picked_a.append(row[chosen])
        picked_b.append(col[chosen])
        advance(rows.stop - rows.start)
    a = np.concatenate(picked_a) if picked_a else np.zeros(0, np.int64)
    b = np.concatenate(picked_b) if picked_b else np.zeros(0, np.int64)
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    pairs = np.unique(np.stack([a, b], axis=1), axis=0) if len(a) else np.zeros((0, 2), np.int64)
    # What each signal says of each chosen pair: row-wise dot products of the two papers' rows.
    parts = [np.asarray(m[pairs[:, 0]].multiply(m[pairs[:, 1]]).sum(axis=1)).ravel() for m in signals]
    tags = {p: {k for k, _ in concepts.tags.get(p, ()) if k in concepts.idf} for p in keys}
    found = []
    for n, (i, j) in enumerate(pairs.tolist()):
        scores = [float(part[n]) for part in parts]
        x, y = keys[i], keys[j]
        found.append(
            Similar(
                x,
                y,
                round(_mix(scores), 4),
                tuple(sorted(tags[x] & tags[y])),
                round(scores[0], 4),
                round(scores[1], 4) if len(scores) > 1 else None,
            )
        )
    return sorted(found, key=lambda s: (s.a, s.b))


def _shares(scores: list[Any]) -> list[float]:
    """Each signal's share of a link's weight: concepts, and texts where known."""
    return [1.0] if len(scores) == 1 else [1 - TEXT_SHARE, TEXT_SHARE]


def _mix(scores: list[Any]) -> Any:
    """The link weight (or weights) from the concept score and, where known, the text score;
    a signal with no share may be None (not computed)."""
    return sum(share * score for share, score in zip(_shares(scores), scores, strict=True) if share)


def _product(matrix: csr_matrix, rows: slice) -> csr_matrix:
    return csr_matrix(matrix[rows] @ matrix.T)


_BLOCK = 2000
# Products per paper that the similarity search may spend (see `_within_budget`).
POSTING_BUDGET = 400
