"""Mentions: only where a paper names another paper's own method (issue 22)."""

from __future__ import annotations

from collections import Counter
from itertools import islice

import pytest

from kg.extract.field import Field, shipped_field
from kg.extract.text import normalise_papers
from kg.model import Paper
from kg.relate.mentions import mentions, method_name, older, paper_month
from kg.sources import load_sources, merge_entries
from tests.arxiv_slice import CORPUS, MISSING


def paper(
    key: str, title: str, abstract: str, issued: str | None = None, arxiv_id: str | None = None
) -> Paper:
    return Paper(key=key, title=title, abstract=abstract, issued=issued, arxiv_id=arxiv_id)


GLEN = "GLENR: Generative Retrieval via Lexical Index Learning"


@pytest.mark.parametrize(
    ("issued", "arxiv_id", "expected"),
    [
        ("2025-07-02", None, True),
        ("2025-05", None, True),
        ("2025-03", None, False),
        (None, "2504.01234", False),
    ],
)
def test_no_mention_from_an_older_paper_to_a_newer_one(issued, arxiv_id, expected):
    named = paper("a", GLEN, "We propose GLENR.", issued="2025-05-10")
    naming = paper("b", "Retrieval at scale", "We compare with GLENR on two benchmarks.", issued, arxiv_id)
    found = mentions([named, naming], field=Field())
    assert (("b", "a", "GLENR") in found) is expected


def test_months_come_from_the_issued_date_or_the_arxiv_id():
    assert paper_month(paper("a", "t", "", issued="2025-05-10")) == "2025-05"
    assert paper_month(paper("a", "t", "", arxiv_id="2509.00001")) == "2025-09"
    assert paper_month(paper("a", "t", "")) is None


def test_a_name_the_field_writes_everywhere_is_no_method():
    sota = paper("s", "SOTA: Benchmarking State of the Art Methods", "We present SOTA.", "2025-03")
    writers = [
        paper(f"w{i}", f"Paper {i}", f"Our method beats SOTA baselines by {i} points.", "2025-06")
        for i in range(5)
    ]
    # The shipped statistics of the field know SOTA as the field's word.
    assert not [m for m in mentions([sota, *writers]) if m[1] == "s"]
    # Without them, the same corpus would link every writer to the "SOTA" paper.
    assert len([m for m in mentions([sota, *writers], field=Field()) if m[1] == "s"]) == 5
    field = Field(papers=1000, names={"SOTA": (300, 280)})
    assert not mentions([sota, *writers], field=field)


def test_a_name_inside_a_longer_name_is_not_mentioned():
    marco = paper("m", "MARCOX: Multi-Agent Reasoning with Code", "We present MARCOX.", "2025-03")
    ms = paper("g", "Retrieval", "We evaluate on MS MARCOX and on Natural Questions.", "2025-06")
    alone = paper("h", "Agents", "Compared with MARCOX, our agents reason better.", "2025-06")
    found = mentions([marco, ms, alone], field=Field())
    assert found == [("h", "m", "MARCOX")]
    # The field writes the name mostly as part of "MS MARCOX": no paper's own name.
    assert not mentions([marco, ms, alone], field=Field(papers=1000, names={"MARCOX": (20, 2)}))


def test_an_acronym_the_field_spells_out_is_no_method_name():
    named = paper("a", "ISAC: Sensing While Talking", "We present ISAC.", "2025-03")
    naming = paper("b", "Radios", "We study ISAC for 6G networks.", "2025-06")
    assert mentions([named, naming], field=Field())
    field = Field(papers=1000, senses={"ISAC": {"integrated sensing and communication": 2}})
    assert not mentions([named, naming], field=field)


@pytest.mark.parametrize("name", ["STAR", "ATLAS", "OASIS"])
def test_a_common_word_in_capitals_is_no_method_name(name: str):
    named = paper("a", f"{name}: Agents that Plan", f"We present {name}.", "2025-03")
    naming = paper("b", "Planning", f"Unlike {name}, we plan in two steps.", "2025-06")
    assert not mentions([named, naming], field=Field())


def test_shipped_field_knows_the_common_names():
    field = shipped_field()
    assert field.papers > 10_000
    assert field.name_share("SOTA") > 0.01
    assert field.fragment("MARCO")


@pytest.mark.skipif(not CORPUS.exists(), reason=MISSING)
def test_mentions_on_a_real_slice_are_spread_and_dated():
    loaded = load_sources([CORPUS])
    papers = merge_entries(list(islice(loaded.entries, 4000)), loaded.warnings)
    normalise_papers(papers)
    found = mentions(papers)
    month = {p.key: paper_month(p) for p in papers}
    assert found
    assert not [m for m in found if older(month[m[0]], month[m[1]])]
    received = Counter(target for _, target, _ in found)
    # At a few thousand papers there are few mentions: no paper may take more than 1% of
    # them, or two when 1% is less than one.
    assert max(received.values()) <= max(2, len(found) // 100)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Sim-to-Real: Transfer for Robots", None),
        ("Divide-and-Conquer: Planning at Scale", None),
        ("MLP-Mixer: An all-MLP Architecture for Vision", "MLP-Mixer"),
        ("Video-R1: Reinforcing Video Reasoning", "Video-R1"),
    ],
)
def test_a_hyphenated_phrase_of_words_is_no_method_name(title: str, name: str | None):
    assert method_name(title) == name
