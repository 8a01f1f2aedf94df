"""Similar papers: when a link rests on one shared phrase or word (kg/relate/texts.py), which of
a paper's candidates stand (kg/relate/similarity.py), how the search for candidates asks
(`heaviest`), and the words two texts share (kg/relate/words.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from kg.model import Paper
from kg.relate.similarity import NEIGHBOURS, STRONG_WEIGHT, _chosen
from kg.relate.texts import (
    Texts,
    _may_rest_on_one,
    _normalised,
    _single_topics,
    _topic_words,
    capped,
    heaviest,
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


def test_beside_its_best_link_a_paper_keeps_only_strong_ones():
    weak, strong = STRONG_WEIGHT - 0.01, STRONG_WEIGHT
    # Rows sorted best first: paper 0's best is weak and stands; paper 1 has strong links
    # beyond NEIGHBOURS; paper 2's second is weak.
    row = np.array([0] + [1] * (NEIGHBOURS + 2) + [2, 2])
    value = np.array([weak] + [0.5] + [strong] * (NEIGHBOURS + 1) + [0.3, weak])
    chosen = _chosen(row, value)
    assert (
        chosen[0] and chosen[1 : 1 + NEIGHBOURS].all() and not chosen[1 + NEIGHBOURS : 3 + NEIGHBOURS].any()
    )
    assert chosen[-2] and not chosen[-1]


def test_the_search_asks_with_each_rows_heaviest_entries():
    matrix = csr_matrix(np.array([[0.1, 0.5, 0.2, 0.5], [0.0, 0.0, 0.3, 0.0], [0.4, 0.0, 0.0, 0.1]]))
    kept = heaviest(matrix, 2).toarray()
    # Row 0 keeps its two heaviest (a tie at 0.5: both), row 1 its one entry, row 2 both.
    assert kept.tolist() == [[0.0, 0.5, 0.0, 0.5], [0.0, 0.0, 0.3, 0.0], [0.4, 0.0, 0.0, 0.1]]
    three = heaviest(matrix, 3).toarray()
    assert three[0].tolist() == [0.0, 0.5, 0.2, 0.5]
    # Searched among: each column's heaviest entry (column 0: 0.4 of row 2, not 0.1 of row 0).
    assert capped(matrix, 1).toarray().tolist() == [
        [0.0, 0.5, 0.0, 0.5],
        [0.0, 0.0, 0.3, 0.0],
        [0.4, 0.0, 0.0, 0.0],
    ]


def _paper(key: str, title: str, abstract: str) -> Paper:
    return Paper(key=key, title=title, abstract=abstract)


def test_a_words_weight_grows_with_the_log_of_its_mentions_and_more_in_the_title():
    papers = [
        _paper("a", "Memory for agents", "The cache stores robots. The cache, the cache, the cache robot."),
        _paper("b", "Sparse retrieval", "A cache of robots for sparse retrieval."),
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
    # "cache", four times in a's abstract, weighs 1 + log 4 times b's one mention, not 4 times.
    assert weight[1]["cache"] > 0
    assert weight[0]["cache"] == pytest.approx((1 + np.log(4)) * weight[1]["cache"])
    # "retrieval" in b's title and abstract counts 1 + TITLE_WEIGHT mentions, c's one.
    assert weight[2]["retrieval"] > 0
    assert weight[1]["retrieval"] == pytest.approx((1 + np.log(1 + TITLE_WEIGHT)) * weight[2]["retrieval"])
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


def test_words_read_beforehand_are_the_words_read_texts_reads(seed_build):
    from kg.relate.texts import read_texts

    concepts, papers = seed_build.concepts, seed_build.papers
    assert concepts is not None and concepts.rows == [p.key for p in papers]
    read = read_texts(concepts, papers)
    given = read_texts(concepts, papers, words=word_rows(papers))
    assert given.word_names == read.word_names and len(read.word_names) > 100
    assert read.words is not None and given.words is not None
    assert (given.words != read.words).nnz == 0
    # Words read in another order than the concepts' rows would link the wrong papers: refused.
    with pytest.raises(ValueError, match="another order"):
        read_texts(concepts, papers[::-1], words=word_rows(papers[::-1]))
