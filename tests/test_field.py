"""Knowledge of the field shipped as data (`kg/data/field.tsv.gz`): the script that makes it."""

from __future__ import annotations

from pathlib import Path

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
    from kg.extract.concepts import MIN_TAGS, TAG_CONFIDENCE, _confident

    assert MIN_TAGS == 2  # at least the best two (issue 22)
    chosen = [("a", 10.0, False), ("b", 1.0, False), ("c", 0.9, False), ("d", 0.5, False)]
    cut = _confident([chosen, chosen[:1], []])
    assert [k for k, _, _ in cut[0]] == ["a", "b"]
    assert cut[1] == chosen[:1] and cut[2] == []
    sure = [("a", 10.0, False), ("b", 9.0, False), ("c", 8.0, False), ("d", 2.0 * TAG_CONFIDENCE * 10, False)]
    assert len(_confident([sure])[0]) == 4


def test_generic_field_terms_tag_only_where_nothing_specific_is_left():
    from kg.extract.concepts import _confident

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
