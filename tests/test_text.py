"""Text as a reader sees it (kg.extract.text), and builds that no paper's text can fail.

The fragments are real: arXiv abstracts and titles of 2025 (the dev corpus, CC0), quoted as the
metadata snapshot writes them; `tests/data/arxiv/hf_arxiv_latex.json` holds those papers in the
Daily Papers API's shape.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from typer.testing import CliRunner

from kg import graph as g
from kg import pipeline
from kg.cli import app
from kg.export.rdf import write_graphs
from kg.extract.links import extract_links
from kg.extract.text import normalise, normalise_papers, repair_chars, unwrap
from kg.model import Link, LinkKind, Occurrence, Paper, Source
from tests.arxiv_slice import CORPUS, MISSING, write_slice
from tests.conftest import DATA

LATEX_FIXTURE = DATA / "arxiv" / "hf_arxiv_latex.json"
KG = "https://w3id.org/kg/vocab#"

# (arXiv id, abstract fragment as written, what the reader must see, the links it must give)
ABSTRACTS = [
    (
        "2505.16416",
        "VLMs. The code is available at\n"
        "[https://github.com/lose4578/CircleRoPE](https://github.com/lose4578/CircleRoPE).\n",
        "VLMs. The code is available at https://github.com/lose4578/CircleRoPE.",
        ["https://github.com/lose4578/circlerope"],
    ),
    (
        "2506.09003",
        "we release all code, datasets, models, and Docker images at\n"
        "[Github](https://github.com/Hambaobao/SWE-Flow).\n",
        "we release all code, datasets, models, and Docker images at Github (https://github.com/Hambaobao/SWE-Flow).",
        ["https://github.com/hambaobao/swe-flow"],
    ),
    (
        "2506.01928",
        "checkpoints on the project page:\n[http://s-sahoo.github.io/Eso-LMs](http://s-sahoo.github.io/Eso-LMs)\n",
        "checkpoints on the project page: http://s-sahoo.github.io/Eso-LMs",
        ["https://s-sahoo.github.io/Eso-LMs"],
    ),
    (
        "2507.19140",
        "[GitHub - tianyu-zou/PAHNet: Balancing\nConservatism and Aggressiveness: Prototype-Affinity "
        "Hybrid Network for Few-Shot\nSegmentation (ICCV'25)](https://github.com/tianyu-zou/PAHNet)\n",
        "GitHub - tianyu-zou/PAHNet: Balancing Conservatism and Aggressiveness: Prototype-Affinity Hybrid "
        "Network for Few-Shot Segmentation (ICCV'25) (https://github.com/tianyu-zou/PAHNet)",
        ["https://github.com/tianyu-zou/pahnet"],
    ),
    (
        "2503.17057",
        "Our codes are publicly\navailable on https://github.com/13204942/SSL\\_Cervical\\_Segmentation.\n",
        "Our codes are publicly available on https://github.com/13204942/SSL_Cervical_Segmentation.",
        ["https://github.com/13204942/ssl_cervical_segmentation"],
    ),
    (
        "2503.21829",
        "Our code can be found at:\nhttp://github.com/SCAN-NRAD/e3nn\\_U-Net.\n",
        "Our code can be found at: http://github.com/SCAN-NRAD/e3nn_U-Net.",
        ["https://github.com/scan-nrad/e3nn_u-net"],
    ),
    (
        "2504.16237",
        "The code is publicly\navailable at: https://github.com/ObedDzik/pca\\_segment.git.\n",
        "The code is publicly available at: https://github.com/ObedDzik/pca_segment.git.",
        ["https://github.com/obeddzik/pca_segment"],
    ),
    (
        "2505.00681",
        "under\nhttps://github.com/google-deepmind/neptune?tab=readme-ov-file\\#minerva.\n",
        "under https://github.com/google-deepmind/neptune?tab=readme-ov-file#minerva.",
        ["https://github.com/google-deepmind/neptune"],
    ),
    (
        "2505.00675",
        "available at\n\\href{https://github.com/Elvin-Yiming-Du/Survey_Memory_in_AI}"
        "{https://github.com/Elvin-Yiming-Du/Survey\\_Memory\\_in\\_AI}.",
        "available at https://github.com/Elvin-Yiming-Du/Survey_Memory_in_AI.",
        ["https://github.com/elvin-yiming-du/survey_memory_in_ai"],
    ),
    (
        "2503.17966",
        "The code and dataset are publicly available at\n\\url{https://github.com/lwCVer/RRSHID}.\n",
        "The code and dataset are publicly available at https://github.com/lwCVer/RRSHID.",
        ["https://github.com/lwcver/rrshid"],
    ),
    (
        "2503.17793",
        "The models and\ndata can be accessed\nat~\\url{https://huggingface.co/inclusionAI/Ling-Coder-lite}.",
        "The models and data can be accessed at https://huggingface.co/inclusionAI/Ling-Coder-lite.",
        ["https://huggingface.co/inclusionAI/Ling-Coder-lite"],
    ),
    (
        "2503.13961",
        "We present a novel hybrid\nrepresentation, B\\'ezier Gaussian Triangle (BG-Triangle), that combine",
        "We present a novel hybrid representation, Bézier Gaussian Triangle (BG-Triangle), that combine",
        [],
    ),
    (
        "2503.14513",
        "benchmark metrics such as\nFr\\'echet Inception Distance (FID), Diversity",
        "benchmark metrics such as Fréchet Inception Distance (FID), Diversity",
        [],
    ),
    (
        "2503.11750",
        "outperforming existing methods by margins of 20.43\\%, 21.01\\% and\n26.43\\% respectively.",
        "outperforming existing methods by margins of 20.43%, 21.01% and 26.43% respectively.",
        [],
    ),
    (
        "2503.17650",
        "This paper introduces V$^2$APT (Visual Variational\nAutoencoder Prompt Tuning)",
        "This paper introduces V²APT (Visual Variational Autoencoder Prompt Tuning)",
        [],
    ),
    (
        "2503.15426",
        "which rely on much larger datasets ($\\sim$21M\nsamples).",
        "which rely on much larger datasets (∼21M samples).",
        [],
    ),
    (
        "2505.14634",
        "among which the\ntransformed $\\ell_1$ (TL1) penalty is a novel regularization",
        "among which the transformed ℓ₁ (TL1) penalty is a novel regularization",
        [],
    ),
    (
        "2503.12689",
        "To address these issues, we introduce\n$\\textbf{MagicID}$, a novel framework",
        "To address these issues, we introduce MagicID, a novel framework",
        [],
    ),
    (
        "2503.12840",
        "posed by audio\nnatures, \\emph{\\ie}, (1) feature confusion",
        "posed by audio natures, ie, (1) feature confusion",
        [],
    ),
]

# (arXiv id or "issue 21", title as written, title shown)
TITLES = [
    ("issue 21", "D$^3$R-DETR", "D³R-DETR"),
    ("issue 21", "AT$^2$PO", "AT²PO"),
    ("2503.18652", "Robust face recognition based on the wing loss and the $\\ell_1$ regularization",
     "Robust face recognition based on the wing loss and the ℓ₁ regularization"),
    ("2503.21779", "X$^{2}$-Gaussian: 4D Radiative Gaussian Splatting", "X²-Gaussian: 4D Radiative Gaussian Splatting"),
    ("2504.01603", "A$^\\text{T}$A: Adaptive Transformation Agent", "AᵀA: Adaptive Transformation Agent"),
    ("2504.05732", "LLM$\\times$MapReduce-V2: Entropy-Driven", "LLM×MapReduce-V2: Entropy-Driven"),
    ("2504.13143", "$\\texttt{Complex-Edit}$: CoT-Like Instruction Generation", "Complex-Edit: CoT-Like Instruction Generation"),
    ("2504.17821", "VideoVista-CulturalLingo: 360$^\\circ$ Horizons", "VideoVista-CulturalLingo: 360° Horizons"),
    ("2504.19161", "Transformer with 1\\textpertenthousand Spatial Sampling", "Transformer with 1‱ Spatial Sampling"),
    ("2503.12827", "GSBAK$^K$: $top$-$K$ Geometric Score-based Black-box Attack",
     "GSBAKᴷ: top-K Geometric Score-based Black-box Attack"),
]  # fmt: skip


@pytest.mark.parametrize(("arxiv_id", "written", "shown", "links"), ABSTRACTS, ids=[a[0] for a in ABSTRACTS])
def test_real_abstract_fragments(arxiv_id: str, written: str, shown: str, links: list[str]):
    text = normalise(written)
    assert text == shown
    assert [link.target for link in extract_links(text)] == links


@pytest.mark.parametrize(("where", "written", "shown"), TITLES, ids=[t[1][:24] for t in TITLES])
def test_real_titles(where: str, written: str, shown: str):
    assert normalise(written) == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("costs $5 and $10 each", "costs $5 and $10 each"),  # prices, not math
        ("costs between $48-$74 per voter", "costs between $48-$74 per voter"),
        ("a 30% gain and a \\$5 fee", "a 30% gain and a $5 fee"),  # a bare % is no comment
        ("$x_{t-1}$ and $\\mathbb{R}^d$", "xₜ₋₁ and ℝᵈ"),
        ("$x_{max}$ and $y^{qq}$", "xₘₐₓ and y^(qq)"),  # no superscript q: kept readable
        ("caf\\'e, {\\\"o}, \\c{c}, Tol\\'ul\\d{o}p\\'e", "café, ö, ç, Tolúlọpé"),
        ("we propose \\ours{}, which", "we propose ours, which"),  # a macro of the authors' own
        ("see \\url{https://x.org/a\\_b%20c~d} now", "see https://x.org/a_b%20c~d now"),
        ("\\href{https://x.org/p}{our page}", "our page (https://x.org/p)"),
        (
            "a strong LLaMA~2 7B model, ~10x faster; see https://x.edu/~user",
            "a strong LLaMA 2 7B model, ~10x faster; see https://x.edu/~user",
        ),
        ("\\href{https://x.org/p}", "https://x.org/p"),  # malformed: never an error
        ("  hard-\n  wrapped pre-\nand post-training\n", "hard-wrapped pre- and post-training"),
    ],
)
def test_normalise(written: str, shown: str):
    assert normalise(written) == shown


def test_normalise_leaves_plain_text_alone():
    text = "A plain abstract with snake_case, a^b, ~10x, and https://github.com/a/b_c."
    assert normalise(text) is text or normalise(text) == text


def test_unwrap_is_idempotent():
    text = unwrap("  Line one\nline two state-of-the-\nart.\n\n  Second paragraph.\n")
    assert text == "Line one line two state-of-the-art.\n\nSecond paragraph."
    assert unwrap(text) == text


def test_repair_chars():
    assert repair_chars("a\x00b\x1fc\td\ne\ud800f") == ("abc\td\ne\ufffdf", 3)
    assert repair_chars("clean") == ("clean", 0)


def _paper(key: str, title: str, abstract: str | None, **kw) -> Paper:
    return Paper(key, title, abstract, occurrences=[Occurrence("in.json", 3, "/0")], **kw)


def test_normalise_papers_keeps_the_written_form():
    papers = [
        _paper("a", "D$^3$R-DETR", "  Wrapped\n  text only.\n"),
        _paper("b", "Plain", "Bad \x07 bell", authors=[("Tol\\'ul\\d{o}p\\'e \u00d2g\\'unr\\`em\\'i", None)]),
    ]
    report = normalise_papers(papers)
    a, b = papers
    assert (a.title, a.written_title) == ("D³R-DETR", "D$^3$R-DETR")
    assert (a.abstract, a.written_abstract) == ("Wrapped text only.", None)  # wraps alone: nothing kept
    assert b.abstract == "Bad bell" and b.written_abstract is None
    assert b.authors == [("Tolúlọpé Ògúnrèmí", None)]
    assert report.repaired == 1 and list(report.problems) == ["b"]


def test_exporter_drops_what_it_cannot_hold(tmp_path: Path):
    """The last safety net: an IRI Oxigraph refuses and a lone surrogate leave the RDF, never fail it."""
    bad = Link(
        "x",
        "x",
        LinkKind.REPO,
        "https://github.com/a/b c",
        "https://github.com",
        "https://github.com/a",
        "a",
        "b c",
    )
    paper = _paper("p", "Title \ud800", None, links=[bad])
    graph = g.build_graph([paper], [Source("in.json", None, "hf")])
    dropped: list[str] = []
    write_graphs(graph, {"nt": tmp_path / "graph.nt"}, separate=False, dropped=dropped)
    text = (tmp_path / "graph.nt").read_text(encoding="utf-8")
    assert "b c" not in text and "Title \ufffd" in text
    assert dropped[0].startswith("a lone surrogate in '<") and dropped[0].endswith("/title> \"Title '")
    assert dropped[1:] == ["https://github.com/a/b c"]
    assert isinstance(graph, nx.MultiDiGraph)


def _iris(nt: Path) -> set[str]:
    found: set[str] = set()
    for line in nt.read_text(encoding="utf-8").splitlines():
        match = IRIS.match(line)
        assert match is not None, line
        found.update(i for i in match.groups() if i)
    return found


def test_build_of_real_latex_papers(tmp_path: Path):
    result = pipeline.build([LATEX_FIXTURE], out=tmp_path, formats=["nt"], jobs=1)
    papers = {p.arxiv_id: p for p in result.papers}
    assert papers["2503.21779"].title.startswith("X²-Gaussian")
    assert papers["2503.21779"].written_title.startswith("X$^{2}$-Gaussian")
    repos = {link.target for p in result.papers for link in p.links}
    assert "https://github.com/lose4578/circlerope" in repos
    assert "https://github.com/13204942/ssl_cervical_segmentation" in repos
    assert not any("%5c" in r or "](" in r for r in repos)
    store = ox.Store()
    store.load(path=str(tmp_path / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    written = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(KG + "writtenTitle"), None)}
    assert written == {p.written_title for p in result.papers if p.written_title}
    assert papers["2503.21779"].written_title in written
    for label in _labels(tmp_path / "graph.nt"):
        assert not LATEX.search(label), label


LATEX = re.compile(r"\$(?!\d)|\\[A-Za-z]|\\_")
# The IRIs of an N-Triples line: subject, predicate and, unless it is a literal, object.
IRIS = re.compile(r"<([^>]*)> <([^>]*)> (?:<([^>]*)>)?")


def _labels(nt: Path) -> list[str]:
    """Every title and concept label of an N-Triples export."""
    graph = rdflib.Graph()
    graph.parse(nt, format="nt")
    preds = [rdflib.DCTERMS.title, rdflib.SKOS.prefLabel, rdflib.SKOS.altLabel]
    return [str(o) for p in preds for o in graph.objects(None, p)]


def test_cli_build_names_the_paper_it_repaired(tmp_path: Path):
    source = tmp_path / "day.json"
    source.write_text(
        '[{"paper": {"id": "2501.00001", "title": "Bell\\u0007 title", "summary": '
        '"Code at http://[oops and http://localhost:8000/x.", "publishedAt": "2025-01-02T00:00:00Z"}}, '
        '{"paper": {"id": "2501.00002", "title": "Plain", "summary": "See http://[bad.", '
        '"publishedAt": "2025-01-02T00:00:00Z"}}]',
        encoding="utf-8",
    )
    run = CliRunner().invoke(app, ["build", str(source), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert run.exit_code == 0, run.output
    lines = [line for line in run.output.splitlines() if "2501.00001" in line]
    assert len(lines) == 1
    # Both items are on line 1: each warning also names its item of the array.
    assert "day.json:1 (/0, arXiv 2501.00001)" in lines[0]
    assert "day.json:1 (/1, arXiv 2501.00002)" in run.output
    assert "1 character no export can hold removed from the title" in lines[0]
    assert (
        "dropped 2 links that name no valid web address ('http://[oops', 'http://localhost:8000/x')"
        in lines[0]
    )
    assert re.search(r"values repaired\s*│\s*1 ", run.output) and re.search(
        r"values dropped\s*│\s*3 ", run.output
    )


@pytest.mark.skipif(not CORPUS.exists(), reason=MISSING)
def test_build_of_3000_real_papers(tmp_path: Path):
    """The first 3,000 papers of the dev corpus build; every IRI parses; no label shows LaTeX."""
    source = write_slice(tmp_path / "slice.json", 3000)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(source), "--out", str(out), "--format", "nt", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    iris = _iris(out / "graph.nt")
    assert len(iris) > 3000
    for iri in iris:
        ox.NamedNode(iri)  # raises on an IRI Oxigraph would refuse
    labels = _labels(out / "graph.nt")  # rdflib parses the whole file
    assert len(labels) > 3000
    assert [label for label in labels if "$" in label or re.search(r"\\[A-Za-z]|\\_", label)] == []
