"""Clusters of the drawn papers, their names and colours.

Papers cluster with the concepts they are tagged with (drawn or not) and the papers they are
similar to, cite or mention: Louvain on that graph, with a fixed seed, at the coarsest
resolution (of a few) whose largest clusters hold nearly all papers, so that the few colours
a reader can tell apart cover the map.  Only those clusters get a colour of their own; the
small rest share a neutral "other".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from kg import graph as g
from kg.view.plan import Plan
from kg.view.select import BROADER, CITES, induced, weight_of

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
RESOLUTIONS = (1.0, 0.7, 0.5, 0.35, 0.25)
COVERAGE = 0.85  # the coloured clusters should hold this share of the drawn papers
MIN_CLUSTER = 3  # fewer papers than this never get a colour


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


def _louvain(links: nx.Graph, resolution: float) -> list[set[str]]:
    # Louvain walks sets of nodes; integer labels keep that walk, and so the clusters, the same
    # in every process (string hashes change from run to run).
    numbered = nx.convert_node_labels_to_integers(links, ordering="sorted", label_attribute="id")
    found = nx.community.louvain_communities(numbered, weight="weight", resolution=resolution, seed=7)
    return [{numbered.nodes[i]["id"] for i in c} for c in found]


def _coarser(links: nx.Graph, groups: list[set[str]], resolution: float) -> list[set[str]]:
    """Louvain at a coarser `resolution`, started from `groups`: on the graph of the groups
    (their inner links as self-loops), which is small, instead of the whole graph again."""
    ordered = sorted(groups, key=min)
    home = {n: i for i, members in enumerate(ordered) for n in members}
    meta = nx.Graph()
    meta.add_nodes_from(range(len(ordered)))
    for a, b, w in links.edges(data="weight"):
        ga, gb = sorted((home[a], home[b]))
        meta.add_edge(ga, gb, weight=meta.get_edge_data(ga, gb, {"weight": 0.0})["weight"] + w)
    ordered_meta = nx.Graph()
    ordered_meta.add_nodes_from(range(len(ordered)))
    ordered_meta.add_edges_from(sorted(meta.edges(data=True)))
    found = nx.community.louvain_communities(ordered_meta, weight="weight", resolution=resolution, seed=7)
    return [set().union(*(ordered[i] for i in c)) for c in found]


def find_clusters(graph: nx.MultiDiGraph, view: nx.Graph) -> Clusters:
    """Clusters of the drawn nodes, largest first, named by their most telling concepts."""
    nodes = graph._node
    links = _cluster_graph(graph, view)
    linked = [n for n in links if links.degree(n) > 0]
    sub = induced(links, linked)
    is_paper = {n: nodes[n]["kind"] == "paper" for n in links}
    total = sum(1 for n in view if is_paper[n]) or 1
    groups: list[set[str]] = []
    if sub.number_of_edges():
        finest = _louvain(sub, RESOLUTIONS[0])
        for resolution in RESOLUTIONS:
            groups = finest if resolution == RESOLUTIONS[0] else _coarser(sub, finest, resolution)
            sizes = sorted((sum(is_paper[n] for n in c) for c in groups), reverse=True)
            if sum(sizes[: len(PALETTE)]) >= COVERAGE * total:
                break

    def order(c: set[str]) -> tuple[int, int, str]:
        return (-sum(is_paper[n] for n in c), -len(c), min(c))

    groups.sort(key=order)
    of = {n: -1 for n in view}
    concept_of = {}
    for i, members in enumerate(groups):
        for n in members:
            if n in of:
                of[n] = i
            if nodes[n]["kind"] == "concept":
                concept_of[n] = i
    papers = [sum(is_paper[n] for n in c) for c in groups]
    coloured = sum(1 for i, count in enumerate(papers) if i < len(PALETTE) and count >= MIN_CLUSTER)
    return Clusters(of, [_name(graph, c) for c in groups], papers, coloured, concept_of, links)


def _name(graph: nx.MultiDiGraph, members: set[str]) -> str:
    """Up to three concepts that tag many of the cluster's papers and few papers elsewhere."""
    nodes = graph._node
    tagged: Counter[str] = Counter()
    for p in members:
        if nodes[p]["kind"] != "paper":
            continue
        for target, multi in graph._succ[p].items():
            if any(d["rel"] == g.SUBJECT for d in multi.values()):
                tagged[target] += 1
    if not tagged:
        kinds = Counter(nodes[n]["kind"] for n in members)
        named = sorted(
            (nodes[n].get("label") or nodes[n].get("name") or nodes[n].get("title") or n)
            for n in members
            if nodes[n]["kind"] != "paper" or len(members) == 1
        )
        count = kinds["paper"]
        return named[0] if named else f"{count} paper" if count == 1 else f"{count} papers"
    # Share of the concept's papers that are here, times how many are here: a concept on
    # every paper of the corpus names no cluster, one on three papers all here names it well.
    ranked = sorted(
        tagged,
        key=lambda c: (-(tagged[c] ** 2) / max(nodes[c].get("papers", 1), tagged[c]), nodes[c]["label"]),
    )
    chosen: list[str] = []
    for c in ranked:
        label = nodes[c]["label"]
        if tagged[c] < 2 and chosen:
            break
        if any(label in other or other in label for other in chosen):
            continue
        chosen.append(label)
        if len(chosen) == 3:
            break
    return ", ".join(chosen)


def paper_clusters(graph: nx.MultiDiGraph, clusters: Clusters, papers: list[str]) -> list[int]:
    """A cluster for every paper of the corpus (drawn or not): its own, or the one its
    concepts belong to most (by score); -1 when none of its concepts is in a cluster."""
    result = []
    for p in papers:
        if p in clusters.of:
            result.append(clusters.of[p])
            continue
        votes: defaultdict[int, float] = defaultdict(float)
        for target, multi in graph._succ[p].items():
            if target in clusters.concept_of:
                for d in multi.values():
                    if d["rel"] == g.SUBJECT:
                        votes[clusters.concept_of[target]] += weight_of(d)
        result.append(min(votes, key=lambda k: (-votes[k], k)) if votes else -1)
    return result


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
