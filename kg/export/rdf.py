"""Turn the networkx model into RDF following the contract in DESIGN.md, and write it.

Each node of the model gives its triples as N-Triples lines, in a stable, subject-grouped
order.  Oxigraph parses those lines and serializes them as Turtle, N-Triples or JSON-LD,
keeping the order, so the same graph always gives the same bytes (`kg.export.serialize`); `to_rdf`
gives the same triples as an rdflib `Graph`, the programming model.  IRIs are minted from
parts that need no escaping, and the ones the data brings are checked once
(`_Lines.external`), so Oxigraph may parse without checking each one again.

Lines, not term objects, cross into Oxigraph because building a pyoxigraph term or triple
from Python costs about a microsecond each (measured: 1.6 us per triple with a literal);
parsing a line costs a tenth of that, so a 7M-triple export takes seconds, not half a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph

from kg.errors import ConfigError
from kg.export.categories import CategoryTriples
from kg.export.concepts import ConceptTriples
from kg.export.iris import (  # noqa: F401 (the names of an export, for callers of kg.export.rdf)
    CITO,
    DCTERMS,
    FOAF,
    KG,
    OWL,
    PROV,
    RDF,
    SCHEMA,
    SKOS,
    XSD,
    Minter,
    Vocabulary,
    listing_date,
    segment,
)
from kg.export.links import _WEB_KINDS, LinkTriples
from kg.export.namespaces import DEFAULT_BASE, KG_VOCAB, PREFIXES  # noqa: F401
from kg.export.papers import PaperTriples
from kg.export.provenance import ProvenanceTriples
from kg.export.serialize import STORE, serialize

FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, "ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "jsonld"),
}

# Pieces of text handed to the serializers at a time: big enough that each costs little to
# pass on, small enough that the few in flight take little memory.
CHUNK_CHARS = 4_000_000


class _Lines(PaperTriples, ConceptTriples, CategoryTriples, LinkTriples, ProvenanceTriples):
    """The N-Triples lines of a graph's export, one node (unit) at a time, in output order."""

    def units(self) -> list[tuple[Callable[[str, dict, list[str]], None], str]]:
        """The export as (method, node) units in output order: kinds in the order below, nodes
        sorted within a kind (web addresses after the papers, by IRI), then the concept scheme,
        the arXiv categories and their scheme, and the similarity nodes.  Each subject's triples come together (`kg.export.jsonld` relies on it)."""
        self._web_methods = {
            "repo": self.repo_node,
            "page": self.page_node,
            "link": self.page_node,
            "owner": self.owner_node,
            "host": self.host_node,
            "work": self.work_node,
        }
        by_kind: dict[str, list[str]] = {}
        for nid, kind in self.graph.nodes(data="kind"):
            by_kind.setdefault(kind, []).append(nid)
        order = [
            ("source", self.source_node),
            ("paper", self.paper_node),
            ("repo", self.repo_node),
            ("page", self.page_node),
            ("link", self.page_node),
            ("owner", self.owner_node),
            ("host", self.host_node),
            ("concept", self.concept_node),
            ("author", self.author_node),
            ("work", self.work_node),
        ]
        units: list[tuple[Callable[[str, dict, list[str]], None], str]] = []
        for kind, method in order:
            if kind in _WEB_KINDS:
                continue
            units += [(method, nid) for nid in sorted(by_kind.get(kind, ()))]
            if kind == "paper":
                units += self._web_units(by_kind)
        if by_kind.get("concept"):
            units.append((self.scheme, ""))
        units.append((self.categories, ""))
        units += [(self.similarities, nid) for nid in sorted(by_kind.get("paper", ()))]
        return units

    def chunks(self) -> Iterator[str]:
        """The export's N-Triples text, in pieces of about `CHUNK_CHARS` characters (whole nodes)."""
        size = CHUNK_CHARS
        nodes = self.nodes
        out: list[str] = []
        length = 0
        for method, nid in self.units():
            start = len(out)
            method(nid, nodes[nid] if nid else {}, out)
            length += sum(map(len, out[start:]))
            if length >= size:
                yield self.encodable("".join(out))
                out.clear()
                length = 0
        if out:
            yield self.encodable("".join(out))


def to_rdf(graph: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> Graph:
    """The export as an rdflib `Graph` with every contract prefix bound."""
    rdf = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        rdf.bind(prefix, ns)
    for text in _Lines(graph, base).chunks():
        rdf.parse(data=text, format="nt")
    return rdf


def write_graph(graph: nx.MultiDiGraph, path: Path, fmt: str = "ttl", base: str = DEFAULT_BASE) -> int:
    """Serialize the export of `graph` to `path` in `fmt` (ttl, nt, jsonld); returns the triple count."""
    return write_graphs(graph, {fmt: path}, base)


# Graphs of more edges than this are serialized by separate processes (see kg.export.serialize);
# below it (~150k triples), starting one (~0.15 s) costs more than it saves.
SERIALIZER_MIN_EDGES = 20_000


def write_graphs(
    graph: nx.MultiDiGraph,
    paths: dict[str, Path],
    base: str = DEFAULT_BASE,
    *,
    separate: bool = True,
    store: Path | None = None,
    digest: Any = None,
    dropped: list[str] | None = None,
) -> int:
    """Serialize the export of `graph` once per format in `paths` ({fmt: path}) and, given
    `store`, into a new Oxigraph store at that folder; returns the triple count.

    The N-Triples text is made once.  A large graph's is streamed to a serializer process
    per output unless `separate` is false (see `kg.export.serialize`).  `digest` (a hashlib object)
    is fed the N-Triples text: the graph's fingerprint.  Values no export can hold (an IRI
    Oxigraph refuses, a lone surrogate) are left out, never fatal, and listed in `dropped`.
    """
    for fmt in paths:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown RDF format {fmt!r} (choose from {', '.join(FORMATS)})")
    outputs = {path: FORMATS[fmt][1] for fmt, path in paths.items()}
    if store is not None:
        outputs[store] = STORE
    separate = separate and graph.number_of_edges() >= SERIALIZER_MIN_EDGES
    lines = _Lines(graph, base)
    count = serialize(lines.chunks, outputs, PREFIXES, separate=separate, digest=digest)
    if dropped is not None:
        dropped += sorted(lines.dropped)
    return count
