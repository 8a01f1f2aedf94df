"""What the map tells a reader, counted: how much of each cluster its name describes, whether the
drawn sample is fair to every cluster, and whether nearby clusters are the related ones.

For a build folder (or the seed corpus when none is given) it prints the share of papers in
coloured clusters (the rest are grey on the map) and, per coloured cluster:
its papers in the corpus, its name terms with each term's share of the cluster's papers and
the share carrying at least one (a term is on a paper that is tagged with it or writes it,
as `kg.view.names` counts), and its share of the drawn papers against its share of the corpus.
Then the Pearson correlation, over pairs of coloured clusters, between the distance of their
centres on the map and the links (similar papers, citations, mentions) between their papers
per pair of papers: negative when related clusters sit near each other.

    python -m benchmarks.view_quality                       # the seeds
    python -m benchmarks.view_quality /path/to/build        # a build folder (graph.ttl / graph.nt)
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx

from kg import graph as g
from kg import pipeline
from kg.view.page import view_data
from kg.view.read import read_build
from kg.view.select import CITES

PAPER_LINKS = {*g.SIMILARITIES, CITES, g.MENTIONS}


def pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    if n < 3:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if not sx or not sy:
        return float("nan")
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy)


def report(graph: nx.MultiDiGraph) -> dict:
    started = time.perf_counter()
    data = view_data(graph)
    seconds = time.perf_counter() - started
    papers = data["P"]
    cluster = papers["k"]
    total = len(cluster)
    drawn_rows = [row[1] for row in data["M"]["n"] if row[0] == "P"]
    drawn = Counter(cluster[r] for r in drawn_rows)
    corpus = Counter(cluster)
    ndrawn = len(drawn_rows)
    print(
        f"{total:,} papers, {ndrawn:,} drawn ({data['sample']['rule'] or 'all'}); view_data {seconds:.1f} s"
    )
    rows = []
    for k, (name, _colour, count, terms, covered) in enumerate(data["legend"]):
        corpus_share = corpus[k] / total
        drawn_share = drawn[k] / ndrawn if ndrawn else 0.0
        ratio = drawn_share / corpus_share if corpus_share else float("nan")
        rows.append((k, count, covered, ratio))
        shown = ", ".join(f"{t} {s:.0%}" for t, s in terms)
        print(f"  {k:2d} {count:6,} papers  on {covered:4.0%}  drawn/corpus {ratio:4.2f}  {shown or name}")
    # Links between clusters per pair of papers, against the distance of their discs.
    links: Counter[tuple[int, int]] = Counter()
    keys = {p: i for i, p in enumerate(sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "paper"))}
    for a, b, d in graph.edges(data=True):
        if d["rel"] in PAPER_LINKS and a in keys and b in keys:
            ka, kb = cluster[keys[a]], cluster[keys[b]]
            if ka != kb and ka >= 0 and kb >= 0:
                links[(min(ka, kb), max(ka, kb))] += 1
    discs = data["K"]["discs"]
    coloured = [k for k in range(data["K"]["coloured"]) if discs[k][2] > 0]
    dist, density = [], []
    for a, b in combinations(coloured, 2):
        dist.append(math.dist(discs[a][:2], discs[b][:2]))
        density.append(links[(a, b)] / (corpus[a] * corpus[b]))
    r = pearson(dist, density)
    named = [c for _, _, c, _ in rows]
    ratios = [q for *_, q in rows]
    coloured_share = sum(count for _, count, _, _ in rows) / total if total else 0.0
    print(
        f"coloured clusters hold {coloured_share:.1%} of the papers; "
        f"names on >= 50% of their cluster: {sum(c >= 0.5 for c in named)}/{len(named)}"
        f" (min {min(named, default=0):.0%}); drawn share within +-50%: "
        f"{sum(0.5 <= q <= 1.5 for q in ratios)}/{len(ratios)}; distance ~ links r = {r:+.3f}"
    )
    return {"covered": named, "ratios": ratios, "r": r, "coloured": coloured_share, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", type=Path, help="a build folder (default: build the seeds)")
    args = parser.parse_args()
    graph = read_build(args.build) if args.build else pipeline.build_corpus().graph
    report(graph)


if __name__ == "__main__":
    main()
