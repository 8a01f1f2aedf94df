"""The self-contained page: the map's data as JSON, inlined with vis-network and the page's
own script and style into one HTML file.

vis-network comes from pyvis's package (pyvis's own templates load it and Bootstrap from
CDNs, so the page is assembled here instead).  The data goes in as JSON, escaped so no input
text can close the script element, and the page's script shows every text from the inputs
through `textContent` or the canvas, never as HTML.  The layout is computed here, so the
browser draws with physics off and stabilises nothing.
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg import graph as g
from kg.errors import ConfigError
from kg.view.clusters import OTHER, PALETTE, clusters_of_plan
from kg.view.layout import layout
from kg.view.options import ViewOptions
from kg.view.plan import SAMPLE_RULE, Plan, affinity, plan_clusters, sample_papers
from kg.view.select import CITES, empty_groups, select_view, weight_of
from kg.view.tables import corpus_tables, find_paper, month_of, year_of

SHAPES = {
    "paper": "dot",
    "concept": "diamond",
    "repo": "square",
    "page": "square",
    "owner": "hexagon",
    "author": "triangle",
}
# Rows of the page's tables by kind (a map node is [kind, row, x, y, size, cluster]).
KIND_TABLE = {"paper": "P", "concept": "C", "repo": "R", "page": "G", "owner": "O", "author": "A"}
SCRIPTS = ("base.js", "draw.js", "motion.js", "search.js", "panel.js", "focus.js", "time.js", "main.js")


_PAPER_LINKS = {*g.SIMILARITIES, CITES, g.MENTIONS}


# What a paper's size shows, as the legend says it: the first the corpus has.
SIZE_BY = {
    "citations": "papers by citations (Semantic Scholar)",
    "upvotes": "papers by Hugging Face upvotes",
    "links": "papers by how many papers they are linked to (similar, citing, naming)",
}


def size_basis(graph: nx.MultiDiGraph) -> str:
    """What paper sizes show: citations when enrichment counted them, else upvotes when the
    inputs gave them, else links to other papers."""
    nodes = graph._node.values()
    if any(d.get("citation_count") is not None for d in nodes):
        return "citations"
    if any(d.get("kind") == "paper" and d.get("upvotes") for d in nodes):
        return "upvotes"
    return "links"


def _importance(graph: nx.MultiDiGraph, n: str, basis: str) -> float:
    """What a node's size shows: for a paper the `basis` (`size_basis`), papers tagged for a
    concept, papers served for an owner or author."""
    data = graph._node[n]
    kind = data["kind"]
    if kind == "paper":
        # Counts with a long tail (a few papers have hundreds) grow by their logarithm, so
        # the scale still tells 3 from 30 below the largest.
        if basis == "citations":
            return 2.5 * math.log1p(data.get("citation_count") or 0)
        if basis == "upvotes":
            return 2.5 * math.log1p(data.get("upvotes") or 0)
        linked = {
            m
            for m, multi in graph._succ[n].items()
            if graph._node[m]["kind"] == "paper" and any(e["rel"] in _PAPER_LINKS for e in multi.values())
        }
        linked |= {
            m
            for m, multi in graph._pred[n].items()
            if graph._node[m]["kind"] == "paper" and any(e["rel"] in _PAPER_LINKS for e in multi.values())
        }
        return float(len(linked))
    if kind == "concept":
        return float(data.get("papers", 0))
    return float(len(graph._pred[n]))


def _size(kind: str, importance: float) -> float:
    if kind == "paper":
        return round(min(6 + 2.2 * math.sqrt(importance), 20), 1)
    if kind == "concept":
        return round(min(5 + 1.5 * math.sqrt(importance), 22), 1)
    if kind in ("repo", "page"):
        return 4.5
    return round(min(5 + 1.5 * math.sqrt(importance), 16), 1)


def _collision(kind: str, size: float) -> float:
    # Dots are circles (a margin keeps each centre out of its neighbours' bounding boxes);
    # squares, diamonds, hexagons and triangles reach 1.42 x size at their corners.
    return size * (1.2 if SHAPES[kind] == "dot" else 1.42)


def _style(data: dict) -> str:
    rel = data["rel"]
    if rel in g.SIMILARITIES:
        return f"similar:{data.get('basis') or g.LINK_BASIS.get(rel, 'concepts')}"
    if rel in (g.REPOSITORY, g.PROJECT_PAGE, g.OWNER, g.LINK):
        return "code"
    return str(rel)


def view_data(graph: nx.MultiDiGraph, options: ViewOptions | None = None) -> dict[str, Any]:
    """Everything the page needs, as plain data (sorted, so the page is deterministic)."""
    options = options or ViewOptions()
    focus = find_paper(graph, options.paper) if options.paper else None
    plan = plan_clusters(graph)
    sample = sample_papers(plan, options.max_nodes // 2)
    view = select_view(graph, options, sample)
    clusters = clusters_of_plan(graph, view, plan)
    nodes = graph._node
    basis = size_basis(graph)
    size = {n: _size(nodes[n]["kind"], _importance(graph, n, basis)) for n in view}
    placement = layout(
        clusters.links,
        clusters.of,
        {n: _collision(nodes[n]["kind"], s) for n, s in size.items()},
        affinity(graph, plan),
    )
    papers = plan.papers
    cluster_of = plan.cluster()
    tables, rows = corpus_tables(graph, set(view), cluster_of)

    order = sorted(view.nodes)
    index = {n: i for i, n in enumerate(order)}
    map_nodes = []
    for n in order:
        kind = nodes[n]["kind"]
        x, y = placement.positions[n]
        map_nodes.append([KIND_TABLE[kind], rows[kind][n], x, y, size[n], clusters.of[n]])
    named: list[tuple[int, int, str, int]] = []
    for a, b, data in view.edges(data=True):
        # Concepts used together across two clusters: on a large map, a web of long lines
        # that hides the clusters (the concept's panel still lists its related concepts).
        if data["rel"] == g.RELATED and clusters.of[a] != clusters.of[b]:
            continue
        source = data.get("source", a)
        target = b if source == a else a
        named.append((index[source], index[target], _style(data), round(weight_of(data) * 1000)))
    style_names = sorted({e[2] for e in named})
    styles = {name: i for i, name in enumerate(style_names)}
    edges = sorted([s, t, styles[name], w] for s, t, name, w in named)

    years = sorted({y for p in papers if (y := year_of(nodes[p]))})
    # A corpus of a year or two is filtered and coloured by month (keys year * 12 + month - 1).
    # The span is that of the bulk of the papers: a snapshot of 2025 also holds a few papers
    # first posted years before (their ids are old); those count as at the span's start.
    dated = sorted(m for p in papers if (m := month_of(nodes[p])))
    first = dated[len(dated) // 100] if dated else 0
    unit = "month" if dated and dated[-1] - first < 24 and dated[-1] > first else "year"
    span = [first, dated[-1]] if unit == "month" else [years[0], years[-1]] if years else None
    # The legend counts every paper of the corpus in each cluster, drawn or not.
    counts = Counter(cluster_of.values())
    legend: list[tuple[str, str, int, list[tuple[str, float]], float]] = [
        (
            clusters.names[i],
            clusters.colour(i),
            counts[i],
            [(t, s) for t, s in zip(plan.names[i].terms, plan.names[i].shares, strict=True)],
            plan.names[i].covered,
        )
        for i in range(clusters.coloured)
    ]
    others = len(papers) - sum(row[2] for row in legend)
    drawn_papers = sum(1 for n in view if nodes[n]["kind"] == "paper")
    return {
        **tables,
        "M": {
            "n": map_nodes,
            "e": [v for edge in edges for v in edge],
            "styles": style_names,
            "kinds": sorted({nodes[n]["kind"] for n in view}),
        },
        "K": {
            "names": clusters.names,
            "colours": [clusters.colour(i) for i in range(len(clusters.names))],
            "papers": clusters.papers,
            "discs": [list(placement.discs.get(i, (0.0, 0.0, 0.0))) for i in range(len(clusters.names))],
            "coloured": clusters.coloured,
            "other": OTHER,
            "others": others,
            "grid": list(placement.grid) if placement.grid else None,
            "subs": _sub_labels(plan, placement.positions),
        },
        "legend": legend,
        "sizeBy": SIZE_BY[basis],
        "sample": {
            "drawn": drawn_papers,
            "papers": len(papers),
            "rule": SAMPLE_RULE if drawn_papers < len(papers) else "",
        },
        "palette": PALETTE,
        "years": span,
        "timeUnit": unit,
        "before": sum(1 for m in dated if m < first) if unit == "month" else 0,
        "notes": [f"{group}: {why}" for group, why in empty_groups(graph, options).items()],
        "focus": rows["paper"][focus] if focus else None,
        "total": {kind: len(ids) for kind, ids in sorted(rows.items())},
    }


def _sub_labels(plan: Plan, positions: dict[str, tuple[float, float]]) -> list[list[Any]]:
    """Where the map names a coloured cluster's parts when zoomed in: [cluster, name, x, y]
    at the centre of the part's drawn papers (three or more)."""
    labels = []
    for parent, name, members in plan.subs:
        at = [positions[p] for p in members if p in positions]
        if len(at) >= 3 and name.terms:
            x = round(sum(p[0] for p in at) / len(at), 1)
            y = round(sum(p[1] for p in at) / len(at), 1)
            labels.append([parent, ", ".join(name.terms[:2]), x, y])
    return labels


def _vis_script() -> str:
    script = (resources.files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(
        encoding="utf-8"
    )
    if "</script" in script.lower():  # would end the inline element early
        raise ConfigError("bundled vis-network script cannot be inlined")
    return script


def _own(*parts: str) -> str:
    path = resources.files("kg.view")
    for part in parts:
        path = path / part
    return path.read_text(encoding="utf-8")


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# What `_script_safe` spells otherwise, each as six characters ("\\u003c").
_UNSAFE = "<>&\u2028\u2029"


def script_safe_json(data: object) -> str:
    """JSON that cannot end the <script> element it sits in, whatever the strings hold."""
    return _script_safe(_json(data))


def _script_safe(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# Data larger than this goes into the page deflated (a 10k-paper map's 3.9 MB of JSON becomes
# ~1 MB); smaller data stays plain JSON, readable in the page source.  zlib's output is the
# same from run to run; another zlib build (zlib-ng) may deflate differently.
COMPRESS_ABOVE = 1_500_000


def page_json(data: dict[str, Any]) -> str:
    """The data block of the page: JSON, or {"deflated": base64} for a large map."""
    text = _json(data)  # made once: on a 40k-paper map, 0.2 GB and a second and a half
    safe_length = len(text) + 5 * sum(text.count(c) for c in _UNSAFE)
    if safe_length <= COMPRESS_ABOVE:
        return _script_safe(text)
    packed = zlib.compress(text.encode(), 6)
    del text
    return json.dumps({"deflated": base64.b64encode(packed).decode("ascii")})


def data_of_page(html: str) -> dict[str, Any]:
    """The data a page carries (what `view_data` gave when it was drawn)."""
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    if found is None:
        raise ConfigError("not a kg map page (no data block)")
    data: dict[str, Any] = json.loads(found.group(1))
    if "deflated" in data:
        data = json.loads(zlib.decompress(base64.b64decode(data["deflated"])))
    return data


def _more_abstracts(graph: nx.MultiDiGraph, inline: list[str | None]) -> str:
    """The abstracts the page's data leaves out (to keep its first load small), per paper row
    (null where the data has it), deflated: the panel opens the block when it first needs one.
    `inline` is the data's abstracts per paper row (None where left out).  Empty when the
    data holds them all."""
    papers = sorted(n for n, kind in graph.nodes(data="kind") if kind == "paper")
    rest = [
        None if have is not None else graph._node[p].get("abstract")
        for p, have in zip(papers, inline, strict=True)
    ]
    if not any(rest):
        return ""
    # Deflated an abstract at a time: the whole list's JSON is 50 MB on 40k papers (four times
    # that as a str once one abstract holds an emoji).  zlib deflates a stream fed in pieces
    # to the same bytes as the whole at once.
    deflate = zlib.compressobj(6)
    packed = [deflate.compress(b"[")]
    for i, abstract in enumerate(rest):
        item = json.dumps(abstract, ensure_ascii=False)
        packed.append(deflate.compress((f",{item}" if i else item).encode()))
    packed += [deflate.compress(b"]"), deflate.flush()]
    return json.dumps({"deflated": base64.b64encode(b"".join(packed)).decode("ascii")})


def render_html(graph: nx.MultiDiGraph, options: ViewOptions | None = None) -> str:
    """The self-contained page for `graph`."""
    data = view_data(graph, options)
    own = "\n".join(_own("js", name) for name in SCRIPTS)
    if "</script" in own.lower():
        raise ConfigError("page script cannot be inlined")
    data_block = page_json(data)
    inline = data["P"]["ab"]
    del data  # on a 40k-paper map, 0.1 GB of lists no longer needed while the abstracts are packed
    parts = {
        "/*KG_CSS*/": _own("page.css"),
        "/*VIS_JS*/": _vis_script(),
        "/*KG_JS*/": own,
        "/*KG_DATA*/": data_block,
        "/*KG_ABSTRACTS*/": _more_abstracts(graph, inline),
    }
    # One pass, so no inserted text is searched for the next marker.
    return re.sub("|".join(re.escape(m) for m in parts), lambda m: parts[m.group(0)], _own("page.html"))


def write_html(graph: nx.MultiDiGraph, path: Path, options: ViewOptions | None = None) -> None:
    """Write the page for `graph` to `path`."""
    path.write_text(render_html(graph, options), encoding="utf-8")
