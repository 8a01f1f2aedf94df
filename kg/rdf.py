"""Turn the networkx model into RDF following the contract in DESIGN.md, and write it.

Each node of the model gives its triples as N-Triples lines, in a stable, subject-grouped
order.  Oxigraph parses those lines (checking every IRI and literal) and serializes them as
Turtle, N-Triples or JSON-LD, keeping the order, so the same graph always gives the same
bytes; `to_rdf` gives the same triples as an rdflib `Graph`, the programming model.

Lines, not term objects, cross into Oxigraph because building a pyoxigraph term or triple
from Python costs about a microsecond each (measured: 1.6 us per triple with a literal);
parsing a line costs a tenth of that, so a 7M-triple export takes seconds, not half a minute.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import re
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdflib_ns

from kg import graph as g
from kg.errors import ConfigError, KgError


class Vocabulary:
    """A namespace whose terms are made once.

    rdflib's `Namespace` builds a new `URIRef` on every attribute access; on a large build that
    is millions of objects, and equal-but-not-identical terms compare in Python.  Here a term
    is made on first use and then read as a plain attribute.
    """

    def __init__(self, iri: str):
        self._iri = iri

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self.__dict__[name] = URIRef(self._iri + name)
        return term

    def __str__(self) -> str:
        return self._iri


SCHEMA = Vocabulary("https://schema.org/")
CITO = Vocabulary("http://purl.org/spar/cito/")
KG_VOCAB = "https://w3id.org/kg/vocab#"
KG = Vocabulary(KG_VOCAB)
DCTERMS = Vocabulary(str(rdflib_ns.DCTERMS))
FOAF = Vocabulary(str(rdflib_ns.FOAF))
OWL = Vocabulary(str(rdflib_ns.OWL))
PROV = Vocabulary(str(rdflib_ns.PROV))
RDF = Vocabulary(str(rdflib_ns.RDF))
SKOS = Vocabulary(str(rdflib_ns.SKOS))
XSD = Vocabulary(str(rdflib_ns.XSD))
DEFAULT_BASE = "https://w3id.org/kg/id/"

PREFIXES = {
    "schema": str(SCHEMA),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "foaf": str(FOAF),
    "cito": str(CITO),
    "prov": str(PROV),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": str(XSD),
    "kg": KG_VOCAB,
}

FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, "ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "jsonld"),
}

_KEY_SAFE = re.compile(r"[\w-]+", re.ASCII)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


class Minter:
    """Stable IRIs for things the corpus names itself, under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not re.match(r"^[a-z][a-z0-9+.-]*:\S*[/#]$", base, re.IGNORECASE):
            raise ConfigError(f"base IRI must be absolute and end in '/' or '#': {base!r}")
        try:
            ox.NamedNode(f"{base}paper/x")
        except ValueError:
            raise ConfigError(f"base IRI is not a valid IRI: {base!r}") from None
        self.base = base

    def paper(self, key: str) -> str:
        # Keys are made of word characters and hyphens, which IRIs allow as they are.
        return f"{self.base}paper/{key}" if _KEY_SAFE.fullmatch(key) else f"{self.base}paper/{quote(key)}"

    def source(self, name: str) -> str:
        return f"{self.base}source/{quote(name, safe='/')}"

    def author(self, key: str) -> str:
        return f"{self.base}author/{quote(key, safe='-')}"

    def concept(self, slug: str) -> str:
        return f"{self.base}concept/{slug}"

    @property
    def scheme(self) -> str:
        return f"{self.base}concepts"

    def topic(self, paper: str, slug: str) -> str:
        """The score of a paper's concept; `paper` is the paper's IRI."""
        return f"{paper}#topic-{slug}"

    def authorship(self, paper: str, position: int) -> str:
        return f"{paper}#author-{position}"

    def derivation(self, paper: str, source: str, line: int) -> str:
        return f"{paper}#seen-{quote(source, safe='')}-L{line}"

    def cooccurrence(self, a: str, b: str) -> str:
        return f"{self.base}cooccurrence/{a}--{b}"

    def similarity(self, a: str, b: str) -> str:
        return f"{self.base}similarity/{a}--{b}"


def listing_date(text: str) -> Literal:
    """`Mar 11` -> "--03-11"^^xsd:gMonthDay; `Mar 11, 2024` -> "2024-03-11"^^xsd:date."""
    m = re.match(r"([A-Za-z]+)\.? (\d{1,2})(?:, (\d{4}))?$", text)
    if m is None or m.group(1)[:3].lower() not in _MONTHS:
        return Literal(text)
    month, day = _MONTHS.index(m.group(1)[:3].lower()) + 1, int(m.group(2))
    if m.group(3):
        return Literal(f"{m.group(3)}-{month:02d}-{day:02d}", datatype=XSD.date)
    return Literal(f"--{month:02d}-{day:02d}", datatype=XSD.gMonthDay)


# ----------------------------------------------------------------------------------------
# N-Triples terms


class _Terms:
    """A vocabulary's terms in N-Triples form (`<iri>`), each made once."""

    def __init__(self, vocabulary: Vocabulary):
        self._vocabulary = vocabulary

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self.__dict__[name] = f"<{getattr(self._vocabulary, name)}>"
        return term


_RDF, _SCHEMA, _DCTERMS, _SKOS = _Terms(RDF), _Terms(SCHEMA), _Terms(DCTERMS), _Terms(SKOS)
_FOAF, _CITO, _PROV, _OWL, _KG = _Terms(FOAF), _Terms(CITO), _Terms(PROV), _Terms(OWL), _Terms(KG)
_XSD = _Terms(XSD)
A = _RDF.type


def _string(text: str) -> str:
    """An xsd:string literal; N-Triples escapes only these four characters."""
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{text}"'


def _typed(text: str, datatype: str) -> str:
    return f"{_string(text)}^^{datatype}"


def _integer(value: int) -> str:
    return f'"{value}"^^{_XSD.integer}'


def _decimal(value: float) -> str:
    """An `xsd:decimal` with four places (scores and weights)."""
    return f'"{value:.4f}"^^{_XSD.decimal}'


def _literal(value: Literal) -> str:
    if value.language:
        return f"{_string(str(value))}@{value.language}"
    if value.datatype is not None and value.datatype != XSD.string:
        return _typed(str(value), f"<{value.datatype}>")
    return _string(str(value))


# ----------------------------------------------------------------------------------------
# The export, node by node

# Pieces of the export serialized at a time: big enough that each costs little to hand to a
# worker, small enough that a few in flight take little memory.
CHUNK_CHARS = 4_000_000
_PAPER_LINKS = {g.REPOSITORY: _KG.repository, g.PROJECT_PAGE: _KG.projectPage, g.LINK: _KG.link}


class _Lines:
    """The N-Triples lines of a graph's export, one node (unit) at a time.

    The model is read through networkx's own dictionaries (`_succ`, `_pred`) rather than its
    views: a large export reads millions of adjacency entries, and the views cost several
    times more per entry.  Nothing is changed.
    """

    def __init__(self, graph: nx.MultiDiGraph, base: str):
        self.graph = graph
        self.nodes = graph.nodes
        self.succ: dict = graph._succ
        self.mint = Minter(base)
        self._papers: dict[str, str] = {}
        self._concepts: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._external: dict[str, str] = {}
        self._related = self._related_slugs()

    # Recurring IRIs, in N-Triples form.
    def paper(self, key: str) -> str:
        term = self._papers.get(key)
        if term is None:
            term = self._papers[key] = f"<{self.mint.paper(key)}>"
        return term

    def concept(self, slug: str) -> str:
        term = self._concepts.get(slug)
        if term is None:
            term = self._concepts[slug] = f"<{self.mint.concept(slug)}>"
        return term

    def source(self, name: str) -> str:
        term = self._sources.get(name)
        if term is None:
            term = self._sources[name] = f"<{self.mint.source(name)}>"
        return term

    def external(self, iri: str) -> str:
        """An IRI from the data (a repository, an arXiv id, ...), checked once by Oxigraph."""
        term = self._external.get(iri)
        if term is None:
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise KgError(f"not a valid IRI, cannot be exported: {iri!r}") from None
            term = self._external[iri] = f"<{iri}>"
        return term

    def _related_slugs(self) -> dict[str, list[str]]:
        """Per concept node, the slugs of its related concepts (links go both ways)."""
        related: dict[str, list[str]] = defaultdict(list)
        nodes = self.nodes
        for nid, kind in self.graph.nodes(data="kind"):
            if kind != "concept":
                continue
            for other, edges in self.succ[nid].items():
                if any(e["rel"] == g.RELATED for e in edges.values()):
                    related[nid].append(nodes[other]["slug"])
                    related[other].append(nodes[nid]["slug"])
        return related

    # One method per node kind; each appends whole subject groups to `out`.
    def source_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.source(data["name"])
        out.append(f"{s} {A} {_PROV.Entity} .\n{s} {_DCTERMS.source} {_string(data['name'])} .\n")
        if data.get("listed"):
            out.append(f"{s} {_KG.listingDate} {_literal(listing_date(data['listed']))} .\n")

    def paper_node(self, nid: str, data: dict, out: list[str]) -> None:
        key = data["key"]
        iri = self.mint.paper(key)
        s = self.paper(key)
        add = out.append
        add(f"{s} {A} {_SCHEMA.ScholarlyArticle} .\n{s} {_DCTERMS.title} {_string(data['title'])} .\n")
        if data.get("abstract") is not None:
            add(f"{s} {_DCTERMS.abstract} {_string(data['abstract'])} .\n")
        else:
            add(f'{s} {_KG.abstractMissing} "true"^^{_XSD.boolean} .\n')
        self._identity(s, data, out)
        nodes = self.nodes
        derivations = []
        topics = []
        authors = []
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                rel = edge["rel"]
                if rel == g.SUBJECT:
                    slug = nodes[target]["slug"]
                    add(f"{s} {_DCTERMS.subject} {self.concept(slug)} .\n")
                    topics.append((slug, edge["score"]))
                elif rel == g.MENTIONS:
                    add(f"{s} {_SCHEMA.mentions} {self.paper(nodes[target]['key'])} .\n")
                elif rel == g.CREATOR:
                    author = f"<{self.mint.author(nodes[target]['key'])}>"
                    add(f"{s} {_DCTERMS.creator} {author} .\n")
                    authors.append((edge["position"], author))
                elif rel == g.CITES:
                    cited = nodes[target]
                    o = self.paper(cited["key"]) if cited["kind"] == "paper" else self.external(cited["iri"])
                    add(f"{s} {_CITO.cites} {o} .\n")
                elif rel == g.DERIVED_FROM:
                    name = nodes[target]["name"]
                    add(f"{s} {_PROV.wasDerivedFrom} {self.source(name)} .\n")
                    derivations.append(
                        (f"<{self.mint.derivation(iri, name, edge['line'])}>", name, edge["line"])
                    )
                elif rel in _PAPER_LINKS:
                    add(f"{s} {_PAPER_LINKS[rel]} {self.external(nodes[target]['iri'])} .\n")
                    add(f"{s} {_KG.writtenUrl} {_string(edge['written'])} .\n")
        for d, _, _ in derivations:
            add(f"{s} {_PROV.qualifiedDerivation} {d} .\n")
        authors.sort()
        authorships = [f"<{self.mint.authorship(iri, position)}>" for position, _ in authors]
        for a in authorships:
            add(f"{s} {_KG.authorship} {a} .\n")
        for a, (position, author) in zip(authorships, authors, strict=True):
            add(f"{a} {A} {_KG.Authorship} .\n{a} {_KG.author} {author} .\n")
            add(f"{a} {_KG.position} {_integer(position)} .\n")
        topic_iris = [f"<{self.mint.topic(iri, slug)}>" for slug, _ in topics]
        for t in topic_iris:
            add(f"{s} {_KG.topic} {t} .\n")
        for t, (slug, score) in zip(topic_iris, topics, strict=True):
            add(
                f"{t} {A} {_KG.Topic} .\n{t} {_KG.concept} {self.concept(slug)} .\n"
                f"{t} {_KG.score} {_decimal(score)} .\n"
            )
        for d, name, line in derivations:
            add(f"{d} {A} {_PROV.Derivation} .\n{d} {_PROV.entity} {self.source(name)} .\n")
            add(f"{d} {_KG.line} {_integer(line)} .\n")

    def _identity(self, s: str, data: dict, out: list[str]) -> None:
        """What enrichment learnt of a paper: ids as owl:sameAs links, date, venue, categories."""
        add = out.append
        if data.get("arxiv_id"):
            add(f"{s} {_KG.arxivId} {_string(data['arxiv_id'])} .\n")
            arxiv = self.external(f"https://arxiv.org/abs/{data['arxiv_id']}")
            add(f"{s} {_OWL.sameAs} {arxiv} .\n")
        if data.get("s2_id"):
            s2 = self.external(f"https://www.semanticscholar.org/paper/{data['s2_id']}")
            add(f"{s} {_OWL.sameAs} {s2} .\n")
        if data.get("doi"):
            doi = self.external(f"https://doi.org/{quote(data['doi'], safe='/:;()._-')}")
            add(f"{s} {_OWL.sameAs} {doi} .\n")
        issued = data.get("issued")
        if issued and re.fullmatch(r"\d{4}-\d{2}-\d{2}", issued):
            add(f"{s} {_DCTERMS.issued} {_typed(issued, _XSD.date)} .\n")
        if data.get("venue"):
            add(f"{s} {_KG.venue} {_string(data['venue'])} .\n")
        for category in data.get("categories", ()):
            add(f"{s} {_KG.arxivCategory} {_string(category)} .\n")

    def author_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = f"<{self.mint.author(data['key'])}>"
        out.append(f"{s} {A} {_FOAF.Person} .\n{s} {_FOAF.name} {_string(data['name'])} .\n")
        if data["key"].startswith("s2-"):
            s2 = self.external(f"https://www.semanticscholar.org/author/{data['key'][3:]}")
            out.append(f"{s} {_OWL.sameAs} {s2} .\n")

    def work_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        out.append(f"{s} {A} {_SCHEMA.CreativeWork} .\n")
        if data.get("title"):
            out.append(f"{s} {_DCTERMS.title} {_string(data['title'])} .\n")

    def concept_node(self, nid: str, data: dict, out: list[str]) -> None:
        slug = data["slug"]
        s = self.concept(slug)
        add = out.append
        add(f"{s} {A} {_SKOS.Concept} .\n{s} {_SKOS.prefLabel} {_string(data['label'])} .\n")
        for alt in data["alt_labels"]:
            add(f"{s} {_SKOS.altLabel} {_string(alt)} .\n")
        add(
            f"{s} {_SKOS.inScheme} <{self.mint.scheme}> .\n{s} {_KG.paperCount} {_integer(data['papers'])} .\n"
        )
        for other in sorted(self._related.get(nid, ())):
            add(f"{s} {_SKOS.related} {self.concept(other)} .\n")
        nodes = self.nodes
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                if edge["rel"] == g.RELATED:
                    other = nodes[target]["slug"]
                    c = f"<{self.mint.cooccurrence(slug, other)}>"
                    add(
                        f"{c} {A} {_KG.Cooccurrence} .\n{c} {_KG.concept} {s} .\n"
                        f"{c} {_KG.concept} {self.concept(other)} .\n{c} {_KG.support} {_integer(edge['weight'])} .\n"
                    )

    def scheme(self, nid: str, data: dict, out: list[str]) -> None:
        s = f"<{self.mint.scheme}>"
        title = _string("Concepts extracted from the corpus by kg")
        out.append(f"{s} {A} {_SKOS.ConceptScheme} .\n{s} {_DCTERMS.title} {title} .\n")

    def similarities(self, nid: str, data: dict, out: list[str]) -> None:
        """A paper's similarity links (as the smaller key of each pair), reified with their weight."""
        key = data["key"]
        nodes = self.nodes
        add = out.append
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                if edge["rel"] != g.SIMILAR:
                    continue
                other = nodes[target]["key"]
                a, b = self.paper(key), self.paper(other)
                sim = f"<{self.mint.similarity(key, other)}>"
                add(
                    f"{a} {_KG.similarTo} {b} .\n{b} {_KG.similarTo} {a} .\n{sim} {A} {_KG.Similarity} .\n"
                    f"{sim} {_KG.paper} {a} .\n{sim} {_KG.paper} {b} .\n"
                    f"{sim} {_KG.weight} {_decimal(edge['weight'])} .\n"
                )
                for shared in edge["shared"]:
                    add(f"{sim} {_KG.sharedConcept} {self.concept(shared)} .\n")

    def _linked(self, s: str, nid: str, out: list[str]) -> None:
        nodes = self.nodes
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                if edge["rel"] == g.OWNER:
                    out.append(f"{s} {_KG.owner} {self.external(nodes[target]['iri'])} .\n")
                elif edge["rel"] == g.HOST:
                    out.append(f"{s} {_KG.host} {self.external(nodes[target]['iri'])} .\n")

    def repo_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        out.append(f"{s} {A} {_SCHEMA.SoftwareSourceCode} .\n")
        out.append(f"{s} {_SCHEMA.codeRepository} {_typed(data['iri'], _XSD.anyURI)} .\n")
        if data.get("name"):
            out.append(f"{s} {_SCHEMA.name} {_string(data['name'])} .\n")
        self._linked(s, nid, out)

    def page_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        out.append(f"{s} {A} {_SCHEMA.WebPage} .\n{s} {_SCHEMA.url} {_typed(data['iri'], _XSD.anyURI)} .\n")
        self._linked(s, nid, out)

    def owner_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        out.append(f"{s} {A} {_FOAF.Agent} .\n{s} {_FOAF.name} {_string(data['name'])} .\n")
        self._linked(s, nid, out)

    def host_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        out.append(f"{s} {A} {_SCHEMA.WebSite} .\n{s} {_SCHEMA.url} {_typed(data['iri'], _XSD.anyURI)} .\n")

    def units(self) -> list[tuple[Callable[[str, dict, list[str]], None], str]]:
        """The export as (method, node) units in output order: kinds in the order below,
        nodes sorted within a kind, then the concept scheme and the similarity links."""
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
            units += [(method, nid) for nid in sorted(by_kind.get(kind, ()))]
        if by_kind.get("concept"):
            units.append((self.scheme, ""))
        units += [(self.similarities, nid) for nid in sorted(by_kind.get("paper", ()))]
        return units

    def chunks(self, size: int = CHUNK_CHARS) -> Iterator[str]:
        """The export's N-Triples text, in pieces of about `size` characters (whole nodes)."""
        nodes = self.nodes
        out: list[str] = []
        length = 0
        for method, nid in self.units():
            start = len(out)
            method(nid, nodes[nid] if nid else {}, out)
            length += sum(map(len, out[start:]))
            if length >= size:
                yield "".join(out)
                out.clear()
                length = 0
        if out:
            yield "".join(out)


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


# Graphs of more edges than this are serialized by a separate process (see `write_graphs`);
# below it (~150k triples), starting one (~0.15 s) costs more than it saves.
SERIALIZER_MIN_EDGES = 20_000

# The serializer process: N-Triples on stdin, the export in argv[1]'s format to argv[2].  It
# imports only pyoxigraph, so it starts in a tenth of a second.
_SERIALIZER = """
import sys, pyoxigraph as ox
fmt, path, prefixes = sys.argv[1], sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
triples = ox.parse(sys.stdin.buffer, ox.RdfFormat.N_TRIPLES, lenient=True)
ox.serialize(triples, path, ox.RdfFormat.from_extension(fmt), prefixes=prefixes)
"""


def write_graphs(graph: nx.MultiDiGraph, paths: dict[str, Path], base: str = DEFAULT_BASE) -> int:
    """Serialize the export of `graph` once per format in `paths` ({fmt: path}); returns the
    triple count.

    The N-Triples text is made once.  A large export is streamed to one serializer process
    per format, so Oxigraph parses and writes while this process goes on making text (about
    twice as fast as doing both here, and the serializer shares none of this process's
    memory).  Parsing is lenient: every IRI is minted here from checked parts or checked
    by `_Lines.external`, so Oxigraph's IRI validation, half its parsing time, is skipped.
    """
    for fmt in paths:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown RDF format {fmt!r} (choose from {', '.join(FORMATS)})")
    chunks = _Lines(graph, base).chunks()
    if graph.number_of_edges() < SERIALIZER_MIN_EDGES:
        texts = list(chunks)
        for fmt, path in paths.items():
            stream = itertools.chain.from_iterable(_parse(text) for text in texts)
            ox.serialize(stream, str(path), FORMATS[fmt][0], prefixes=PREFIXES)
        return sum(text.count("\n") for text in texts)
    with _Serializers(paths) as serializers:
        count = 0
        for text in chunks:
            count += text.count("\n")  # one triple a line: newlines inside literals are escaped
            serializers.send(text.encode())
    return count


def _parse(text: str) -> Iterator[ox.Quad]:
    return ox.parse(text, ox.RdfFormat.N_TRIPLES, lenient=True)


class _Serializers:
    """One serializer process per output, fed N-Triples through its stdin by a thread.

    The threads write while this process makes the next piece of text (a pipe holds only
    64 KiB, so writing here would take turns with the serializer instead of overlapping).
    """

    def __init__(self, paths: dict[str, Path]):
        prefixes = [f"{k}={v}" for k, v in PREFIXES.items()]
        self.procs = [
            (
                path,
                subprocess.Popen(
                    [sys.executable, "-c", _SERIALIZER, FORMATS[fmt][1], str(path), *prefixes],
                    stdin=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                ),
            )
            for fmt, path in paths.items()
        ]
        self.queues: list[queue.Queue[bytes | None]] = [queue.Queue(maxsize=2) for _ in self.procs]
        self.threads = [
            threading.Thread(target=_pump, args=(q, proc), daemon=True)
            for q, (_, proc) in zip(self.queues, self.procs, strict=True)
        ]
        for thread in self.threads:
            thread.start()

    def send(self, data: bytes) -> None:
        for q in self.queues:
            q.put(data)

    def __enter__(self) -> _Serializers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        for q in self.queues:
            q.put(None)
        for thread in self.threads:
            thread.join()
        failed = []
        for path, proc in self.procs:
            if kind is not None:
                proc.kill()
            assert proc.stderr is not None
            message = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            if proc.wait() and kind is None:
                failed.append(
                    f"{path.name}: RDF serializer failed: {message[-1] if message else proc.returncode}"
                )
        if failed:
            raise KgError("; ".join(failed))


def _pump(chunks: queue.Queue[bytes | None], proc: subprocess.Popen) -> None:
    """Write queued chunks to the process's stdin until None; after a write fails (the
    process died; its exit code tells why) keep taking chunks so the producer never blocks."""
    assert proc.stdin is not None
    broken = False
    while (data := chunks.get()) is not None:
        if not broken:
            try:
                proc.stdin.write(data)
            except OSError:
                broken = True
    with contextlib.suppress(OSError):
        proc.stdin.close()
