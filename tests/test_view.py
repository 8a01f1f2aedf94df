from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg import pipeline
from kg.cli import app
from kg.errors import ConfigError
from kg.model import Paper, Source
from kg.view import ViewOptions, render_html, select_view, view_data

HOI = "Detecting Any Human-Object Interaction Relationship: Universal HOI Detector with Spatial Prompt Learning on Foundation Models"


def page_data(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert raw is not None
    return json.loads(raw.group(1))


@pytest.fixture(scope="module")
def seed_graph() -> nx.MultiDiGraph:
    return pipeline.build_corpus().graph


@pytest.fixture(scope="module")
def seed_html(seed_graph) -> str:
    return render_html(seed_graph)


def test_page_references_no_external_resource(seed_html: str):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", seed_html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", seed_html, re.I)
    assert "@import" not in seed_html and "<link" not in seed_html
    assert "vis.Network" in seed_html and "physics: false" in seed_html


def test_input_text_cannot_break_out_of_the_data_block():
    graph = nx.MultiDiGraph()
    evil = 'Attack </script><script>alert(1)</script> <img src=x onerror=alert(2)> & "quotes"'
    graph.add_node("paper:x", kind="paper", key="x", title=evil, abstract="<human, action, object> triplets")
    html = render_html(graph)
    block = re.search(r'id="kg-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    node = page_data(html)["nodes"][0]
    assert node["name"] == evil and node["text"] == "<human, action, object> triplets"
    assert "innerHTML" not in html.split("/*VIS_JS*/")[0] and ".innerHTML" not in html[-6000:]


def test_seed_page_carries_the_hoi_abstract_literally(seed_html: str):
    data = page_data(seed_html)
    node = next(n for n in data["nodes"] if n["name"] == HOI)
    assert "<human, action, object>" in node["text"]


def test_same_graph_same_page(seed_graph, seed_html):
    assert render_html(seed_graph) == seed_html


def test_kinds_and_min_concept_size_choose_what_is_drawn(seed_graph):
    only_code = view_data(seed_graph, ViewOptions(groups=("papers", "code")))
    kinds = {n["kind"] for n in only_code["nodes"]}
    assert "concept" not in kinds and {"paper", "repo", "owner"} <= kinds
    small = view_data(seed_graph, ViewOptions(min_concept_papers=2))
    large = view_data(seed_graph, ViewOptions(min_concept_papers=20))
    concepts = lambda d: [n for n in d["nodes"] if n["kind"] == "concept"]  # noqa: E731
    assert len(concepts(large)) < len(concepts(small))
    assert concepts(large) and all(int(n["text"].split()[0]) >= 20 for n in concepts(large))


def test_caps_and_largest_component(seed_graph):
    capped = select_view(seed_graph, ViewOptions(max_nodes=100, max_edges=150))
    assert capped.number_of_nodes() <= 100 and capped.number_of_edges() <= 150
    # Concepts out-rank papers by degree, yet the capped view still shows papers: half of it.
    kinds = Counter(capped.nodes[n]["kind"] for n in capped.nodes)
    assert kinds["paper"] == 50 and kinds["concept"] > 0
    biggest = select_view(seed_graph, ViewOptions(largest_component=True))
    assert nx.number_connected_components(biggest) == 1


def test_papers_are_coloured_by_named_concept_clusters(seed_graph):
    data = view_data(seed_graph)
    papers = [n for n in data["nodes"] if n["kind"] == "paper"]
    assert len({n["community"] for n in papers}) > 3
    names = [name for name, _ in data["legend"]["communities"]]
    assert any("large language model" in name for name in names)
    assert any("speech recognition" in name for name in names)


def test_graph_without_concepts_still_draws(tmp_path: Path):
    papers = [Paper("a", "A: x", "text"), Paper("b", "B: y", None)]
    from kg.graph import build_graph

    graph = build_graph(papers, [Source("s.txt")])
    data = page_data(render_html(graph))
    assert [n["name"] for n in data["nodes"]] == ["A: x", "B: y"]


def test_unknown_kind_is_refused():
    with pytest.raises(ConfigError, match="unknown node kind"):
        ViewOptions(groups=("papers", "planets"))


def test_kg_view_no_open_prints_the_path_and_redraws_on_options(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(app, ["view", "--no-open", "--out", str(tmp_path)])
    assert missing.exit_code == 1 and "run `kg build` first" in missing.stderr
    drawn = runner.invoke(app, ["view", "--no-open", "--out", str(tmp_path), "--draw", "papers"])
    assert drawn.exit_code == 0 and drawn.stdout.strip() == str(tmp_path / "graph.html")
    kinds = {n["kind"] for n in page_data((tmp_path / "graph.html").read_text())["nodes"]}
    assert kinds == {"paper"}


def test_build_writes_the_page(tmp_path: Path):
    result = pipeline.build(out=tmp_path)
    assert (tmp_path / "graph.html") in result.outputs
    assert "html" in result.timings
