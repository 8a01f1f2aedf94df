from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.concepts import (
    _TOKEN,
    ConceptOptions,
    acronym_definitions,
    extract_concepts,
    phrase_key,
    read_stoplist,
    read_synonyms,
)
from kg.errors import ConfigError
from kg.ingest import load_pages, merge_entries
from kg.model import Paper
from kg.similarity import NEIGHBOURS, mentions, method_name, similar_papers
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


def test_extractor_precision_and_recall_against_hand_annotation(seed_concepts):
    gold: dict[str, set[str]] = {}
    for line in GOLD.read_text().splitlines():
        if line and not line.startswith("#"):
            key, concepts = line.split("\t")
            gold[key] = {_key(c) for c in concepts.split(";")}
    assert len(gold) >= 30
    alias = {}
    for concept in seed_concepts.concepts.values():
        for label in (concept.label, *concept.alt_labels):
            alias[_key(label)] = concept.key
    tp = fp = fn = 0
    for key, wanted in gold.items():
        wanted = {alias.get(w, w) for w in wanted}
        got = {k for k, _ in seed_concepts.tags[key]}
        tp, fp, fn = tp + len(got & wanted), fp + len(got - wanted), fn + len(wanted - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"concept extraction vs gold: precision {precision:.2f}, recall {recall:.2f}")
    # Measured 0.33 / 0.31 when this bar was set.  Exact-match scoring against free-hand tags
    # is strict (a tag of "inference" does not count for "small-batch inference"), and about a
    # third of the gold tags name something no other seed paper mentions, which a concept
    # (a link between papers, min 2 papers) can never be.  The bar sits just under the
    # measured figures so that any regression of the extractor fails here.
    assert precision >= 0.30
    assert recall >= 0.28


def test_top_40_concepts_have_no_filler(seed_concepts):
    top = sorted(seed_concepts.concepts.values(), key=lambda c: (-c.papers, c.key))[:40]
    assert len(top) == 40
    assert not {_key(c.label) for c in top} & {_key(f) for f in FILLER}


def test_llm_variants_are_one_concept(seed_concepts):
    llm = [c for c in seed_concepts.concepts.values() if c.label == "large language model"]
    assert len(llm) == 1
    assert {"LLM", "LLMs", "large language models"} <= set(llm[0].alt_labels)
    for variant in ["llm", "llms", "large language models", "large-language-model"]:
        others = [
            c for c in seed_concepts.concepts.values() if c is not llm[0] and _key(c.label) == _key(variant)
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


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("diffusion models", "diffusion model"),
        ("text-to-image", "text to image"),
        ("pre-training", "pretraining"),
        ("fine-tuning", "finetuning"),
        ("masked autoencoders", "masked autoencoder"),
        ("Mixture-of-Experts", "mixture of experts"),
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
    # "Distilled Decoding (DD)" is fine; "decoding (DD)" alone does not spell DD.
    assert list(acronym_definitions("we call it decoding (DD)")) == []


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
    assert {"UniXcoder", "SpeechT5", "MLP-Mixer"} <= names
    assert "LayerNorm" not in names  # a technique many papers use, not one paper's method
    assert all(a != b for a, b, _ in found)


def test_similar_papers_are_capped_and_share_concepts(seed_concepts):
    pairs = similar_papers(seed_concepts)
    assert pairs
    degree: dict[str, int] = {}
    for pair in pairs:
        assert pair.a < pair.b and pair.shared and 0 < pair.weight <= 1
        tags_a = {k for k, _ in seed_concepts.tags[pair.a]}
        tags_b = {k for k, _ in seed_concepts.tags[pair.b]}
        assert set(pair.shared) == tags_a & tags_b
        degree[pair.a] = degree.get(pair.a, 0) + 1
    # each paper lists at most NEIGHBOURS pairs where it is the smaller key of its own choice;
    # with pairs chosen from both ends, no paper can exceed twice the cap.
    assert max(degree.values()) <= 2 * NEIGHBOURS


# Six papers that all share concept "b" with "x"; each has three concepts of its own.  With
# idf(b) = 2**53, adding 1.0 is lost or kept by rounding depending on the order of the sum, so
# a paper's weight mass, and which five neighbours win, would follow the order of a set.
_SUMS_IN_ORDER = """
from kg.concepts import ConceptMap
from kg.similarity import similar_papers
tags = {"x": [("b", 1.0), ("x1", 1.0), ("x2", 1.0), ("x3", 1.0)]}
tags.update({f"y{i}": [("b", 1.0)] + [(f"y{i}-{j}", 1.0) for j in range(3)] for i in range(6)})
idf = {k: 1.0 for ts in tags.values() for k, _ in ts} | {"b": float(2**53)}
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
    assert result.exit_code == 1
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
    from kg.query import load_store, select

    rows = select(
        load_store([tmp_path / "graph.ttl"]),
        """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX kg: <https://w3id.org/kg/vocab#>
        SELECT (MAX(?n) AS ?most) (MIN(?c) AS ?least) WHERE {
          { SELECT ?p (COUNT(?k) AS ?n) WHERE { ?p dcterms:subject ?k } GROUP BY ?p }
          { SELECT (MIN(?pc) AS ?c) WHERE { ?k kg:paperCount ?pc } }
        }""",
    )
    assert int(rows[0]["most"]) <= 2 and int(rows[0]["least"]) >= 5
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

    def spy(jobs, *, parallel=True, workers=None):
        started.append((len(jobs), parallel, workers))
        traced = [lambda job=job: (os.getpid(), job()) for job in jobs]
        results = real(traced, parallel=parallel, workers=workers)
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
    from kg import concepts, parallel

    def broken(paper):
        raise ValueError(f"cannot read {paper.key}")

    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAPERS", 1)
    monkeypatch.setattr(concepts, "paper_terms", broken)
    with pytest.raises(ValueError, match="cannot read"):
        extract_concepts(seed_papers, workers=2)
