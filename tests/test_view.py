from __future__ import annotations

import math
import random
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg import pipeline
from kg.cli import app
from kg.errors import ConfigError, KgError
from kg.graph import build_graph
from kg.model import Paper, Reference, Source
from kg.view import (
    ViewOptions,
    check_drawable,
    find_paper,
    read_build,
    render_html,
    select_view,
    to_pyvis,
    view_data,
)
from kg.view.clusters import OTHER, PALETTE
from kg.view.page import SHAPES, data_of_page
from tests.conftest import DATA

HOI = "Detecting Any Human-Object Interaction Relationship: Universal HOI Detector with Spatial Prompt Learning on Foundation Models"
KIND = {"P": "paper", "C": "concept", "R": "repo", "G": "page", "O": "owner", "A": "author"}


def page_data(html: str) -> dict:
    return data_of_page(html)


def drawn(data: dict) -> list[tuple[str, int, float, float, float, int]]:
    return [tuple(row) for row in data["M"]["n"]]  # type: ignore[misc]


@pytest.fixture(scope="module")
def seed_graph() -> nx.MultiDiGraph:
    return pipeline.build_corpus().graph


@pytest.fixture(scope="module")
def seed_html(seed_graph) -> str:
    return render_html(seed_graph)


@pytest.fixture(scope="module")
def seed_data(seed_html) -> dict:
    return page_data(seed_html)


def test_page_is_self_contained_and_keeps_its_csp(seed_html: str):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", seed_html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", seed_html, re.I)
    assert "@import" not in seed_html and "<link" not in seed_html
    assert "default-src 'none'; script-src 'unsafe-inline'" in seed_html
    assert "vis.Network" in seed_html and "physics: false" in seed_html


def test_input_text_cannot_break_out_and_is_shown_as_text():
    graph = nx.MultiDiGraph()
    evil = 'Attack </script><script>alert(1)</script> <img src=x onerror=alert(2)> & "quotes"'
    graph.add_node("paper:x", kind="paper", key="x", title=evil, abstract="<human, action, object> triplets")
    html = render_html(graph)
    block = re.search(r'id="kg-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    data = page_data(html)
    assert data["P"]["t"] == [evil] and data["P"]["ab"] == ["<human, action, object> triplets"]
    own = html[html.index('"use strict";') :]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in own


def test_seed_page_carries_the_hoi_abstract_literally(seed_data):
    row = seed_data["P"]["t"].index(HOI)
    assert "<human, action, object>" in seed_data["P"]["ab"][row]


def shuffled(graph: nx.MultiDiGraph, seed: int) -> nx.MultiDiGraph:
    nodes = list(graph.nodes(data=True))
    edges = list(graph.edges(keys=True, data=True))
    random.Random(seed).shuffle(nodes)
    random.Random(seed + 1).shuffle(edges)
    copy = nx.MultiDiGraph()
    copy.add_nodes_from(nodes)
    copy.add_edges_from(edges)
    return copy


def test_page_does_not_depend_on_the_model_insertion_order(seed_graph, seed_html):
    assert render_html(seed_graph) == seed_html
    assert render_html(shuffled(seed_graph, 5)) == seed_html
    enriched = enriched_graph()
    options = ViewOptions(groups=("papers", "concepts", "authors"), min_concept_papers=1)
    pages = {render_html(shuffled(enriched, seed), options) for seed in range(4)}
    assert len(pages) == 1


def test_page_redrawn_from_the_builds_rdf_is_the_page_of_the_build(seed_build):
    out = seed_build.outputs[0].parent
    assert render_html(read_build(out)) == (out / "graph.html").read_text()


def test_reading_a_missing_build_says_where(tmp_path: Path):
    with pytest.raises(KgError, match=r"no build here \(graph.ttl or graph.nt\); run `kg build` first"):
        read_build(tmp_path)


def test_kinds_and_min_concept_size_choose_what_is_drawn(seed_graph):
    only_code = view_data(seed_graph, ViewOptions(groups=("papers", "code")))
    kinds = {KIND[t] for t, *_ in drawn(only_code)}
    assert "concept" not in kinds and {"paper", "repo", "owner"} <= kinds
    # Hosts are never drawn; owners only when they serve two papers or more.
    owners = [row for t, row, *_ in drawn(only_code) if t == "O"]
    papers_of = Counter()
    for links in only_code["P"]["x"]:
        for owner in {only_code["R"]["o"][target] for kind, target in links if kind == "code"}:
            papers_of[owner] += 1
    assert owners and all(papers_of[o] >= 2 for o in owners)
    small = view_data(seed_graph, ViewOptions(min_concept_papers=2))
    concepts = lambda d: [row for t, row, *_ in drawn(d) if t == "C"]  # noqa: E731
    # A bar the seeds' tenth largest drawn concept clears (the sizes follow the tagging).
    bar = max(3, sorted((small["C"]["n"][c] for c in concepts(small)), reverse=True)[9])
    large = view_data(seed_graph, ViewOptions(min_concept_papers=bar))
    assert 0 < len(concepts(large)) < len(concepts(small))
    assert all(large["C"]["n"][c] >= bar for c in concepts(large))
    assert any(small["C"]["n"][c] < bar for c in concepts(small))


def test_caps_and_largest_component(seed_graph):
    capped = select_view(seed_graph, ViewOptions(max_nodes=100, max_edges=150))
    assert capped.number_of_nodes() <= 100 and capped.number_of_edges() <= 150
    # Concepts out-rank papers by degree, yet the capped view still shows papers: half of it.
    kinds = Counter(capped.nodes[n]["kind"] for n in capped.nodes)
    assert kinds["paper"] >= 50 and kinds["concept"] > 0
    biggest = select_view(seed_graph, ViewOptions(largest_component=True))
    assert nx.number_connected_components(biggest) == 1


def test_each_coloured_cluster_has_its_own_colour_and_small_ones_share_other(seed_data):
    clusters = seed_data["K"]
    coloured = clusters["coloured"]
    assert 3 < coloured <= len(PALETTE)
    assert clusters["colours"][:coloured] == PALETTE[:coloured]
    assert set(clusters["colours"][coloured:]) <= {OTHER}
    legend = seed_data["legend"]
    assert [row[1] for row in legend] == PALETTE[:coloured]
    # The legend counts every paper of each coloured cluster; the rest are "other".
    counts = Counter(seed_data["P"]["k"])
    assert [row[2] for row in legend] == [counts[k] for k in range(coloured)]
    assert sum(row[2] for row in legend) + clusters["others"] == len(seed_data["P"]["t"])
    names = [row[0] for row in legend]
    assert len(set(names)) == len(names)
    # Each name term is a concept that tags papers of its own cluster.
    concepts = seed_data["C"]
    number = {f.lower(): i for i, label in enumerate(concepts["l"]) for f in [label, *concepts["alt"][i]]}
    for k, name in enumerate(names):
        tagged = Counter(
            c for p, cluster in enumerate(seed_data["P"]["k"]) if cluster == k for c in seed_data["P"]["c"][p]
        )
        assert all(tagged[number[term.lower()]] >= 2 for term in name.split(", ")), name


def test_no_two_drawn_shapes_meet_and_unlinked_nodes_sit_beside_the_map(seed_data):
    rows = drawn(seed_data)
    reach = [size * (1.2 if SHAPES[KIND[t]] == "dot" else 1.42) for t, _, _, _, size, _ in rows]
    for i, a in enumerate(rows):
        for j in range(i + 1, len(rows)):
            b = rows[j]
            assert math.hypot(a[2] - b[2], a[3] - b[3]) >= reach[i] + reach[j], (a, b)
    linked = [r for r in rows if r[5] >= 0]
    loose = [r for r in rows if r[5] < 0]
    width = max(r[2] for r in linked) - min(r[2] for r in linked)
    height = max(r[3] for r in linked) - min(r[3] for r in linked)
    assert 0.5 < width / height < 2
    grid = seed_data["K"]["grid"]
    if loose:
        assert grid[0] > max(r[2] for r in linked) and grid[0] - max(r[2] for r in linked) < 0.3 * width
        assert all(grid[0] <= r[2] <= grid[2] and grid[1] <= r[3] <= grid[3] for r in loose)
    # Clusters are discs apart from one another.
    discs = [d for d in seed_data["K"]["discs"] if d[2] > 0]
    for i, a in enumerate(discs):
        for b in discs[i + 1 :]:
            assert math.hypot(a[0] - b[0], a[1] - b[1]) > a[2] + b[2]


def test_large_clusters_are_laid_out_in_two_levels_without_overlap(seed_graph, monkeypatch):
    from kg.view import layout

    monkeypatch.setattr(layout, "SPLIT_ABOVE", 40)
    rows = drawn(view_data(seed_graph))
    reach = [size * (1.2 if SHAPES[KIND[t]] == "dot" else 1.42) for t, _, _, _, size, _ in rows]
    xy = [(r[2], r[3]) for r in rows]
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            assert math.dist(xy[i], xy[j]) >= reach[i] + reach[j]


def enriched_graph() -> nx.MultiDiGraph:
    """A small corpus with what enrichment and later issues add: authors, dates, citations,
    similarity on several bases, a concept hierarchy and citation counts."""
    papers = [
        Paper(
            "a",
            "Alpha: Speculative decoding with drafts",
            "We study speculative decoding (SD).",
            arxiv_id="2401.00001",
        ),
        Paper("b", "Beta: Draft models for speculative decoding", "Draft models speed up decoding."),
        Paper("c", "Gamma: Medical image segmentation", "Segmentation of scans.", doi="10.1/xyz"),
        Paper("d", "Delta: Lonely paper", None),
    ]
    papers[0].authors = [("Ada Lovelace", "1"), ("Alan Turing", "2")]
    papers[1].authors = [("Ada Lovelace", "1")]
    papers[0].issued, papers[1].issued, papers[2].issued = "2021-05-01", "2023", "2024-02"
    papers[1].references = [Reference(None, papers[0].title, arxiv_id="2401.00001")]
    graph = build_graph(papers, [Source("s.txt", "Mar 11")])
    for key, label, count in (
        ("sd", "speculative decoding", 2),
        ("dec", "decoding", 3),
        ("seg", "segmentation", 1),
    ):
        graph.add_node(
            f"concept:{key}",
            kind="concept",
            slug=key,
            label=label,
            alt_labels=["SD"] if key == "sd" else [],
            papers=count,
        )
    graph.add_edge("paper:a", "concept:sd", rel="subject", score=1.0)
    graph.add_edge("paper:b", "concept:sd", rel="subject", score=0.8)
    graph.add_edge("paper:a", "concept:dec", rel="subject", score=0.5)
    graph.add_edge("paper:b", "concept:dec", rel="subject", score=0.5)
    graph.add_edge("paper:c", "concept:seg", rel="subject", score=1.0)
    graph.add_edge("concept:sd", "concept:dec", rel="broader")
    graph.add_edge("paper:a", "paper:b", rel="similar", weight=0.5, shared=["sd"], basis="concepts")
    graph.add_edge("paper:b", "paper:c", rel="similar", weight=0.2, shared=[], basis="text")
    graph.add_edge("paper:a", "paper:c", rel="similar", weight=0.3, shared=[], basis="concepts")
    graph.nodes["paper:a"]["citation_count"] = 12
    return graph


def test_enrichment_and_new_links_reach_the_page():
    graph = enriched_graph()
    options = ViewOptions(groups=("papers", "concepts", "authors"), min_concept_papers=1, paper="alpha")
    data = view_data(graph, options)
    titles = data["P"]["t"]
    a, b, c = (
        titles.index(t)
        for t in (
            graph.nodes["paper:a"]["title"],
            graph.nodes["paper:b"]["title"],
            graph.nodes["paper:c"]["title"],
        )
    )
    assert data["focus"] == a
    # a cites b and is similar to it: the pair draws one line, the citation.
    assert data["M"]["styles"] == [
        "broader",
        "cites",
        "creator",
        "similar:concepts",
        "similar:text",
        "subject",
    ]
    assert data["E"]["cite"] == [b, a]
    assert sorted(data["E"]["bases"]) == ["concepts", "text"]
    assert data["years"] == [2021, 2024]
    assert data["P"]["d"][b] == "2023" and data["P"]["n"][a] == 12 and data["P"]["n"][b] == -1
    assert [data["A"]["n"][x] for x in data["P"]["a"][a]] == ["Ada Lovelace", "Alan Turing"]
    # Ada wrote two of the papers and is drawn; Alan wrote one and is not.
    authors = [data["A"]["n"][row] for t, row, *_ in drawn(data) if t == "A"]
    assert authors == ["Ada Lovelace"]
    assert data["C"]["b"] == [data["C"]["l"].index("speculative decoding"), data["C"]["l"].index("decoding")]
    assert ["arXiv", "https://arxiv.org/abs/2401.00001"] in data["P"]["x"][a]
    assert ["DOI", "https://doi.org/10.1/xyz"] in data["P"]["x"][c]
    assert data["S"]["d"] == ["Mar 11"]


def test_nothing_to_draw_says_why(seed_graph):
    with pytest.raises(
        KgError, match=r"^nothing to draw: authors: the build has no authors \(they come from enrichment"
    ):
        check_drawable(seed_graph, ViewOptions(groups=("authors",)))
    notes = check_drawable(seed_graph, ViewOptions(groups=("papers", "authors")))
    assert notes == [
        "authors: the build has no authors (they come from enrichment: kg build --enrich arxiv or --enrich s2)"
    ]
    assert view_data(seed_graph, ViewOptions(groups=("papers", "authors")))["notes"] == notes


def test_graph_without_links_draws_its_papers_in_a_grid():
    graph = build_graph([Paper("a", "A: x", "text"), Paper("b", "B: y", None)], [Source("s.txt")])
    data = page_data(render_html(graph))
    assert data["P"]["t"] == ["A: x", "B: y"]
    assert [row[5] for row in drawn(data)] == [-1, -1] and data["K"]["grid"] is not None


def test_find_paper_by_title_or_a_unique_part(seed_graph):
    assert seed_graph.nodes[find_paper(seed_graph, HOI.upper())]["title"] == HOI
    assert seed_graph.nodes[find_paper(seed_graph, "universal hoi detector")]["title"] == HOI
    with pytest.raises(
        KgError, match=r"^12 papers match 'speculative decoding': .* and 9 more \(give more of the title\)$"
    ):
        find_paper(seed_graph, "speculative decoding")
    with pytest.raises(KgError, match=r"^no paper titled 'no such paper' in this build$"):
        find_paper(seed_graph, "no such paper")


def test_unknown_kind_is_refused():
    with pytest.raises(ConfigError, match="unknown node kind"):
        ViewOptions(groups=("papers", "planets"))


def test_to_pyvis_draws_the_pages_nodes(seed_graph, seed_data):
    net = to_pyvis(seed_graph)
    rows = drawn(seed_data)
    assert len(net.nodes) == len(rows) and len(net.edges) == len(seed_data["M"]["e"]) // 4
    for node, (table, _, x, y, size, cluster) in zip(net.nodes, rows, strict=True):
        assert (node["x"], node["y"], node["size"], node["shape"]) == (x, y, size, SHAPES[KIND[table]])
        assert node["color"] == (seed_data["K"]["colours"][cluster] if cluster >= 0 else OTHER)
        assert node["physics"] is False
    hoi = next(n for n in net.nodes if n["title"].startswith(HOI))
    assert hoi["label"] == "Detecting Any Human-Object…"
    assert net.options.physics.enabled is False


runner = CliRunner()


def test_kg_view_redraws_the_last_build_not_the_sample(tmp_path: Path):
    missing = runner.invoke(app, ["view", "--no-open", "--out", str(tmp_path)])
    assert missing.exit_code == 3
    assert missing.stderr == f"Error: {tmp_path / 'graph.html'}: no such page (run `kg build` first)\n"
    redraw = runner.invoke(app, ["view", "--no-open", "--out", str(tmp_path), "--draw", "papers"])
    assert redraw.exit_code == 3
    assert (
        redraw.stderr == f"Error: {tmp_path}: no build here (graph.ttl or graph.nt); run `kg build` first\n"
    )
    assert (
        runner.invoke(
            app, ["build", str(DATA / "pages" / "line_layout.txt"), "-q", "-o", str(tmp_path)]
        ).exit_code
        == 0
    )
    drawn_papers = runner.invoke(app, ["view", "--no-open", "--out", str(tmp_path), "--draw", "papers"])
    assert drawn_papers.exit_code == 0 and drawn_papers.stdout.strip() == str(tmp_path / "graph.html")
    data = page_data((tmp_path / "graph.html").read_text())
    assert len(data["P"]["t"]) == 3 and {KIND[t] for t, *_ in drawn(data)} == {"paper"}


def test_kg_view_says_why_nothing_is_drawn_and_focuses_a_paper(tmp_path: Path):
    assert runner.invoke(app, ["build", "-q", "-o", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "graph.html").read_bytes()
    authors = runner.invoke(
        app, ["view", "--no-open", "-o", str(tmp_path), "--draw", "authors"], env={"COLUMNS": "300"}
    )
    assert authors.exit_code == 3
    assert authors.stderr == (
        "Error: nothing to draw: authors: the build has no authors "
        "(they come from enrichment: kg build --enrich arxiv or --enrich s2)\n"
    )
    assert (tmp_path / "graph.html").read_bytes() == before
    unknown = runner.invoke(app, ["view", "--no-open", "-o", str(tmp_path), "--paper", "no such paper"])
    assert (
        unknown.exit_code == 3 and unknown.stderr == "Error: no paper titled 'no such paper' in this build\n"
    )
    focus = runner.invoke(
        app, ["view", "--no-open", "-o", str(tmp_path), "--paper", "universal HOI detector"]
    )
    assert focus.exit_code == 0
    data = page_data((tmp_path / "graph.html").read_text())
    assert data["P"]["t"][data["focus"]] == HOI


def test_build_writes_the_page(tmp_path: Path):
    result = pipeline.build(out=tmp_path)
    assert (tmp_path / "graph.html") in result.outputs
    assert "html" in result.timings


@pytest.mark.parametrize(
    ("fmt", "listed", "words"),
    [
        ("page", "2025-03-11", "Listed on Hugging Face Daily Papers, 11 Mar 2025"),
        ("hf", "--03-11", "Listed on Hugging Face Daily Papers, 11 Mar"),
        ("snapshot", None, "From the arXiv metadata snapshot"),
        ("bibtex", None, "From a BibTeX library"),
        (None, None, "Listed on Hugging Face Daily Papers"),
    ],
)
def test_where_a_source_was_found_reads_as_a_reader_says_it(fmt, listed, words):
    from kg.view.tables import where_label

    assert where_label(fmt, listed) == words


def test_page_carries_the_similarity_confidence_and_the_sources_in_words(seed_data):
    from kg.relate.similarity import MIN_WEIGHT, STRONG_WEIGHT
    from kg.view.tables import SIMILARITY_SCALE

    assert seed_data["E"]["conf"] == round(MIN_WEIGHT * SIMILARITY_SCALE)
    assert seed_data["E"]["strong"] == round(STRONG_WEIGHT * SIMILARITY_SCALE)
    sim = seed_data["E"]["sim"]
    # No text-similarity link below the confidence is made (no best guess for a paper
    # without a sure neighbour), and some are above the strong mark.
    assert sim and all(sim[i + 2] >= seed_data["E"]["conf"] for i in range(0, len(sim), 4))
    assert any(sim[i + 2] >= seed_data["E"]["strong"] for i in range(0, len(sim), 4))
    assert len(seed_data["S"]["w"]) == len(seed_data["S"]["n"])
    assert all(w.startswith("Listed on Hugging Face Daily Papers") for w in seed_data["S"]["w"])


@pytest.mark.parametrize("room", [0, -1])
def test_the_page_data_is_deflated_exactly_when_its_script_safe_text_is_over_the_limit(monkeypatch, room):
    from kg.view import page

    data = {"t": ["a < b & c > d\u2028"] * 50, "n": list(range(100))}
    safe = page.script_safe_json(data)
    monkeypatch.setattr(page, "COMPRESS_ABOVE", len(safe) + room)
    written = page.page_json(data)
    if room == 0:  # exactly at the limit: plain, and safe inside <script>
        assert written == safe and "<" not in written and "\u2028" not in written
    else:
        assert written.startswith('{"deflated":')
        assert page.data_of_page(f'<script type="application/json" id="kg-data">{written}</script>') == data


def test_the_abstracts_left_out_of_the_data_are_the_deflated_json_list_of_them():
    import base64
    import json
    import zlib

    from kg.view import page

    graph = pipeline.build_corpus().graph
    papers = sorted(n for n, kind in graph.nodes(data="kind") if kind == "paper")
    inline = [None if i % 3 else "kept inline" for i in range(len(papers))]  # every third inline
    block = json.loads(page._more_abstracts(graph, inline))
    packed = base64.b64decode(block["deflated"])
    rest = [None if i % 3 == 0 else graph.nodes[p].get("abstract") for i, p in enumerate(papers)]
    assert json.loads(zlib.decompress(packed)) == rest
    assert any(rest) and any(not (a or "").isascii() for a in rest)  # not ASCII only
    # the same bytes as the whole list deflated at once
    assert packed == zlib.compress(json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode(), 6)
