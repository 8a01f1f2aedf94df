"""Citation links between corpus papers: coupling and co-citation against a hand count, the
citation queries, and SPECTER neighbours; built end to end against the local fake APIs."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from array import array
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from kg import graph as g
from kg import pipeline
from kg.ask.query import load_store, resolve_query, select
from kg.cli import app
from kg.enrich import arxiv, s2
from kg.enrich.session import make_session
from kg.model import Paper, Reference
from kg.relate.citations import MIN_SHARED, co_citation, coupling
from kg.relate.embeddings import specter_neighbours
from kg.view import read_build, render_html
from kg.view.page import data_of_page
from tests.fake_apis import Work, World, serve
from tests.test_rdf import validate_with_rdfs_inference

SHAPES = Path(__file__).resolve().parent.parent / "kg" / "data" / "shapes.ttl"


def sid(name: str) -> str:
    """A 40-hex S2 id for a short name."""
    return name.encode().hex().ljust(40, "0")[:40]


# Four corpus papers; W1..W6 are older works, C1..C4 later works citing the corpus.
#   P1 cites W1 W2 W3 P2      C1 cites P1 P2
#   P2 cites W1 W2 W4         C2 cites P1 P2 P3
#   P3 cites W1 W2 W3 W4 W5   C3 cites P2 P3
#   P4 cites W5 W6            C4 cites P3 P4
# By hand: coupling P1-P2 2 (W1 W2), P1-P3 3 (W1 W2 W3), P2-P3 3 (W1 W2 W4), P3-P4 1 (W5);
# co-citation P1-P2 2 (C1 C2), P2-P3 2 (C2 C3), P1-P3 1 (C2), P3-P4 1 (C4).
# Citing works per paper: P1 {C1 C2}, P2 {C1 C2 C3 P1}, P3 {C2 C3 C4}, P4 {C4}.
REFS = {
    "P1": ["W1", "W2", "W3", "P2"],
    "P2": ["W1", "W2", "W4"],
    "P3": ["W1", "W2", "W3", "W4", "W5"],
    "P4": ["W5", "W6"],
    "C1": ["P1", "P2"],
    "C2": ["P1", "P2", "P3"],
    "C3": ["P2", "P3"],
    "C4": ["P3", "P4"],
}
ARXIV = {"P1": "2301.00001", "P2": "2302.00002", "P3": "2303.00003", "P4": "2304.00004", "C4": "2401.00004"}
TITLES = {f"P{i}": f"Corpus paper number {i}" for i in range(1, 5)}


def coupling_world() -> World:
    names = [f"P{i}" for i in range(1, 5)] + [f"W{i}" for i in range(1, 7)] + [f"C{i}" for i in range(1, 5)]
    works = []
    for name in names:
        year = {"P": 2023, "W": 2015, "C": 2024}[name[0]]
        works.append(
            Work(
                sid(name),
                TITLES.get(name, f"Work {name}"),
                year=year,
                arxiv_id=ARXIV.get(name),
                references=[sid(r) for r in REFS.get(name, [])],
                embedding=None,
            )
        )
    return World(works)


@pytest.fixture
def built(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    world = serve(coupling_world(), httpserver, monkeypatch)
    monkeypatch.setattr(s2, "INTERVAL_KEYLESS", 0.0)
    monkeypatch.setattr(arxiv, "INTERVAL", 0.0)
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"arXiv:{ARXIV[f'P{i}']}\n" for i in range(1, 5)))
    out = tmp_path / "out"
    result = pipeline.build([ids], out=out, enrich=["s2"], session=make_session(tmp_path / "c.sqlite"))
    return world, result, out / "graph.ttl"


def pair(result: pipeline.BuildResult, rel: str) -> dict[tuple[str, str], tuple[int, float]]:
    title = {n: d.get("title") for n, d in result.graph.nodes(data=True)}
    found = {}
    for a, b, d in result.graph.edges(data=True):
        if d["rel"] == rel:
            x, y = sorted([title[a][-1], title[b][-1]])
            found[(f"P{x}", f"P{y}")] = (d["count"], d["weight"])
    return found


def test_coupling_and_co_citation_equal_the_hand_count(built):
    world, result, _ = built
    assert world.calls == {"s2-batch": 1}  # four known ids: details and links in one call
    assert not any("embedding" in q for _, q in world.log)  # only --enrich specter asks for them
    assert MIN_SHARED == 2
    assert pair(result, g.COUPLED) == {
        ("P1", "P2"): (2, round(2 / math.sqrt(4 * 3), 4)),
        ("P1", "P3"): (3, round(3 / math.sqrt(4 * 5), 4)),
        ("P2", "P3"): (3, round(3 / math.sqrt(3 * 5), 4)),
    }
    assert pair(result, g.CO_CITED) == {
        ("P1", "P2"): (2, round(2 / math.sqrt(2 * 4), 4)),
        ("P2", "P3"): (2, round(2 / math.sqrt(4 * 3), 4)),
    }


def test_citation_queries_answer_from_the_export(built):
    _, _, ttl = built
    store = load_store([ttl])

    def rows(name: str) -> list[dict[str, str]]:
        return select(store, resolve_query(name).text)

    coupled = [(r["titleA"][-1], r["titleB"][-1], int(r["sharedReferences"])) for r in rows("coupled-papers")]
    assert coupled == [("2", "3", 3), ("1", "3", 3), ("1", "2", 2)]  # ties: the stronger weight first
    cocited = [(r["titleA"][-1], r["titleB"][-1], int(r["coCitations"])) for r in rows("co-cited-papers")]
    assert cocited == [("1", "2", 2), ("2", "3", 2)]
    derivative = [(r["title"], int(r["citesCorpusPapers"])) for r in rows("derivative-works")]
    assert derivative == [("Work C2", 3), ("Work C1", 2), ("Work C3", 2), ("Work C4", 2)]
    assert rows("derivative-works")[3]["work"] == "https://arxiv.org/abs/2401.00004"
    most = [
        (r["title"], int(r["citedInCorpus"]), int(r["citationCount"])) for r in rows("most-cited-in-corpus")
    ]
    assert most == [("Corpus paper number 2", 1, 4)]


def test_citation_links_are_similarities_of_their_own_basis(built):
    _, _, ttl = built
    store = load_store([ttl])
    found = select(
        store,
        """
        PREFIX kg: <https://w3id.org/kg/vocab#>
        SELECT ?basis (COUNT(?link) AS ?n) WHERE { ?link a kg:Similarity ; kg:basis ?basis }
        GROUP BY ?basis ORDER BY ?basis""",
    )
    counts = {r["basis"].rsplit("#", 1)[1]: int(r["n"]) for r in found}
    assert counts["BibliographicCoupling"] == 3 and counts["CoCitation"] == 2
    # Coupled papers are not thereby kg:similarTo: that link stays the concept/text one.
    similar = select(
        store,
        """
        PREFIX kg: <https://w3id.org/kg/vocab#>
        SELECT ?a ?b WHERE { ?link kg:basis kg:BibliographicCoupling ; kg:paper ?a, ?b . ?a kg:similarTo ?b }""",
    )
    assert similar == []
    pyshacl = pytest.importorskip("pyshacl")
    from rdflib import Graph

    conforms, _, text = pyshacl.validate(Graph().parse(ttl), shacl_graph=Graph().parse(SHAPES))
    assert conforms, text
    # Works citing papers, coupling and co-citation hold the shapes under RDFS inference too
    # (schema.org makes every paper a schema:CreativeWork, the class of outside works).
    conforms, text = validate_with_rdfs_inference(Graph().parse(ttl))
    assert conforms, text


def test_the_map_draws_citation_links_and_is_redrawn_the_same_from_the_rdf(built):
    _, _, ttl = built
    page = (ttl.parent / "graph.html").read_text()
    assert render_html(read_build(ttl.parent)) == page
    data = data_of_page(page)
    # Coupling and co-citation are similar papers of their own basis: both are listed for
    # the panels; the map draws one line a pair (here the co-cited pairs are coupled too).
    assert sorted(data["E"]["bases"]) == ["citations", "references"]
    assert "similar:references" in data["M"]["styles"]


def test_view_attributes_on_paper_nodes(built):
    _, result, _ = built
    node = result.graph.nodes["paper:arxiv-2302.00002"]
    assert (node["citation_count"], node["year"]) == (4, 2023)
    works = {d["iri"]: d for _, d in result.graph.nodes(data=True) if d["kind"] == "work"}
    assert works[f"https://www.semanticscholar.org/paper/{sid('C2')}"]["year"] == 2024


def paper(key: str, refs: list[str] = (), cites: list[str] = (), **kw) -> Paper:  # type: ignore[assignment]
    return Paper(
        key,
        kw.pop("title", key),
        None,
        references=[Reference(r, None) for r in refs],
        citations=[Reference(c, None) for c in cites],
        **kw,
    )


def test_works_are_one_by_any_id_and_corpus_papers_by_title():
    # A names the corpus paper B by arXiv id, C names it by title only; X is unresolved.
    a = Paper(
        "a", "A", None, s2_id="sa", references=[Reference(None, None, "2301.1"), Reference("w1", "One")]
    )
    b = Paper("b", "Paper B", None, arxiv_id="2301.1", s2_id="sb", references=[Reference("w1", "One")])
    c = Paper(
        "c",
        "C",
        None,
        references=[Reference(None, "paper  b"), Reference("w1", "One"), Reference(None, "Unresolved X")],
    )
    assert [(x.a, x.b, x.count) for x in coupling([a, b, c])] == [("a", "c", 2)]
    # b is cited by a and c (their references) and by w9 (S2's list, which also names b itself).
    b.citations = [Reference("w9", "Nine"), Reference(None, None, "2301.1")]
    assert co_citation([a, b, c]) == []  # nothing else is cited
    # d is cited by w9 and by a (S2 lists a by its S2 id): with b, two co-citing works.
    d = paper("d", cites=["w9", "sa"], s2_id="sd")
    assert [(x.a, x.b, x.count) for x in co_citation([a, b, c, d])] == [("b", "d", 2)]


def test_each_paper_keeps_its_strongest_couplings(monkeypatch: pytest.MonkeyPatch):
    import kg.relate.citations as citations

    monkeypatch.setattr(citations, "NEIGHBOURS", 1)
    # hub shares 3 works with x, 2 with y; y and z share 2.
    papers = [
        paper("hub", ["w1", "w2", "w3", "w4"]),
        paper("x", ["w1", "w2", "w3"]),
        paper("y", ["w1", "w4", "w8", "w9"]),
        paper("z", ["w8", "w9"]),
    ]
    kept = [(x.a, x.b, x.count) for x in citations.coupling(papers)]
    # hub's best is x; x's best is hub; y's best is z (weight 0.71 vs 0.5); z's best is y.
    assert kept == [("hub", "x", 3), ("y", "z", 2)]


def test_specter_neighbours_by_cosine():
    def p(key: str, vec: list[float]) -> Paper:
        return Paper(key, key, None, embedding=array("f", vec))

    papers = [
        p("a", [1, 0, 0]),
        p("b", [0.9, 0.1, 0]),
        p("c", [0, 1, 0]),
        p("d", [0, 0.8, 0.6]),
        p("e", [1, 1]),
    ]
    near = specter_neighbours(papers, neighbours=1)
    assert [(n.a, n.b) for n in near] == [("a", "b"), ("c", "d")]
    assert near[0].cosine == round(0.9 / math.sqrt(0.82), 4)
    assert specter_neighbours(papers[:1]) == []


def test_specter_embeddings_asked_only_with_specter(httpserver: HTTPServer, monkeypatch, tmp_path: Path):
    world = coupling_world()
    for n, w in enumerate(world.works.values()):
        w.embedding = [1.0, float(n % 3), 0.5]
    serve(world, httpserver, monkeypatch)
    monkeypatch.setattr(s2, "INTERVAL_KEYLESS", 0.0)
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"{ARXIV[f'P{i}']}\n" for i in range(1, 5)))
    result = CliRunner().invoke(
        app,
        ["build", str(ids), "-o", str(tmp_path / "o"), "-e", "specter", "--cache", str(tmp_path / "c"), "-q"],
    )
    assert result.exit_code == 0, result.output
    asked = [q for e, q in world.log if e == "s2-batch"]
    assert len(asked) == 1 and "embedding.specter_v2" in asked[0]
    store = load_store([tmp_path / "o" / "graph.ttl"])
    near = select(
        store,
        """
        PREFIX kg: <https://w3id.org/kg/vocab#>
        SELECT ?link ?cos WHERE { ?link kg:basis kg:SpecterEmbedding ; kg:embeddingSimilarity ?cos }""",
    )
    assert near and all(0 < float(r["cos"]) <= 1 for r in near)
    out = tmp_path / "o"
    assert render_html(read_build(out)) == (out / "graph.html").read_text()
    assert "embedding" in data_of_page((out / "graph.html").read_text())["E"]["bases"]


def test_dense_and_sparse_blocks_choose_the_same_links(monkeypatch: pytest.MonkeyPatch):
    import random

    import kg.relate.citations as citations

    rng = random.Random(3)
    papers = [paper(f"p{i:03d}", [f"w{rng.randint(0, 30)}" for _ in range(8)]) for i in range(120)]
    monkeypatch.setattr(citations, "_CELLS", 1000)  # several blocks
    monkeypatch.setattr(citations, "_DENSE", 2.0)  # never dense
    sparse = citations.coupling(papers)
    monkeypatch.setattr(citations, "_DENSE", -1.0)  # always dense
    assert citations.coupling(papers) == sparse and len(sparse) > 120


def test_enriched_exports_do_not_depend_on_the_hash_seed(built, tmp_path: Path):
    ids = tmp_path / "ids.txt"  # the fixture's input, its answers now in the cache
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "kg",
                "build",
                str(ids),
                "-e",
                "s2",
                "--offline",
                "--cache",
                str(tmp_path / "c.sqlite"),
                "-o",
                str(out),
                "-f",
                "nt",
                "-q",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.returncode == 0, run.stderr
        outputs.append((out / "graph.nt").read_bytes())
    assert outputs[0] == outputs[1] and b"/coupling/" in outputs[0] and b"/cocitation/" in outputs[0]
