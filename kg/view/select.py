"""Which nodes and edges of the model the map draws, within the caps."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from kg import graph as g
from kg.errors import KgError
from kg.view.options import ViewOptions

CITES = "cites"
CREATOR = "creator"
BROADER = "broader"
# Edges drawn first when the cap bites: the links the map is for.  A pair of papers draws one
# line: a citation (the direct fact, with its direction) before their similarity.
EDGE_PRIORITY = {
    CITES: 0,
    g.SIMILAR: 1,
    g.COUPLED: 1,  # similar papers too, by their references, citing works or embeddings
    g.CO_CITED: 1,
    g.NEAR: 1,
    g.MENTIONS: 1,
    g.SUBJECT: 2,
    BROADER: 3,
    g.REPOSITORY: 3,
    g.PROJECT_PAGE: 4,
    g.OWNER: 4,
    g.LINK: 4,
    CREATOR: 5,
    g.RELATED: 8,
}
UNDIRECTED = {*g.SIMILARITIES, g.RELATED}
# Owners and authors are drawn when they join at least this many papers: one that serves a
# single paper is a leaf that adds a node and says nothing the paper's panel does not.
MIN_SHARED = 2


# The view reads the model through networkx's own dictionaries (`_node`, `_succ`, `_pred`), as
# kg.export.rdf does: a 10k-paper corpus means hundreds of thousands of lookups, and the views cost
# several times more each.  Nothing is changed.


def weight_of(data: dict) -> float:
    """An edge's weight or score, rounded as the RDF export writes it (so a page redrawn from
    graph.ttl is the page drawn from memory)."""
    return round(float(data.get("weight", data.get("score", 0)) or 0), 4)


def _papers_served(graph: nx.MultiDiGraph, node: str) -> set[str]:
    """Papers that reach an owner or author through their links (paper -> repo -> owner)."""
    found = set()
    for m in graph._pred[node]:
        kind = graph._node[m]["kind"]
        if kind == "paper":
            found.add(m)
        elif kind in ("repo", "page", "link"):
            found.update(p for p in graph._pred[m] if graph._node[p]["kind"] == "paper")
    return found


def drawable(graph: nx.MultiDiGraph, options: ViewOptions) -> set[str]:
    """Nodes of the chosen kinds that pass the thresholds (before the caps)."""
    keep = set()
    for n, d in graph.nodes(data=True):
        kind = d["kind"]
        if kind not in options.kinds:
            continue
        if kind == "concept" and d.get("papers", 0) < options.min_concept_papers:
            continue
        if kind in ("owner", "author") and len(_papers_served(graph, n)) < MIN_SHARED:
            continue
        keep.add(n)
    return keep


def empty_groups(graph: nx.MultiDiGraph, options: ViewOptions) -> dict[str, str]:
    """For each chosen group that draws nothing, why (the page and `kg view` say so)."""
    present = {k for _, k in graph.nodes(data="kind")}
    keep = drawable(graph, options)
    drawn_kinds = {graph._node[n]["kind"] for n in keep}
    reasons = {}
    for group in options.groups:
        if group == "papers" and "paper" not in drawn_kinds:
            reasons[group] = "the build has no papers"
        elif group == "concepts" and "concept" not in drawn_kinds:
            reasons[group] = (
                f"no concept tags {options.min_concept_papers} or more papers (lower --min-concept-papers)"
                if "concept" in present
                else "the build has no concepts"
            )
        elif group == "code" and not drawn_kinds & {"repo", "page", "owner"}:
            reasons[group] = "no paper names a code repository or project page"
        elif group == "authors" and "author" not in drawn_kinds:
            reasons[group] = (
                f"no author wrote {MIN_SHARED} or more of the papers"
                if "author" in present
                else "the build has no authors (they come from enrichment: kg build --enrich arxiv or --enrich s2)"
            )
    return reasons


def check_drawable(graph: nx.MultiDiGraph, options: ViewOptions) -> list[str]:
    """Notes on the chosen groups that draw nothing ("authors: the build has no authors ...").

    Raises `KgError` saying why when nothing at all would be drawn.
    """
    notes = [f"{group}: {why}" for group, why in empty_groups(graph, options).items()]
    if not drawable(graph, options):
        raise KgError("nothing to draw: " + "; ".join(notes))
    return notes


def select_view(
    graph: nx.MultiDiGraph, options: ViewOptions, sample: Sequence[str] | None = None
) -> nx.Graph:
    """The simple undirected graph of what will be drawn, capped by degree and edge priority.

    When the cap bites, the drawn papers are `sample` (see `kg.view.plan.sample_papers`), or
    else the best linked; the other places go to what links them most.  Each edge keeps its
    relation (`rel`), the node it starts from (`source`), its weight and, for similarity
    links, what the similarity rests on (`basis`).
    """
    nodes = graph._node
    keep = drawable(graph, options)
    if len(keep) > options.max_nodes:
        # Rank by degree among drawable nodes, reading only the kept nodes' adjacency: on large
        # corpora this avoids walking (and sorting) every edge of the graph.  Papers get up to
        # half of the places: concepts and owners have the highest degrees of a large corpus
        # and would otherwise fill a view that is about papers.
        succ, pred = graph._succ, graph._pred
        degree = {n: len((succ[n].keys() | pred[n].keys()) & keep) for n in keep}
        ranked = sorted(keep, key=lambda n: (-degree[n], n))
        if sample is not None:
            papers = sorted(n for n in sample if n in keep)
        else:
            papers = [n for n in ranked if nodes[n]["kind"] == "paper"][: options.max_nodes // 2]
        picked = set(papers)
        # The other places go to what links the chosen papers most (a concept none of them
        # carries would stand alone).
        # With a sample, the papers drawn are the sample's alone (it is what the page says).
        rest = keep - picked if sample is None else {n for n in keep - picked if nodes[n]["kind"] != "paper"}
        near = {n: len((succ[n].keys() | pred[n].keys()) & picked) for n in rest}
        others = sorted((n for n in near if near[n] or not papers), key=lambda n: (-near[n], -degree[n], n))
        keep = picked | set(others[: options.max_nodes - len(papers)])
    edges = []
    for a in sorted(keep):
        for b, multi in graph._succ[a].items():
            if b in keep and b != a:
                for data in multi.values():
                    rel = data["rel"]
                    if rel not in EDGE_PRIORITY:
                        continue
                    basis = data.get("basis")
                    if isinstance(basis, (list, tuple)):
                        basis = ",".join(sorted(basis))
                    # Undirected links keep one orientation, whatever order the model has.
                    x, y = (min(a, b), max(a, b)) if rel in UNDIRECTED else (a, b)
                    edges.append((EDGE_PRIORITY[rel], -weight_of(data), x, y, rel, basis or ""))
    edges.sort()
    view = nx.Graph()
    view.add_nodes_from(sorted(keep))
    count = 0  # (number_of_edges() walks every node)
    for _, weight, a, b, rel, basis in edges:
        if count >= options.max_edges:
            break
        if not view.has_edge(a, b):
            view.add_edge(a, b, rel=rel, source=a, weight=-weight, basis=basis)
            count += 1
    if options.largest_component and view.number_of_nodes():
        biggest = max(nx.connected_components(view), key=lambda c: (len(c), sorted(c)[0]))
        view = induced(view, biggest)
    for n in view.nodes:
        view.nodes[n]["kind"] = nodes[n]["kind"]
    return view


def induced(graph: nx.Graph, nodes: set[str] | list[str]) -> nx.Graph:
    """The subgraph on `nodes` with nodes and edges in sorted order.

    networkx's subgraph views may iterate a set of the chosen nodes, whose order changes with
    string hashing from one process to the next; layouts depend on that order.
    """
    keep = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from((n, graph._node[n]) for n in sorted(keep))
    sub.add_edges_from(
        sorted(
            (
                (min(a, b), max(a, b), d)
                for a, b, d in graph.edges(sorted(keep), data=True)
                if a in keep and b in keep
            ),
            key=lambda e: (e[0], e[1]),
        )
    )
    return sub
