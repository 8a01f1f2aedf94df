"""The words two papers' texts share: a TF-IDF cosine over the content words of title and abstract.

Key phrases say what a paper is about, but two papers that share one phrase may still use it in
two senses (lane *detection* and lane *changes*, political and adversarial *evasion*).  The
words around it tell: papers on one topic share many of their content words, papers that meet
on one word share few.  So a similar-paper link also asks how much of the two texts' vocabulary
they share.

A word's weight in a paper is 1 + log of its mentions (the title's counting once more) times
its smoothed inverse document frequency in the corpus, lowered where general English uses it a
lot (wordfreq: *show*, *new*).  Function words, generic nouns of papers (*method*, *results*)
and numbers are no words here.  The field's statistics (`kg.extract.field`) weigh the key
phrases, not the words: on 70 blind-labelled pairs of a real tune slice (2025-03..07, 20k
papers), how well the words' cosine told clearly wanted pairs from the others (AUC) was 0.66
with each word counted once and weighed down by the field and English, 0.81 as here, and 0.77
as here but weighed down by the field too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix

from kg import parallel
from kg.extract.lexicon import FUNCTION_WORDS, GENERIC_WORDS
from kg.extract.phrases import _ASCII_TOKEN, _TOKEN, clean_text, phrase_key, zipf
from kg.model import Paper

# A title that has a word adds TITLE_WEIGHT to its mentions.
TITLE_WEIGHT = 1.0
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


def word_rows(papers: Sequence[Paper], workers: int = 1) -> tuple[csr_matrix, list[str]]:
    """One row per paper (in the order given) of its content words' weights (see the module),
    and the word of each column.  The texts are read by `workers` forked processes, each a
    range of them (`kg.parallel.map_ranges`); the result is the same."""
    # Texts x distinct tokens (abstracts, then titles), then tokens x words: a paper has a
    # word where one of its tokens has it.
    texts_in_order = [p.abstract or "" for p in papers] + [p.title or "" for p in papers]

    def text_tokens(lo: int, hi: int) -> list[str]:
        # Each text's tokens as one string, joined by a character no token holds: a worker's
        # results pickle back as one string a text, not a list of a hundred.
        found = []
        for text in texts_in_order[lo:hi]:
            text = clean_text(text)
            found.append(" ".join((_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)))
        return found

    tokens: dict[str, int] = {}
    columns: list[int] = []
    ends = [0]
    column_of = tokens.setdefault
    for found in parallel.map_ranges(text_tokens, len(texts_in_order), workers, min_items=TEXTS_BESIDE):
        if found:
            columns += [column_of(t, len(tokens)) for t in found.split(" ")]
        ends.append(len(columns))
    # Texts x tokens, each token as often as the text writes it (a repeated column adds up).
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
    counts = csr_matrix(texts @ spelled)
    titled = counts[len(papers) :].tocsr()
    titled.data[:] = TITLE_WEIGHT
    # How often the abstract writes a word, and TITLE_WEIGHT more where the title has it;
    # a word's weight grows with the log of that (the tenth mention adds little).
    matrix = (counts[: len(papers)] + titled).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    matrix.data = 1.0 + np.log(matrix.data)
    n = max(len(papers), 1)
    df = np.bincount(matrix.indices, minlength=len(words))
    usable = np.flatnonzero((df >= 2) & (df <= max(2, int(MAX_SHARE * n))))
    # Only words two papers share are weighed (the rest weigh nothing, and most words are rare).
    weight = np.zeros(len(words))
    weight[usable] = (np.log((1 + n) / (1 + df[usable])) + 1.0) * np.fromiter(
        (word_weight(words[k]) for k in usable.tolist()), np.float64, len(usable)
    )
    matrix.data = matrix.data * weight[matrix.indices]
    matrix.eliminate_zeros()
    return matrix, words


def word_weight(word: str) -> float:
    """How much a word may weigh (0..1) by how common it is in English."""
    z = zipf(word)
    if z <= COMMON_ZIPF:
        return 1.0
    if z >= VERY_COMMON_ZIPF:
        return COMMON_WEIGHT
    return 1.0 - (1.0 - COMMON_WEIGHT) * (z - COMMON_ZIPF) / (VERY_COMMON_ZIPF - COMMON_ZIPF)


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
