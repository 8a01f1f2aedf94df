"""The graph as Gephi, Cytoscape and VOSviewer-minded tools open it: GraphML and GEXF.

Both files hold every node and edge of the model and validate against their published schemas
(GraphML 1.0, GEXF 1.3), with typed attributes (strings, integers, floats), a `label` per node,
a `cluster` per paper (Louvain communities of the similarity links, as kg's map draws them),
per edge its `rel` and the attributes of that kind of edge (`EDGE_COLUMNS`; `weight` only on
paper-paper edges) and a starting layout: `x`/`y` in GraphML, `viz:position` in GEXF.  Node ids
are the model's keys made safe for XML (`graphxml.safe_id`); nodes keep their RDF IRIs (`iri`),
so a node found in Gephi is the same thing a SPARQL query names.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx

from kg import graph as g
from kg.export.graphxml import write_gexf, write_graphml
from kg.export.iris import Minter
from kg.export.namespaces import DEFAULT_BASE

FORMATS = ("graphml", "gexf")
# Clusters up to this size get a spring layout of their own; larger ones (and the papers no
# similarity link reaches) are arranged on a sunflower spiral, which costs nothing.
SPRING_MAX = 400
_GOLDEN = math.pi * (3 - math.sqrt(5))


def _label(data: dict) -> str:
    kind = data["kind"]
    if kind == "paper":
        return data["title"] or data.get("arxiv_id") or data["key"]
    if kind == "concept":
        return data["label"]
    if kind == "source":
        return data["name"]
    return data.get("name") or data.get("title") or data.get("iri") or ""


def _iri(mint: Minter, data: dict) -> str:
    kind = data["kind"]
    if kind == "paper":
        return mint.paper(data["key"])
    if kind == "concept":
        return mint.concept(data["slug"])
    if kind == "source":
        return mint.source(data["name"])
    if kind == "author":
        return mint.author(data["key"])
    return data.get("iri", "")


def paper_clusters(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Louvain communities of the papers over their similarity links (weighted), numbered by
    size; a paper with no similar paper is a cluster of its own only if it has company:
    those are left out (-1)."""
    links = nx.Graph()
    for a, b, data in graph.edges(data=True):
        if data["rel"] == g.SIMILAR:
            links.add_edge(a, b, weight=data["weight"])
    if links.number_of_edges() == 0:
        return {}
    # Integer labels in sorted order keep Louvain's walk, so the clusters, the same in every
    # process (string hashes change from run to run).
    numbered = nx.convert_node_labels_to_integers(links, ordering="sorted", label_attribute="id")
    found = nx.community.louvain_communities(numbered, weight="weight", seed=7)
    groups = sorted(({numbered.nodes[i]["id"] for i in c} for c in found), key=lambda c: (-len(c), min(c)))
    return {n: i for i, members in enumerate(groups) for n in members}


def _sunflower(count: int, radius: float) -> list[tuple[float, float]]:
    """`count` points spread evenly over a disc of `radius` (Vogel's spiral)."""
    if count == 1:
        return [(0.0, 0.0)]
    return [
        (radius * math.sqrt((i + 0.5) / count) * math.cos(i * _GOLDEN),
         radius * math.sqrt((i + 0.5) / count) * math.sin(i * _GOLDEN))
        for i in range(count)
    ]  # fmt: skip


def layout(graph: nx.MultiDiGraph, clusters: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Starting positions: each cluster of papers on a disc of its own (a spring layout of its
    similarity links when small), the discs on a spiral by size; every other node at the
    middle of its placed neighbours, the rest on a ring outside.

    Cost grows with the graph, not its square, so a 100k-paper graph is placed in seconds;
    Gephi's ForceAtlas 2 refines it.
    """
    members: dict[int, list[str]] = defaultdict(list)
    for paper, cluster in clusters.items():
        members[cluster].append(paper)
    loose = sorted(n for n, kind in graph.nodes(data="kind") if kind == "paper" and n not in clusters)
    groups = [sorted(members[c]) for c in sorted(members)] + ([loose] if loose else [])
    radii = [40 * math.sqrt(len(group)) for group in groups]
    positions: dict[str, tuple[float, float]] = {}
    total = math.sqrt(sum(r * r for r in radii)) * 2.2
    centres = _sunflower(len(groups), total) if groups else []
    for group, radius, (cx, cy) in zip(groups, radii, centres, strict=True):
        if 1 < len(group) <= SPRING_MAX and group is not loose:
            sub = nx.Graph()
            sub.add_nodes_from(group)
            for a in group:
                for b, multi in graph.succ[a].items():
                    if b in sub and any(d["rel"] == g.SIMILAR for d in multi.values()):
                        sub.add_edge(a, b)
            local = nx.spring_layout(sub, seed=7, iterations=40, scale=radius)
            spots = [(float(local[n][0]), float(local[n][1])) for n in group]
        else:
            spots = _sunflower(len(group), radius)
        for n, (x, y) in zip(group, spots, strict=True):
            positions[n] = (cx + x, cy + y)
    # Concepts, code and sources sit among the papers they serve; hosts among their repos.
    rest = sorted(n for n in graph.nodes if n not in positions)
    for _ in range(2):
        placed_now = {}
        for n in rest:
            around = [positions[m] for m in (*graph.succ[n], *graph.pred[n]) if m in positions]
            if around:
                placed_now[n] = (
                    sum(x for x, _ in around) / len(around),
                    sum(y for _, y in around) / len(around),
                )
        positions.update(placed_now)
        rest = [n for n in rest if n not in positions]
    ring = total * 1.3 + 100
    for i, n in enumerate(rest):
        angle = 2 * math.pi * i / max(len(rest), 1)
        positions[n] = (ring * math.cos(angle), ring * math.sin(angle))
    # Nodes placed at the same middle would hide one another: nudge each along its own angle.
    seen: Counter[tuple[float, float]] = Counter()
    for n in sorted(positions):
        x, y = round(positions[n][0], 1), round(positions[n][1], 1)
        k = seen[(x, y)]
        seen[(x, y)] += 1
        if k:
            x, y = x + 6 * math.sqrt(k) * math.cos(k * _GOLDEN), y + 6 * math.sqrt(k) * math.sin(k * _GOLDEN)
        positions[n] = (round(x, 1), round(y, 1))
    return positions


# The columns of the two files, with their types.  Nodes: what names and places them.
NODE_COLUMNS: dict[str, type] = {
    "label": str, "kind": str, "iri": str,
    "cluster": int, "arxiv_id": str, "doi": str, "issued": str, "venue": str,  # papers
    "upvotes": int, "citation_count": int, "influential_citation_count": int,  # papers
    "paper_count": int,  # concepts
    "x": float, "y": float, "size": float,
}  # fmt: skip
# Edges: `rel` and what that kind of edge carries, each attribute meaning one thing.  `weight`
# is on paper-paper edges only: the link's strength (0-1) for the four similarity kinds, 1 for
# a citation or a mention; no other edge has one, so weighted measures run on papers alone.
EDGE_COLUMNS: dict[str, type] = {
    "label": str, "rel": str, "weight": float,
    "basis": str, "by_concepts": float, "by_text": float,  # similar (basis: all four kinds)
    "shared_references": int,  # coupled
    "citing_works": int,  # co_cited
    "score": float,  # subject: how central the concept is to the paper
    "shared_papers": int,  # related: papers tagged with both concepts
    "position": int,  # creator: 1 = first author
    "line": int,  # derived_from: the line of the source file
    "name": str,  # mentions: the name the paper was mentioned by
    "written": str,  # repository, project_page, link: the address as the paper wrote it
}  # fmt: skip
# The model's edge attribute each column comes from, per `rel` (the rest: none).
_EDGE_FROM: dict[str, dict[str, str]] = {
    g.SIMILAR: {"weight": "weight", "basis": "basis", "by_concepts": "by_concepts", "by_text": "by_text"},
    g.COUPLED: {"weight": "weight", "basis": "basis", "shared_references": "count"},
    g.CO_CITED: {"weight": "weight", "basis": "basis", "citing_works": "count"},
    g.NEAR: {"weight": "weight", "basis": "basis"},
    g.SUBJECT: {"score": "score"},
    g.RELATED: {"shared_papers": "weight"},
    g.CREATOR: {"position": "position"},
    g.DERIVED_FROM: {"line": "line"},
    g.MENTIONS: {"name": "name"},
    g.REPOSITORY: {"written": "written"},
    g.PROJECT_PAGE: {"written": "written"},
    g.LINK: {"written": "written"},
}


def _edge_attrs(graph: nx.MultiDiGraph, a: str, b: str, data: dict) -> dict[str, object]:
    rel = data["rel"]
    attrs: dict[str, object] = {"label": rel, "rel": rel}
    for column, name in _EDGE_FROM.get(rel, {}).items():
        value = data.get(name)
        if value is None:
            continue
        kind = EDGE_COLUMNS[column]
        attrs[column] = round(float(value), 4) if kind is float else kind(value)
    if "weight" not in attrs and graph.nodes[a]["kind"] == graph.nodes[b]["kind"] == "paper":
        attrs["weight"] = 1.0  # a citation or a mention: a whole link
    return attrs


def gephi_graph(graph: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> nx.MultiDiGraph:
    """A copy of the model with the attributes Gephi and Cytoscape read (`NODE_COLUMNS`,
    `EDGE_COLUMNS`): scalars of one type per name, nodes in sorted order, edges sorted by
    their ends and `rel` (the files are deterministic)."""
    mint = Minter(base)
    clusters = paper_clusters(graph)
    positions = layout(graph, clusters)
    degree = dict(graph.degree())
    out = nx.MultiDiGraph()
    for n in sorted(graph.nodes):
        data = graph.nodes[n]
        attrs: dict[str, object] = {"label": _label(data), "kind": data["kind"], "iri": _iri(mint, data)}
        if data["kind"] == "paper":
            attrs["cluster"] = clusters.get(n, -1)
            for name in ("arxiv_id", "doi", "issued", "venue"):
                if data.get(name):
                    attrs[name] = str(data[name])
            for name in ("upvotes", "citation_count", "influential_citation_count"):
                if data.get(name) is not None:
                    attrs[name] = int(data[name])
        elif data["kind"] == "concept":
            attrs["paper_count"] = int(data["papers"])
        x, y = positions[n]
        attrs["x"], attrs["y"] = x, y
        attrs["size"] = round(4 + 2 * math.sqrt(degree[n]), 1)
        out.add_node(n, **attrs)
    # A stable sort: edges with the same ends and rel keep the model's (deterministic) order.
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["rel"])):
        out.add_edge(a, b, **_edge_attrs(graph, a, b, data))
    return out


def write_gephi(graph: nx.MultiDiGraph, path: Path, fmt: str, base: str = DEFAULT_BASE) -> None:
    """Write `graph` to `path` as GraphML 1.0 (`fmt="graphml"`) or GEXF 1.3 (`fmt="gexf"`)."""
    view = gephi_graph(graph, base)
    nodes = list(view.nodes(data=True))
    edges = list(view.edges(data=True))
    if fmt == "graphml":
        write_graphml(path, nodes, edges, NODE_COLUMNS, EDGE_COLUMNS)
    else:
        write_gexf(path, nodes, edges, NODE_COLUMNS, EDGE_COLUMNS, description="kg: papers, concepts, code")
