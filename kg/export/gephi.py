"""The graph as Gephi, Cytoscape and VOSviewer-minded tools open it: GraphML and GEXF.

Both files hold every node and edge of the model, written by networkx's own writers, with
typed attributes (strings, integers, floats), a `label` per node, a `cluster` per paper
(Louvain communities of the similarity links, as kg's map draws them), a `weight` per edge
(the similarity, topic score or co-occurrence count; 1 otherwise) and a starting layout:
`x`/`y` attributes in GraphML, `viz:position` in GEXF.  Nodes keep their RDF IRIs (`iri`),
so a node found in Gephi is the same thing a SPARQL query names.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx

from kg import graph as g
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


_WEIGHT = {**{rel: "weight" for rel in g.SIMILARITIES}, g.SUBJECT: "score", g.RELATED: "weight"}


def gephi_graph(graph: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> nx.MultiDiGraph:
    """A copy of the model whose attributes Gephi and Cytoscape read: scalars of one type per
    name, in sorted node order (the files are deterministic)."""
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
    edges = sorted(
        (a, b, data["rel"], float(data.get(_WEIGHT.get(data["rel"], ""), 1.0)))
        for a, b, data in graph.edges(data=True)
    )
    for a, b, rel, weight in edges:
        out.add_edge(a, b, label=rel, rel=rel, weight=round(weight, 4))
    return out


def write_gephi(graph: nx.MultiDiGraph, path: Path, fmt: str, base: str = DEFAULT_BASE) -> None:
    """Write `graph` to `path` as GraphML (`fmt="graphml"`) or GEXF 1.2 (`fmt="gexf"`)."""
    view = gephi_graph(graph, base)
    if fmt == "graphml":
        nx.write_graphml(view, path, encoding="utf-8", prettyprint=True, named_key_ids=True)
        return
    for _, data in view.nodes(data=True):
        # GEXF keeps layout and size in its `viz` module, which Gephi reads as the drawing.
        data["viz"] = {
            "position": {"x": data.pop("x"), "y": data.pop("y"), "z": 0.0},
            "size": data.pop("size"),
        }
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:  # the writer stamps today's date: the same graph must give the same bytes
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "kg"
    writer.add_graph(view)
    with open(path, "wb") as out:
        writer.write(out)
