"""The interactive HTML view: a self-contained vis-network page with positions computed here.

pyvis ships vis-network; its own templates load that and Bootstrap from CDNs, so the page is
assembled here instead: vis-network's script and style from pyvis's package are inlined, the
graph goes in as JSON data (escaped so no input text can close the script element), and every
text from the inputs reaches the page through `textContent` or the canvas, never as HTML.
The layout is computed in Python (communities placed first, then each community's members) so
the browser draws with physics off and stabilises nothing.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

import networkx as nx

from kg import graph as g
from kg.errors import ConfigError
from kg.view_options import DEFAULT_GROUPS as DEFAULT_GROUPS  # re-exported: `kg.view` stays the one API
from kg.view_options import KIND_GROUPS as KIND_GROUPS
from kg.view_options import ViewOptions

KIND_COLOURS = {
    "paper": "#4c78a8",
    "concept": "#f58518",
    "repo": "#54a24b",
    "owner": "#2f7d32",
    "host": "#9d9d9d",
    "page": "#88d27a",
    "author": "#b279a2",
}
COMMUNITY_COLOURS = [
    "#4c78a8",
    "#e45756",
    "#72b7b2",
    "#eeca3b",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
    "#5778a4",
    "#e49444",
    "#d1615d",
    "#85b6b2",
    "#6a9f58",
    "#e7ca60",
    "#a87c9f",
    "#f1a2a9",
    "#967662",
]
# Edges drawn first when the cap bites: the links the view is for.
EDGE_PRIORITY = {
    g.SIMILAR: 0,
    g.MENTIONS: 1,
    "cites": 1,
    g.SUBJECT: 2,
    g.REPOSITORY: 3,
    g.OWNER: 4,
    g.PROJECT_PAGE: 5,
    "creator": 6,
    g.HOST: 7,
    g.RELATED: 8,
}


def _induced(graph: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph on `nodes` with nodes and edges in sorted order.

    networkx's subgraph views may iterate a set of the chosen nodes, whose order changes with
    string hashing from one process to the next; layouts depend on that order.
    """
    keep = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from((n, graph.nodes[n]) for n in sorted(keep))
    sub.add_edges_from(
        sorted(
            (min(a, b), max(a, b), d)
            for a, b, d in graph.edges(sorted(keep), data=True)
            if a in keep and b in keep
        )
    )
    return sub


def select_view(graph: nx.MultiDiGraph, options: ViewOptions) -> nx.Graph:
    """The simple undirected graph of what will be drawn, capped by degree and edge priority."""
    nodes = graph.nodes
    keep = {
        n
        for n, d in graph.nodes(data=True)
        if d["kind"] in options.kinds
        and (d["kind"] != "concept" or d.get("papers", 0) >= options.min_concept_papers)
    }
    if len(keep) > options.max_nodes:
        # Rank by degree among drawable nodes, reading only the kept nodes' adjacency: on large
        # corpora this avoids walking (and sorting) every edge of the graph.  Papers get up to
        # half of the places: concepts and owners have the highest degrees of a large corpus
        # and would otherwise fill a view that is about papers.
        succ, pred = graph.succ, graph.pred
        degree = {n: len((succ[n].keys() | pred[n].keys()) & keep) for n in keep}
        ranked = sorted(keep, key=lambda n: (-degree[n], n))
        papers = [n for n in ranked if nodes[n]["kind"] == "paper"][: options.max_nodes // 2]
        picked = set(papers)
        others = [n for n in ranked if n not in picked][: options.max_nodes - len(papers)]
        keep = picked | set(others)
    edges = []
    for a in sorted(keep):
        for b, multi in graph.succ[a].items():
            if b in keep and b != a:
                for data in multi.values():
                    weight = -float(data.get("weight", data.get("score", 0)) or 0)
                    edges.append((EDGE_PRIORITY.get(data["rel"], 9), weight, a, b, data["rel"]))
    edges.sort()
    view = nx.Graph()
    view.add_nodes_from(sorted(keep))
    for _, _, a, b, rel in edges:
        if not view.has_edge(a, b):
            view.add_edge(a, b, rel=rel)
    if view.number_of_edges() > options.max_edges:
        kept = [(a, b) for _, _, a, b, _ in edges if view.has_edge(a, b)]
        chosen = list(dict.fromkeys(tuple(sorted(e)) for e in kept))[: options.max_edges]
        trimmed = nx.Graph()
        trimmed.add_nodes_from(sorted(view.nodes))
        trimmed.add_edges_from((a, b, view.edges[a, b]) for a, b in chosen)
        view = trimmed
    if options.largest_component and view.number_of_nodes():
        biggest = max(nx.connected_components(view), key=lambda c: (len(c), sorted(c)[0]))
        view = _induced(view, list(biggest))
    for n in view.nodes:
        view.nodes[n]["kind"] = nodes[n]["kind"]
    return view


def paper_communities(graph: nx.MultiDiGraph, view: nx.Graph) -> tuple[dict[str, int], dict[int, str]]:
    """Clusters of the drawn papers and their names (each cluster's most used concepts).

    Papers cluster by their similarity links (shared concepts) when concepts exist, and
    otherwise by the code owners and pages they share; Louvain with a fixed seed.
    """
    papers = sorted(n for n in view.nodes if view.nodes[n]["kind"] == "paper")
    links = nx.Graph()
    links.add_nodes_from(papers)
    drawn = set(papers)
    succ = graph.succ
    for a in graph:  # the order of graph.edges(), reading only the drawn papers' edges
        if a in drawn:
            for b, multi in succ[a].items():
                if b in drawn:
                    for data in multi.values():
                        if data["rel"] == g.SIMILAR:
                            links.add_edge(a, b, weight=data["weight"])
    if links.number_of_edges() == 0:
        for n in view.nodes:
            if view.nodes[n]["kind"] != "paper":
                around = sorted(m for m in view.neighbors(n) if m in drawn)
                for x, y in itertools.pairwise(around):
                    links.add_edge(x, y, weight=1.0)
    # Louvain walks sets of nodes; integer labels keep that walk, and so the clusters, the same
    # in every process (string hashes change from run to run).
    numbered = nx.convert_node_labels_to_integers(links, ordering="sorted", label_attribute="id")
    found = nx.community.louvain_communities(numbered, weight="weight", seed=7) if papers else []
    groups = sorted(({numbered.nodes[i]["id"] for i in c} for c in found), key=lambda c: (-len(c), min(c)))
    membership = {p: i for i, members in enumerate(groups) for p in members}
    names = {}
    for i, members in enumerate(groups):
        counts: Counter[str] = Counter()
        for p in members:
            for _, target, data in graph.out_edges(p, data=True):
                if data["rel"] == g.SUBJECT:
                    counts[graph.nodes[target]["label"]] += 1
        top = [label for label, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        names[i] = ", ".join(top) if top else f"cluster {i + 1}"
    return membership, names


# A spring layout costs the square of its node count per iteration: groups larger than this
# are split (Louvain within the group) and laid out in two levels, like the whole view.
LAYOUT_DIRECT = 250


def layout(view: nx.Graph, membership: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Positions: communities spread by a small spring layout, members laid out within each.

    Each spring layout runs on one community (or on the graph of communities), so the cost
    follows the sum of squared community sizes rather than the square of the whole view;
    a community too large for one layout is split and placed the same way.
    """
    group_of: dict[str, int] = {}
    for n in sorted(view.nodes):
        if n in membership:
            group_of[n] = membership[n]
            continue
        votes = Counter(membership[m] for m in view.neighbors(n) if m in membership)
        group_of[n] = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if votes else -1
    return {n: (round(float(x), 1), round(float(y), 1)) for n, (x, y) in _place(view, group_of).items()}


def _place(view: nx.Graph, group_of: dict[str, int]) -> dict[str, tuple[float, float]]:
    members: dict[int, list[str]] = defaultdict(list)
    for n, grp in group_of.items():
        members[grp].append(n)
    meta = nx.Graph()
    meta.add_nodes_from(sorted(members))
    for a, b in view.edges:
        ga, gb = group_of[a], group_of[b]
        if ga != gb:
            w = meta.get_edge_data(ga, gb, {"weight": 0})["weight"]
            meta.add_edge(ga, gb, weight=w + 1)
    radius = {grp: 60 * math.sqrt(len(ns)) for grp, ns in members.items()}
    spread = 2.5 * math.sqrt(sum(r * r for r in radius.values()))
    centres = (
        nx.spring_layout(meta, seed=7, weight="weight", scale=spread)
        if len(meta) > 1
        else {k: (0, 0) for k in meta}
    )
    positions: dict[str, tuple[float, float]] = {}
    for grp in sorted(members):
        sub = _induced(view, members[grp])
        parts = _split(sub) if len(sub) > LAYOUT_DIRECT else None
        if parts is not None:
            local = _fit(_place(sub, parts), radius[grp])
        elif len(sub) > 1:
            local = nx.spring_layout(sub, seed=7, iterations=40, scale=radius[grp])
        else:
            local = {n: (0, 0) for n in sub}
        cx, cy = centres[grp]
        for n, (x, y) in local.items():
            positions[n] = (cx + x, cy + y)
    return positions


def _split(sub: nx.Graph) -> dict[str, int] | None:
    """Louvain groups within a large community, or None if it does not divide."""
    numbered = nx.convert_node_labels_to_integers(sub, ordering="sorted", label_attribute="id")
    found = nx.community.louvain_communities(numbered, seed=7)
    if len(found) < 2:
        return None
    groups = sorted(({numbered.nodes[i]["id"] for i in c} for c in found), key=lambda c: (-len(c), min(c)))
    return {n: i for i, members in enumerate(groups) for n in members}


def _fit(positions: dict[str, tuple[float, float]], radius: float) -> dict[str, tuple[float, float]]:
    """Positions scaled to lie within `radius` of the origin."""
    far = max((math.hypot(x, y) for x, y in positions.values()), default=0.0) or 1.0
    return {n: (x * radius / far, y * radius / far) for n, (x, y) in positions.items()}


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_record(graph: nx.MultiDiGraph, n: str) -> dict:
    """What the side panel shows for a node, from the full graph (not only what is drawn)."""
    data = graph.nodes[n]
    kind = data["kind"]
    if kind == "paper":
        links: list[list[str]] = []
        concepts = []
        for _, target, edge in sorted(graph.out_edges(n, data=True), key=lambda e: e[1]):
            rel, t = edge["rel"], graph.nodes[target]
            if rel in (g.REPOSITORY, g.PROJECT_PAGE, g.LINK):
                links.append(
                    [{g.REPOSITORY: "code", g.PROJECT_PAGE: "project page", g.LINK: "link"}[rel], t["iri"]]
                )
            elif rel == g.SUBJECT:
                concepts.append((-edge["score"], t["label"]))
        if data.get("arxiv_id"):
            links.append(["arXiv", f"https://arxiv.org/abs/{data['arxiv_id']}"])
        return {
            "kind": kind,
            "name": data["title"],
            "text": data.get("abstract") or "(no abstract on the page)",
            "links": links,
            "concepts": [label for _, label in sorted(concepts)],
        }
    if kind == "concept":
        return {
            "kind": kind,
            "name": data["label"],
            "text": f"{data['papers']} papers",
            "links": [],
            "concepts": data.get("alt_labels", []),
        }
    name = data.get("name") or data.get("iri") or n
    return {
        "kind": kind,
        "name": name,
        "text": "",
        "links": [[kind, data["iri"]]] if data.get("iri") else [],
        "concepts": [],
    }


def view_data(graph: nx.MultiDiGraph, options: ViewOptions | None = None) -> dict:
    """Everything the page needs, as plain data (sorted, so the page is deterministic)."""
    options = options or ViewOptions()
    view = select_view(graph, options)
    membership, names = paper_communities(graph, view)
    positions = layout(view, membership)
    index = {n: i for i, n in enumerate(sorted(view.nodes))}
    nodes = []
    for n in sorted(view.nodes):
        record = _node_record(graph, n)
        kind = record["kind"]
        colour = (
            COMMUNITY_COLOURS[membership[n] % len(COMMUNITY_COLOURS)]
            if n in membership
            else KIND_COLOURS[kind]
        )
        x, y = positions[n]
        nodes.append(
            {
                "id": index[n],
                "label": _short(record["name"]),
                "x": x,
                "y": y,
                "size": round(6 + 3 * math.sqrt(view.degree(n)), 1),
                "color": colour,
                "shape": "dot" if kind == "paper" else "diamond" if kind == "concept" else "square",
                **record,
                "community": membership.get(n, -1),
            }
        )
    edges = [{"from": index[a], "to": index[b]} for a, b in sorted((min(e), max(e)) for e in view.edges)]
    legend = {
        "kinds": [
            [k, KIND_COLOURS[k]]
            for k in sorted(options.kinds)
            if any(view.nodes[n]["kind"] == k for n in view.nodes)
        ],
        "communities": [
            [names[i], COMMUNITY_COLOURS[i % len(COMMUNITY_COLOURS)]] for i in sorted(names)[:12]
        ],
    }
    return {"nodes": nodes, "edges": edges, "legend": legend, "total": graph.number_of_nodes()}


def _asset(name: str) -> str:
    base = resources.files("pyvis") / "lib" / "vis-9.1.2"
    return (base / name).read_text(encoding="utf-8")


def _script_safe_json(data: object) -> str:
    """JSON that cannot end the <script> element it sits in, whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_html(graph: nx.MultiDiGraph, options: ViewOptions | None = None) -> str:
    """The self-contained page for `graph`."""
    data = view_data(graph, options)
    template = (resources.files("kg") / "data" / "view.html").read_text(encoding="utf-8")
    script = _asset("vis-network.min.js")
    if "</script" in script.lower():  # would end the inline element early
        raise ConfigError("bundled vis-network script cannot be inlined")
    return (
        template.replace("/*VIS_CSS*/", _asset("vis-network.css"))
        .replace("/*VIS_JS*/", script)
        .replace("/*KG_DATA*/", _script_safe_json(data))
    )


def write_html(graph: nx.MultiDiGraph, path: Path, options: ViewOptions | None = None) -> None:
    path.write_text(render_html(graph, options), encoding="utf-8")
