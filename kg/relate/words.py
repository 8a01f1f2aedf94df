"""The words two papers' texts share: a TF-IDF cosine over the content words of title and abstract.

Key phrases say what a paper is about, but two papers that share one phrase may still use it in
two senses (lane *detection* and lane *changes*, political and adversarial *evasion*).  The
words around it tell: papers on one topic share many of their content words, papers that meet
on one word share few.  So a similar-paper link also asks how much of the two texts' vocabulary
they share.

A word's weight is its inverse document frequency in the corpus (once per paper, more in the
title), lowered where the word says little of a paper: where many papers of the field at
large write it (`kg.extract.field`, by the most widely written phrase it is part of: *language*
is in *large language models*) and where general English uses it a lot (wordfreq: *show*,
*new*).  Function words, generic nouns of papers (*method*, *results*) and numbers are no words
here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix

from kg import parallel
from kg.extract.field import Field, shipped_field, specificity
from kg.extract.lexicon import FUNCTION_WORDS, GENERIC_WORDS
from kg.extract.phrases import _ASCII_TOKEN, _TOKEN, clean_text, phrase_key, zipf
from kg.model import Paper

# A word counts once however often a paper writes it (a word repeated in both texts would
# otherwise make the link alone, as "cache" in two papers on caches of different things), and
# TITLE_WEIGHT times where the title has it.
TITLE_WEIGHT = 1.5
# Texts (or distinct tokens) from which `word_rows` shares the reading among its workers.
TEXTS_BESIDE = 20_000
MAX_SHARE = 0.5  # a word in more of the corpus's papers than this is no sign of a topic
# General English: a word up to COMMON_ZIPF weighs fully, from VERY_COMMON_ZIPF on it weighs
# COMMON_WEIGHT, and in between its weight falls linearly ("show" 5.6, "lane" 3.9).
COMMON_ZIPF = 4.0
VERY_COMMON_ZIPF = 5.5
COMMON_WEIGHT = 0.3
# Words no paper's topic rests on, beyond the function words and generic nouns of papers.
_NOT_TOPICS = frozenset(
    """
    use used using uses show shows shown propose proposed proposes present presents presented
    introduce introduces introduced based novel new via first also well two three several various
    however furthermore moreover address addresses achieve achieves achieved demonstrate
    demonstrates obtain obtained provide provides enable enables significantly significant
    state art outperform outperforms result results paper work study studies task tasks
    """.split()
)


def word_rows(
    papers: Sequence[Paper], field: Field | None = None, workers: int = 1
) -> tuple[csr_matrix, list[str]]:
    """One row per paper (in the order given) of its content words' weights (see the module),
    and the word of each column.  The texts are read by `workers` forked processes, each a
    range of them (`kg.parallel.map_ranges`); the result is the same."""
    stats = shipped_field() if field is None else field
    # Texts x distinct tokens (abstracts, then titles), then tokens x words: a paper has a
    # word where one of its tokens has it.
    texts_in_order = [p.abstract or "" for p in papers] + [p.title or "" for p in papers]

    def distinct_tokens(lo: int, hi: int) -> list[str]:
        # Each text's distinct tokens as one string, joined by a character no token holds: a
        # worker's results pickle back as one string a text, not a list of a hundred.
        found = []
        for text in texts_in_order[lo:hi]:
            text = clean_text(text)
            found.append(" ".join(dict.fromkeys((_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text))))
        return found

    tokens: dict[str, int] = {}
    columns: list[int] = []
    ends = [0]
    column_of = tokens.setdefault
    for found in parallel.map_ranges(distinct_tokens, len(texts_in_order), workers, min_items=TEXTS_BESIDE):
        if found:
            columns += [column_of(t, len(tokens)) for t in found.split(" ")]
        ends.append(len(columns))
    texts = csr_matrix(
        (np.ones(len(columns)), np.array(columns, np.int64), np.array(ends, np.int64)),
        shape=(2 * len(papers), len(tokens)),
    )
    vocabulary: dict[str, int] = {}
    token_rows, word_columns = [], []
    distinct = list(tokens)
    words_of = parallel.map_ranges(
        lambda lo, hi: [_words(t) for t in distinct[lo:hi]], len(distinct), workers, min_items=TEXTS_BESIDE
    )
    for number, token_words in enumerate(words_of):
        for word in token_words:
            token_rows.append(number)
            word_columns.append(vocabulary.setdefault(word, len(vocabulary)))
    words = list(vocabulary)
    spelled = csr_matrix(
        (np.ones(len(token_rows)), (np.array(token_rows, np.int64), np.array(word_columns, np.int64))),
        shape=(len(tokens), len(words)),
    )
    has = csr_matrix(texts @ spelled)
    has.data[:] = 1.0
    # A word counts once however often a paper writes it, TITLE_WEIGHT times in its title.
    matrix = has[: len(papers)].maximum(TITLE_WEIGHT * has[len(papers) :]).tocsr()
    matrix.sort_indices()
    n = max(len(papers), 1)
    df = np.bincount(matrix.indices, minlength=len(words))
    usable = np.flatnonzero((df >= 2) & (df <= max(2, int(MAX_SHARE * n))))
    # Only words two papers share are weighed (the rest weigh nothing, and most words are rare).
    weight = np.zeros(len(words))
    weight[usable] = np.log(n / df[usable]) * np.fromiter(
        (word_weight(stats, words[k]) for k in usable.tolist()), np.float64, len(usable)
    )
    matrix.data = matrix.data * weight[matrix.indices]
    matrix.eliminate_zeros()
    return matrix, words


def word_weight(stats: Field, word: str) -> float:
    """How much a word may weigh (0..1) by how common it is in the field and in English."""
    return specificity(_word_field(stats), word) * _english_weight(word)


def _english_weight(word: str) -> float:
    z = zipf(word)
    if z <= COMMON_ZIPF:
        return 1.0
    if z >= VERY_COMMON_ZIPF:
        return COMMON_WEIGHT
    return 1.0 - (1.0 - COMMON_WEIGHT) * (z - COMMON_ZIPF) / (VERY_COMMON_ZIPF - COMMON_ZIPF)


_WORD_FIELDS: dict[int, tuple[Field, Field]] = {}


def _word_field(stats: Field) -> Field:
    """The field's statistics per word: a word is written by at least as many papers as the
    most widely written phrase it is part of."""
    known = _WORD_FIELDS.get(id(stats))
    if known is not None and known[0] is stats:
        return known[1]
    most: dict[str, int] = {}
    for key, (df, _) in stats.phrases.items():
        for word in set(key.split()):
            if df > most.get(word, 0):
                most[word] = df
    words = Field(papers=stats.papers, phrases={w: (df, df) for w, df in most.items()})
    _WORD_FIELDS.clear()
    _WORD_FIELDS[id(stats)] = (stats, words)
    return words


@lru_cache(maxsize=200_000)
def _words(token: str) -> tuple[str, ...]:
    """A token's content words, keyed as phrase keys are (lower case, singular, split prefixes)."""
    if token.lower() in FUNCTION_WORDS or not any(c.isalpha() for c in token):
        return ()
    return tuple(
        w
        for w in phrase_key([token]).split()
        if len(w) > 1
        and any(c.isalpha() for c in w)
        and w not in FUNCTION_WORDS
        and w not in GENERIC_WORDS
        and w not in _NOT_TOPICS
    )
