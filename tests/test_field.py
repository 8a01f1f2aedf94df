"""Knowledge of the field shipped as data (`kg/data/field.tsv.gz`): the script that makes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.field import build_field, main, read_field, shipped_field, shipped_path, write_field

SNAPSHOT = Path(__file__).parent / "data" / "snapshot" / "arxiv-metadata.jsonl"


def test_the_script_makes_the_same_file_twice(tmp_path: Path):
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    main(["build", str(SNAPSHOT), "--out", str(first)])
    main(["build", str(SNAPSHOT), "--out", str(second)])
    assert first.read_bytes() == second.read_bytes()
    stats = read_field(first)
    assert stats == build_field([SNAPSHOT])
    assert stats.papers == len(SNAPSHOT.read_text().splitlines())


def test_months_filter_what_the_script_counts():
    every = build_field([SNAPSHOT])
    some = build_field([SNAPSHOT], since="2099-01")
    assert every.papers > 0 and some.papers == 0 and not some.phrases


def test_the_shipped_file_is_what_the_script_writes(tmp_path: Path):
    shipped = shipped_field()
    again = tmp_path / "field.tsv.gz"
    write_field(shipped, again)
    assert again.read_bytes() == shipped_path().read_bytes()
    # Counted over 2025-03..2025-08 of the dev corpus: "large language models" is on a large
    # share of the field's papers, a title fragment such as "pipeline for rapidly" on none.
    assert 20_000 < shipped.papers < 30_000
    assert shipped.share("large language model") > 0.1
    assert not shipped.unit("pipeline for rapidly")
    assert shipped.unit("speculative decoding")
    # "driver assistance" is written before "systems" in most of its papers, "diffusion model" stands.
    assert shipped.head_share("driver assistance") < 0.15 < 0.5 < shipped.head_share("diffusion model")


def test_a_phrase_the_field_writes_everywhere_weighs_less():
    from kg.extract.field import GENERIC_WEIGHT, Field, specificity

    field = Field(
        papers=1000, phrases={"large language model": (280, 250), "modality": (60, 58), "lane": (3, 3)}
    )
    assert specificity(field, "large language model") == GENERIC_WEIGHT
    assert GENERIC_WEIGHT < specificity(field, "modality") < 1.0
    assert specificity(field, "lane") == specificity(field, "speculative decoding") == 1.0
    assert specificity(Field(), "large language model") == 1.0


def test_a_title_fragment_the_field_never_writes_as_a_phrase_is_no_tag():
    from kg.extract.field import Field, is_fragment

    field = Field(papers=1000, phrases={"pipeline for rapidly": (3, 0), "speculative decoding": (40, 30)})
    assert is_fragment(field, "pipeline for rapidly")
    assert is_fragment(field, "discovery of non standard")  # the field never wrote it at all
    assert not is_fragment(field, "speculative decoding")
    assert not is_fragment(field, "binarization")  # one word: termhood decides
    assert not is_fragment(Field(), "pipeline for rapidly")  # no statistics, no verdict


def test_tags_are_those_that_clear_the_confidence():
    from kg.extract.tagging import MIN_TAGS, TAG_CONFIDENCE
    from kg.extract.tagging import confident_tags as _confident

    assert MIN_TAGS == 2  # at least the best two (issue 22)
    chosen = [("a", 10.0, False), ("b", 1.0, False), ("c", 0.9, False), ("d", 0.5, False)]
    cut = _confident([chosen, chosen[:1], []])
    assert [k for k, _, _ in cut[0]] == ["a", "b"]
    assert cut[1] == chosen[:1] and cut[2] == []
    sure = [("a", 10.0, False), ("b", 9.0, False), ("c", 8.0, False), ("d", 2.0 * TAG_CONFIDENCE * 10, False)]
    assert len(_confident([sure])[0]) == 4


def test_generic_field_terms_tag_only_where_nothing_specific_is_left():
    from kg.extract.tagging import confident_tags as _confident

    generic = frozenset({"large language model"})
    ranked = [
        ("large language model", 10.0, False),
        ("speculative decoding", 9.0, False),
        ("kv cache", 8.0, False),
    ]
    assert [k for k, _, _ in _confident([ranked], generic)[0]] == ["speculative decoding", "kv cache"]
    # With one specific term left, the generic one fills the second place ...
    assert [k for k, _, _ in _confident([ranked[:2]], generic)[0]] == [
        "large language model",
        "speculative decoding",
    ]
    # ... and where the paper's title names it, it is the paper's topic and stays.
    named = _confident([ranked], generic, [frozenset({"large language model"})])[0]
    assert [k for k, _, _ in named] == ["large language model", "speculative decoding", "kv cache"]


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (0.9, ["persona-aware contrastive learning", "persona consistency"]),  # nearly as strong: it
        (0.4, ["persona-aware contrastive learning", "large language model"]),  # much weaker: noise
    ],
)
def test_the_second_place_goes_to_a_specific_term_before_a_generic_one(second: float, expected: list[str]):
    from kg.extract.tagging import GENERIC_YIELD, TAG_CONFIDENCE
    from kg.extract.tagging import confident_tags as _confident

    generic = frozenset({"large language model"})
    named = [frozenset(generic)]  # the title names it, so it may be a tag
    llm = TAG_CONFIDENCE * 10 * 0.5  # below the confidence: a tag only to make the best two
    ranked = [
        ("persona-aware contrastive learning", 10.0, False),
        ("large language model", llm, False),
        ("persona consistency", second * llm, False),
    ]
    assert (second >= GENERIC_YIELD) == (expected[1] == "persona consistency")
    assert [k for k, _, _ in _confident([ranked], generic, named)[0]] == expected
    # Where the generic term clears the confidence by itself, it stays.
    ranked[1] = ("large language model", 5.0, False)
    assert [k for k, _, _ in _confident([ranked], generic, named)[0]][:2] == [
        "persona-aware contrastive learning",
        "large language model",
    ]


def test_a_phrase_the_field_writes_by_its_acronym_is_as_common_as_the_acronym():
    from kg.extract.field import Field, is_field_term

    field = Field(
        papers=1000,
        phrases={"artificial intelligence": (20, 18)},
        names={"AI": (90, 85), "SD": (30, 30)},
        senses={
            "AI": {"artificial intelligence": 15},
            "SD": {"stable diffusion": 9, "speculative decoding": 3},
        },
    )
    assert field.share("artificial intelligence") == 0.09 and is_field_term(field, "artificial intelligence")
    assert field.share("stable diffusion") == 0.03  # the acronym's main sense only
    assert field.share("speculative decoding") == 0.0


def test_a_lone_definition_in_a_minor_sense_gives_way_to_the_fields_sense():
    from kg.extract.field import Field, with_field_senses
    from kg.extract.senses import acronym_senses

    field = Field(
        papers=1000,
        senses={
            "MLLM": {"multi modal large language model": 600, "multi lingual large language model": 3},
            "SSL": {"self supervised learning": 68, "semi supervised learning": 21},
        },
    )
    multilingual = "multi lingual large language models".split()
    lone = acronym_senses([(0, "MLLM", multilingual)])
    read = with_field_senses(lone, field)
    assert read.corpus["MLLM"] == "multi modal large language model"
    assert read.per_paper[0]["MLLM"] == "multi lingual large language model"  # its own sense stays
    # Defined so by two papers of the corpus, the sense is the corpus's own.
    twice = acronym_senses([(0, "MLLM", multilingual), (1, "MLLM", multilingual)])
    assert with_field_senses(twice, field).corpus["MLLM"] == "multi lingual large language model"
    # A sense the field gives often enough (21 of 68) is no minor one.
    semi = acronym_senses([(0, "SSL", "semi supervised learning".split())])
    assert with_field_senses(semi, field).corpus["SSL"] == "semi supervised learning"
    assert with_field_senses(lone, Field()).corpus == lone.corpus


def test_a_title_term_and_a_piece_of_it_are_one_tag():
    from kg.extract.ranking import distinct

    ranked = [
        ("crown instance segmentation", 10.0, True),
        ("tree crown instance segmentation", 9.0, True),
        ("drone imagery", 6.0, False),
    ]
    # The narrower one takes the broader's place and score; the next term moves up.
    assert distinct(ranked, 0.5) == [
        ("tree crown instance segmentation", 10.0, True),
        ("drone imagery", 6.0, False),
    ]
    # A narrower term scoring far below the broader one gives way to it instead.
    weak = [("crown instance segmentation", 10.0, True), ("tree crown instance segmentation", 4.0, True)]
    assert distinct(weak + ranked[2:], 0.5) == [weak[0], ranked[2]]
    # A shorter term after a longer one is dropped ...
    assert distinct([ranked[1], ranked[0], ranked[2]], 0.5) == [ranked[1], ranked[2]]
    # ... but where nothing else is left it comes back, for at least two tags.
    assert distinct(ranked[:2], 0.5) == [("tree crown instance segmentation", 10.0, True), ranked[0]]
    # Two shared concepts both stay: the hierarchy relates them.
    shared = [("relation inference", 10.0, False), ("dynamic relation inference", 9.0, False)]
    assert distinct(shared, 0.5) == shared


def test_a_term_papers_write_only_in_passing_weighs_less_outside_a_title():
    import numpy as np
    from scipy.sparse import csr_matrix

    from kg.extract.ranking import PASSING_WEIGHT, passing_weights, rank_papers
    from kg.extract.vocabulary import TITLE_BIT

    # Term 0 ("gpu") is in 40 abstracts and no title; term 1 ("stereo matching") in 40
    # abstracts and the titles of 20 of them; paper 0 mentions "gpu" twice and the other once.
    papers, rows, columns, data = 40, [], [], []
    for p in range(papers):
        rows += [p, p]
        columns += [0, 1]
        data += [2 if p == 0 else 1, 1 + (TITLE_BIT if p % 2 else 0)]
    packed = csr_matrix((data, (rows, columns)), shape=(papers, 2), dtype=np.int64)
    aside = passing_weights(packed)
    assert aside[1] == 1.0 and PASSING_WEIGHT <= aside[0] < 0.6
    keys = ["gpu", "stereo matching"]
    weight, own = np.array([1.0, 1.5]), np.zeros(2)
    assert next(k for k, _, _ in rank_papers(packed[:1], weight, own, keys, 2)[0]) == "gpu"
    assert (
        next(k for k, _, _ in rank_papers(packed[:1], weight, own, keys, 2, aside[:])[0]) == "stereo matching"
    )


def test_a_narrower_tag_counts_for_its_broader_concept():
    from kg.extract.ranking import held_support

    ranked = [
        [("composed image retrieval", 9.0, False), ("image retrieval model", 3.0, True)],
        [("image retrieval", 5.0, False)],
        [("retrieval augmented generation", 4.0, False)],
    ]
    support = held_support(ranked)
    # The first paper counts once for "image retrieval", whose place its narrower tags took.
    assert support["image retrieval"] == 2 and support["composed image retrieval"] == 1
    assert support["retrieval augmented generation"] == 1 and "retrieval" not in support  # tags no paper


def test_a_shared_term_the_field_writes_only_inside_a_longer_one_gives_way_to_it():
    from functools import partial

    from kg.extract.field import Field
    from kg.extract.ranking import distinct, is_piece

    field = Field(
        papers=1000,
        phrases={
            "augmented generation": (107, 73),
            "retrieval augmented generation": (658, 594),
            "dataset distillation": (36, 16),
            "generative dataset distillation": (3, 0),
        },
    )
    assert is_piece(field, "augmented generation", "retrieval augmented generation")
    assert not is_piece(field, "dataset distillation", "generative dataset distillation")
    assert not is_piece(Field(), "augmented generation", "retrieval augmented generation")
    piece = partial(is_piece, field)
    ranked = [
        ("augmented generation", 10.0, False),
        ("retrieval augmented generation", 3.0, False),
        ("knowledge graph", 2.0, False),
    ]
    assert distinct(ranked, 0.5, 2, piece) == [("retrieval augmented generation", 10.0, False), ranked[2]]
    # A concept of its own beside a narrower one: both stay.
    both = [("dataset distillation", 10.0, False), ("generative dataset distillation", 9.0, False)]
    assert distinct(both, 0.5, 2, piece) == both


def test_a_phrase_the_field_writes_only_before_more_words_is_a_modifier():
    from kg.extract.field import MIN_STANDING_PAPERS, Field, is_modifier

    field = Field(
        papers=1000,
        phrases={
            "driver assistance": (26, 20),
            "driver assistance system": (20, 16),
            "conditional diffusion": (60, 50),
            "conditional diffusion model": (50, 45),
            "diffusion model": (1773, 1440),
            "complex chart": (MIN_STANDING_PAPERS - 1, 3),
        },
        standing={
            "driver assistance": 2,
            "driver assistance system": 18,
            "conditional diffusion": 8,
            "diffusion model": 1613,
        },
    )
    assert field.head_share("driver assistance") == 2 / 26
    assert is_modifier(field, "driver assistance")
    assert not is_modifier(field, "diffusion model")
    # A merged variant that stands ("conditional diffusion models") makes the concept stand.
    assert is_modifier(field, "conditional diffusion")
    field.standing["conditional diffusion model"] = 40
    assert not is_modifier(field, "conditional diffusion", ["conditional diffusion model"])
    # Too few papers to say, or no statistics: no verdict.
    assert field.head_share("complex chart") is None and not is_modifier(field, "complex chart")
    assert not is_modifier(Field(), "driver assistance")


def test_a_lone_word_in_ing_must_stand_more_often_to_be_a_concept():
    from kg.extract.field import Field, is_modifier

    # Figures of the shipped statistics (2025-03..08): "unifying" leads titles, "emerging"
    # modifies; "reasoning" and "pruning" stand as heads; a phrase in -ing keeps the usual bar.
    field = Field(
        papers=26642,
        phrases={
            "unifying": (272, 200),
            "emerging": (522, 480),
            "reasoning": (4499, 4000),
            "pruning": (356, 300),
            "token merging": (60, 50),
        },
        standing={"unifying": 62, "emerging": 113, "reasoning": 3554, "pruning": 263, "token merging": 18},
    )
    assert is_modifier(field, "unifying") and is_modifier(field, "emerging")
    assert not is_modifier(field, "reasoning") and not is_modifier(field, "pruning")
    assert field.head_share("token merging") == 0.3 and not is_modifier(field, "token merging")


def test_the_head_counts_survive_the_file(tmp_path: Path):
    from kg.extract.field import Field

    stats = Field(papers=10, phrases={"a b": (5, 4), "c d": (3, 3)}, standing={"a b": 2})
    path = tmp_path / "field.tsv.gz"
    write_field(stats, path)
    assert read_field(path) == stats
