"""The store beside the exports, its manifest, and the formats other tools read."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg import pipeline
from kg.cli import app
from kg.errors import KgError
from kg.export.store import MANIFEST, STAMP, STORE_DIR, Manifest
from tests.conftest import DATA

runner = CliRunner()
PAGE = DATA / "pages" / "line_layout.txt"
COUNT = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:ScholarlyArticle }"


def count_papers(*args: str) -> str:
    out = runner.invoke(app, ["query", COUNT, "-f", "csv", *args])
    assert out.exit_code == 0, out.stderr
    return next(csv.DictReader(io.StringIO(out.stdout)))["n"]


def test_a_build_writes_a_store_its_manifest_names(tmp_path: Path):
    result = pipeline.build([PAGE], out=tmp_path, formats=["nt", "ttl"])
    manifest = Manifest.read(tmp_path)
    assert manifest is not None and manifest.store == STORE_DIR and result.store == tmp_path / STORE_DIR
    assert sorted(manifest.files) == ["graph.html", "graph.nt", "graph.ttl", "vocab.ttl"]
    assert all((tmp_path / name).stat().st_size == size for name, size in manifest.files.items())
    assert manifest.triples == result.triples
    assert (tmp_path / STORE_DIR / STAMP).read_text().strip() == manifest.graph
    assert result.outputs[-1] == tmp_path / MANIFEST
    # No staging left; `.kg` holds the store the link `oxigraph` names, the lock (kg.export.commit).
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".kg"]
    assert sorted(p.name for p in (tmp_path / ".kg").iterdir()) == ["lock", "stores"]


def test_query_answers_from_the_store_and_a_new_build_refreshes_it(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exports = tmp_path / "exports"
    pipeline.build(out=exports)  # the sample: 475 papers
    (exports / "graph.ttl").unlink()  # only the store can answer now
    assert count_papers() == "475"
    pipeline.build([PAGE], out=exports)
    assert count_papers() == "3"
    assert count_papers("--data", str(exports)) == "3"


def test_an_nt_build_after_a_turtle_build_answers_from_the_new_corpus(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = runner.invoke(app, ["build", "-q"])
    assert out.exit_code == 0 and (tmp_path / "exports" / "graph.ttl").is_file()
    out = runner.invoke(app, ["build", "-q", str(PAGE), "--out", "exports", "--format", "nt"])
    assert out.exit_code == 0
    assert not (tmp_path / "exports" / "graph.ttl").exists()  # the old corpus's export is gone
    assert count_papers() == "3"
    # Without its store (a fresh clone), the files the manifest names are read: still the new corpus.
    (tmp_path / "exports" / STORE_DIR / STAMP).unlink()
    assert count_papers() == "3"
    out = runner.invoke(app, ["stats"])
    assert out.exit_code == 0 and "│ papers" in out.stdout and " 3 │" in out.stdout


def test_a_store_from_another_build_is_not_used(tmp_path: Path):
    pipeline.build(out=tmp_path / "a")
    pipeline.build([PAGE], out=tmp_path / "b", formats=["nt"])
    # b's manifest with a's store: the stamp differs, so b's N-Triples answer.
    (tmp_path / "b" / STORE_DIR / STAMP).write_text((tmp_path / "a" / STORE_DIR / STAMP).read_text())
    assert count_papers("--data", str(tmp_path / "b")) == "3"
    (tmp_path / "b" / "graph.nt").unlink()
    out = runner.invoke(app, ["query", COUNT, "--data", str(tmp_path / "b")])
    assert out.exit_code == 3
    assert out.stderr == f"Error: {tmp_path / 'b'}: the build's graph.nt is missing (run `kg build` again)\n"


def test_no_build_says_to_build(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = runner.invoke(app, ["query", "top-concepts"])
    assert out.exit_code == 3
    assert out.stderr == "Error: exports: no build here (run `kg build` first)\n"


def test_a_failed_build_keeps_the_previous_store_and_manifest(tmp_path: Path, monkeypatch):
    pipeline.build([PAGE], out=tmp_path)
    before = (tmp_path / MANIFEST).read_text()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "render_html", broken)
    with pytest.raises(KgError, match="cannot write: disk full"):  # an OS error is one line
        pipeline.build(out=tmp_path)
    assert (tmp_path / MANIFEST).read_text() == before
    assert count_papers("--data", str(tmp_path)) == "3"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*Manifest.read(tmp_path).files, MANIFEST, STORE_DIR, ".kg"]
    )


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "serializer-process"])
def test_the_store_is_loaded_in_slices_and_holds_every_triple(tmp_path: Path, monkeypatch, jobs: int):
    # Oxigraph's bulk loader keeps what it is given in memory: a large build loads its store a
    # slice at a time.  Slices of 50 lines must still give the whole graph.
    import pyoxigraph as ox

    from kg.export import serialize

    monkeypatch.setattr(serialize, "STORE_SLICE", 50)
    result = pipeline.build([PAGE], out=tmp_path, jobs=jobs)
    store = ox.Store.read_only(str(tmp_path / STORE_DIR))
    assert len(store) == result.triples > 100  # two slices or more


def test_an_unknown_export_format_is_refused(tmp_path: Path):
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown export format 'csv'"):
        pipeline.build([PAGE], out=tmp_path, formats=["csv"])


# ------------------------------------------------------------------------------------------
# JSON-LD


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> pipeline.BuildResult:
    sources = DATA / "sources"
    return pipeline.build(
        [sources / "library.bib", sources / "hf_daily_2024-10-25.json", PAGE],
        out=tmp_path_factory.mktemp("jsonld"),
        formats=["ttl", "jsonld", "graphml", "gexf"],
    )


def test_jsonld_has_a_context_types_and_one_object_per_subject(mixed):
    doc = json.loads((mixed.outputs[1]).read_text())
    assert doc["@context"]["schema"] == "https://schema.org/" and doc["@context"]["kg:line"]
    ids = [node["@id"] for node in doc["@graph"]]
    assert len(ids) == len(set(ids))
    paper = next(n for n in doc["@graph"] if n.get("kg:arxivId") == "1706.03762")
    assert paper["@type"] == "schema:ScholarlyArticle"
    assert paper["dcterms:title"] == "Attention Is All You Need"
    assert paper["kg:repository"] == "https://github.com/tensorflow/tensor2tensor"  # an IRI, by the context
    derivation = next(n for n in doc["@graph"] if n.get("@type") == "prov:Derivation")
    assert isinstance(derivation["kg:line"], str) and int(derivation["kg:line"]) >= 1


def test_jsonld_reads_back_as_the_same_graph_with_pyld(mixed):
    jsonld = pytest.importorskip("pyld").jsonld
    doc = json.loads(mixed.outputs[1].read_text())
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), Graph().parse(mixed.outputs[0]))


def test_jsonld_compacts_and_frames_on_scholarly_article(mixed):
    jsonld = pytest.importorskip("pyld").jsonld
    doc = json.loads(mixed.outputs[1].read_text())
    context = doc["@context"]
    compacted = jsonld.compact(doc, {"@context": context})
    assert len(compacted["@graph"]) == len(doc["@graph"])
    framed = jsonld.frame(doc, {"@context": context, "@type": "schema:ScholarlyArticle"})
    papers = framed["@graph"]
    assert len(papers) == len(mixed.papers)
    attention = next(p for p in papers if p.get("kg:arxivId") == "1706.03762")
    # Framing embeds what a paper points to (each node once): its authors, its authorships.
    authors = {a["@id"]: a for a in attention["dcterms:creator"] if isinstance(a, dict)}
    first = next(a for a in attention["kg:authorship"] if a["kg:position"] == "1")
    author = first["kg:author"]
    named = authors[author] if isinstance(author, str) else author
    assert named["foaf:name"] == "Ashish Vaswani"


# ------------------------------------------------------------------------------------------
# GraphML and GEXF


@pytest.mark.parametrize(
    ("name", "reader"), [("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)]
)
def test_graphml_and_gexf_read_back_with_every_node_and_edge(mixed, name, reader):
    path = mixed.outputs[0].parent / name
    back = reader(path)
    assert back.number_of_nodes() == mixed.graph.number_of_nodes()
    assert back.number_of_edges() == mixed.graph.number_of_edges()
    papers = [n for n, d in back.nodes(data=True) if d["kind"] == "paper"]
    assert len(papers) == len(mixed.papers)
    paper = back.nodes["paper:arxiv-1706.03762"]
    assert paper["label"] == "Attention Is All You Need" and isinstance(paper["cluster"], int)
    assert paper["iri"] == "https://w3id.org/kg/id/paper/arxiv-1706.03762"
    position = paper["viz"]["position"] if "viz" in paper else paper
    assert isinstance(position["x"], float) and isinstance(position["y"], float)
    similar = [d for _, _, d in back.edges(data=True) if d["rel"] == "similar"]
    expected = sorted(
        round(d["weight"], 4) for *_, d in mixed.graph.edges(data=True) if d["rel"] == "similar"
    )
    assert sorted(d["weight"] for d in similar) == expected
    placed = {
        (round(d.get("x", d.get("viz", {}).get("position", {}).get("x", 0))), n)
        for n, d in back.nodes(data=True)
    }
    assert len(placed) == back.number_of_nodes()


def test_gephi_files_are_byte_identical_across_builds(mixed, tmp_path: Path):
    pipeline.build(
        [DATA / "sources" / "library.bib", DATA / "sources" / "hf_daily_2024-10-25.json", PAGE],
        out=tmp_path,
        formats=["graphml", "gexf", "jsonld"],
    )
    for name in ("graph.graphml", "graph.gexf", "graph.jsonld"):
        path = tmp_path / name
        assert path.read_bytes() == (mixed.outputs[0].parent / path.name).read_bytes(), path.name
