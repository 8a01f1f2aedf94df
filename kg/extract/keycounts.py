"""Counts over the corpus's matrix of key phrases per paper: which keys are written as one
hyphen-joined word, which keys hold which words and how often inside them, which keys occur
together, and TF-IDF rows for text similarity."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from kg.extract.candidates import CorpusTerms
from kg.extract.vocabulary import TITLE_BIT

# Keys in more than this share of papers say little about what two papers share.
TEXT_MAX_SHARE = 0.1


def text_terms(packed: csr_matrix, df: np.ndarray, n: int) -> tuple[csr_matrix, np.ndarray]:
    """TF-IDF rows (sublinear tf, title mentions weighted) over keys that 2+ papers share,
    and the key number of each column."""
    usable = (df >= 2) & (df <= max(2, int(TEXT_MAX_SHARE * n)))
    columns = np.flatnonzero(usable)
    sub = packed[:, columns]
    tf = 1.0 + np.log((sub.data & (TITLE_BIT - 1)).astype(np.float64))
    weights = tf * np.log(n / df[columns][sub.indices])
    return csr_matrix((weights, sub.indices, sub.indptr), shape=sub.shape), columns


def joined_uses(terms: CorpusTerms) -> np.ndarray:
    """Per surface, its weighted mentions where it is one hyphen-joined word ("real-time")."""
    one_word = np.fromiter(
        ("-" in s and " " not in s and not s.startswith(("ACR:", "VERB:")) for s in terms.surfaces),
        bool,
        len(terms.surfaces),
    )
    totals = np.bincount(terms.ids, weights=terms.counts, minlength=len(terms.surfaces))
    return np.where(one_word, totals, 0.0)


def word_pairs(keys: list[str]) -> np.ndarray:
    """[longer key numbers, one-word key numbers]: each key of several words with each of its
    words that is a key of its own ("remote sensing" with "sensing")."""
    found = {k: i for i, k in enumerate(keys) if " " not in k}.get
    pairs = [
        (i, j) for i, key in enumerate(keys) if " " in key for w in key.split() if (j := found(w)) is not None
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2).T


def within_shares(pairs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per key, the largest share of its mentions inside one longer key of `pairs` (0 for none)."""
    within = np.zeros(len(counts))
    totals = counts[pairs[1]]
    usable = totals > 0
    np.maximum.at(within, pairs[1][usable], counts[pairs[0]][usable] / totals[usable])
    return within


def together(packed: csr_matrix, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs of key numbers whose keys occur together in two papers or more."""
    columns = sorted({k for pair in pairs for k in pair})
    if not columns:
        return set()
    sub = packed[:, columns].tocsc()
    position = {k: i for i, k in enumerate(columns)}

    def papers(key: int) -> np.ndarray:
        i = position[key]
        return sub.indices[sub.indptr[i] : sub.indptr[i + 1]]

    return {(a, b) for a, b in pairs if len(np.intersect1d(papers(a), papers(b), assume_unique=True)) >= 2}
