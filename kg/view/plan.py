"""What the map shows of a corpus: clusters of every paper, their names, and an honest sample.

Every paper of the corpus is clustered, drawn or not: Louvain (igraph's, seeded) on the papers,
the concepts tagging two or more of them and the links between papers.  Each cluster is as
coarse as its name allows: the coarsest resolution first, and a cluster that would be coloured
but whose name is on fewer than half its papers is split at the next finer one, its
neighbours left whole (one resolution for all had to be the finest any cluster needed: at
20,000 papers the ten colours then covered 13% of them).  The legend's counts and the names
(`kg.view.names`) describe whole clusters, not the part that happens to be drawn.

A large corpus cannot be drawn whole, so the map draws a sample, and says which: each cluster
gets places in proportion to its papers (largest remainders), filled with its most central
papers, those most strongly linked to the rest of their own cluster.  Papers with no link and
no shared concept form a group of their own, sampled the same way.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx

from kg import graph as g
from kg.extract.field import Field
from kg.view.names import ENOUGH, ClusterName, Naming
from kg.view.select import CITES, weight_of

RESOLUTIONS = (0.5, 1.0, 2.0, 3.0)  # coarse to fine
COLOURS = 10  # clusters a reader tells apart by colour
MIN_CLUSTER = 3  # fewer papers than this never get a colour
SUB_RESOLUTION = 3.0  # parts of a cluster at the finest resolution: Louvain at this many times it
SUB_MIN = 8  # papers a part needs to be named on zoom
NAMED = 40  # clusters named by `Naming` (the rest, all small, by their most tagged concepts)
SEED = 7
EXPECTED_FLOOR = 1.0  # link weight: one similar-paper link
SAMPLE_RULE = "each cluster in proportion to its size, its most linked papers first"


@dataclass
class Plan:
    """Every paper's cluster (-1: linked to nothing), clusters largest first, with names."""

    papers: list[str]  # every paper of the corpus, sorted
    cluster_of: list[int]  # per paper
    concept_of: dict[str, int]  # concepts in the clustering, by cluster
    sizes: list[int]  # papers per cluster
    names: list[ClusterName]
    coloured: int
    strength: dict[str, float]  # a paper's links into its own cluster (centrality)
    # Named parts of the coloured clusters (shown on zoom): parent cluster, name, papers.
    subs: list[tuple[int, ClusterName, list[str]]] = field(default_factory=list)

    def cluster(self) -> dict[str, int]:
        return dict(zip(self.papers, self.cluster_of, strict=True))


def _links(graph: nx.MultiDiGraph, papers: Sequence[str]) -> tuple[list[str], dict[tuple[int, int], float]]:
    """The clustering graph: node names (papers first, then concepts) and weighted edges."""
    nodes = graph._node
    index = {p: i for i, p in enumerate(papers)}
    names = list(papers)
    weights: dict[tuple[int, int], float] = defaultdict(float)

    def number(n: str) -> int:
        if n not in index:
            index[n] = len(names)
            names.append(n)
        return index[n]

    for p in papers:
        a = index[p]
        for target, multi in sorted(graph._succ[p].items()):
            kind = nodes[target]["kind"]
            for data in multi.values():
                rel = data["rel"]
                if kind == "concept" and rel == g.SUBJECT and nodes[target].get("papers", 0) >= 2:
                    b = number(target)
                elif kind == "paper" and target in index and target != p:
                    b = index[target]
                else:
                    continue
                if rel == g.SUBJECT:
                    w = weight_of(data)
                elif rel in g.SIMILARITIES:
                    w = 2 * weight_of(data)
                elif rel in (CITES, g.MENTIONS):
                    w = 0.5
                else:
                    continue
                if w > 0:
                    weights[(min(a, b), max(a, b))] += w
    return names, weights


def _louvain(count: int, weights: dict[tuple[int, int], float], resolution: float) -> list[int]:
    import igraph

    edges = sorted(weights)
    net = igraph.Graph(n=count, edges=edges)
    net.es["weight"] = [weights[e] for e in edges]
    # igraph visits nodes in a random order: a private seeded generator keeps every run alike.
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        found = net.community_multilevel(weights="weight", resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    return list(found.membership)


def _partition(
    names: list[str], weights: dict[tuple[int, int], float], papers: int, resolution: float
) -> tuple[list[int], list[int]]:
    """Louvain clusters at `resolution`, numbered largest first (ties: by their first node),
    as a cluster per node (-1: linked to nothing), and the papers of each cluster."""
    membership = _louvain(len(names), weights, resolution)
    linked = sorted({i for e in weights for i in e})
    members: dict[int, list[int]] = defaultdict(list)
    for i in linked:
        members[membership[i]].append(i)
    papers_in = {k: sum(1 for i in ms if i < papers) for k, ms in members.items()}
    order = sorted(
        (k for k in members if papers_in[k]), key=lambda k: (-papers_in[k], -len(members[k]), members[k][0])
    )
    renumber = {k: new for new, k in enumerate(order)}
    of = [-1] * len(names)
    for i in linked:
        of[i] = renumber.get(membership[i], -1)
    return of, [papers_in[k] for k in order]


class _Levels:
    """Louvain partitions of one clustering graph at each of `RESOLUTIONS`, found when first
    asked for (a partition of the whole graph at 20,000 papers takes a second or more)."""

    def __init__(self, names: list[str], weights: dict[tuple[int, int], float], papers: int) -> None:
        self.names, self.weights, self.papers = names, weights, papers
        self.found: dict[float, list[int]] = {}

    def of(self, resolution: float) -> list[int]:
        if resolution not in self.found:
            self.found[resolution] = _partition(self.names, self.weights, self.papers, resolution)[0]
        return self.found[resolution]


def _refine(levels: _Levels, naming: Naming, papers: int) -> tuple[list[int], list[int], list[int]]:
    """Clusters as coarse as their names allow: every node starts in its cluster at the
    coarsest resolution; a cluster among the COLOURS largest whose name is on fewer than
    ENOUGH of its papers is replaced by its parts at the next finer resolution, until the
    largest all have names that describe them (or are at the finest resolution).  Returns a
    cluster per node (-1: linked to nothing; numbered largest first, ties by first node),
    papers per cluster and each cluster's level (an index into RESOLUTIONS)."""
    first = levels.of(RESOLUTIONS[0])
    key: list[tuple[int, int] | None] = [(0, k) if k >= 0 else None for k in first]
    # Whether a cluster's name describes it, by cluster and size (a part split off one cluster
    # joins the rest of its finer cluster if a neighbour is split too: it is then named again).
    checked: dict[tuple[tuple[int, int], int], bool] = {}
    while True:
        members: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, kk in enumerate(key):
            if kk is not None:
                members[kk].append(i)
        count = {kk: sum(1 for i in ms if i < papers) for kk, ms in members.items()}
        order = sorted(
            (kk for kk in members if count[kk]),
            key=lambda kk: (-count[kk], -len(members[kk]), members[kk][0]),
        )
        # Only the clusters that would get a colour need a name that describes them.
        todo = [
            kk for kk in order[:COLOURS] if count[kk] >= MIN_CLUSTER and (kk, len(members[kk])) not in checked
        ]
        if todo:
            number = {kk: n for n, kk in enumerate(todo)}
            tmp = [number.get(kk, -1) if kk is not None else -1 for kk in key[:papers]]
            for kk, (name, _) in zip(todo, naming.names(tmp, len(todo)), strict=True):
                checked[(kk, len(members[kk]))] = name.covered >= ENOUGH or kk[0] == len(RESOLUTIONS) - 1
        split = [kk for kk in order[:COLOURS] if not checked.get((kk, len(members[kk])), True)]
        if not split:
            break
        for kk in split:
            finer = levels.of(RESOLUTIONS[kk[0] + 1])
            for i in members[kk]:
                key[i] = (kk[0] + 1, finer[i]) if finer[i] >= 0 else None
    renumber = {kk: n for n, kk in enumerate(order)}
    of = [renumber.get(kk, -1) if kk is not None else -1 for kk in key]
    return of, [count[kk] for kk in order], [kk[0] for kk in order]


def plan_clusters(graph: nx.MultiDiGraph, field: Field | None = None) -> Plan:
    """Cluster every paper of `graph` and name the clusters.

    Each cluster is as coarse as its name allows (`_refine`): a coarser map has fewer, larger
    clusters, but no few terms describe a cluster too large, so such a cluster is split at a
    finer resolution while its neighbours stay whole.
    """
    nodes = graph._node
    papers = sorted(n for n, d in nodes.items() if d["kind"] == "paper")
    names, weights = _links(graph, papers)
    if not weights:
        return Plan(papers, [-1] * len(papers), {}, [], [], 0, {})
    naming = Naming(graph, papers, field)
    levels = _Levels(names, weights, len(papers))
    of, sizes, level = _refine(levels, naming, len(papers))
    cluster_of = of[: len(papers)]
    concept_of = {names[i]: of[i] for i in range(len(papers), len(names)) if of[i] >= 0}
    coloured = sum(1 for k, n in enumerate(sizes) if k < COLOURS and n >= MIN_CLUSTER)
    strength: dict[str, float] = defaultdict(float)
    for (a, b), w in weights.items():
        if of[a] == of[b] >= 0:
            if a < len(papers):
                strength[names[a]] += w
            if b < len(papers):
                strength[names[b]] += w
    named = min(len(sizes), NAMED)
    # Shown most covering term first: the reader sees at once how much of the cluster it names.
    found = [_by_share(name) for name, _ in naming.names(cluster_of, named)]
    rest = _small_names(graph, papers, cluster_of, named, len(sizes))
    subs = _parts(levels, papers, cluster_of, level[:coloured], naming)
    return Plan(papers, cluster_of, concept_of, sizes, found + rest, coloured, dict(strength), subs)


def _parts(
    levels: _Levels, papers: list[str], cluster_of: list[int], level: list[int], naming: Naming
) -> list[tuple[int, ClusterName, list[str]]]:
    """The parts of each coloured cluster (`level` holds theirs) that the next finer resolution
    finds (SUB_RESOLUTION times the finest for a cluster already at it), SUB_MIN papers or
    more, two or more parts per cluster, each named as clusters are."""
    steps = [*RESOLUTIONS[1:], RESOLUTIONS[-1] * SUB_RESOLUTION]
    finer = {lv: levels.of(steps[lv])[: len(papers)] for lv in sorted(set(level))}
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, k in enumerate(cluster_of):
        if 0 <= k < len(level) and (f := finer[level[k]][i]) >= 0:
            groups[(k, f)].append(i)
    kept = sorted(
        (key for key, ms in groups.items() if len(ms) >= SUB_MIN),
        key=lambda key: (key[0], -len(groups[key]), key[1]),
    )
    per_parent = Counter(k for k, _ in kept)
    kept = [key for key in kept if per_parent[key[0]] >= 2]
    sub_of = [-1] * len(papers)
    for number, key in enumerate(kept):
        for i in groups[key]:
            sub_of[i] = number
    named = naming.names(sub_of, len(kept))
    return [
        (key[0], _by_share(name), [papers[i] for i in groups[key]])
        for key, (name, _) in zip(kept, named, strict=True)
    ]


def _by_share(name: ClusterName) -> ClusterName:
    order = sorted(range(len(name.terms)), key=lambda i: (-name.shares[i], i))
    return ClusterName(
        tuple(name.terms[i] for i in order), tuple(name.shares[i] for i in order), name.covered
    )


def _small_names(
    graph: nx.MultiDiGraph, papers: Sequence[str], cluster_of: Sequence[int], start: int, count: int
) -> list[ClusterName]:
    """Names of the small clusters `start .. count-1`: their two most tagged concepts, or the
    title of a lone paper."""
    nodes = graph._node
    tagged: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sizes: dict[int, int] = defaultdict(int)
    first: dict[int, str] = {}
    for p, k in zip(papers, cluster_of, strict=True):
        if k < start:
            continue
        sizes[k] += 1
        first.setdefault(k, p)
        for target, multi in graph._succ[p].items():
            if any(d["rel"] == g.SUBJECT for d in multi.values()):
                tagged[k][target] += 1
    result = []
    for k in range(start, count):
        ranked = sorted(tagged[k].items(), key=lambda item: (-item[1], nodes[item[0]]["label"]))[:2]
        if ranked:
            result.append(
                ClusterName(
                    tuple(nodes[c]["label"] for c, _ in ranked),
                    tuple(round(n / max(sizes[k], 1), 4) for _, n in ranked),
                    0.0,
                )
            )
        else:
            title = nodes[first[k]].get("title") or first[k] if k in first else ""
            result.append(ClusterName((title,), (1.0,), 1.0))
    return result


def sample_papers(plan: Plan, places: int) -> list[str]:
    """`places` papers: each cluster (and the unlinked group) gets a share of the places in
    proportion to its papers (largest remainders, ties to the larger group), filled with its
    most central papers (`Plan.strength`, then by key)."""
    if places >= len(plan.papers):
        return list(plan.papers)
    groups: dict[int, list[str]] = defaultdict(list)
    for p, k in zip(plan.papers, plan.cluster_of, strict=True):
        groups[k].append(p)
    total = len(plan.papers)
    quota = {k: places * len(ps) / total for k, ps in groups.items()}
    given = {k: int(q) for k, q in quota.items()}
    left = places - sum(given.values())
    for k in sorted(groups, key=lambda k: (-(quota[k] - given[k]), -len(groups[k]), k))[:left]:
        given[k] += 1
    chosen = []
    for k, ps in sorted(groups.items()):
        ranked = sorted(ps, key=lambda p: (-plan.strength.get(p, 0.0), p))
        chosen.extend(ranked[: given[k]])
    return sorted(chosen)


def affinity(graph: nx.MultiDiGraph, plan: Plan) -> dict[tuple[int, int], float]:
    """How strongly each pair of clusters is linked, over every paper of the corpus: the
    weight of the links between their papers (similar papers, citations, mentions) over what
    their total link weights would give by chance (association strength, as VOSviewer's
    layout uses), so that two large clusters are not near merely for being large.  What
    chance gives is raised by EXPECTED_FLOOR: two clusters of three papers joined by
    one link are not thereby the most related pair of the corpus."""
    home = plan.cluster()
    between: dict[tuple[int, int], float] = defaultdict(float)
    total: dict[int, float] = defaultdict(float)
    for p in plan.papers:
        a = home[p]
        if a < 0:
            continue
        for target, multi in graph._succ[p].items():
            b = home.get(target, -1)
            if b < 0:
                continue
            for data in multi.values():
                rel = data["rel"]
                w = weight_of(data) if rel in g.SIMILARITIES else 0.5 if rel in (CITES, g.MENTIONS) else 0.0
                if w <= 0:
                    continue
                total[a] += w
                total[b] += w
                if a != b:
                    between[(min(a, b), max(a, b))] += w
    whole = sum(total.values()) or 1.0
    return {
        pair: round(w / (total[pair[0]] * total[pair[1]] / whole + EXPECTED_FLOOR), 6)
        for pair, w in sorted(between.items())
    }
