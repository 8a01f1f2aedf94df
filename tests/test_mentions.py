"""Mentions: only where a paper names another paper's own method (issue 22)."""

from __future__ import annotations

import random
from collections import Counter
from itertools import islice

import pytest

from kg.extract.field import Field, shipped_field
from kg.extract.text import normalise_papers
from kg.extract.vocabulary import Concept, ConceptMap
from kg.model import Paper
from kg.relate.mentions import (
    FIELD_COMMON_SHARE,
    MIN_CITED_SIMILARITY,
    MIN_SIMILARITY,
    SAME_WORK,
    WORD_SIMILARITY,
    mentions,
    method_name,
    older,
    paper_month,
    text_similarity,
)
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
    sota = paper(
        "s", "SOTA: Benchmarking State of the Art Methods", "We benchmark image classifiers.", "2025-03"
    )
    writers = [
        paper(f"w{i}", f"Paper {i}", f"Our image classifiers beat SOTA baselines by {i} points.", "2025-06")
        for i in range(5)
    ]
    # The shipped statistics of the field know SOTA as the field's word.
    assert not [m for m in mentions([sota, *writers]) if m[1] == "s"]
    # Without them, the same corpus would link every writer to the "SOTA" paper.
    assert len([m for m in mentions([sota, *writers], field=Field()) if m[1] == "s"]) == 5
    field = Field(papers=1000, names={"SOTA": (300, 280)})
    assert not mentions([sota, *writers], field=field)


def test_a_name_inside_a_longer_name_is_not_mentioned():
    marco = paper(
        "m", "MARCOX: Multi-Agent Reasoning with Code", "Multi-agent reasoning agents write code.", "2025-03"
    )
    ms = paper(
        "g",
        "Retrieval agents",
        "Multi-agent reasoning agents write code; we evaluate on MS MARCOX and on Natural Questions.",
        "2025-06",
    )
    alone = paper(
        "h", "Agents", "Compared with MARCOX, our multi-agent reasoning agents write better code.", "2025-06"
    )
    found = mentions([*BACKGROUND, marco, ms, alone], field=Field())
    assert found == [("h", "m", "MARCOX")]
    # The field writes the name mostly as part of "MS MARCOX" (though rarely, 20 of a million
    # papers): no paper's own name.
    field = Field(papers=1_000_000, names={"MARCOX": (20, 2)})
    assert field.name_share("MARCOX") < FIELD_COMMON_SHARE
    assert not mentions([*BACKGROUND, marco, ms, alone], field=field)


def test_an_acronym_the_field_spells_out_is_no_method_name():
    named = paper(
        "a", "ISAC: Sensing While Talking", "Radios sense while they talk in 6G networks.", "2025-03"
    )
    naming = paper("b", "Radios", "We study ISAC for radios in 6G networks.", "2025-06")
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
        ("GAN: Generative Adversarial Networks Revisited", None),  # a technique's short acronym
        ("ASAG: Automatic Short Answer Grading", "ASAG"),
        ("Attention: A Survey", None),  # a plain word
        ("Towards CoCa: Captioners", None),  # the head is no one name
        ("CoCa Captioners", None),  # no colon, no short name
    ],
)
def test_a_hyphenated_phrase_of_words_is_no_method_name(title: str, name: str | None):
    assert method_name(title) == name


# A small corpus of unrelated work, so that the words two papers share weigh by their rarity.
BACKGROUND = [
    paper(f"bg{i}", title, abstract, "2025-01")
    for i, (title, abstract) in enumerate(
        [
            ("Graph learning at scale", "We study message passing on large citation graphs with sampling."),
            ("Speech recognition in noise", "Acoustic models transcribe noisy speech with spectral masks."),
            ("Protein folding with transformers", "Attention over residues predicts protein structures."),
            ("Robot grasping", "A gripper learns grasps of household objects from depth images."),
            ("Traffic forecasting", "Spatio-temporal models predict road traffic from sensor series."),
            ("Text summarisation", "Abstractive summaries of news articles with pointer networks."),
        ]
    )
]
FACE = paper(
    "face",
    "ADNetX: Error-Bias Towards Normal Direction in Face Alignment",
    "We present ADNetX for facial landmark detection, which corrects the error bias of landmark "
    "heatmaps along the normal direction of the face contour.",
    "2024-05",
)


@pytest.mark.parametrize(
    ("abstract", "mentioned"),
    [
        # The same topic, the same name: the face-alignment method.
        (
            "Facial landmark detection still suffers from heatmap error bias; compared with ADNetX, "
            "our landmark detector aligns the face contour better.",
            True,
        ),
        # The same name in unrelated work: another method that happens to be called so.
        (
            "Few-shot medical image segmentation of tumours treats the background as an anomaly, "
            "an approach introduced by ADNetX for organ masks in abdominal scans.",
            False,
        ),
        # The paper coins the name for its own method: no mention of the older one.
        (
            "We propose ADNetX, an anomaly detection network for industrial defects on metal surfaces.",
            False,
        ),
    ],
)
def test_the_same_coined_name_in_unrelated_work_is_no_mention(abstract: str, mentioned: bool):
    naming = paper("a", "Landmarks and anomalies", abstract, "2025-06")
    found = mentions([*BACKGROUND, FACE, naming], field=Field())
    assert (("a", "face", "ADNetX") in found) is mentioned


def test_a_name_spelt_out_as_another_long_form_is_the_papers_own():
    rowt = paper(
        "rowt",
        "RoWT: Row-Wise Traversals for Table Reasoning",
        "Language models reason over tables by traversing rows one after another.",
        "2025-03",
    )
    own = "Table reasoning by language models: Ripple of Waves Thinking (RoWT) spreads over table rows."
    theirs = "Table reasoning by language models: Row-Wise Traversals (RoWT) visit table rows in turn."
    corpus = [
        *BACKGROUND,
        rowt,
        paper("own", "Waves", own, "2025-06"),
        paper("theirs", "Rows", theirs, "2025-06"),
    ]
    assert [m[0] for m in mentions(corpus, field=Field())] == ["theirs"]


@pytest.mark.parametrize(
    ("title", "mentioned"),
    [
        ("CoLAX: Collaborative Low-Rank Adaptation of Language Models", False),
        ("CoLAX: A Benchmark of Linguistic Acceptability for Language Models", True),
    ],
)
def test_a_name_listed_as_a_dataset_is_not_a_method_of_that_name(title: str, mentioned: bool):
    named = paper(
        "n", title, "Low-rank adaptation and linguistic acceptability of language models.", "2025-03"
    )
    naming = paper(
        "a",
        "Mixing adapters",
        "We fine-tune language models with low-rank adapters on benchmark datasets, including MedQA, "
        "CoLAX, SST-2 and GSM8K, for linguistic acceptability and adaptation.",
        "2025-06",
    )
    assert bool(mentions([*BACKGROUND, named, naming], field=Field())) is mentioned


def test_a_name_claimed_by_several_unrelated_papers_names_none_of_them():
    named = paper(
        "n",
        "VISTAX: Video Instruction Tuning at Scale",
        "Video instruction tuning of language models.",
        "2025-02",
    )
    naming = paper(
        "a", "Video tuning", "Video instruction tuning of language models, as in VISTAX.", "2025-06"
    )
    claimants = [
        paper(f"c{i}", f"Study {i}", f"We propose VISTAX, a {topic}.", "2025-04")
        for i, topic in enumerate(
            ["satellite image classifier", "protein design tool", "traffic signal planner"]
        )
    ]
    assert mentions([*BACKGROUND, named, naming], field=Field())
    assert not mentions([*BACKGROUND, named, naming, *claimants[:2]], field=Field())
    # One other claimant leaves the name to its owner for a paper that shares its topic.
    assert mentions([*BACKGROUND, named, naming, claimants[0]], field=Field())


def test_a_name_in_a_web_address_is_no_mention():
    named = paper(
        "n", "MVARX: Visual Autoregressive Modeling", "Autoregressive multi-view image generation.", "2025-03"
    )
    naming = paper(
        "a",
        "Multi-view images",
        "Autoregressive multi-view image generation; code at https://github.com/lab/MVARX.",
        "2025-06",
    )
    assert not mentions([*BACKGROUND, named, naming], field=Field())


def test_a_name_that_is_an_english_word_needs_more_shared_text():
    named = paper(
        "n",
        "NoPEX: Counting with No Positional Encodings",
        "Transformers without positional encodings count.",
        "2025-03",
    )
    text = "Positional priors unify methods (e.g., NoPEX and ALiBi) for long-context generalization of attention."
    naming = paper("a", "Bayesian attention", text, "2025-06")
    corpus = [*BACKGROUND, named, naming]
    assert mentions(corpus, field=Field())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.relate.mentions.zipf", lambda word: 4.0)
        assert not mentions(corpus, field=Field())


def test_no_mention_ever_points_from_an_older_paper_to_a_newer_one():
    # Every paper names every other's method, in months drawn at random: only the not-older are kept.
    rng = random.Random(5)
    months = [f"2025-{rng.randint(1, 12):02d}" for _ in range(12)]
    names = [f"Meth{chr(65 + i)}X" for i in range(12)]
    abstract = "Graph message passing on citation graphs, compared with " + ", ".join(names) + "."
    corpus = [
        paper(f"p{i}", f"{n}: Graph Message Passing {i}", abstract, m)
        for i, (n, m) in enumerate(zip(names, months, strict=True))
    ]
    found = mentions(corpus, field=Field())
    month = {p.key: p.issued for p in corpus}
    assert found
    assert all(not older(month[a], month[b]) for a, b, _ in found)
    # ...and every pair that is not older to newer is there.
    expected = sum(1 for a in corpus for b in corpus if a is not b and not older(a.issued, b.issued))
    assert len(found) == expected


def _fixed_similarity(score: float):
    """A stand-in for `text_similarity` that gives every pair `score`, so that a test sees one rule."""

    def similarity(papers, pairs, field):
        return dict.fromkeys(pairs, score)

    return similarity


@pytest.fixture
def similar(monkeypatch: pytest.MonkeyPatch):
    """Set the similarity every pair of papers has (between the thresholds and one work's)."""

    def set_score(score: float = (MIN_SIMILARITY + SAME_WORK) / 2) -> None:
        monkeypatch.setattr("kg.relate.mentions.text_similarity", _fixed_similarity(score))

    return set_score


OWNER = paper("o", "ZetaNet: Sparse Routing for Mixture of Experts", "Experts route sparsely.", "2025-03")


@pytest.mark.parametrize(
    ("abstract", "mentioned"),
    [
        ("Mixture of experts routing: we compare with ZetaNet on two tasks.", True),
        ("We propose ZetaNet, a routing layer for mixtures of experts.", False),
        ("We introduce a routing layer (ZetaNet) for mixtures of experts.", False),
        ("ZetaNet, a novel routing layer, balances experts.", False),
        ("Our ZetaNet balances the load of experts.", False),
        ("A routing layer called ZetaNet balances experts.", False),
        ("ZetaNet (ours) balances the load of experts better than top-k routing.", False),
    ],
)
def test_a_paper_that_claims_the_name_does_not_mention_its_owner(similar, abstract: str, mentioned: bool):
    similar()
    naming = paper("a", "Routing experts", abstract, "2025-06")
    assert bool(mentions([OWNER, naming], field=Field())) is mentioned


def test_one_work_in_two_papers_shares_its_name(similar):
    # A companion paper claims the name too; so close to the owner it is one work, and it names it.
    companion = paper("a", "Routing experts at scale", "We propose ZetaNet, a routing layer.", "2025-06")
    similar(SAME_WORK - 0.01)
    assert not mentions([OWNER, companion], field=Field())
    similar(SAME_WORK)
    assert mentions([OWNER, companion], field=Field()) == [("a", "o", "ZetaNet")]


@pytest.mark.parametrize(
    ("abstract", "cited"),
    [
        ("Mixture of experts routing, ZetaNet included, balances experts.", False),
        ("Mixture of experts routing outperforms ZetaNet on two tasks.", True),
        ("Routers such as ZetaNet balance experts.", True),
        ("Routers balance experts, as ZetaNet [12] does.", True),
        ("Routers balance experts, as ZetaNet (Li et al., 2025) does.", True),
    ],
)
def test_a_citing_phrase_needs_less_shared_text(similar, abstract: str, cited: bool):
    naming = paper("a", "Routing experts", abstract, "2025-06")
    similar((MIN_CITED_SIMILARITY + MIN_SIMILARITY) / 2)
    assert bool(mentions([OWNER, naming], field=Field())) is cited
    similar(MIN_SIMILARITY)
    assert mentions([OWNER, naming], field=Field())
    similar(MIN_CITED_SIMILARITY - 0.01)
    assert not mentions([OWNER, naming], field=Field())


def test_a_name_that_is_an_english_word_needs_the_word_threshold(similar):
    owner = paper("o", "ReAct: Reasoning and Acting in Language Models", "Agents reason and act.", "2025-03")
    naming = paper("a", "Agents", "Agents reason and act, as ReAct does.", "2025-06")
    similar(WORD_SIMILARITY - 0.01)
    assert not mentions([owner, naming], field=Field())
    similar(WORD_SIMILARITY)
    assert mentions([owner, naming], field=Field())


@pytest.mark.parametrize(
    ("title", "mentioned"),
    [
        ("CoLAX: Collaborative Low-Rank Adaptation of Language Models", False),
        ("CoLAX: A Benchmark of Linguistic Acceptability", True),
    ],
)
@pytest.mark.parametrize(
    "abstract",
    [
        "We fine-tune adapters on the CoLAX dataset.",
        "We refine three popular datasets: MedQA, SST-2, and CoLAX.",  # a serial comma
    ],
)
def test_a_name_written_as_a_dataset_is_not_a_method_of_that_name(similar, title, abstract, mentioned):
    similar()
    owner = paper("o", title, "Language models adapt.", "2025-03")
    naming = paper("a", "Adapters", abstract, "2025-06")
    assert bool(mentions([owner, naming], field=Field())) is mentioned


def test_a_name_many_corpus_papers_write_is_the_corpus_word(similar):
    similar()
    owner = paper("o", "ZetaNet: Sparse Routing", "Experts route sparsely.", "2025-03")
    writers = [
        paper(f"w{i}", f"Study {i}", "Routers such as ZetaNet balance experts.", "2025-06") for i in range(25)
    ]
    assert len(mentions([owner, *writers], field=Field())) == 25
    extra = paper("w25", "Study 25", "Routers such as ZetaNet balance experts.", "2025-06")
    assert not mentions([owner, *writers, extra], field=Field())


def test_a_concept_of_several_papers_is_no_method_name(similar):
    similar()
    owner = paper("o", "LayerNormX: Normalising Layers", "Layers normalise.", "2025-03")
    naming = paper("a", "Training", "Transformers use LayerNormX in every block.", "2025-06")
    assert mentions([owner, naming], field=Field())
    for count, kept in ((2, True), (3, False)):
        concept = Concept(
            key="layernormx", slug="layernormx", label="layer norm", alt_labels=["LayerNormX"], papers=count
        )
        concept_map = ConceptMap(concepts={concept.key: concept}, tags={}, idf={})
        assert bool(mentions([owner, naming], concept_map, field=Field())) is kept


def test_text_similarity_leaves_the_name_out_and_weighs_shared_rare_words():
    corpus = [*BACKGROUND, FACE]
    same = paper("s", "Landmarks", "ADNetX heatmap error bias of facial landmark contours.", "2025-06")
    other = paper("t", "Defects", "ADNetX finds defects on metal surfaces.", "2025-06")
    name_only = paper("n", "Nothing", "ADNetX.", "2025-06")
    pairs = {("s", "face"): "ADNetX", ("t", "face"): "ADNetX", ("n", "face"): "ADNetX"}
    score = text_similarity([*corpus, same, other, name_only], pairs, Field())
    assert score[("n", "face")] == 0.0  # the name alone shares nothing
    assert score[("s", "face")] > MIN_SIMILARITY > score[("t", "face")]


@pytest.mark.parametrize(
    ("abstract", "mentioned"),
    [
        # Not claims: another name that goes on from this one, a record set on it, a longer name.
        ("Routing methods such as ZetaNet fall short; we propose ZetaNet++, a new router.", True),
        ("Our router sets a new state-of-the-art on the ZetaNet suite of routing tasks.", True),
        ("We launch the ZetaNet Dual-Arm Challenge; its entries route with ZetaNet.", True),
        # Claims.
        ("We propose ZetaNet, a new router.", False),
        ("Our framework has two parts: ZetaNet, the first large routing dataset, and a router.", False),
        ("We present a new routing method, ZetaNet, for mixtures of experts.", False),
        # An apposition that owns the thing, or a role named with an article, claims it.
        ("At its core is ZetaNet, a routing layer trained with our recipe.", False),
        ("A planner, which splits tasks, and a ZetaNet, a router that picks experts.", False),
        ("We evaluate ZetaNet, a strong router, on our new benchmark.", True),
        ("A planner and ZetaNet, a router that picks experts, make a system.", True),
    ],
)
def test_what_is_and_is_not_a_claim_of_the_name(similar, abstract: str, mentioned: bool):
    similar()
    naming = paper("a", "Routing experts", abstract, "2025-06")
    assert bool(mentions([OWNER, naming], field=Field())) is mentioned


@pytest.mark.parametrize(
    ("abstract", "mentioned"),
    [
        ("We introduce CoLAX, a new benchmark of linguistic acceptability.", True),
        ("We release a benchmark, CoLAX, of linguistic acceptability.", True),
        ("CoLAX adapts language models and outperforms baselines on benchmark datasets.", False),
    ],
)
def test_an_owner_whose_abstract_introduces_a_benchmark_is_data(similar, abstract: str, mentioned: bool):
    similar()
    owner = paper("o", "CoLAX: Linguistic Acceptability of Language Models", abstract, "2025-03")
    naming = paper(
        "a", "Adapters", "We fine-tune adapters on datasets including MedQA, CoLAX and SST-2.", "2025-06"
    )
    assert bool(mentions([owner, naming], field=Field())) is mentioned


@pytest.mark.parametrize(
    ("abstract", "mentioned"),
    [
        ("In particular, ZetaNet is a simple router for mixtures of experts; we add locality.", True),
        ("ZetaNet is a novel router for mixtures of experts.", False),
        ("Mixture of experts routing: ZetaNet++ extends the router to many devices.", True),
    ],
)
def test_describing_another_papers_method_is_no_claim(similar, abstract: str, mentioned: bool):
    similar()
    naming = paper("a", "Routing experts", abstract, "2025-06")
    assert bool(mentions([OWNER, naming], field=Field())) is mentioned


def test_a_name_written_once_as_data_is_data_throughout(similar):
    similar()
    owner = paper("o", "ZetaNet: Sparse Routing for Mixture of Experts", "Experts route sparsely.", "2025-03")
    text = "We evaluate routers on the ZetaNet benchmark datasets; ours reaches 90.1% on ZetaNet."
    naming = paper("a", "Routing experts", text, "2025-06")
    assert not mentions([owner, naming], field=Field())
    # Written only as a method, the same name is a mention.
    naming = paper("a", "Routing experts", "Ours reaches 90.1% where ZetaNet reaches 80%.", "2025-06")
    assert mentions([owner, naming], field=Field())


@pytest.mark.parametrize(
    ("title", "abstract", "mentioned"),
    [
        ("ZetaNet: Sparse Routing for Mixture of Experts", "We won the CVPR 2025 ZetaNet challenge.", False),
        ("ZetaNet: Sparse Routing for Mixture of Experts", "We beat ZetaNet. Challenges remain.", True),
        (
            "ZetaNet: A Routing Challenge for Mixture of Experts",
            "We won the CVPR 2025 ZetaNet challenge.",
            True,
        ),
        ("ZetaNet: Sparse Routing for Mixture of Experts", "Our router beats ZetaNet in challenges.", True),
    ],
)
def test_a_name_written_as_an_events_is_no_mention_of_a_method(similar, title, abstract, mentioned):
    similar()
    owner = paper("o", title, "Experts route sparsely.", "2025-03")
    naming = paper("a", "Routing experts", abstract, "2025-06")
    assert bool(mentions([owner, naming], field=Field())) is mentioned


@pytest.mark.parametrize(
    ("abstract", "mentioned"),
    [
        ("MoSEAR has two modules: (1)MoSE, modality-specific experts, and (2) a fusion layer.", False),
        ("MoSEAR has two modules: (1) MoSE (modality-specific experts) and (2) a fusion layer.", False),
        ("MoSEAR builds on MoSE, mixture of skill experts, for driving.", True),
        ("MoSEAR builds on MoSE, so our experts drive well.", True),
    ],
)
def test_a_long_form_after_the_name_that_is_not_the_owners_claims_it(similar, abstract, mentioned):
    similar()
    owner = paper("o", "MoSE: Skill-by-Skill Mixture of Experts for Driving", "Experts drive.", "2025-03")
    naming = paper("a", "Emotion experts", abstract, "2025-06")
    assert bool(mentions([owner, naming], field=Field())) is mentioned


def test_an_acronym_inside_a_long_form_spells_part_of_the_name(similar):
    similar()
    owner = paper("o", "MVQAX: Mamba for Video Quality Assessment", "Video quality.", "2025-03")
    own = "Question answering went from Single to Multi Image VQAX (MVQAX). MVQAX wastes tokens."
    theirs = "Video quality: Mamba Video Quality Assessment (MVQAX) is fast; we prune MVQAX."
    found = mentions(
        [owner, paper("own", "A", own, "2025-06"), paper("their", "B", theirs, "2025-06")], field=Field()
    )
    assert [m[0] for m in found] == ["their"]
