"""Which of a paper's ranked terms become its tags: the confidence cut, generic terms only
where the title names them, title fragments and one-paper title terms."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.sparse import csr_matrix

from kg.extract.candidates import TITLE_WEIGHT
from kg.extract.field import Field, is_fragment
from kg.extract.lexicon import CONNECTORS
from kg.extract.phrases import zipf
from kg.extract.ranking import distinct
from kg.extract.vocabulary import TITLE_BIT

# A paper's tags are its best MIN_TAGS and those scoring at least TAG_CONFIDENCE of its best
# (the tag's `kg:score`, its confidence): a paper about one thing gets few, not a fixed six.
MIN_TAGS = 2
TAG_CONFIDENCE = 0.3
# A generic term's place among a paper's first MIN_TAGS goes to a specific term below the
# confidence that scores at least this share of it ("AI safety" for "artificial intelligence"
# on a paper asking what we want from AI); a weaker one is mostly noise ("corpus" for "large
# language models" on a paper about etiquette bias in LLMs, at 0.33 of it).
GENERIC_YIELD = 0.8
# Of two tags where one holds the other's words, the narrower takes the broader's place where
# it scores at least this share of it (`kg.extract.ranking.distinct`).
NARROWER_KEEP = 0.5


def confident_tags(
    ranked: list[list[tuple[str, float, bool]]],
    generic: frozenset[str] = frozenset(),
    titled: Sequence[frozenset[str]] | None = None,
    piece: Callable[[str, str], bool] | None = None,
) -> list[list[tuple[str, float, bool]]]:
    """Each paper's ranked terms cut to those that clear the confidence (see TAG_CONFIDENCE).

    A `generic` term (`kg.extract.field.is_field_term`) is a tag only where the paper's title
    names it (`titled`, per paper) or the paper has fewer than MIN_TAGS specific ones.
    """
    cut = []
    for i, chosen in enumerate(ranked):
        chosen = distinct(chosen, NARROWER_KEEP, MIN_TAGS, piece)
        named = titled[i] if titled is not None else frozenset()
        specific = sum(k not in generic or k in named for k, _, _ in chosen)
        room = max(0, MIN_TAGS - specific)
        pool = []
        for term in chosen:
            if term[0] in generic and term[0] not in named:
                if not room:
                    continue
                room -= 1
            pool.append(term)
        cut.append(_sure(pool, generic))
    return cut


def _sure(pool: list[tuple[str, float, bool]], generic: frozenset[str]) -> list[tuple[str, float, bool]]:
    """The terms of `pool` (best first) that clear the confidence, and as many more as make
    MIN_TAGS; such a place goes to a specific term before a `generic` one where the specific
    one scores at least GENERIC_YIELD of it ("self-confidence" before "large language models"
    on a paper about overconfident LLMs)."""
    if not pool:
        return []
    floor = TAG_CONFIDENCE * pool[0][1]
    sure = [t for t in pool if t[1] >= floor]
    if len(sure) >= MIN_TAGS or generic.isdisjoint(t[0] for t in pool[: MIN_TAGS + 1]):
        return [t for i, t in enumerate(pool) if i < MIN_TAGS or t[1] >= floor]
    rest = [t for t in pool if t[1] < floor]
    while len(sure) < MIN_TAGS and rest:
        pick = rest[0]
        if pick[0] in generic:
            pick = next((t for t in rest if t[0] not in generic and t[1] >= GENERIC_YIELD * pick[1]), pick)
        rest.remove(pick)
        sure.append(pick)
    return [t for t in pool if t in sure]  # in the pool's order


def generic_in_titles(packed: csr_matrix, keys: list[str], generic: frozenset[str]) -> list[frozenset[str]]:
    """Per paper, the generic keys its title writes."""
    columns = np.array(sorted(i for i, k in enumerate(keys) if k in generic), dtype=np.int64)
    found: list[frozenset[str]] = [frozenset()] * packed.shape[0]
    entries = np.flatnonzero((packed.data >= TITLE_BIT) & np.isin(packed.indices, columns))
    if not len(entries):
        return found
    rows = np.searchsorted(packed.indptr, entries, side="right") - 1
    by_row: dict[int, set[str]] = {}
    for row, column in zip(rows.tolist(), packed.indices[entries].tolist(), strict=True):
        by_row.setdefault(row, set()).add(keys[column])
    for row, named in by_row.items():
        found[row] = frozenset(named)
    return found


def without_fragments(packed: csr_matrix, keys: list[str], field: Field) -> csr_matrix:
    """The entries without the title fragments (`kg.extract.field.is_fragment`) that only
    their paper's title writes (once, and no abstract mention: the count is TITLE_WEIGHT)."""
    title_only = (packed.data >= TITLE_BIT) & ((packed.data & (TITLE_BIT - 1)) == TITLE_WEIGHT)
    columns = np.unique(packed.indices[title_only])
    fragments = [c for c in columns.tolist() if is_fragment(field, keys[c])]
    drop = title_only & np.isin(packed.indices, fragments)
    if not drop.any():
        return packed
    kept = packed.copy()
    kept.data[drop] = 0
    kept.eliminate_zeros()
    return kept


def title_worthy(key: str) -> bool:
    """Whether a term too rare to link papers may still tag its paper from its title: a
    technical word ("binarization") or a noun phrase ("network binarization"), not a verb
    phrase ("harnessing diffusion transformers") or a run of title words around "of"."""
    words = key.split()
    if len(words) == 1:
        return zipf(key) < 3.0
    return not words[0].endswith("ing") and not CONNECTORS & set(words)
