"""The map as a pyvis `Network`, for notebooks: the page's drawn nodes, positions, colours
and hover text, which notebook users can show (`net.show("map.html")`) and restyle."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.view.options import ViewOptions
from kg.view.page import SHAPES, view_data

if TYPE_CHECKING:
    from pyvis.network import Network

KINDS = {"P": "paper", "C": "concept", "R": "repo", "G": "page", "O": "owner", "A": "author"}
KIND_NAMES = {"repo": "repository", "page": "project page", "owner": "code owner", "author": "author"}
EDGE_COLOURS = {  # colour and opacity, as on the page
    "similar": ("#5f7590", 0.75),
    "cites": ("#c23b22", 0.85),
    "mentions": ("#8e44ad", 0.85),
    "subject": ("#c8a26c", 0.25),
    "related": ("#c8a26c", 0.3),
    "broader": ("#9a7100", 0.8),
    "code": ("#3d9a5d", 0.7),
    "creator": ("#9b59b6", 0.6),
}
DIRECTED = {"cites", "mentions", "broader"}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class _Records:
    """What the page's script derives from the tables, for the hover text."""

    def __init__(self, data: dict[str, Any]):
        self.d = data
        papers = data["P"]
        self.similar = [0] * len(papers["t"])
        sim = data["E"]["sim"]
        # Counted as the page counts them: from the confidence of a similarity link up.
        for i in range(0, len(sim), 4):
            if sim[i + 2] >= data["E"].get("conf", 0):
                self.similar[sim[i]] += 1
                self.similar[sim[i + 1]] += 1
        self.citing = [0] * len(papers["t"])
        cites = data["E"]["cite"]
        for i in range(0, len(cites), 2):
            self.citing[cites[i]] += 1
            self.citing[cites[i + 1]] += 1
        self.papers_of: dict[tuple[str, int], set[int]] = {}
        for p, links in enumerate(papers["x"]):
            for a in papers["a"][p]:
                self.papers_of.setdefault(("A", a), set()).add(p)
            for kind, target in links:
                if kind == "code":
                    self.papers_of.setdefault(("R", target), set()).add(p)
                    owner = data["R"]["o"][target]
                    if owner >= 0:
                        self.papers_of.setdefault(("O", owner), set()).add(p)
                elif kind == "project page":
                    self.papers_of.setdefault(("G", target), set()).add(p)

    def cluster_name(self, k: int) -> str:
        clusters = self.d["K"]
        return clusters["names"][k] if 0 <= k < clusters["coloured"] else "other (small clusters)"

    def date(self, p: int) -> str:
        papers = self.d["P"]
        if papers["d"][p]:
            return str(papers["d"][p])
        listed = [self.d["S"]["d"][s] for s, _ in papers["s"][p] if self.d["S"]["d"][s]]
        return f"listed {listed[0]}" if listed else ""

    def name(self, table: str, row: int) -> str:
        t = self.d[table]
        return str(
            t["t"][row]
            if table == "P"
            else t["l"][row]
            if table == "C"
            else t["u"][row]
            if table == "G"
            else t["n"][row]
        )

    def hover(self, table: str, row: int) -> str:
        """The lines the page's hover card shows for a node."""
        d = self.d
        lines = [self.name(table, row)]
        if table == "P":
            papers = d["P"]
            lines.append(" · ".join(x for x in (self.date(row), self.cluster_name(papers["k"][row])) if x))
            lines.append(", ".join(d["C"]["l"][c] for c in papers["c"][row][:4]))
            links = _plural(self.similar[row], "similar paper")
            if self.citing[row]:
                links += " · " + _plural(self.citing[row], "citation link")
            lines.append(links)
        elif table == "C":
            alt = d["C"]["alt"][row]
            lines.append(
                f"concept · {_plural(d['C']['n'][row], 'paper')}"
                + (f" · also {', '.join(alt[:3])}" if alt else "")
            )
        else:
            lines.append(
                f"{KIND_NAMES[KINDS[table]]} · {_plural(len(self.papers_of.get((table, row), ())), 'paper')}"
            )
            if table in ("R", "O", "G"):
                lines.append(str(d[table]["u"][row]))
        return "\n".join(line for line in lines if line)


def to_pyvis(graph: nx.MultiDiGraph, options: ViewOptions | None = None, **network: Any) -> Network:
    """A pyvis `Network` of the map: its drawn nodes at the page's positions, with its colours,
    sizes, shapes and hover text (`title`), physics off.

    Keyword arguments go to `pyvis.network.Network` (e.g. `notebook=True`, `height="800px"`).
    """
    from pyvis.network import Network

    data = view_data(graph, options)
    records = _Records(data)
    clusters = data["K"]
    net = Network(**{"height": "750px", "width": "100%", "directed": False, **network})
    for i, (table, row, x, y, size, cluster) in enumerate(data["M"]["n"]):
        kind = KINDS[table]
        name = records.name(table, row)
        short = name.split(": ", 1)[0] if kind == "paper" and 0 < name.find(": ") <= 32 else name
        if kind in ("owner", "page"):
            short = re.sub(r"^https?://(www\.)?", "", short)
        colour = clusters["colours"][cluster] if 0 <= cluster < clusters["coloured"] else clusters["other"]
        net.add_node(
            i,
            label=short if len(short) <= 34 else re.sub(r"\s+\S*$", "", short[:32]) + "…",
            title=records.hover(table, row),
            x=x,
            y=y,
            size=size,
            color=colour,
            shape=SHAPES[kind],
            physics=False,
            # Labels appear once zoomed in (vis draws every label it has, and they overprint).
            font={"size": 10},
            scaling={"label": {"enabled": True, "drawThreshold": 9}},
        )
    styles = data["M"]["styles"]
    flat = data["M"]["e"]
    for k in range(0, len(flat), 4):
        source, target, style, weight = flat[k : k + 4]
        rel = styles[style].split(":", 1)[0]
        net.add_edge(
            source,
            target,
            color={
                "color": EDGE_COLOURS.get(rel, ("#888888", 0.5))[0],
                "opacity": EDGE_COLOURS.get(rel, ("#888888", 0.5))[1],
            },
            width=0.5 + 3.5 * min(1.0, weight / 1000) if rel == "similar" else 0.8,
            title=styles[style],
            arrows="to" if rel in DIRECTED else "",
        )
    net.toggle_physics(False)
    net.options.edges.smooth.enabled = False  # straight lines, as on the page
    return net
