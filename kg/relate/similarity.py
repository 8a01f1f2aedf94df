"""Links between papers that concepts and texts imply: related concepts and similar papers.

A similar-paper link rests on what two texts share (`kg.relate.texts`), read two ways: their
key phrases (TF-IDF over every candidate phrase of title and abstract two papers share, a phrase
the field writes everywhere weighed down, `kg.extract.field`) and their words
(`kg.relate.words`).  Its weight, the link's confidence, is the mean of the two cosines.  A
link that rests on one shared phrase (one word in two senses: lane *detection* and lane
*changes*) stands only where the words agree too; beside a paper's best link, only strong ones
stand; and a paper with no neighbour sure enough gets none rather than a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack, triu

from kg.extract.concepts import ConceptMap
from kg.model import Paper
from kg.parallel import advance
from kg.relate.texts import (
    Texts,
    _concept_rows,
    _may_rest_on_one,
    _normalised,
    _single_topics,
    read_texts,
    rests_on_one,
)

__all__ = [
    "MIN_WEIGHT",
    "NEIGHBOURS",
    "STRONG_WEIGHT",
    "Similar",
    "read_texts",
    "related_concepts",
    "similar_papers",
]

MIN_COOCCURRENCE = 2  # two concepts are related when at least this many papers carry both
NEIGHBOURS = 5  # similar papers kept per paper
# A link weaker than this is none; a paper whose best link is weaker has no similar paper.
# Measured by benchmarks/link_quality.py on the hand-judged seed pairs and a 2k slice of tune
# months (2025-03): at 0.14, 0.15, 0.16 the share of links to a strongly related seed was
# 0.56, 0.61, 0.65 and the papers with a strong TF-IDF partner linked to it (or one as close)
# 87%, 84%, 81% of the tune slice; 0.15 keeps both the first above 0.6 and the second above 0.8.
MIN_WEIGHT = 0.15
# A link this strong or stronger is a strong one (the map and the paper panel say so), and
# beside a paper's best link, a link stands only if it is strong.  On 40 random papers of the
# tune months (2025-03..07, 20k slice; 230 pooled candidates read blind, stop 36) the best link
# was clearly wanted in 24 of 37 papers; the second and later links in 11 of 18 from 0.25 and
# in 7 of 19 between 0.2 and 0.25.
STRONG_WEIGHT = 0.25


@dataclass(frozen=True)
class Similar:
    """Two similar papers (keys in sorted order): the link's weight, what it rests on (the
    cosine of their concepts, of their texts' key phrases and of their words) and the
    linking concepts they share."""

    a: str
    b: str
    weight: float
    shared: tuple[str, ...]
    by_concepts: float = 0.0
    by_text: float | None = None
    by_words: float | None = None


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


def similar_papers(
    concepts: ConceptMap, papers: Sequence[Paper] | None = None, texts: Texts | None = None
) -> list[Similar]:
    """Each paper's closest papers: its best link of weight `MIN_WEIGHT` or more and up to
    `NEIGHBOURS` - 1 more of `STRONG_WEIGHT` or more.

    The weight is the mean of the cosine of the two papers' key phrases and, given `papers`
    (their title and abstract), of their words (`read_texts`).  A link resting on one shared
    phrase or word needs more in common (`rests_on_one`).  Candidates come from sparse products
    in blocks of rows, each row's heaviest terms against each term's heaviest papers
    (`Texts.queries`, `Texts.targets`: near-linear); each candidate's weight is then read from
    the whole rows.
    """
    keys = concepts.rows or sorted(concepts.tags)
    count = len(keys)
    if count < 2:
        return []
    if texts is None:  # else read already: `read_texts(concepts, papers)`
        texts = read_texts(concepts, papers)
    signals = texts.signals()
    # Each key's rank in sorted order: ties go to the key that sorts first.
    rank = np.empty(count, np.int64)
    rank[np.argsort(np.array(keys, dtype=object), kind="stable")] = np.arange(count)
    picked_a, picked_b = [], []
    single = _single_topics(texts)
    alone: dict[tuple[int, int], bool] = {}  # rests_on_one of each pair read so far
    # The signals side by side, so that one product of a block of rows sums theirs; the
    # targets turned once, so that no block turns them again.
    query = hstack(texts.queries or signals, format="csr")
    target = csr_matrix(hstack(texts.targets or signals, format="csr").T)
    for start in range(0, count, _BLOCK):
        rows = slice(start, min(start + _BLOCK, count))
        # Candidates by each row's heaviest terms against each column's heaviest entries (a
        # lower bound of the weight), the best CANDIDATES of each row, then their weight from
        # the whole rows.
        # (The sum of the signals' products, against the floor times their number: dividing
        # a block's products costs as much as adding them.)
        combined = (query[rows] @ target).tocoo()
        row, col, value = combined.row + start, combined.col, combined.data
        near = (col != row) & (value >= SEARCH_FLOOR * len(signals))
        row, col, value = row[near], col[near], value[near]
        order = np.lexsort((rank[col], -value, row))
        row, col = row[order], col[order]
        place = np.arange(len(row)) - np.searchsorted(row, row, side="left")
        row, col = row[place < CANDIDATES], col[place < CANDIDATES]
        value = np.round(_mean([_dots(m, row, col) for m in signals]), 6)
        keep = value >= MIN_WEIGHT
        # Only the few pairs that one topic word or one word may carry are read one by one.
        maybe = np.flatnonzero(keep)
        maybe = maybe[_may_rest_on_one(texts, single, row[maybe], col[maybe])]
        for n, i, j in zip(maybe.tolist(), row[maybe].tolist(), col[maybe].tolist(), strict=True):
            pair = (min(i, j), max(i, j))
            if pair not in alone:
                alone[pair] = rests_on_one(texts, i, j)
            keep[n] = not alone[pair]
        row, col, value = row[keep], col[keep], value[keep]
        order = np.lexsort((rank[col], -value, row))
        row, col, value = row[order], col[order], value[order]
        chosen = _chosen(row, value)
        picked_a.append(row[chosen])
        picked_b.append(col[chosen])
        advance(rows.stop - rows.start)
    a = np.concatenate(picked_a) if picked_a else np.zeros(0, np.int64)
    b = np.concatenate(picked_b) if picked_b else np.zeros(0, np.int64)
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    pairs = np.unique(np.stack([a, b], axis=1), axis=0) if len(a) else np.zeros((0, 2), np.int64)
    # What each signal says of each chosen pair: row-wise dot products of the two papers' rows.
    parts = [_dots(m, pairs[:, 0], pairs[:, 1]) for m in signals]
    explained = _dots(_normalised(_concept_rows(concepts)), pairs[:, 0], pairs[:, 1])
    tags = {p: {k for k, _ in concepts.tags.get(p, ()) if k in concepts.idf} for p in keys}
    found = []
    for n, (i, j) in enumerate(pairs.tolist()):
        scores = [float(part[n]) for part in parts]
        x, y = keys[i], keys[j]
        found.append(
            Similar(
                x,
                y,
                round(_mean(scores), 4),
                tuple(sorted(tags[x] & tags[y])),
                round(float(explained[n]), 4),
                round(scores[0], 4) if concepts.text is not None else None,
                round(scores[1], 4) if len(scores) > 1 else None,
            )
        )
    return sorted(found, key=lambda s: (s.a, s.b))


def _chosen(row: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Which candidates (sorted by row, best first) stand: each row's best, and up to
    NEIGHBOURS - 1 more of STRONG_WEIGHT or more."""
    place = np.arange(len(row)) - np.searchsorted(row, row, side="left")
    return (place < NEIGHBOURS) & ((place == 0) | (value >= STRONG_WEIGHT))


def _dots(matrix: csr_matrix | None, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products of rows a[n] and b[n] of `matrix` (zeros without one)."""
    if matrix is None or not len(a):
        return np.zeros(len(a))
    return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()


def _mean(scores: list[Any]) -> Any:
    """The link weight (or weights): the mean of what the signals say."""
    return sum(scores[1:], scores[0]) / len(scores)


_BLOCK = 2000
# Candidates per paper whose whole weight is read, and the least weight the search must see.
CANDIDATES = 20
SEARCH_FLOOR = 0.05
