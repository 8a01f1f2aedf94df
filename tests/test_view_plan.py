"""The map's plan: every paper clustered, names that describe their clusters, a sample drawn in
proportion, cluster places that follow the links of the whole corpus."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import networkx as nx
import pytest

from kg import graph as g
from kg import pipeline
from kg.view import ViewOptions, view_data
from kg.view.layout import layout
from kg.view.names import ENOUGH, Naming, Writings
from kg.view.plan import SAMPLE_RULE, affinity, plan_clusters, sample_papers


@pytest.fixture(scope="module")
def seed_graph() -> nx.MultiDiGraph:
    return pipeline.build_corpus().graph


@pytest.fixture(scope="module")
def seed_plan(seed_graph):
    return plan_clusters(seed_graph)


def test_every_paper_has_a_place_and_the_legend_counts_the_corpus(seed_graph, seed_plan):
    papers = sorted(n for n, d in seed_graph.nodes(data=True) if d["kind"] == "paper")
    assert seed_plan.papers == papers
    assert len(seed_plan.cluster_of) == len(papers)
    counts = Counter(seed_plan.cluster_of)
    assert [counts[k] for k in range(len(seed_plan.sizes))] == seed_plan.sizes
    assert seed_plan.sizes == sorted(seed_plan.sizes, reverse=True)
    data = view_data(seed_graph, ViewOptions(max_nodes=120))
    legend = data["legend"]
    assert [row[2] for row in legend] == seed_plan.sizes[: len(legend)]
    # Legend and "other" together are the corpus, drawn or not.
    assert sum(row[2] for row in legend) + data["K"]["others"] == len(papers)


def test_coloured_names_are_on_half_their_papers(seed_graph, seed_plan):
    assert seed_plan.coloured >= 5
    papers = seed_plan.papers
    nodes = seed_graph._node
    for k in range(seed_plan.coloured):
        name = seed_plan.names[k]
        assert name.covered >= ENOUGH, name
        # Checked by hand: a term is on a paper tagged with it (or a narrower concept) or
        # writing a label of it; together they are on `covered` of the cluster's papers.
        members = [p for p, c in zip(papers, seed_plan.cluster_of, strict=True) if c == k]
        labels = [t.lower() for t in name.terms]
        words = [_spaced(t) for t in labels]
        on = 0
        for p in members:
            text = _spaced(f"{nodes[p].get('title') or ''} {nodes[p].get('abstract') or ''}")
            tagged = {
                nodes[t]["label"].lower()
                for t, multi in seed_graph._succ[p].items()
                if any(d["rel"] == g.SUBJECT for d in multi.values())
            }
            # Whole words: "biomedical image segmentation" does not write "medical image segmentation".
            on += any(w in text or label in tagged for w, label in zip(words, labels, strict=True))
        # Plurals, alternative labels and narrower concepts count for the name too: at least
        # what the plain labels find, and not far above it.
        assert on / len(members) <= name.covered + 1e-4  # covered is rounded to 4 places
        assert name.covered - on / len(members) < 0.35


def _spaced(text: str) -> str:
    """Lower case, words between single spaces, a space at each end."""
    return " " + " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) + " "


def test_shown_terms_lead_with_the_most_covering(seed_plan):
    for name in seed_plan.names[: seed_plan.coloured]:
        assert list(name.shares) == sorted(name.shares, reverse=True)


def test_the_sample_is_each_cluster_in_proportion(seed_graph, seed_plan):
    data = view_data(seed_graph, ViewOptions(max_nodes=120))
    drawn = [row[1] for row in data["M"]["n"] if row[0] == "P"]
    assert len(drawn) == 60  # half the places, the papers of the sample alone
    assert data["sample"] == {"drawn": 60, "papers": len(seed_plan.papers), "rule": SAMPLE_RULE}
    k_of = data["P"]["k"]
    drawn_count = Counter(k_of[r] for r in drawn)
    total = len(seed_plan.papers)
    for k in range(seed_plan.coloured):
        share = seed_plan.sizes[k] / total
        assert 0.5 * share <= drawn_count[k] / 60 <= 1.5 * share, (k, drawn_count[k], seed_plan.sizes[k])


def test_a_cluster_sample_takes_its_most_linked_papers(seed_plan):
    chosen = set(sample_papers(seed_plan, 60))
    for k in range(3):
        members = [p for p, c in zip(seed_plan.papers, seed_plan.cluster_of, strict=True) if c == k]
        picked = [p for p in members if p in chosen]
        left = [p for p in members if p not in chosen]
        assert picked and left
        weakest_picked = min(seed_plan.strength.get(p, 0.0) for p in picked)
        assert all(seed_plan.strength.get(p, 0.0) <= weakest_picked for p in left)


def test_all_papers_drawn_when_they_fit(seed_graph):
    data = view_data(seed_graph)
    papers = sum(1 for row in data["M"]["n"] if row[0] == "P")
    assert papers == len(data["P"]["t"])
    assert data["sample"]["rule"] == ""


def test_the_plan_is_the_same_every_time(seed_graph, seed_plan):
    again = plan_clusters(seed_graph)
    assert again.cluster_of == seed_plan.cluster_of
    assert again.names == seed_plan.names


def test_papers_of_a_narrower_concept_carry_the_broader():
    graph = nx.MultiDiGraph()
    graph.add_node("concept:dm", kind="concept", label="diffusion models", papers=2)
    graph.add_node("concept:ldm", kind="concept", label="latent consistency models", papers=1)
    graph.add_edge("concept:ldm", "concept:dm", rel=g.BROADER)
    for key, title, tag in (
        ("paper:a", "Fast sampling", "concept:ldm"),
        ("paper:b", "Slow sampling", None),
        ("paper:c", "Diffusion models explained", None),
    ):
        graph.add_node(key, kind="paper", title=title, abstract="")
        if tag:
            graph.add_edge(key, tag, rel=g.SUBJECT, score=1.0)
    naming = Naming(graph, ["paper:a", "paper:b", "paper:c"])
    # a: tagged with the narrower concept; c: writes the label (plural as written); b: neither.
    assert naming.carriers("concept:dm").tolist() == [True, False, True]


def test_writings_find_phrases_in_either_number_within_one_text():
    texts = ["Vision-language model for robots.", "A language. Model of the world", "Vision language models"]
    found = Writings(texts, ["vision-language models", "language model", "world models", "robot"])
    assert found.papers("vision-language models").tolist() == [0, 2]
    assert found.papers("language model").tolist() == [0, 1, 2]  # "language. Model": the stop is a break
    assert found.papers("world models").tolist() == []
    assert found.papers("robot").tolist() == [0]


def test_clusters_linked_in_the_corpus_sit_nearer():
    # Three clusters of four papers each; 0 and 1 are joined by corpus links, 2 by none.
    links = nx.Graph()
    group_of = {}
    for k in range(3):
        ids = [f"{k}-{i}" for i in range(4)]
        for a in ids:
            group_of[a] = k
        for a, b in itertools.pairwise(ids):
            links.add_edge(a, b, weight=1.0)
    links.add_node("3-0")
    group_of["3-0"] = 3  # a fourth, lone cluster: MDS needs three or more
    radius = dict.fromkeys(group_of, 5.0)
    placed = layout(links, group_of, radius, {(0, 1): 5.0, (0, 3): 0.1, (1, 3): 0.1})
    centre = {k: placed.discs[k][:2] for k in placed.discs}
    assert math.dist(centre[0], centre[1]) < math.dist(centre[0], centre[2])
    assert math.dist(centre[0], centre[1]) < math.dist(centre[1], centre[2])
    # No two discs overlap.
    for a in placed.discs:
        for b in placed.discs:
            if a < b:
                (xa, ya, ra), (xb, yb, rb) = placed.discs[a], placed.discs[b]
                assert math.dist((xa, ya), (xb, yb)) >= ra + rb


def test_a_small_circle_gives_way_to_a_large_one():
    import numpy as np

    from kg.view.layout import separate

    pos = np.array([[0.0, 0.0], [15.0, 0.0]])
    radius = np.array([40.0, 5.0])
    alike = separate(pos, radius, 2.0)
    by_area = separate(pos, radius, 2.0, inertia=2.0)
    for placed in (alike, by_area):
        assert math.dist(placed[0], placed[1]) >= 47.0 - 0.3
    # Alike, both move the same way; by area the large one barely moves.
    assert math.dist(alike[0], pos[0]) == pytest.approx(math.dist(alike[1], pos[1]), rel=0.05)
    assert math.dist(by_area[0], pos[0]) < 0.1 * math.dist(by_area[1], pos[1])


def test_large_related_clusters_stay_near_among_many_small_groups():
    # Four large clusters (0-1 and 2-3 related) among 120 small groups, each linked to half
    # the large ones and to its neighbour as strongly as the large pairs are among themselves:
    # the large pairs' nearness is what a reader compares, and it must survive the crowd.
    links = nx.Graph()
    group_of: dict[str, int] = {}
    radius: dict[str, float] = {}
    small = range(4, 124)
    for k in range(124):
        ids = [f"{k}-{i}" for i in range(30 if k < 4 else 2)]
        for a in ids:
            group_of[a] = k
            radius[a] = 5.0
        links.add_nodes_from(ids)
        for a, b in itertools.pairwise(ids):
            links.add_edge(a, b, weight=1.0)
    strength = {(0, 1): 4.0, (2, 3): 4.0}
    strength.update({(big, k): 2.0 for k in small for big in range(4) if (k + big) % 2 == 0})
    strength.update({(k, k + 1): 2.0 for k in small[:-1]})
    placed = layout(links, group_of, radius, strength)
    centre = {k: placed.discs[k][:2] for k in range(4)}
    related = [math.dist(centre[0], centre[1]), math.dist(centre[2], centre[3])]
    unrelated = [math.dist(centre[a], centre[b]) for a, b in ((0, 2), (0, 3), (1, 2), (1, 3))]
    assert max(related) < 0.8 * min(unrelated)


def test_affinity_is_over_the_whole_corpus(seed_graph, seed_plan):
    found = affinity(seed_graph, seed_plan)
    assert found and all(a < b and w > 0 for (a, b), w in found.items())
    # Pairs of clusters joined by no paper link have no affinity at all.
    home = seed_plan.cluster()
    joined = set()
    for a, b, d in seed_graph.edges(data=True):
        if d["rel"] in (*g.SIMILARITIES, "cites", g.MENTIONS) and a in home and b in home:
            ka, kb = home[a], home[b]
            if ka != kb and ka >= 0 and kb >= 0:
                joined.add((min(ka, kb), max(ka, kb)))
    assert set(found) == joined


def test_parts_of_coloured_clusters_are_named_within_them(seed_plan):
    assert seed_plan.subs
    home = seed_plan.cluster()
    parents = Counter(parent for parent, _, _ in seed_plan.subs)
    assert all(count >= 2 for count in parents.values())
    seen: set[str] = set()
    for parent, name, members in seed_plan.subs:
        assert 0 <= parent < seed_plan.coloured
        assert len(members) >= 8 and all(home[p] == parent for p in members)
        assert not seen & set(members)  # a paper is in one part at most
        seen |= set(members)
        assert name.terms and list(name.shares) == sorted(name.shares, reverse=True)


class _TwoLevels:
    """Preset partitions of twelve papers: two clusters coarse, four fine."""

    def of(self, resolution: float) -> list[int]:
        from kg.view.plan import RESOLUTIONS

        if resolution == RESOLUTIONS[0]:
            return [0] * 6 + [1] * 6
        return [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]


class _NamesAllBut:
    """Names every cluster well except one whose papers are `poor`."""

    def __init__(self, poor: set[int]) -> None:
        self.poor = poor
        self.asked: list[set[int]] = []

    def names(self, cluster_of, count):
        from kg.view.names import ClusterName

        found = []
        for k in range(count):
            members = {i for i, c in enumerate(cluster_of) if c == k}
            self.asked.append(members)
            covered = 0.3 if members == self.poor else 0.9
            found.append((ClusterName(("t",), (covered,), covered), ("c",)))
        return found


def test_a_cluster_its_name_does_not_describe_is_split_and_its_neighbour_kept_whole():
    from kg.view.plan import _refine

    naming = _NamesAllBut(set(range(6, 12)))
    of, sizes, level = _refine(_TwoLevels(), naming, 12)  # type: ignore[arg-type]
    assert sizes == [6, 3, 3] and level == [0, 1, 1]
    assert len(set(of[:6])) == 1  # the well-named coarse cluster stays whole
    assert of[6] == of[7] == of[8] != of[9] == of[10] == of[11]
    assert of[0] not in (of[6], of[9])
    # The parts were named before they were kept.
    assert {6, 7, 8} in naming.asked and {9, 10, 11} in naming.asked


def test_a_pair_of_specks_does_not_set_the_scale_of_relatedness():
    # Each cluster's nearness to another is on the scale of its own strongest link: 0 and 1
    # (only linked to each other) are as near as 2 and 3, whose affinity is twenty times theirs.
    from kg.view.layout import _similarity

    meta = nx.Graph()
    meta.add_nodes_from(range(5))
    meta.add_edge(0, 1, weight=2.0)
    meta.add_edge(2, 3, weight=40.0)
    meta.add_edge(1, 4, weight=0.5)
    near = _similarity(meta, [0, 1, 2, 3, 4])
    assert near[0, 1] == near[1, 0] == near[2, 3] == 1.0
    assert 0 < near[1, 4] < 1 and near[0, 2] == near[0, 4] == 0.0
