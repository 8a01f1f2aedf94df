"""GraphML 1.0 and GEXF 1.3 writers that keep to the published schemas, streamed line by line.

networkx's own writers break the schemas for a graph like kg's (GraphML: every MultiDiGraph edge
`id` is its key, so thousands of `id="0"`; a key id per attribute name, so two `key id="label"`
once nodes and edges both have a label; node ids with `/` that are not `xs:NMTOKEN`.  GEXF: no
1.3 namespace for `xsi:`, an empty `graph name`, an internal `networkx_key` column).  These
writers take the columns and their types from the caller, give every node an id that is an
NMTOKEN (`safe_id`) and every edge its own id (`e0`, `e1`, … in the order given), and drop
characters XML 1.0 cannot hold.

Schemas: http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd and http://gexf.net/1.3/gexf.xsd
(copies in tests/data/xsd/, which the tests validate against).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

Columns = Mapping[str, type]  # attribute name -> int, float, str or bool
Node = tuple[str, Mapping[str, object]]
Edge = tuple[str, str, Mapping[str, object]]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Characters XML 1.0 cannot hold at all (C0 controls but tab and newlines, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# What an id may keep as it is: ASCII letters, digits and the NMTOKEN punctuation but `_`,
# which starts an escape.
_UNSAFE = re.compile(r"[^A-Za-z0-9.:-]")


def safe_id(key: str) -> str:
    """`key` as an `xs:NMTOKEN`, one to one: every character but ASCII letters, digits, `.`, `:`
    and `-` becomes `_XX` per UTF-8 byte (`host:https://github.com` ->
    `host:https:_2F_2Fgithub.com`), so different keys never share an id."""
    return _UNSAFE.sub(lambda m: "".join(f"_{b:02X}" for b in m.group(0).encode("utf-8")), key)


def _attr(value: str) -> str:
    return _NOT_XML.sub("", value).translate(_ATTR_ESCAPES)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value).translate(_TEXT_ESCAPES)


def _value(value: object) -> str | None:
    """A value as XSD reads it (`true`, `12`, `0.5`), None for what cannot be written (NaN)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return str(value)


def _used(rows: Iterable[Mapping[str, object]], columns: Columns) -> list[str]:
    """The columns some row has a value for, in the columns' order."""
    seen: set[str] = set()
    for row in rows:
        seen.update(row)
    unknown = seen - set(columns)
    if unknown:
        raise ValueError(f"no column type for {', '.join(sorted(unknown))}")
    return [name for name in columns if name in seen]


_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def write_graphml(
    path: Path, nodes: list[Node], edges: list[Edge], node_columns: Columns, edge_columns: Columns
) -> None:
    """A directed GraphML 1.0 file: a `<key>` per column used (ids `node-NAME`, `edge-NAME`),
    each node with `safe_id` of its key, each edge with its position as `e0`, `e1`, …"""
    node_keys = _used((data for _, data in nodes), node_columns)
    edge_keys = _used((data for *_, data in edges), edge_columns)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{XSI_NS}" '
            f'xsi:schemaLocation="{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd">\n'
        )
        for domain, names, columns in (("node", node_keys, node_columns), ("edge", edge_keys, edge_columns)):
            for name in names:
                out.write(
                    f'  <key id="{domain}-{safe_id(name)}" for="{domain}" attr.name="{_attr(name)}" '
                    f'attr.type="{_GRAPHML_TYPES[columns[name]]}"/>\n'
                )
        out.write('  <graph id="kg" edgedefault="directed">\n')
        for key, data in nodes:
            out.write(f'    <node id="{safe_id(key)}">\n')
            _graphml_data(out, "node", node_keys, data)
            out.write("    </node>\n")
        for i, (a, b, data) in enumerate(edges):
            out.write(f'    <edge id="e{i}" source="{safe_id(a)}" target="{safe_id(b)}">\n')
            _graphml_data(out, "edge", edge_keys, data)
            out.write("    </edge>\n")
        out.write("  </graph>\n</graphml>\n")


def _graphml_data(out: TextIO, domain: str, names: list[str], data: Mapping[str, object]) -> None:
    for name in names:
        if name in data and (text := _value(data[name])) is not None:
            out.write(f'      <data key="{domain}-{safe_id(name)}">{_text(text)}</data>\n')


_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
# What GEXF holds in its own attributes or `viz` elements rather than as columns.
_NODE_BUILT_IN = ("label", "x", "y", "size")
_EDGE_BUILT_IN = ("label", "weight")


def write_gexf(
    path: Path,
    nodes: list[Node],
    edges: list[Edge],
    node_columns: Columns,
    edge_columns: Columns,
    *,
    kind: str = "rel",
    description: str = "",
) -> None:
    """A directed, static GEXF 1.3 file.  A node's `label` and an edge's `label` and `weight`
    are GEXF's own attributes, an edge's `kind` is its `kind` column; `x`, `y` and `size` are
    `viz:position` and `viz:size`; every other column is an `<attribute>` of its own id."""
    node_cols = [n for n in _used((data for _, data in nodes), node_columns) if n not in _NODE_BUILT_IN]
    edge_cols = [n for n in _used((data for *_, data in edges), edge_columns) if n not in _EDGE_BUILT_IN]
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" xmlns:xsi="{XSI_NS}" '
            f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">\n'
        )
        out.write("  <meta>\n    <creator>kg</creator>\n")
        if description:
            out.write(f"    <description>{_text(description)}</description>\n")
        out.write("  </meta>\n")
        out.write('  <graph defaultedgetype="directed" mode="static" idtype="string">\n')
        for cls, names, columns in (("node", node_cols, node_columns), ("edge", edge_cols, edge_columns)):
            if names:
                out.write(f'    <attributes class="{cls}" mode="static">\n')
                for name in names:
                    out.write(
                        f'      <attribute id="{_attr(name)}" title="{_attr(name)}" '
                        f'type="{_GEXF_TYPES[columns[name]]}"/>\n'
                    )
                out.write("    </attributes>\n")
        out.write(f'    <nodes count="{len(nodes)}">\n')
        for key, data in nodes:
            label = f' label="{_attr(str(data["label"]))}"' if "label" in data else ""
            out.write(f'      <node id="{safe_id(key)}"{label}>\n')
            _attvalues(out, node_cols, data)
            if "x" in data and "y" in data:
                out.write(
                    f'        <viz:position x="{_value(data["x"])}" y="{_value(data["y"])}" z="0.0"/>\n'
                )
            if "size" in data:
                out.write(f'        <viz:size value="{_value(data["size"])}"/>\n')
            out.write("      </node>\n")
        out.write("    </nodes>\n")
        out.write(f'    <edges count="{len(edges)}">\n')
        for i, (a, b, data) in enumerate(edges):
            extra = "".join(
                f' {name}="{_attr(text)}"'
                for name, value in (
                    ("kind", data.get(kind)),
                    ("label", data.get("label")),
                    ("weight", data.get("weight")),
                )
                if value is not None and (text := _value(value)) is not None
            )
            out.write(f'      <edge id="e{i}" source="{safe_id(a)}" target="{safe_id(b)}"{extra}>\n')
            _attvalues(out, edge_cols, data)
            out.write("      </edge>\n")
        out.write("    </edges>\n  </graph>\n</gexf>\n")


def _attvalues(out: TextIO, names: list[str], data: Mapping[str, object]) -> None:
    values = [(n, text) for n in names if n in data and (text := _value(data[n])) is not None]
    if not values:
        return
    out.write("        <attvalues>\n")
    for name, text in values:
        out.write(f'          <attvalue for="{_attr(name)}" value="{_attr(text)}"/>\n')
    out.write("        </attvalues>\n")
