"""The drawn nodes' clusters, colours and the weighted links the layout follows.

The clusters themselves are of the whole corpus (`kg.view.plan`); here the drawn nodes get
theirs, the ten largest clusters a colour each, the small rest a neutral "other".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from kg import graph as g
from kg.view.plan import Plan
from kg.view.select import BROADER, CITES, weight_of

# Ten hues a reader tells apart, on light and dark backgrounds (Tableau 10, its grey replaced by a
# violet: grey is the colour of the small clusters).
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#5b3f99",
]
OTHER = "#a0a0a0"


@dataclass
class Clusters:
    """Cluster index of each drawn node (-1: linked to nothing), in order of size.

    Clusters `0 .. coloured-1` have their own colour; the rest are small groups drawn in
    the neutral colour.  `concept_of` maps concept nodes (drawn or not) to their cluster;
    `links` is the weighted graph the clusters were found in (drawn nodes and the concepts of
    drawn papers), which the layout also follows.
    """

    of: dict[str, int]
    names: list[str]
    papers: list[int]
    coloured: int
    concept_of: dict[str, int]
    links: nx.Graph

    def colour(self, index: int) -> str:
        return PALETTE[index] if 0 <= index < self.coloured else OTHER


def _cluster_graph(graph: nx.MultiDiGraph, view: nx.Graph) -> nx.Graph:
    """Drawn nodes plus the concepts of drawn papers, joined by weighted links."""
    nodes = graph._node
    drawn_papers = sorted(n for n in view if nodes[n]["kind"] == "paper")
    links = nx.Graph()
    links.add_nodes_from(sorted(view.nodes))

    def add(a: str, b: str, weight: float) -> None:
        old = links.get_edge_data(a, b, {"weight": 0.0})["weight"]
        links.add_edge(a, b, weight=old + weight)

    drawn = set(view.nodes)
    for p in drawn_papers:
        for target, multi in sorted(graph._succ[p].items()):
            for data in multi.values():
                rel = data["rel"]
                if rel == g.SUBJECT and nodes[target].get("papers", 0) >= 2:
                    add(p, target, weight_of(data))
                elif target in drawn and rel in g.SIMILARITIES:
                    add(p, target, 2 * weight_of(data))
                elif target in drawn and rel in (CITES, g.MENTIONS):
                    add(p, target, 0.5)
    for a, b, data in sorted(view.edges(data=True), key=lambda e: (e[0], e[1])):
        if data["rel"] in (g.SUBJECT, *g.SIMILARITIES, CITES, g.MENTIONS, g.RELATED):
            continue  # counted above, or joins concepts that papers already join
        add(a, b, 0.3 if data["rel"] != BROADER else 0.5)
    # An undrawn concept of one drawn paper joins nothing: leave it out (a 10k map has thousands).
    links.remove_nodes_from([n for n in sorted(links) if n not in drawn and links.degree(n) < 2])
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(links.nodes))
    ordered.add_edges_from(sorted(links.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))))
    return ordered


def clusters_of_plan(graph: nx.MultiDiGraph, view: nx.Graph, plan: Plan) -> Clusters:
    """The drawn nodes' clusters, as the whole corpus was clustered (`kg.view.plan`): papers and
    concepts keep theirs; a repository, page, owner or author joins the cluster most of its drawn
    neighbours are in (-1 when none is)."""
    nodes = graph._node
    links = _cluster_graph(graph, view)
    home = plan.cluster()
    of: dict[str, int] = {}
    for n in sorted(view):
        kind = nodes[n]["kind"]
        if kind == "paper":
            of[n] = home.get(n, -1)
        elif kind == "concept":
            of[n] = plan.concept_of.get(n, -1)
    for n in sorted(view):
        if n in of:
            continue
        votes = Counter(of[m] for m in view[n] if of.get(m, -1) >= 0)
        of[n] = min(votes, key=lambda k: (-votes[k], k)) if votes else -1
    # A drawn node linked to nothing goes in the grid, whatever its cluster in the corpus.
    for n in sorted(view):
        if links.degree(n) == 0:
            of[n] = -1
    return Clusters(of, [name.text for name in plan.names], plan.sizes, plan.coloured, plan.concept_of, links)
