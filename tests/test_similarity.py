"""Similar papers: when a link rests on one shared phrase or word (kg/relate/texts.py) or on the
words more than the phrases (kg/relate/similarity.py), and the words two texts share
(kg/relate/words.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from kg.model import Paper
from kg.relate.similarity import MIN_WEIGHT, WORDS_ALONE_WEIGHT, _by_phrases
from kg.relate.texts import (
    Texts,
    _may_rest_on_one,
    _normalised,
    _single_topics,
    _topic_words,
    rests_on_one,
    stem,
)
from kg.relate.words import MAX_SHARE, TITLE_WEIGHT, word_rows


def _texts(phrases: list[dict[str, float]], words: list[dict[str, float]]) -> Texts:
    def matrix(rows: list[dict[str, float]]) -> tuple[csr_matrix, list[str]]:
        names = sorted({k for row in rows for k in row})
        dense = np.array([[row.get(k, 0.0) for k in names] for row in rows])
        return _normalised(csr_matrix(dense)), names

    phrase_matrix, keys = matrix(phrases)
    word_matrix, names = matrix(words)
    return Texts(
        phrase_matrix, keys, [_topic_words(k) for k in keys], word_matrix, names, [stem(w) for w in names]
    )


# Lane detection (0 and 2) and post-crash lane changes (1): "lane" in two senses.
LANES = _texts(
    [
        {"lane": 1.0, "lane detection": 1.0, "camera": 0.5},
        {"lane": 1.0, "crash": 1.0, "driver": 1.0},
        {"lane": 1.0, "lane detection": 1.0, "camera": 0.5, "benchmark": 0.2},
    ],
    [
        {"lane": 1.0, "detection": 1.0, "camera": 1.0, "curve": 1.0},
        {"lane": 1.0, "crash": 1.0, "driver": 1.0, "change": 1.0},
        {"lane": 1.0, "detection": 1.0, "camera": 1.0, "curve": 1.0},
    ],
)


@pytest.mark.parametrize(
    ("i", "j", "alone"),
    [
        (0, 1, True),  # they meet on "lane" alone, and their words on nothing else
        (1, 0, True),  # the same pair read the other way
        (0, 2, False),  # "lane detection", a phrase of two topic words, and words besides
    ],
)
def test_a_link_on_one_word_in_two_senses_rests_on_one(i: int, j: int, alone: bool):
    assert rests_on_one(LANES, i, j) is alone


def test_the_quick_test_keeps_every_pair_that_rests_on_one():
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    a, b = (np.array(x) for x in zip(*pairs, strict=True))
    maybe = _may_rest_on_one(LANES, _single_topics(LANES), a, b)
    for (i, j), may in zip(pairs, maybe.tolist(), strict=True):
        assert may or not rests_on_one(LANES, i, j)
    assert not maybe[pairs.index((0, 2))]


# Paper 0's candidates: 1 (its best), 2 and 4 (whose words agree far more than their key
# phrases: one broad area), 3 (whose phrases agree); paper 2's best is 0.
BROAD = _texts(
    [
        {"agent memory": 1.0, "retrieval": 1.0},
        {"agent memory": 1.0, "retrieval": 1.0},
        {"protein folding": 1.0, "agent memory": 0.2},
        {"retrieval": 1.0},
        {"graph layout": 1.0, "agent memory": 0.1},
    ],
    [
        {"model": 1.0, "training": 1.0},
        {"model": 1.0, "training": 1.0},
        {"model": 1.0, "training": 1.0, "protein": 0.2},
        {"retrieval": 1.0},
        {"model": 1.0, "training": 1.0},
    ],
)


@pytest.mark.parametrize("strong", [False, True])
def test_a_link_the_words_carry_more_than_the_phrases_needs_to_be_best_or_strong(strong: bool):
    weak = (MIN_WEIGHT + WORDS_ALONE_WEIGHT) / 2
    heavy = WORDS_ALONE_WEIGHT if strong else weak
    row, col = np.array([0, 0, 0, 0, 2]), np.array([1, 3, 2, 4, 0])
    value = np.array([0.4, weak, weak, heavy, weak])
    kept = set(zip(*(x.tolist() for x in _by_phrases(BROAD, row, col, value)), strict=True))
    # 0-1 is paper 0's best, 0-3 rests on phrases, 2-0 is paper 2's best: they stand; 0-2 as
    # paper 0 reads it rests on broad words, and 0-4 stands only where it is strong.
    assert kept == {(0, 1), (0, 3), (2, 0)} | ({(0, 4)} if strong else set())


def _paper(key: str, title: str, abstract: str) -> Paper:
    return Paper(key=key, title=title, abstract=abstract)


def test_words_count_once_more_in_the_title_and_not_where_every_paper_writes_them():
    papers = [
        _paper("a", "Memory for agents", "The cache stores robots. The cache, the cache, the cache robot."),
        _paper("b", "Sparse retrieval", "A cache of robots for sparse search."),
        _paper("c", "Dense vectors", "Retrieval of robots by dense vectors."),
        _paper("d", "Graph layouts", "Drawing graphs of robots."),
        _paper("e", "Graph colouring", "Colouring graphs."),
        _paper("f", "Protein folding", "Folding proteins."),
    ]
    matrix, words = word_rows(papers)
    dense = matrix.toarray()
    weight = [dict(zip(words, row.tolist(), strict=True)) for row in dense]
    assert "the" not in words and "of" not in words and "for" not in words
    # "robot" is in four of six papers, more than MAX_SHARE of them: it says nothing of a topic.
    assert weight[0]["robot"] == 0.0 and MAX_SHARE * 6 < 4
    # "cache", four times in a's abstract, counts as often as b's once.
    assert weight[0]["cache"] == pytest.approx(weight[1]["cache"]) and weight[0]["cache"] > 0
    # "retrieval" counts TITLE_WEIGHT times in b's title what it counts in c's abstract.
    assert weight[2]["retrieval"] > 0
    assert weight[1]["retrieval"] == pytest.approx(TITLE_WEIGHT * weight[2]["retrieval"])
    # A word of one paper alone ("protein") links nothing.
    assert all(w == 0.0 for w in weight[5].values())


def test_words_read_by_workers_are_the_words_read_here(monkeypatch):
    from kg.relate import words as words_module

    vocabulary = (
        "graph cache robot protein lane camera driver folding retrieval éléments kernel tensor".split()
    )
    papers = [
        _paper(
            f"p{i}",
            f"{vocabulary[i % 12].title()} and {vocabulary[(i * 5) % 12]}",
            " ".join(vocabulary[(i + k) % 12] for k in range(0, 12, 1 + i % 4)) + ".",
        )
        for i in range(40)
    ]
    here, names_here = word_rows(papers)
    monkeypatch.setattr(words_module, "TEXTS_BESIDE", 1)
    shared, names_shared = word_rows(papers, workers=3)
    assert names_shared == names_here and len(names_here) >= 10
    assert (shared != here).nnz == 0 and shared.nnz == here.nnz > 0
    assert shared.indices.tolist() == here.indices.tolist()
