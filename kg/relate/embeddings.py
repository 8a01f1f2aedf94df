"""Nearest neighbours by SPECTER v2 embeddings (Semantic Scholar's document vectors), when asked for.

Each paper with an embedding keeps its `NEIGHBOURS` closest papers by cosine similarity.  The
vectors are normalised once into a float32 matrix; similarities are computed a block of rows
at a time and only each row's best few are kept, so memory grows with the corpus, not with its
square.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.model import Paper

NEIGHBOURS = 5
_BLOCK = 1024


@dataclass(frozen=True)
class Near:
    """Two corpus papers (keys in sorted order) close in SPECTER v2 space: their cosine, in (0, 1]."""

    a: str
    b: str
    cosine: float


def specter_neighbours(papers: Sequence[Paper], neighbours: int = NEIGHBOURS) -> list[Near]:
    """Each embedded paper's closest papers by cosine (positive cosines only).

    Papers whose vector has another length than most (another model's) are left out.
    """
    embedded = [p for p in papers if p.embedding]
    if len(embedded) < 2:
        return []
    lengths = [len(p.embedding or ()) for p in embedded]
    dims = max(set(lengths), key=lambda d: (lengths.count(d), d))
    embedded = sorted((p for p in embedded if len(p.embedding or ()) == dims), key=lambda p: p.key)
    keys = [p.key for p in embedded]
    matrix = np.array(
        [np.frombuffer(p.embedding or b"", dtype=np.float32) for p in embedded], dtype=np.float32
    )
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    k = min(neighbours, len(keys) - 1)
    pairs: dict[tuple[int, int], float] = {}
    for start in range(0, len(keys), _BLOCK):
        sims = matrix[start : start + _BLOCK] @ matrix.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf  # not one's own neighbour
        sims = np.round(sims.astype(np.float64), 6)
        for r in rows.tolist():
            row = sims[r]
            candidates = np.argpartition(-row, k - 1)[:k] if k < len(row) else np.arange(len(row))
            # Ties go to the key that sorts first.
            best = sorted(candidates.tolist(), key=lambda j: (-row[j], j))[:k]
            for j in best:
                if row[j] > 0:
                    i = r + start
                    pairs[(min(i, j), max(i, j))] = float(row[j])
    return [Near(keys[i], keys[j], round(min(c, 1.0), 4)) for (i, j), c in sorted(pairs.items())]
