from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError
from kg.extract.concepts import (
    _TOKEN,
    ConceptOptions,
    acronym_definitions,
    extract_concepts,
    phrase_key,
    read_stoplist,
    read_synonyms,
)
from kg.model import Paper
from kg.relate.mentions import mentions, method_name
from kg.relate.similarity import NEIGHBOURS, similar_papers
from kg.sources import load_sources as load_pages
from kg.sources.merge import merge_entries
from tests.conftest import DATA, SEEDS

GOLD = DATA / "gold_concepts.tsv"
# Filler a term map must not show, listed here independently of the extractor's own lexicon.
FILLER = {
    "proposed method",
    "method",
    "approach",
    "extensive experiment",
    "experiment",
    "result",
    "experimental result",
    "state of the art",
    "performance",
    "paper",
    "work",
    "task",
    "model",
    "framework",
    "novel approach",
    "large margin",
    "wide range",
    "recent year",
    "recent work",
    "existing method",
    "downstream task",
    "code",
    "benchmark",
    "dataset",
    "data",
    "problem",
    "improvement",
    "effectiveness",
    "efficiency",
    "accuracy",
    "baseline",
    "study",
    "analysis",
    "source code",
    "significant improvement",
    "comprehensive experiment",
    "different",
    "new",
}


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    return merge_entries(load_pages([SEEDS]).entries)


@pytest.fixture(scope="module")
def seed_concepts(seed_papers):
    return extract_concepts(seed_papers)


def _key(phrase: str) -> str:
    return phrase_key(_TOKEN.findall(phrase))


def test_extractor_precision_and_recall_against_hand_annotation(seed_papers, seed_concepts):
    # 90 papers tagged by hand (tests/data/gold_concepts.tsv), matched leniently: a gold term
    # counts when it is any label of a tag's concept or a variant of one (benchmarks.quality).
    from benchmarks.quality import _score_tags, read_gold_tags

    gold = read_gold_tags()
    assert len(gold) >= 80
    figures = _figures()
    tags = {k: [c for c, _ in t] for k, t in seed_concepts.tags.items()}
    _score_tags(figures, seed_concepts.concepts, tags, gold)
    print(f"concept extraction vs gold: precision {figures.tag_precision}, recall {figures.tag_recall}")
    # Measured 0.36 / 0.33 when this bar was set (the extractor before issue 12: 0.29 / 0.24).
    # Free-hand gold terms are often longer or shorter than any phrase the text holds, so
    # exact-form matching stays strict; the bar sits just under the measured figures so that
    # a regression of the extractor fails here.
    # Issue 22 made tags fewer and surer (the ones clearing a confidence, at least three, not
    # a fixed six: 4.0 a paper, was 5.8): measured 0.377 / 0.239 (was 0.356 / 0.324), so the
    # precision bar rose and the recall bar, which counted on six tags, fell.
    # Then at least two, generic field terms only where the title names them or a paper has
    # too few specific ones, and modifiers ("real-time"), material ("single image") and
    # sentence pieces no terms (2.9 tags a paper): measured 0.417 / 0.201, precision up and
    # recall, which counts on more tags, down; the bars follow.
    # Then terms written in passing weigh less outside a title, and a title term and a piece
    # of it are one tag (2.6 tags a paper): measured 0.437 / 0.187; the bars follow again.
    assert figures.tag_precision is not None and figures.tag_precision >= 0.43
    assert figures.tag_recall is not None and figures.tag_recall >= 0.18


def _figures():
    from benchmarks.quality import Figures

    return Figures(0, 0, 0.0, 0.0, 0, 0, 0, 0, [], 0, [], [], [], [])


def test_top_40_concepts_have_no_filler(seed_concepts):
    top = sorted(seed_concepts.concepts.values(), key=lambda c: (-c.papers, c.key))[:40]
    assert len(top) == 40
    assert not {_key(c.label) for c in top} & {_key(f) for f in FILLER}


def test_llm_variants_are_one_concept(seed_concepts):
    llm = seed_concepts.concepts["large language model"]
    # The label is the form the papers write most; every other form is an alternative label.
    assert llm.label == "large language models"
    assert {"LLM", "LLMs", "large language model"} <= set(llm.alt_labels)
    for variant in ["llm", "llms", "large language models", "large-language-model"]:
        others = [
            c
            for c in seed_concepts.concepts.values()
            if c is not llm and _key(variant) in {_key(x) for x in [c.label, *c.alt_labels]}
        ]
        assert others == []


def test_bare_acronym_in_another_paper_counts_for_the_long_form():
    define = Paper("a", "Study A", "We scale large language models (LLMs) to new tasks. " * 3)
    bare = Paper("b", "Study B", "LLMs hallucinate; our LLM audit finds why. " * 3)
    other = Paper("c", "Study C", "Large language models are evaluated here. " * 3)
    # Unrelated papers keep the term under the "too common" share of the corpus.
    rest = [
        Paper(f"z{i}", f"Graph coloring {i}", "Graph coloring heuristics for sparse graphs. " * 3)
        for i in range(4)
    ]
    concepts = extract_concepts([define, bare, other, *rest], ConceptOptions(min_papers=2))
    assert "large language model" in {k for k, _ in concepts.tags["b"]}
    assert {"LLM", "LLMs"} <= set(concepts.concepts["large language model"].alt_labels)


def test_a_paper_that_defines_an_acronym_uses_its_own_sense():
    # SD is speculative decoding in most papers; the paper that defines it as Stable
    # Diffusion keeps its own sense, and a paper using SD bare gets no SD tag at all
    # because the corpus defines it two ways.
    decoding = [
        Paper(
            "d0",
            "Faster drafting",
            "We revisit speculative decoding (SD) for chat models. With SD, latency falls.",
        ),
        Paper(
            "d1", "Tree drafts", "Speculative decoding (SD) verifies draft tokens; our SD variant uses trees."
        ),
        Paper(
            "d2", "Draft lengths", "We tune speculative decoding (SD) draft lengths, as SD wastes compute."
        ),
    ]
    diffusion = Paper(
        "s",
        "Image edits",
        "We adapt Stable Diffusion (SD) to edit photos. Our SD pipeline keeps faces intact.",
    )
    bare = Paper("b", "Sampling notes", "Using SD in production needs care; SD is fast.")
    rest = [
        Paper(f"z{i}", f"Graph coloring {i}", "Graph coloring heuristics for sparse graphs. " * 3)
        for i in range(6)
    ]
    more = [
        Paper("x0", "Photo tools", "We fine-tune Stable Diffusion on portraits."),
        Paper("x1", "Texture tools", "Textures come from Stable Diffusion samples."),
    ]
    concepts = extract_concepts([*decoding, diffusion, bare, *rest, *more], ConceptOptions(min_papers=2))
    assert "stable diffusion" in {k for k, _ in concepts.tags["s"]}
    assert "speculative decoding" not in {k for k, _ in concepts.tags["s"]}
    assert all("speculative decoding" in {k for k, _ in concepts.tags[p.key]} for p in decoding)
    assert not {"speculative decoding", "stable diffusion"} & {k for k, _ in concepts.tags["b"]}
    assert "SD" in concepts.concepts["speculative decoding"].alt_labels


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("diffusion models", "diffusion model"),
        ("text-to-image", "text to image"),
        ("pre-training", "pretraining"),
        ("fine-tuning", "finetuning"),
        ("masked autoencoders", "masked autoencoder"),
        ("Mixture-of-Experts", "mixture of experts"),
        ("modelling", "modeling"),
        ("masked language modeling", "masked language model"),
        ("optimisation", "optimization"),
        ("LayerNorm", "layer norm"),
        ("inductive biases", "inductive bias"),
    ],
)
def test_plural_and_hyphen_variants_share_a_key(a: str, b: str):
    assert _key(a) == _key(b)


@pytest.mark.parametrize(
    ("text", "acronym", "long_form"),
    [
        ("advances in large language models (LLMs) show", "LLM", "large language models"),
        (
            "Connectionist temporal classification (CTC)-based methods",
            "CTC",
            "Connectionist temporal classification",
        ),
        ("Masked Autoencoders (MAE) have been popular", "MAE", "Masked Autoencoders"),
        ("layers in DEtection TRansformers (DETR). We", "DETR", "DEtection TRansformers"),
        ("enhanced with Vision Transformer (ViT): AlphaViT", "ViT", "Vision Transformer"),
        ("a model for text-to-image (T2I) and", "T2I", "text-to-image"),
    ],
)
def test_acronym_definitions_from_the_seeds(text: str, acronym: str, long_form: str):
    assert (acronym, long_form.split()) in list(acronym_definitions(text))


def test_acronym_needs_a_real_long_form():
    # "Distilled Decoding (DD)" is fine; "decoding (DD)" alone does not spell DD, and the
    # acronym is still recorded as defined (in a sense kg cannot read) for that paper.
    assert list(acronym_definitions("we call it decoding (DD)")) == [("DD", [])]
    # A suffix is no word inside a word: "-ation" gives no A ("segmentation model" is no SAM).
    assert list(acronym_definitions("a segmentation model (SAM)")) == [("SAM", [])]
    assert list(acronym_definitions("Sharpness-Aware Minimization (SAM)")) == [
        ("SAM", ["Sharpness-Aware", "Minimization"])
    ]


@pytest.mark.parametrize(
    ("text", "acronym", "long_form"),
    [
        # Every word gives its initial: "approach for" cannot be swallowed by "(AR)".
        ("a new approach for autoregressive (AR) models", "AR", "autoregressive"),
        ("In-Context Learning (ICL) lets", "ICL", "In-Context Learning"),
        (
            "Bidirectional Encoder Representations from Transformers (BERT)",
            "BERT",
            "Bidirectional Encoder Representations from Transformers",
        ),
        ("Mixture of Experts (MoE) layers", "MoE", "Mixture of Experts"),
        ("efficient large language models (LLMs)", "LLM", "large language models"),
        ("key-value (KV) cache", "KV", "key-value"),
    ],
)
def test_long_forms_take_every_words_initial(text: str, acronym: str, long_form: str):
    assert list(acronym_definitions(text)) == [(acronym, long_form.split())]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("UniXcoder: Unified Cross-Modal Pre-training for Code Representation", "UniXcoder"),
        ("SpeechT5: Unified-Modal Encoder-Decoder Pre-Training", "SpeechT5"),
        ("MLP-Mixer: An all-MLP Architecture for Vision", "MLP-Mixer"),
        ("CoCa: Contrastive Captioners are Image-Text Foundation Models", "CoCa"),
        ("Attention: a survey", None),
        ("Scaling Laws for Speculative Decoding", None),
        ("CTC: a technique", None),
    ],
)
def test_method_names_are_coined_tokens_before_a_colon(title: str, name: str | None):
    assert method_name(title) == name


def test_mentions_link_abstracts_to_named_corpus_papers(seed_papers, seed_concepts):
    found = {(a, b, n) for a, b, n in mentions(seed_papers, seed_concepts)}
    names = {n for _, _, n in found}
    assert {"UniXcoder", "CodeT5", "MLP-Mixer"} <= names
    # SpeechT5 is written only in a web address (github.com/microsoft/SpeechT5/...): no mention.
    assert "SpeechT5" not in names
    assert "LayerNorm" not in names  # a technique many papers use, not one paper's method
    assert all(a != b for a, b, _ in found)


def test_similar_papers_are_capped_and_explained(seed_papers, seed_concepts):
    from kg.relate.similarity import MIN_WEIGHT

    pairs = similar_papers(seed_concepts, seed_papers)
    assert pairs
    degree: dict[str, int] = {}
    for pair in pairs:
        assert pair.a < pair.b and MIN_WEIGHT <= pair.weight <= 1
        # The weight is the mean of what the key phrases and the words say; the shared
        # concepts are the linking concepts both papers are tagged with.
        assert pair.by_text is not None and pair.by_words is not None
        assert pair.weight == pytest.approx((pair.by_text + pair.by_words) / 2, abs=1e-3)
        tags_a = {k for k, _ in seed_concepts.tags[pair.a] if k in seed_concepts.idf}
        tags_b = {k for k, _ in seed_concepts.tags[pair.b] if k in seed_concepts.idf}
        assert set(pair.shared) == tags_a & tags_b
        assert (pair.by_concepts > 0) == bool(pair.shared)
        for key in (pair.a, pair.b):
            degree[key] = degree.get(key, 0) + 1
    # each paper chooses at most NEIGHBOURS; others may choose it too, but not every one of them.
    assert max(degree.values()) <= 4 * NEIGHBOURS
    # A paper with no sure neighbour gets none rather than a guess: most seeds have one, some
    # (a lone topic among the 475) none.
    linked = {k for pair in pairs for k in (pair.a, pair.b)}
    assert 0.5 * len(seed_concepts.tags) <= len(linked) < len(seed_concepts.tags)


def test_incidental_shared_concept_is_no_link_but_shared_topic_is(seed_papers, seed_concepts):
    by_title = {p.title: p.key for p in seed_papers}
    pairs = {(s.a, s.b) for s in similar_papers(seed_concepts, seed_papers)}

    def linked(x: str, y: str) -> bool:
        a, b = sorted((by_title[x], by_title[y]))
        return (a, b) in pairs

    # They share only the incidental "frequency band".
    assert not linked(
        "Masked Autoencoders that Listen",
        "SAPE: Spatially-Adaptive Progressive Encoding for Neural Optimization",
    )
    # Both speculative decoding; both decode by contrasting (heads, layers) against hallucination.
    assert linked(
        "GliDe with a CaPE: A Low-Hassle Method to Accelerate Speculative Decoding",
        "S2D: Sorted Speculative Decoding For More Efficient Deployment of Nested Large Language Models",
    )
    assert linked(
        "DeCoRe: Decoding by Contrasting Retrieval Heads to Mitigate Hallucinations",
        "DoLa: Decoding by Contrasting Layers Improves Factuality in Large Language Models",
    )


# Six papers that all share concepts "b" and "c" with "x" (two, so that no link rests on one
# phrase alone); each has three concepts of its own.  With idf(b) = idf(c) = 2**53, adding 1.0 is lost
# or kept by rounding depending on the order of the sum, so a paper's weight mass, and which
# five neighbours win, would follow the order of a set.
_SUMS_IN_ORDER = """
from kg.extract.concepts import ConceptMap
from kg.relate.similarity import similar_papers
tags = {"x": [("b", 1.0), ("c", 1.0), ("x1", 1.0), ("x2", 1.0), ("x3", 1.0)]}
tags.update({f"y{i}": [("b", 1.0), ("c", 1.0)] + [(f"y{i}-{j}", 1.0) for j in range(3)] for i in range(6)})
idf = {k: 1.0 for ts in tags.values() for k, _ in ts} | {"b": float(2**53), "c": float(2**53)}
print(similar_papers(ConceptMap({}, tags, idf)))
"""


def test_similar_papers_do_not_depend_on_the_string_hash_seed():
    answers = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        proc = subprocess.run(
            [sys.executable, "-c", _SUMS_IN_ORDER], capture_output=True, text=True, env=env, check=True
        )
        answers.add(proc.stdout)
    assert len(answers) == 1
    assert answers.pop().count("Similar(") >= NEIGHBOURS


def test_stoplist_and_synonyms_curate(tmp_path: Path, seed_papers):
    stop = tmp_path / "stop.txt"
    stop.write_text("# concepts we do not want\ntransformer\n")
    syn = tmp_path / "syn.txt"
    syn.write_text("LM = large language model\nlanguage models = large language model\n")
    concepts = extract_concepts(
        seed_papers, ConceptOptions(stoplist=read_stoplist(stop), synonyms=read_synonyms(syn))
    )
    labels = {c.label for c in concepts.concepts.values()}
    assert "transformer" not in labels and "language model" not in labels
    base = extract_concepts(seed_papers)
    assert concepts.concepts["large language model"].papers > base.concepts["large language model"].papers


def test_stoplisting_another_label_of_a_concept_warns(tmp_path: Path, seed_papers):
    from kg.extract.vocabulary import stoplisted_other_labels

    base = extract_concepts(seed_papers)
    concept = next(c for c in base.concepts.values() if "diffusion models" in c.alt_labels)
    assert concept.label == "diffusion"  # the sample's variant, merged into its concept
    stop = tmp_path / "stop.txt"
    stop.write_text("diffusion models\n")
    stoplist = read_stoplist(stop)
    curated = extract_concepts(seed_papers, ConceptOptions(stoplist=stoplist))
    assert stoplisted_other_labels(curated, stoplist) == [
        "stop list: 'diffusion model' / 'diffusion models' is another label of the concept 'diffusion', which stays; "
        "list 'diffusion' to drop the concept"
    ]
    assert stoplisted_other_labels(base, frozenset()) == []
    built = CliRunner().invoke(app, ["build", "-o", str(tmp_path / "o"), "--stoplist", str(stop)])
    assert built.exit_code == 0
    assert "Warning: stop list: 'diffusion model' / 'diffusion models' is another label" in built.stderr


@pytest.mark.parametrize(
    ("option", "content", "message"),
    [
        (
            "--synonyms",
            "LLM = large language model\nno equals sign here\n",
            "3: expected 'alias = preferred label'",
        ),
        ("--synonyms", "# ok\n = empty alias\n", "2: expected 'alias = preferred label'"),
        ("--stoplist", "fine\n---\n", "2: expected a phrase (letters or digits)"),
    ],
)
def test_bad_curation_files_name_the_line(tmp_path: Path, option: str, content: str, message: str):
    path = tmp_path / "curation.txt"
    path.write_text(
        "# header\n" + content if option == "--synonyms" and content.startswith("LLM") else content
    )
    result = CliRunner().invoke(app, ["build", "--out", str(tmp_path / "o"), option, str(path)])
    assert result.exit_code == 3
    assert result.stderr == f"Error: {path}:{message}\n"


def test_missing_curation_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="no such file"):
        read_stoplist(tmp_path / "nope.txt")


def test_build_options_change_the_concepts(tmp_path: Path):
    result = CliRunner().invoke(
        app, ["build", "-q", "--out", str(tmp_path), "--concepts-per-paper", "2", "--min-papers", "5"]
    )
    assert result.exit_code == 0
    ttl = (tmp_path / "graph.ttl").read_text()
    from kg.ask.query import load_store, select

    rows = select(
        load_store([tmp_path / "graph.ttl"]),
        """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX kg: <https://w3id.org/kg/vocab#>
        SELECT (MAX(?n) AS ?most) (MIN(?c) AS ?least) WHERE {
          { SELECT ?p (COUNT(?k) AS ?n) WHERE { ?p dcterms:subject ?k } GROUP BY ?p }
          { SELECT (MIN(?pc) AS ?c) WHERE { ?k kg:paperCount ?pc FILTER(?pc > 1) } }
        }""",
    )
    assert int(rows[0]["most"]) <= 2 and int(rows[0]["least"]) >= 5
    # Below the minimum only the terms of one paper's title, which no other paper has.
    singles = select(
        load_store([tmp_path / "graph.ttl"]),
        """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX kg: <https://w3id.org/kg/vocab#>
        SELECT ?label ?title WHERE {
          ?k kg:paperCount 1 ; skos:prefLabel ?label . ?p dcterms:subject ?k ; dcterms:title ?title .
        }""",
    )
    assert singles
    words = lambda text: " ".join(re.findall(r"\w+", text.lower()))  # noqa: E731
    assert sum(words(r["label"])[:-1] in words(r["title"]) for r in singles) >= 0.9 * len(singles)
    assert "skos:Concept" in ttl


def test_stats_lists_top_concepts(tmp_path: Path):
    runner = CliRunner()
    runner.invoke(app, ["build", "-q", "--out", str(tmp_path)])
    result = runner.invoke(app, ["stats", "--data", str(tmp_path / "graph.ttl")])
    assert "concepts with most papers" in result.stdout
    assert "large language model" in result.stdout


def test_extraction_in_worker_processes_equals_one_process(seed_papers, seed_concepts, monkeypatch):
    from kg import parallel

    started = []
    real = parallel.run_jobs

    def spy(jobs, *, parallel=True, workers=None, progress=None):
        started.append((len(jobs), parallel, workers))
        traced = [lambda job=job: (os.getpid(), job()) for job in jobs]
        results = real(traced, parallel=parallel, workers=workers, progress=progress)
        assert os.getpid() not in {pid for pid, _ in results}  # the text was read elsewhere
        return [result for _, result in results]

    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAPERS", 1)
    monkeypatch.setattr(parallel, "run_jobs", spy)
    sharded = extract_concepts(seed_papers, workers=3)
    assert started == [(3, True, 3)]
    assert list(sharded.tags.items()) == list(seed_concepts.tags.items())
    assert sharded.concepts == seed_concepts.concepts
    assert sharded.idf == seed_concepts.idf


def test_a_failing_worker_fails_the_extraction(seed_papers, monkeypatch):
    from kg import parallel
    from kg.extract import candidates

    def broken(paper):
        raise ValueError(f"cannot read {paper.key}")

    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAPERS", 1)
    monkeypatch.setattr(candidates, "paper_terms", broken)
    with pytest.raises(ValueError, match="cannot read"):
        extract_concepts(seed_papers, workers=2)


def test_words_of_any_script_are_one_token():
    # "Gervásio" was three tokens once ("Gerv", "sio"), and labels no paper wrote came of it.
    from kg.extract.phrases import candidate_phrases

    found, _ = candidate_phrases("We release Gervásio decoders for Portuguese.")
    assert "Gervásio decoders" in found
    ascii_found, _ = candidate_phrases("We release Gervasio decoders for Portuguese.")
    assert [f.replace("á", "a") for f in found] == ascii_found


# Issue 22's wrong merges, one test each: every corpus below merged wrongly before.
_UNRELATED = [
    Paper(f"z{i}", f"Graph coloring {i}", "Graph coloring heuristics for sparse graphs. " * 3)
    for i in range(8)
]


def _concepts_of(papers: list[Paper]):
    return extract_concepts([*papers, *_UNRELATED], ConceptOptions(min_papers=2))


def _labels(concept) -> list[str]:
    return [concept.label, *concept.alt_labels]


def test_multilingual_llms_are_not_multimodal_ones():
    # One paper defines MLLMs as multilingual; the others write MLLMs bare in the sense the
    # field gives it (multimodal, in 99% of the field's definitions).
    concepts = _concepts_of(
        [
            Paper(
                "ml", "Translation", "We study multilingual large language models (MLLMs) for translation."
            ),
            Paper("b1", "Charts", "MLLMs read charts; we benchmark MLLMs on charts and images."),
            Paper("b2", "Grounding", "Multimodal large language models ground images. MLLMs miss objects."),
            Paper("b3", "Video", "Multimodal large language models watch video; MLLMs hallucinate objects."),
        ]
    )
    for concept in concepts.concepts.values():
        words = " ".join(_labels(concept)).lower()
        assert not ("lingual" in concept.key and "modal" in words)
        assert not ("modal" in concept.key and "lingual" in words)
    assert "multi modal large language model" not in {k for k, _ in concepts.tags["ml"]}
    for bare in ("b1", "b2", "b3"):
        assert "multi lingual large language model" not in {k for k, _ in concepts.tags[bare]}
    assert "multi modal large language model" in {k for k, _ in concepts.tags["b1"]}


def test_self_supervised_learning_is_not_semi_supervised():
    concepts = _concepts_of(
        [
            Paper(
                "s1",
                "Pretext tasks",
                "Self-supervised learning (SSL) learns from unlabeled images. SSL helps.",
            ),
            Paper("s2", "Few labels", "Semi-supervised learning (SSL) uses few labels and pseudo-labels."),
            Paper("s3", "Views", "Self-supervised learning with contrastive views; SSL features transfer."),
            Paper("s4", "Pseudo labels", "Semi-supervised learning with pseudo-labels on medical scans."),
        ]
    )
    selfs, semis = (
        concepts.concepts["self supervised learning"],
        concepts.concepts["semi supervised learning"],
    )
    assert not any("semi" in label.lower() for label in _labels(selfs))
    assert not any("self" in label.lower() for label in _labels(semis))
    assert "semi supervised learning" not in {k for k, _ in concepts.tags["s1"]}
    assert "self supervised learning" not in {k for k, _ in concepts.tags["s2"]}


def test_sam_is_not_filed_under_segmentation():
    # "segmentation model (SAM)" once spelt SAM (S, the A of "-ation", M), so every bare SAM
    # counted for "segmentation model", which merges into "segmentation".
    concepts = _concepts_of(
        [
            Paper("a1", "Prompting", "We prompt a strong segmentation model (SAM) on cells. SAM masks help."),
            Paper("a2", "Cells", "We fine-tune SAM for cell segmentation in microscopy; SAM masks help."),
            Paper("a3", "Lesions", "Segmentation of lesions with a U-Net; segmentation quality improves."),
            Paper("a4", "Remote", "SAM produces masks for remote sensing segmentation."),
        ]
    )
    for key in ("segmentation", "segmentation model"):
        if key in concepts.concepts:
            assert "SAM" not in concepts.concepts[key].alt_labels
    assert list(acronym_definitions("a segmentation model (SAM)")) == [("SAM", [])]


def test_video_question_answering_is_not_visual_question_answering():
    concepts = _concepts_of(
        [
            Paper(
                "v1",
                "Visual reasoning",
                "Visual question answering (VQA) asks about images. VQA models fail.",
            ),
            Paper("v2", "Temporal", "Video question answering (VideoQA) asks about videos over time."),
            Paper("v3", "Priors", "VQA models learn language priors in visual question answering."),
            Paper("v4", "Long videos", "Video question answering over long videos with memory."),
            Paper("v5", "Clips", "Video question answering (VQA) over clips; our VQA model reads frames."),
        ]
    )
    visual, video = (
        concepts.concepts["visual question answering"],
        concepts.concepts["video question answering"],
    )
    assert not any("video" in label.lower() for label in _labels(visual))
    assert not any("visual" in label.lower() for label in _labels(video))
    for paper in ("v2", "v4", "v5"):
        assert "visual question answering" not in {k for k, _ in concepts.tags[paper]}
    assert "video question answering" not in {k for k, _ in concepts.tags["v1"]}


def test_a_word_written_twice_is_no_concept_nor_label():
    concepts = _concepts_of(
        [
            Paper("l1", "Garbled", "Large language language models (LLMs) are everywhere. LLMs reason."),
            Paper("l2", "Garbled too", "Language language models (LLMs) answer questions; LLMs help."),
            Paper("l3", "Math", "Large language models (LLMs) reason about math; LLMs fail."),
            Paper("l4", "Code", "Large language models (LLMs) write code. LLMs err."),
        ]
    )
    for concept in concepts.concepts.values():
        for label in _labels(concept):
            words = label.lower().split()
            assert all(a != b for a, b in itertools.pairwise(words)), label


def test_like_as_a_preposition_starts_no_phrase():
    # "domains like meteorology" (a tune-month paper's tag was "like meteorology")
    from kg.extract.phrases import candidate_phrases

    found, _ = candidate_phrases("Domains like meteorology, unlike prior work, need human-like agents.")
    assert not [p for p in found if p.split()[0] in ("like", "unlike") or p.split()[-1] in ("like", "unlike")]
    assert "meteorology" in found and "human-like agents" in found  # the compound keeps its "like"
