"""GraphML and GEXF exports against their published XML Schemas (tests/data/xsd/), read back.

The GEXF XSDs (1.2draft and 1.3 alike) declare `color`, `position`, `size`, `shape` and
`thickness` in the main GEXF namespace instead of `viz` (a defect of their generation from the
RELAX NG, see tests/data/xsd/README.md).  The GEXF test therefore validates a copy in which
the `viz:` elements are moved into the main namespace, which is what those schemas expect.
Tolerating the resulting error lines instead would not do: libxml2 stops checking a node's
content at the first element it did not expect, so whatever follows (a `viz:size` whose value
is not a number) would go unchecked.  The file as written is checked too: its `viz:` elements
are in the viz namespace, and they are the only thing the published schema rejects.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg import pipeline
from kg.export.gephi import EDGE_COLUMNS, NODE_COLUMNS, gephi_graph
from kg.export.graphxml import GEXF_NS, VIZ_NS, safe_id, write_gexf, write_graphml

lxml = pytest.importorskip("lxml.etree")
from xsd_check import load_schema, validate  # noqa: E402  (needs lxml)

DATA = Path(__file__).parent / "data"
CORPUS = Path("/work/shared/corpora/arxiv-cs-2025.jsonl.gz")
NMTOKEN = re.compile(r"^[A-Za-z0-9._:-]+$")  # the ASCII part of xs:NMTOKEN, all safe_id writes
# The one message the published GEXF schemas give for a correct viz element.
VIZ_DEFECT = re.compile(
    r"Element '\{http://gexf\.net/1\.3/viz\}(position|size|color|shape|thickness)': This element is not expected\."
)


def gexf_errors(path: Path) -> list[str]:
    """Schema errors of a copy of the GEXF file with its viz elements in the main namespace."""
    doc = lxml.parse(str(path), lxml.XMLParser(no_network=True, huge_tree=True))
    for element in doc.iter(f"{{{VIZ_NS}}}*"):
        element.tag = f"{{{GEXF_NS}}}{lxml.QName(element).localname}"
    schema = load_schema("gexf-1.3")
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> pipeline.BuildResult:
    sources = DATA / "sources"
    return pipeline.build(
        [sources / "library.bib", sources / "hf_daily_2024-10-25.json", DATA / "pages" / "line_layout.txt"],
        out=tmp_path_factory.mktemp("gephi"),
        formats=["graphml", "gexf"],
        jobs=1,
    )


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> pipeline.BuildResult:
    """A build of 400 real arXiv papers (LaTeX in titles, links of every kind in abstracts),
    given to kg as a Hugging Face Daily Papers list."""
    if not CORPUS.exists():
        pytest.skip(f"the dev corpus is absent: {CORPUS}")
    folder = tmp_path_factory.mktemp("gephi-real")
    sample = folder / "daily.json"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for _, line in zip(range(400), lines, strict=False)]
    daily = [
        {"paper": {"id": r["id"], "title": r["title"], "summary": r["abstract"],
                   "authors": [{"name": name.strip()} for name in re.split(r",| and ", r["authors"]) if name.strip()]}}
        for r in records
    ]  # fmt: skip
    sample.write_text(json.dumps(daily), encoding="utf-8")
    result = pipeline.build([sample], out=folder / "out", formats=["graphml", "gexf"], jobs=1)
    assert len(result.papers) == 400
    return result


def out(result: pipeline.BuildResult, name: str) -> Path:
    return result.outputs[0].parent / name


@pytest.mark.parametrize("which", ["built", "real"])
def test_graphml_validates_against_graphml_1_0(which, request):
    result = request.getfixturevalue(which)
    assert validate(out(result, "graph.graphml"), "graphml") == []


@pytest.mark.parametrize("which", ["built", "real"])
def test_gexf_is_1_3_and_validates_with_viz_in_its_namespace(which, request):
    result = request.getfixturevalue(which)
    path = out(result, "graph.gexf")
    root = lxml.parse(str(path)).getroot()
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{{{GEXF_NS}}}graph")
    assert graph is not None and "name" not in graph.attrib
    assert root.findall(f".//{{{VIZ_NS}}}position") and not root.findall(f".//{{{GEXF_NS}}}position")
    assert gexf_errors(path) == []
    as_written = validate(path, "gexf-1.3")
    assert as_written and all(VIZ_DEFECT.search(line) for line in as_written)


def test_the_check_finds_what_networkx_writes(built, tmp_path: Path):
    """The same graph through networkx's own writers breaks both schemas (so the checks above
    can fail): duplicate edge ids and key ids, ids that are not NMTOKENs, no GEXF 1.3 `xsi`."""
    view = gephi_graph(built.graph)
    nx.write_graphml(view, tmp_path / "nx.graphml", named_key_ids=True)
    errors = validate(tmp_path / "nx.graphml", "graphml")
    assert any("edge_id_unique" in e for e in errors) and any("NMTOKEN" in e for e in errors)
    nx.write_gexf(view, tmp_path / "nx.gexf", version="1.3")
    assert gexf_errors(tmp_path / "nx.gexf")
    assert "networkx_key" in (tmp_path / "nx.gexf").read_text()


def test_gexf_ids_are_unique_and_no_internal_column_is_written(built):
    root = lxml.parse(str(out(built, "graph.gexf"))).getroot()
    edges = root.findall(f".//{{{GEXF_NS}}}edge")
    nodes = root.findall(f".//{{{GEXF_NS}}}node")
    assert len(edges) == built.graph.number_of_edges() and len(nodes) == built.graph.number_of_nodes()
    assert len({e.get("id") for e in edges}) == len(edges)
    assert len({n.get("id") for n in nodes}) == len(nodes)
    titles = {a.get("title") for a in root.iter(f"{{{GEXF_NS}}}attribute")}
    assert titles <= set(NODE_COLUMNS) | set(EDGE_COLUMNS) and "networkx_key" not in titles


@pytest.mark.parametrize("name", ["graph.graphml", "graph.gexf"])
def test_weight_is_the_strength_of_paper_paper_links_only(built, name):
    reader = nx.read_graphml if name.endswith("graphml") else nx.read_gexf
    back = reader(out(built, name))
    kinds = nx.get_node_attributes(back, "kind")
    weighted = 0
    for a, b, data in back.edges(data=True):
        both_papers = kinds[a] == kinds[b] == "paper"
        assert ("weight" in data) == both_papers, (a, b, data)
        if both_papers:
            weighted += 1
            assert 0 < data["weight"] <= 1
    assert weighted
    model = {
        (safe_id(a), safe_id(b), round(d["weight"], 4))
        for a, b, d in built.graph.edges(data=True)
        if d["rel"] == "similar"
    }
    assert {(a, b, d["weight"]) for a, b, d in back.edges(data=True) if d["rel"] == "similar"} == model
    # Each kind's own attributes: a topic score, an author position (a count of shared papers
    # for concepts used together: see the real build's test, this small one has none).
    subject = next(d for *_, d in back.edges(data=True) if d["rel"] == "subject")
    creator = next(d for *_, d in back.edges(data=True) if d["rel"] == "creator")
    assert 0 < subject["score"] <= 1 and creator["position"] >= 1
    related = [d for *_, d in back.edges(data=True) if d["rel"] == "related"]
    assert len(related) == sum(1 for *_, d in built.graph.edges(data=True) if d["rel"] == "related")
    assert all(d["shared_papers"] >= 1 and "weight" not in d for d in related)


@pytest.mark.parametrize("name", ["graph.graphml", "graph.gexf"])
def test_concepts_used_together_count_their_shared_papers(real, name):
    reader = nx.read_graphml if name.endswith("graphml") else nx.read_gexf
    back = reader(out(real, name))
    related = [d for *_, d in back.edges(data=True) if d["rel"] == "related"]
    assert related and all(d["shared_papers"] >= 1 and "weight" not in d for d in related)


def test_an_iri_keyed_node_gets_a_safe_id_and_keeps_its_iri(built):
    back = nx.read_graphml(out(built, "graph.graphml"))
    host = back.nodes[safe_id("host:https://github.com")]
    assert host["iri"] == "https://github.com" and host["kind"] == "host"
    assert all(NMTOKEN.match(n) for n in back.nodes)


@pytest.mark.parametrize(
    "keys",
    [
        ["repo:https://github.com/a/b", "repo:https://github.com/a_2Fb", "repo:https://github.com/a_b"],
        ["source:my file.txt", "source:my_file.txt", "source:my_20file.txt"],
        ["author:müller", "author:mu\u0308ller", "paper:doi-10.1000/x(y)"],
    ],
)
def test_safe_ids_are_nmtokens_and_never_collide(keys):
    ids = [safe_id(k) for k in keys]
    assert all(NMTOKEN.match(i) for i in ids) and len(set(ids)) == len(ids)


def test_text_xml_cannot_hold_is_dropped_and_the_files_stay_valid(tmp_path: Path):
    nodes = [
        ("paper:a", {"label": 'Bad \x0b title & "quotes" <b>\ufffe', "kind": "paper", "x": 1.5, "y": -2.0}),
        ("paper:b/c", {"label": "line\nbreak", "kind": "paper", "size": 4.0}),
    ]
    edges = [("paper:a", "paper:b/c", {"rel": "cites", "weight": float("nan"), "label": "cites"})] * 2
    write_graphml(tmp_path / "g.graphml", nodes, edges, NODE_COLUMNS, EDGE_COLUMNS)
    write_gexf(tmp_path / "g.gexf", nodes, edges, NODE_COLUMNS, EDGE_COLUMNS)
    assert validate(tmp_path / "g.graphml", "graphml") == []
    assert gexf_errors(tmp_path / "g.gexf") == []
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.nodes["paper:a"]["label"] == 'Bad  title & "quotes" <b>'
    assert back.nodes[safe_id("paper:b/c")]["label"] == "line\nbreak"
    assert all("weight" not in d for *_, d in back.edges(data=True))  # NaN is not written
    with pytest.raises(ValueError, match="no column type for colour"):
        write_graphml(tmp_path / "x.graphml", [("n", {"colour": "red"})], [], NODE_COLUMNS, EDGE_COLUMNS)
