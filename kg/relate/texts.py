"""What two papers' texts share, read for the similar papers (`kg.relate.similarity`).

Per paper, its key phrases (the texts' TF-IDF rows, each phrase weighed by how specific the
field finds it) and its content words (`kg.relate.words`), both normalised; and whether a pair
of papers rests on one shared phrase or word with too little else in common (one word in two
senses: lane *detection* and lane *changes*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, diags

from kg.extract.concepts import ConceptMap
from kg.extract.field import shipped_field, specificity
from kg.extract.lexicon import FUNCTION_WORDS, GENERIC_WORDS
from kg.model import Paper
from kg.relate.words import word_rows

# Where one group of shared phrases (a phrase and those holding it: "lane", "lane detection")
# holds more than ONE_PHRASE_SHARE of a pair's phrase similarity, the link rests on that one
# phrase, and stands only if the texts' words outside it agree at least ONE_PHRASE_MIN_WORDS
# (and likewise for one word holding that share of the words' similarity).
ONE_PHRASE_SHARE = 0.7
ONE_PHRASE_MIN_WORDS = 0.1


def _normalised(matrix: csr_matrix) -> csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(diags(1.0 / norms) @ matrix)


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


@dataclass
class Texts:
    """What two papers' texts share, per paper row (in `ConceptMap.rows` order): key phrases
    (`phrases`, normalised, column j the key `phrase_keys[j]`, `topics[j]` its topic words)
    and, where the papers' text was given, content words (`words`, normalised, column j the
    word `word_names[j]`)."""

    phrases: csr_matrix
    phrase_keys: list[str]
    topics: list[frozenset[str]]
    words: csr_matrix | None = None
    word_names: list[str] = field(default_factory=list)
    word_stems: list[str] = field(default_factory=list)
    # The same rows with only their heaviest entries (`heaviest`), and the same columns with
    # only their heaviest entries (`capped`): the search for candidate pairs multiplies the
    # first by the second; every weight is read from the whole rows.
    queries: list[csr_matrix] = field(default_factory=list)
    targets: list[csr_matrix] = field(default_factory=list)

    def signals(self) -> list[csr_matrix]:
        """The whole rows each link's weight is the mean of: key phrases, and words if read."""
        return [self.phrases] if self.words is None else [self.phrases, self.words]


def read_texts(
    concepts: ConceptMap,
    papers: Sequence[Paper] | None = None,
    budget: bool = True,
    workers: int = 1,
    words: tuple[csr_matrix, list[str]] | None = None,
) -> Texts:
    """The key phrases (the texts' TF-IDF rows of `concepts`, field-weighted; without them,
    the papers' concepts weighted by score x idf) and, given `papers`, the words of each paper
    (read by `workers` processes, see `word_rows`; or `words`, read already: `word_rows` of
    `papers` in the order of the concepts' rows).
    With `budget`, the search for candidates asks with each row's QUERY_TERMS heaviest
    entries (`heaviest`) among each column's SEARCH_POSTINGS heaviest (`capped`); without
    it, with the whole rows."""
    if concepts.text is not None:
        phrase_keys = concepts.text_keys
        phrases = _normalised(_field_weighted(concepts.text, phrase_keys))
    else:
        phrase_keys = sorted(concepts.idf)
        phrases = _normalised(_concept_rows(concepts))
    texts = Texts(phrases, phrase_keys, [_topic_words(k) for k in phrase_keys])
    if papers is not None:
        rows = concepts.rows or sorted(concepts.tags)
        if words is None:
            paper_of = {p.key: p for p in papers}
            words = word_rows([paper_of[k] for k in rows], workers=workers)
        elif [p.key for p in papers] != rows:
            raise ValueError("the words given were read in another order than the concepts' rows")
        texts.words, texts.word_names = _normalised(words[0]), words[1]
        texts.word_stems = [stem(w) for w in texts.word_names]
    texts.queries = [heaviest(m, QUERY_TERMS) if budget else m for m in texts.signals()]
    texts.targets = [capped(m, SEARCH_POSTINGS) if budget else m for m in texts.signals()]
    return texts


def capped(matrix: csr_matrix, k: int) -> csr_matrix:
    """`matrix` with only each column's `k` heaviest entries (ties to the lower row)."""
    return csr_matrix(heaviest(csr_matrix(matrix.T), k).T)


def heaviest(matrix: csr_matrix, k: int) -> csr_matrix:
    """`matrix` with only each row's `k` heaviest entries (ties to the lower column)."""
    lengths = np.diff(matrix.indptr)
    row = np.repeat(np.arange(matrix.shape[0]), lengths)
    order = np.lexsort((matrix.indices, -matrix.data, row))
    place = np.arange(len(order)) - matrix.indptr[row[order]]
    kept = np.sort(order[place < k])
    return csr_matrix(
        (matrix.data[kept], matrix.indices[kept], np.concatenate(([0], np.cumsum(np.minimum(lengths, k))))),
        shape=matrix.shape,
    )


def rests_on_one(texts: Texts, i: int, j: int) -> bool:
    """Whether the link of papers i and j rests on one shared phrase or word, with too little
    else in common: one group of shared phrases (`phrase_groups`) holds more than
    ONE_PHRASE_SHARE of their phrase cosine and the words outside it agree less than
    ONE_PHRASE_MIN_WORDS, or one word holds that share of their word cosine and the phrases
    without it agree less than that."""
    columns, parts = _shared(texts.phrases, i, j)
    total = float(parts.sum())
    names: list[str] = []
    word_parts = np.zeros(0)
    if texts.words is not None:
        word_columns, word_parts = _shared(texts.words, i, j)
        names = [texts.word_stems[c] for c in word_columns.tolist()]
    word_total = float(word_parts.sum())
    topics = [texts.topics[c] for c in columns.tolist()]
    if total > 0:
        groups = phrase_groups(topics)
        held: dict[int, float] = {}
        for group, part in zip(groups, parts.tolist(), strict=True):
            held[group] = held.get(group, 0.0) + part
        top = max(held, key=lambda g: (held[g], -g))
        # A phrase of several topic words both papers write ("process reward model") is a
        # topic of both; one word ("lane", "discourse") may be two.
        in_top = [c for g, c in zip(groups, columns.tolist(), strict=True) if g == top]
        one_word = len(frozenset().union(*(texts.topics[c] for c in in_top))) == 1
        if one_word and held[top] > ONE_PHRASE_SHARE * total:
            own = _written([texts.phrase_keys[c] for c in in_top])
            outside = sum(p for w, p in zip(names, word_parts.tolist(), strict=True) if w not in own)
            if outside < ONE_PHRASE_MIN_WORDS:
                return True
    if word_total > 0:
        top_word = int(np.argmax(word_parts))
        if word_parts[top_word] > ONE_PHRASE_SHARE * word_total:
            word = names[top_word]
            outside = sum(p for t, p in zip(topics, parts.tolist(), strict=True) if word not in t)
            if outside < ONE_PHRASE_MIN_WORDS:
                return True
    return False


def _single_topics(texts: Texts) -> csr_matrix:
    """Phrase columns x topic words: 1 where a phrase's topic is that one word alone."""
    number: dict[str, int] = {}
    rows, columns = [], []
    for c, topic in enumerate(texts.topics):
        if len(topic) == 1:
            rows.append(c)
            columns.append(number.setdefault(next(iter(topic)), len(number)))
    return csr_matrix(
        (np.ones(len(rows)), (np.array(rows, np.int64), np.array(columns, np.int64))),
        shape=(len(texts.topics), max(len(number), 1)),
    )


def _may_rest_on_one(texts: Texts, single: csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether `rests_on_one` may hold for each pair (a[n], b[n]), read for all pairs at once:
    the phrases of one topic word alone hold more than ONE_PHRASE_SHARE of the pair's phrase
    cosine (a group of one topic word holds only such phrases), or one word that share of the
    word cosine.  Where this is False, `rests_on_one` is."""
    if not len(a):
        return np.zeros(0, bool)
    parts = csr_matrix(texts.phrases[a].multiply(texts.phrases[b]))
    total = np.asarray(parts.sum(axis=1)).ravel()
    top = csr_matrix(parts @ single).max(axis=1).toarray().ravel()
    maybe = (total > 0) & (top > ONE_PHRASE_SHARE * total)
    if texts.words is not None:
        word_parts = csr_matrix(texts.words[a].multiply(texts.words[b]))
        word_total = np.asarray(word_parts.sum(axis=1)).ravel()
        word_top = word_parts.max(axis=1).toarray().ravel()
        maybe |= (word_total > 0) & (word_top > ONE_PHRASE_SHARE * word_total)
    return maybe


def one_phrase_share(texts: Texts, i: int, j: int) -> float:
    """The largest share of papers i and j's phrase cosine that one group of their shared
    phrases holds (0 when they share none)."""
    columns, parts = _shared(texts.phrases, i, j)
    total = float(parts.sum())
    if total <= 0:
        return 0.0
    held: dict[int, float] = {}
    for group, part in zip(
        phrase_groups([texts.topics[c] for c in columns.tolist()]), parts.tolist(), strict=True
    ):
        held[group] = held.get(group, 0.0) + part
    return max(held.values()) / total


def phrase_groups(topics: list[frozenset[str]]) -> list[int]:
    """Each phrase's group (the number of its group's first phrase), given the phrases' topic
    words: a phrase and those whose topic words hold its own are one ("lane", "lane
    detection"); "reward model" and "diffusion model" are two."""
    group = list(range(len(topics)))

    def root(n: int) -> int:
        while group[n] != n:
            group[n] = group[group[n]]
            n = group[n]
        return n

    for x in range(len(topics)):
        for y in range(x):
            if topics[x] <= topics[y] or topics[y] <= topics[x]:
                rx, ry = root(x), root(y)
                group[max(rx, ry)] = min(rx, ry)
    return [root(n) for n in range(len(topics))]


def _shared(matrix: csr_matrix, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns rows i and j of `matrix` share, and the product of their entries in each."""
    start_i, end_i = matrix.indptr[i], matrix.indptr[i + 1]
    start_j, end_j = matrix.indptr[j], matrix.indptr[j + 1]
    common, at_i, at_j = np.intersect1d(
        matrix.indices[start_i:end_i], matrix.indices[start_j:end_j], assume_unique=True, return_indices=True
    )
    return common, matrix.data[start_i:end_i][at_i] * matrix.data[start_j:end_j][at_j]


def _topic_words(key: str) -> frozenset[str]:
    """The stems of a phrase key's words that say its topic (not "model", "the"); a key of
    no such words stands for itself."""
    topic = frozenset(stem(w) for w in key.split() if w not in GENERIC_WORDS and w not in FUNCTION_WORDS)
    return topic or frozenset([key])


def _written(keys: list[str]) -> frozenset[str]:
    """The words that write a group of phrase keys: their topic words and, for a key of
    several words, its initials (an acronym: "vlfm" for "vision language foundation model")."""
    words = {w for k in keys for w in _topic_words(k)}
    words.update("".join(w[0] for w in k.split()) for k in keys if " " in k)
    return frozenset(words)


def stem(word: str) -> str:
    """A word without its inflection, so that "cache", "caching" and "caches" meet, and
    "APIs" and "API"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _field_weighted(text: csr_matrix, keys: list[str]) -> csr_matrix:
    """The texts' TF-IDF rows with each key weighed by how specific the field finds it."""
    stats = shipped_field()
    weights = np.fromiter((specificity(stats, k) for k in keys), np.float64, len(keys))
    return csr_matrix(text @ diags(weights))


# The entries of a paper's rows (key phrases, words) the search for its candidates asks with:
# all of a paper's terms would make the search quadratic where many papers share them.  On 400
# random papers of a 20k real slice (2025-03..07) the 12 heaviest find the best partner of 354
# of the 363 that have one of weight 0.15 or more among the 20 candidates, against 333 where
# the search left out the commonest columns (which topical words like "spatial" are).
QUERY_TERMS = 12
# A term many papers write ("reasoning") is searched among the SEARCH_POSTINGS papers it weighs
# most in: the search then grows linearly with the corpus.  On 300 random papers of the whole
# dev corpus (40,944), the best partner of 277 of the 281 that have one of 0.15 or more is among
# the 20 candidates (278 with every paper searched), and the search takes 3.1 s, not 7.8.
SEARCH_POSTINGS = 500
