"""Positions for the map: clusters apart with clear gaps, members packed without overlap.

Each cluster is laid out on its own (a spring layout over its papers, the concepts that tag
them and its other nodes), scaled to the area its nodes need and then packed: overlapping
nodes are pushed apart while a weak pull keeps the cluster round and dense.  The clusters,
as discs, are placed by stress majorization of target distances that shrink with their
affinity (the links between them over the whole corpus), then pushed apart where they meet.  Nodes linked to nothing go
in a grid beside the map, never far away.  The cost follows the sum of squared cluster
sizes; a cluster too large for one layout is split (Louvain) and placed in two levels.

Collision radii are those of each shape's enclosing circle (a square's corner reaches
1.42 x its size), so no two drawn shapes meet, and no node's centre lies inside another's
bounding box (what the browser tests when it picks the node under a click).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from kg.view.select import induced

GAP = 3.0  # between two nodes' shapes, in map units (a node is 6-30 units wide)
DENSITY = 0.5  # share of a cluster's disc its nodes cover once packed
SPLIT_ABOVE = 400  # larger clusters are laid out in two levels
CLUSTER_GAP = 70.0  # between clusters' discs: wider than any gap inside a cluster


@dataclass
class Placement:
    """Node positions, each cluster's disc (centre x, y and radius) and the unlinked grid's box."""

    positions: dict[str, tuple[float, float]]
    discs: dict[int, tuple[float, float, float]]
    grid: tuple[float, float, float, float] | None


def _near_pairs(pos: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j, in a fixed order) of points closer than `reach` (a k-d tree)."""
    pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs.reshape(0, 2)
    return pairs[:, 0], pairs[:, 1]


def separate(
    pos: np.ndarray,
    radius: np.ndarray,
    gap: float,
    *,
    pull: float = 0.0,
    rounds: int = 60,
    inertia: float = 0.0,
) -> np.ndarray:
    """Push overlapping circles apart (keeping `gap` between them); `pull` draws them toward
    their centroid between rounds, which packs them.  Always ends without overlap.

    Two circles that overlap share the push in inverse proportion to radius ** `inertia`: at
    0 they move alike; at 2 (by area) a small circle gives way to a large one, so the places
    of the large ones, which a reader sees, stay where they were put."""
    mass = np.maximum(radius.astype(float), 1e-6) ** inertia
    pos = pos.astype(float).copy()
    n = len(pos)
    if n < 2:
        return pos
    reach = 2 * float(radius.max()) + gap
    centre = pos.mean(axis=0)
    for step in range(rounds + 200):
        if pull and step < rounds:
            pos -= (pos - centre) * pull
        i, j = _near_pairs(pos, reach)
        if not len(i):
            if step >= rounds:
                break
            continue
        d = pos[j] - pos[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        need = radius[i] + radius[j] + gap
        # Overlaps under a quarter unit are left to the final spread (pushing them out one by
        # one takes hundreds of rounds in a dense pack).
        over = dist < need - 0.25
        if not over.any():
            if step >= rounds:
                break
            continue
        i, j, d, dist, need = i[over], j[over], d[over], dist[over], need[over]
        # Coincident centres part along a direction fixed by their indices.
        same = dist < 1e-9
        if same.any():
            angle = (i[same] * 7 + j[same] * 13) % 360 * math.pi / 180
            d[same] = np.column_stack((np.cos(angle), np.sin(angle)))
            dist[same] = 1.0
        push = ((need - dist) * 1.02)[:, None] * d / dist[:, None]
        share = (mass[j] / (mass[i] + mass[j]))[:, None]  # i's part of the push
        move = np.zeros_like(pos)
        np.add.at(move, i, -push * share)
        np.add.at(move, j, push * (1 - share))
        pos += move
    # Spreading every centre apart (by at most a few per mille) ends any overlap left.
    i, j = _near_pairs(pos, reach)
    if len(i):
        dist = np.hypot(*(pos[j] - pos[i]).T)
        ratio = float(np.max((radius[i] + radius[j] + gap) / np.maximum(dist, 1e-9)))
        if ratio > 1:
            pos = centre + (pos - centre) * ratio
    return pos


def _spring(sub: nx.Graph) -> dict[Any, np.ndarray]:
    if len(sub) == 1:
        return {next(iter(sub)): np.zeros(2)}
    return {n: np.asarray(p, float) for n, p in nx.spring_layout(sub, seed=7, iterations=50).items()}


def _split(sub: nx.Graph) -> dict[str, int] | None:
    """Louvain groups within a large cluster, or None if it does not divide."""
    numbered = nx.convert_node_labels_to_integers(sub, ordering="sorted", label_attribute="id")
    found = nx.community.louvain_communities(numbered, weight="weight", seed=7)
    if len(found) < 2:
        return None
    groups = sorted(({numbered.nodes[i]["id"] for i in c} for c in found), key=lambda c: (-len(c), min(c)))
    return {n: i for i, members in enumerate(groups) for n in members}


HUB = 4  # an undrawn node joining more drawn members than this stays in a cluster's layout


def _group_graph(links: nx.Graph, members: list[str], radius: dict[str, float]) -> nx.Graph:
    """The graph one cluster is laid out on: its drawn members and the links among them.

    An undrawn node joining a few members (a concept of two or three drawn papers) becomes
    direct links between them, which keeps the spring layout as small as what is drawn;
    one joining many stays, as a hub that draws its papers together.
    """
    drawn = set(members)
    sub = induced(links, drawn)
    for h in sorted({h for n in members for h in links[n] if h not in radius}):
        around = sorted(n for n in links[h] if n in drawn)
        if len(around) > HUB:
            sub.add_edges_from((h, n, {"weight": links[h][n]["weight"]}) for n in around)
            continue
        for i, a in enumerate(around):
            for b in around[i + 1 :]:
                w = min(links[h][a]["weight"], links[h][b]["weight"])
                sub.add_edge(a, b, weight=sub.get_edge_data(a, b, {"weight": 0.0})["weight"] + w)
    return sub


def _pack_group(links: nx.Graph, members: list[str], radius: dict[str, float]) -> dict[str, np.ndarray]:
    """Positions (around the origin) of one cluster's drawn `members`, packed."""
    sub = _group_graph(links, members, radius)
    drawn = set(members)
    if len(sub) > SPLIT_ABOVE:
        parts = _split(sub)
        if parts is not None:
            inner = {n: grp for n, grp in parts.items() if n in drawn}
            placed = _place_groups(sub, inner, radius, gap=GAP * 4)
            return {n: np.asarray(p) for n, p in placed.positions.items()}
    spring = _spring(sub)
    order = sorted(drawn)
    pos = np.array([spring[n] for n in order])
    r = np.array([radius[n] for n in order])
    area = float(np.sum(np.pi * (r + GAP / 2) ** 2)) / DENSITY
    target = math.sqrt(area / math.pi)
    pos -= pos.mean(axis=0)
    extent = float(np.max(np.hypot(pos[:, 0], pos[:, 1]))) if len(pos) > 1 else 0.0
    if extent > 0:
        pos *= target / extent
    pos = separate(pos, r, GAP, pull=0.04, inertia=SEPARATE_INERTIA)
    return dict(zip(order, pos, strict=True))


SPREAD = 3.0  # unlinked clusters sit this many times farther apart than touching ones
SEPARATE_INERTIA = 2.0  # clusters' overlaps part by area (see `separate`)
ROUNDS = 300  # stress-majorization steps, at most
SETTLED = 1e-4  # ... ending once a step lowers the stress by less than this share


def _similarity(meta: nx.Graph, groups: list[int]) -> np.ndarray:
    """Each pair's affinity over the stronger of the two clusters' strongest affinities (0..1):
    a cluster's closest relative is 1 to it, whatever the scale of its links (association
    strength is large for small clusters, so one scale for all would make every large pair 0)."""
    n = len(groups)
    at = {grp: k for k, grp in enumerate(groups)}
    aff = np.zeros((n, n))
    for a, b, w in meta.edges(data="weight"):
        aff[at[a], at[b]] = aff[at[b], at[a]] = w
    top = aff.max(axis=1)
    scale = np.maximum(top[:, None], top[None, :])
    return np.sqrt(np.divide(aff, scale, out=np.zeros_like(aff), where=scale > 0))


def _by_affinity(meta: nx.Graph, groups: list[int], disc: np.ndarray, gap: float) -> dict[int, np.ndarray]:
    """Cluster centres whose distances follow their affinity, by stress majorization (SMACOF):
    target distances go from touching (the discs' radii and the gap) for a cluster and its
    closest relative to SPREAD times that for pairs with no link; linked pairs weigh more, so
    their nearness is kept first.  Classical MDS of the same targets is the start."""
    n = len(groups)
    if n < 3:
        return _spring(meta)
    near = _similarity(meta, groups)
    touch = disc[:, None] + disc[None, :] + gap
    target = touch * (1 + (SPREAD - 1) * (1 - near))
    np.fill_diagonal(target, 0.0)
    # A pair of large clusters weighs more (by the product of their discs' areas): among a
    # hundred small grey groups the few large coloured ones, which a reader compares, would
    # otherwise have their distances traded for those of the small ones.
    weight = (disc[:, None] * disc[None, :]) ** 2 * (1 + 4 * near) / np.maximum(target, 1e-9) ** 2
    np.fill_diagonal(weight, 0.0)
    # Classical multidimensional scaling: the two leading eigenvectors of the doubly centred
    # squared distances give the plane that keeps the distances best.
    centring = np.eye(n) - np.full((n, n), 1.0 / n)
    values, vectors = np.linalg.eigh(-0.5 * centring @ target**2 @ centring)
    top = np.argsort(values)[::-1][:2]
    coords = vectors[:, top] * np.sqrt(np.maximum(values[top], 0.0))
    # Stress majorization (Guttman transforms) from there: each step lowers the weighted
    # squared error of the distances.
    v = -weight
    np.fill_diagonal(v, weight.sum(axis=1))
    # V is a weighted graph Laplacian (its null space the constant vector): its pseudo-inverse
    # is inv(V + J/n) - J/n, far cheaper than an SVD.
    inverse = np.linalg.inv(v + 1.0 / n) - 1.0 / n
    before = math.inf
    for _ in range(ROUNDS):
        diff = coords[:, None, :] - coords[None, :, :]
        dist = np.hypot(diff[..., 0], diff[..., 1])
        stress = float(np.sum(weight * (dist - target) ** 2))
        if stress > before * (1 - SETTLED):
            break  # each step only lowers the stress: it has settled
        before = stress
        b = -weight * np.divide(target, dist, out=np.zeros_like(dist), where=dist > 1e-9)
        np.fill_diagonal(b, 0.0)
        np.fill_diagonal(b, -b.sum(axis=1))
        coords = inverse @ (b @ coords)
    # The plane's turn and mirror are arbitrary: fix them so the largest cluster sits left and up.
    coords *= np.where(coords[0] > 0, -1.0, 1.0)
    return {grp: coords[k] for k, grp in enumerate(groups)}


def _place_groups(
    links: nx.Graph,
    group_of: dict[str, int],
    radius: dict[str, float],
    gap: float,
    affinity: dict[tuple[int, int], float] | None = None,
) -> Placement:
    members: dict[int, list[str]] = defaultdict(list)
    for n in sorted(group_of):
        members[group_of[n]].append(n)
    local = {grp: _pack_group(links, ns, radius) for grp, ns in sorted(members.items())}
    extent = {}
    for grp, placed in local.items():
        pts = np.array(list(placed.values()))
        centre = pts.mean(axis=0)
        r = np.array([radius[n] for n in placed])
        extent[grp] = (centre, float(np.max(np.hypot(*(pts - centre).T) + r)))
    # Clusters joined by many links sit near each other.
    meta = nx.Graph()
    meta.add_nodes_from(sorted(members))
    if affinity is not None:
        present = set(members)
        for (x, y), w in sorted(affinity.items()):
            if x in present and y in present and x != y and w > 0:
                meta.add_edge(x, y, weight=w)
    else:
        home = {n: grp for n, grp in group_of.items()}
        for a, b, data in sorted(links.edges(data=True), key=lambda e: (e[0], e[1])):
            ga, gb = home.get(a), home.get(b)
            if ga is not None and gb is not None and ga != gb:
                w = meta.get_edge_data(ga, gb, {"weight": 0.0})["weight"]
                meta.add_edge(ga, gb, weight=w + data.get("weight", 1.0))
    groups = sorted(members)
    disc = np.array([extent[grp][1] for grp in groups])
    spring = _spring(meta) if affinity is None else _by_affinity(meta, groups, disc, gap)
    centres = np.array([spring[grp] for grp in groups])
    span = math.sqrt(float(np.sum((disc + gap) ** 2)))
    centres = centres - centres.mean(axis=0)
    if affinity is not None and len(groups) >= 3:
        # Distances already mean something: only overlaps are pushed apart, the small groups
        # making way for the large.
        centres = separate(centres, disc, gap, inertia=SEPARATE_INERTIA)
    else:
        far = float(np.max(np.hypot(centres[:, 0], centres[:, 1]))) if len(groups) > 1 else 0.0
        if far > 0:
            centres *= span / far
        centres = separate(centres, disc, gap, pull=0.05, rounds=150)
    positions = {}
    discs = {}
    for k, grp in enumerate(groups):
        offset = centres[k] - extent[grp][0]
        for n, p in local[grp].items():
            positions[n] = (float(p[0] + offset[0]), float(p[1] + offset[1]))
        discs[grp] = (float(centres[k][0]), float(centres[k][1]), float(disc[k]))
    return Placement(positions, discs, None)


def layout(
    links: nx.Graph,
    group_of: dict[str, int],
    radius: dict[str, float],
    affinity: dict[tuple[int, int], float] | None = None,
) -> Placement:
    """Positions of every node in `radius` (the drawn nodes): grouped by `group_of` (-1 for
    nodes linked to nothing, which go in the grid), with `links` (weighted; it may hold
    undrawn nodes, such as the concepts of drawn papers) pulling linked nodes together.
    `affinity` (group pair -> strength), when given, is what pulls groups together instead
    of the drawn links between them: the links of the whole corpus, not of the sample."""
    grouped = {n: grp for n, grp in group_of.items() if grp >= 0}
    placed = (
        _place_groups(links, grouped, radius, CLUSTER_GAP, affinity) if grouped else Placement({}, {}, None)
    )
    loose = sorted(n for n, grp in group_of.items() if grp < 0)
    if loose:
        placed.grid = _grid(loose, radius, placed)
    rounded = {n: (round(x, 1), round(y, 1)) for n, (x, y) in placed.positions.items()}
    discs = {k: (round(x, 1), round(y, 1), round(r, 1)) for k, (x, y, r) in placed.discs.items()}
    grid = None
    if placed.grid:
        x0, y0, x1, y1 = placed.grid
        grid = (round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1))
    return Placement(rounded, discs, grid)


def _grid(loose: list[str], radius: dict[str, float], placed: Placement) -> tuple[float, float, float, float]:
    """Put the unlinked nodes in rows and columns right of the map, top-aligned with it."""
    cell = 2 * max(radius[n] for n in loose) + 2 * GAP
    if placed.positions:
        xs = [x for x, _ in placed.positions.values()]
        ys = [y for _, y in placed.positions.values()]
        pad = max(radius.values())
        left, top, height = max(xs) + pad + 6 * cell, min(ys) - pad, max(ys) - min(ys) + 2 * pad
        rows = max(1, int(height // cell))
        cols = math.ceil(len(loose) / rows)
        rows = math.ceil(len(loose) / cols)  # as many rows as needed once columns are fixed
    else:
        cols = max(1, math.ceil(math.sqrt(len(loose) * 1.4)))
        rows = math.ceil(len(loose) / cols)
        left, top = 0.0, 0.0
    for k, n in enumerate(loose):
        col, row = divmod(k, rows)
        placed.positions[n] = (left + (col + 0.5) * cell, top + (row + 0.5) * cell)
    return (left, top, left + cols * cell, top + rows * cell)
