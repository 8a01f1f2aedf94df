"""Turn the networkx model into RDF following the contract in DESIGN.md, and write it.

Triples are produced as rdflib terms (the programming model) in a stable, subject-grouped
order; writing hands them to Oxigraph's serializers, which are an order of magnitude faster
than rdflib's and keep that order, so the same graph always gives the same bytes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdflib_ns

from kg import graph as g
from kg import parallel
from kg.errors import ConfigError


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

# A triple's object is a URIRef, an rdflib Literal, or a plain Python value standing for the
# literal rdflib would make of it (str -> xsd:string, int -> xsd:integer, bool -> xsd:boolean,
# Decimal -> xsd:decimal).  Plain values skip rdflib's Literal machinery on the hot path of
# large builds; `to_rdf` turns them into Literals.
# Handlers make IRIs through a `Minter`, whose flavour decides whether they are rdflib terms
# (`iter_triples`, `to_rdf`) or Oxigraph terms (`write_graph`).
Term = URIRef | Literal | BNode | ox.NamedNode | ox.Literal
Obj = Term | str | int | bool | Decimal
Triple = tuple[Term, Term, Obj]
_KEY_SAFE = re.compile(r"[\w-]+", re.ASCII)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


class Minter:
    """Stable IRIs for things the corpus names itself, under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not re.match(r"^[a-z][a-z0-9+.-]*:\S*[/#]$", base, re.IGNORECASE):
            raise ConfigError(f"base IRI must be absolute and end in '/' or '#': {base!r}")
        self.base = base
        self._sources: dict[str, tuple[str, str]] = {}

    def iri(self, value: str) -> Term:
        """The flavour's IRI term: an rdflib `URIRef` here."""
        return URIRef(value)

    def decimal(self, value: float) -> Term:
        """An `xsd:decimal` with four places (scores and weights)."""
        return Literal(Decimal(f"{value:.4f}"))

    def paper_iri(self, key: str) -> str:
        # Keys are made of word characters and hyphens, which IRIs allow as they are.
        return f"{self.base}paper/{key}" if _KEY_SAFE.fullmatch(key) else f"{self.base}paper/{quote(key)}"

    def paper(self, key: str) -> Term:
        return self.iri(self.paper_iri(key))

    def _source(self, name: str) -> tuple[str, str]:
        known = self._sources.get(name)
        if known is None:
            known = self._sources[name] = (f"{self.base}source/{quote(name, safe='/')}", quote(name, safe=""))
        return known

    def source(self, name: str) -> Term:
        return self.iri(self._source(name)[0])

    def author(self, key: str) -> Term:
        return self.iri(f"{self.base}author/{quote(key, safe='-')}")

    def concept(self, slug: str) -> Term:
        return self.iri(f"{self.base}concept/{slug}")

    @property
    def scheme(self) -> Term:
        return self.iri(f"{self.base}concepts")

    def topic(self, key: str, slug: str) -> Term:
        return self.iri(f"{self.paper_iri(key)}#topic-{slug}")

    def authorship(self, key: str, position: int) -> Term:
        return self.iri(f"{self.paper_iri(key)}#author-{position}")

    def cooccurrence(self, a: str, b: str) -> Term:
        return self.iri(f"{self.base}cooccurrence/{a}--{b}")

    def similarity(self, a: str, b: str) -> Term:
        return self.iri(f"{self.base}similarity/{a}--{b}")

    def derivation(self, key: str, source: str, line: int) -> Term:
        return self.iri(f"{self.paper_iri(key)}#seen-{self._source(source)[1]}-L{line}")


class _OxMinter(Minter):
    """The same IRIs as Oxigraph terms, for writing: no rdflib objects on the hot path.

    IRIs that recur (papers, concepts, sources, repositories, the contract's terms) are made
    once; the ones a single triple uses (topics, similarities) are not kept.
    """

    def __init__(self, base: str = DEFAULT_BASE):
        super().__init__(base)
        self._iris: dict[str, ox.NamedNode] = {}
        self._decimal = ox.NamedNode(str(XSD.decimal))

    def iri(self, value: str) -> ox.NamedNode:
        node = self._iris.get(value)
        if node is None:
            node = self._iris[value] = ox.NamedNode(value)
        return node

    def decimal(self, value: float) -> ox.Literal:
        return ox.Literal(f"{value:.4f}", datatype=self._decimal)

    def _once(self, value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def topic(self, key: str, slug: str) -> ox.NamedNode:
        return self._once(f"{self.paper_iri(key)}#topic-{slug}")

    def similarity(self, a: str, b: str) -> ox.NamedNode:
        return self._once(f"{self.base}similarity/{a}--{b}")

    def cooccurrence(self, a: str, b: str) -> ox.NamedNode:
        return self._once(f"{self.base}cooccurrence/{a}--{b}")


def listing_date(text: str) -> Literal:
    """`Mar 11` -> "--03-11"^^xsd:gMonthDay; `Mar 11, 2024` -> "2024-03-11"^^xsd:date."""
    m = re.match(r"([A-Za-z]+)\.? (\d{1,2})(?:, (\d{4}))?$", text)
    if m is None or m.group(1)[:3].lower() not in _MONTHS:
        return Literal(text)
    month, day = _MONTHS.index(m.group(1)[:3].lower()) + 1, int(m.group(2))
    if m.group(3):
        return Literal(f"{m.group(3)}-{month:02d}-{day:02d}", datatype=XSD.date)
    return Literal(f"--{month:02d}-{day:02d}", datatype=XSD.gMonthDay)


def _uri(value: str) -> Literal:
    return Literal(value, datatype=XSD.anyURI)


def _source_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.source(data["name"])
    yield s, RDF.type, PROV.Entity
    yield s, DCTERMS.source, data["name"]
    if data.get("listed"):
        yield s, KG.listingDate, listing_date(data["listed"])


_PAPER_LINKS = {g.REPOSITORY: KG.repository, g.PROJECT_PAGE: KG.projectPage, g.LINK: KG.link}


def _paper_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    key = data["key"]
    s = mint.paper(key)
    yield s, RDF.type, SCHEMA.ScholarlyArticle
    yield s, DCTERMS.title, data["title"]
    if data.get("abstract") is not None:
        yield s, DCTERMS.abstract, data["abstract"]
    else:
        yield s, KG.abstractMissing, True
    yield from _identity_triples(s, data, mint)
    nodes = graph.nodes
    derivations = []
    topics = []
    authors = []
    for target, edges in graph.succ[nid].items():
        for edge in edges.values():
            rel = edge["rel"]
            if rel == g.SUBJECT:
                slug = nodes[target]["slug"]
                yield s, DCTERMS.subject, mint.concept(slug)
                topics.append((slug, edge["score"]))
            elif rel == g.MENTIONS:
                yield s, SCHEMA.mentions, mint.paper(nodes[target]["key"])
            elif rel == g.CREATOR:
                author = mint.author(nodes[target]["key"])
                yield s, DCTERMS.creator, author
                authors.append((edge["position"], author))
            elif rel == g.CITES:
                cited = nodes[target]
                yield (
                    s,
                    CITO.cites,
                    mint.paper(cited["key"]) if cited["kind"] == "paper" else mint.iri(cited["iri"]),
                )
            elif rel == g.DERIVED_FROM:
                name = nodes[target]["name"]
                yield s, PROV.wasDerivedFrom, mint.source(name)
                derivations.append((mint.derivation(key, name, edge["line"]), name, edge["line"]))
            elif rel in _PAPER_LINKS:
                yield s, _PAPER_LINKS[rel], mint.iri(nodes[target]["iri"])
                yield s, KG.writtenUrl, edge["written"]
    for d, _, _ in derivations:
        yield s, PROV.qualifiedDerivation, d
    for position, _ in sorted(authors):
        yield s, KG.authorship, mint.authorship(key, position)
    for position, author in sorted(authors):
        a = mint.authorship(key, position)
        yield a, RDF.type, KG.Authorship
        yield a, KG.author, author
        yield a, KG.position, position
    topic_iris = [mint.topic(key, slug) for slug, _ in topics]
    for t in topic_iris:
        yield s, KG.topic, t
    for t, (slug, score) in zip(topic_iris, topics, strict=True):
        yield t, RDF.type, KG.Topic
        yield t, KG.concept, mint.concept(slug)
        yield t, KG.score, mint.decimal(score)
    for d, name, line in derivations:
        yield d, RDF.type, PROV.Derivation
        yield d, PROV.entity, mint.source(name)
        yield d, KG.line, line


def _identity_triples(s: Term, data: dict, mint: Minter) -> Iterator[Triple]:
    """What enrichment learnt of a paper: ids as owl:sameAs links, date, venue, categories."""
    if data.get("arxiv_id"):
        yield s, KG.arxivId, data["arxiv_id"]
        yield s, OWL.sameAs, mint.iri(f"https://arxiv.org/abs/{data['arxiv_id']}")
    if data.get("s2_id"):
        yield s, OWL.sameAs, mint.iri(f"https://www.semanticscholar.org/paper/{data['s2_id']}")
    if data.get("doi"):
        yield s, OWL.sameAs, mint.iri(f"https://doi.org/{quote(data['doi'], safe='/:;()._-')}")
    if data.get("issued"):
        issued = data["issued"]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", issued):
            yield s, DCTERMS.issued, Literal(issued, datatype=XSD.date)
    if data.get("venue"):
        yield s, KG.venue, data["venue"]
    for category in data.get("categories", ()):
        yield s, KG.arxivCategory, category


def _author_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.author(data["key"])
    yield s, RDF.type, FOAF.Person
    yield s, FOAF.name, data["name"]
    if data["key"].startswith("s2-"):
        yield s, OWL.sameAs, mint.iri(f"https://www.semanticscholar.org/author/{data['key'][3:]}")


def _work_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.iri(data["iri"])
    yield s, RDF.type, SCHEMA.CreativeWork
    if data.get("title"):
        yield s, DCTERMS.title, data["title"]


def _concept_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.concept(data["slug"])
    nodes = graph.nodes
    yield s, RDF.type, SKOS.Concept
    yield s, SKOS.prefLabel, data["label"]
    for alt in data["alt_labels"]:
        yield s, SKOS.altLabel, alt
    yield s, SKOS.inScheme, mint.scheme
    yield s, KG.paperCount, data["papers"]
    related = []
    for neighbours in (graph.succ[nid], graph.pred[nid]):
        for other, edges in neighbours.items():
            if any(e["rel"] == g.RELATED for e in edges.values()):
                related.append(nodes[other]["slug"])
    for slug in sorted(related):
        yield s, SKOS.related, mint.concept(slug)
    for other, edges in graph.succ[nid].items():
        for edge in edges.values():
            if edge["rel"] == g.RELATED:
                other_slug = nodes[other]["slug"]
                c = mint.cooccurrence(data["slug"], other_slug)
                yield c, RDF.type, KG.Cooccurrence
                yield c, KG.concept, s
                yield c, KG.concept, mint.concept(other_slug)
                yield c, KG.support, edge["weight"]


def _scheme_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    yield mint.scheme, RDF.type, SKOS.ConceptScheme
    yield mint.scheme, DCTERMS.title, "Concepts extracted from the corpus by kg"


def _similarity_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    """A paper's similarity links (as the smaller key of each pair), reified with their weight."""
    key = data["key"]
    nodes = graph.nodes
    for target, edges in graph.succ[nid].items():
        for edge in edges.values():
            if edge["rel"] != g.SIMILAR:
                continue
            other = nodes[target]["key"]
            a, b = mint.paper(key), mint.paper(other)
            yield a, KG.similarTo, b
            yield b, KG.similarTo, a
            sim = mint.similarity(key, other)
            yield sim, RDF.type, KG.Similarity
            yield sim, KG.paper, a
            yield sim, KG.paper, b
            yield sim, KG.weight, mint.decimal(edge["weight"])
            for slug in edge["shared"]:
                yield sim, KG.sharedConcept, mint.concept(slug)


def _linked_triples(graph: nx.MultiDiGraph, nid: str, mint: Minter) -> Iterator[tuple[Term, Term]]:
    for _, target, edge in graph.out_edges(nid, data=True):
        if edge["rel"] == g.OWNER:
            yield KG.owner, mint.iri(graph.nodes[target]["iri"])
        elif edge["rel"] == g.HOST:
            yield KG.host, mint.iri(graph.nodes[target]["iri"])


def _repo_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.iri(data["iri"])
    yield s, RDF.type, SCHEMA.SoftwareSourceCode
    yield s, SCHEMA.codeRepository, _uri(data["iri"])
    if data.get("name"):
        yield s, SCHEMA.name, data["name"]
    for p, o in _linked_triples(graph, nid, mint):
        yield s, p, o


def _page_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.iri(data["iri"])
    yield s, RDF.type, SCHEMA.WebPage
    yield s, SCHEMA.url, _uri(data["iri"])
    for p, o in _linked_triples(graph, nid, mint):
        yield s, p, o


def _owner_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.iri(data["iri"])
    yield s, RDF.type, FOAF.Agent
    yield s, FOAF.name, data["name"]
    for p, o in _linked_triples(graph, nid, mint):
        yield s, p, o


def _host_triples(graph: nx.MultiDiGraph, nid: str, data: dict, mint: Minter) -> Iterator[Triple]:
    s = mint.iri(data["iri"])
    yield s, RDF.type, SCHEMA.WebSite
    yield s, SCHEMA.url, _uri(data["iri"])


NodeTriples = Callable[[nx.MultiDiGraph, str, dict, Minter], Iterator[Triple]]
# Order of sections in the output; within a section nodes are sorted by id.
HANDLERS: dict[str, NodeTriples] = {
    "source": _source_triples,
    "paper": _paper_triples,
    "repo": _repo_triples,
    "page": _page_triples,
    "link": _page_triples,
    "owner": _owner_triples,
    "host": _host_triples,
    "concept": _concept_triples,
    "author": _author_triples,
    "work": _work_triples,
}


Unit = tuple[NodeTriples, str]


def _units(graph: nx.MultiDiGraph) -> list[Unit]:
    """The export as a sequence of (handler, node) units, each giving whole subject groups."""
    by_kind: dict[str, list[str]] = {}
    for nid, kind in graph.nodes(data="kind"):
        by_kind.setdefault(kind, []).append(nid)
    units: list[Unit] = []
    for kind, handler in HANDLERS.items():
        units += [(handler, nid) for nid in sorted(by_kind.get(kind, ()))]
    if by_kind.get("concept"):
        units.append((_scheme_triples, ""))
    units += [(_similarity_triples, nid) for nid in sorted(by_kind.get("paper", ()))]
    return units


def _unit_triples(graph: nx.MultiDiGraph, units: Iterable[Unit], mint: Minter) -> Iterator[Triple]:
    nodes = graph.nodes
    for handler, nid in units:
        yield from handler(graph, nid, nodes[nid] if nid else {}, mint)


def iter_triples(graph: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of the export, grouped by subject, in a stable order."""
    yield from _unit_triples(graph, _units(graph), Minter(base))


def to_rdf(graph: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> Graph:
    """The export as an rdflib `Graph` with every contract prefix bound."""
    rdf = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        rdf.bind(prefix, ns)
    for s, p, o in iter_triples(graph, base):  # the rdflib flavour: subjects and predicates are URIRefs
        rdf.add(
            (cast(URIRef, s), cast(URIRef, p), o if isinstance(o, URIRef | Literal | BNode) else Literal(o))
        )
    return rdf


_XSD_NATIVE = {bool: XSD.boolean, int: XSD.integer, Decimal: XSD.decimal, float: XSD.double}
_OX_TERMS = (ox.NamedNode, ox.Literal, ox.BlankNode)


class _OxTerms:
    """Converts terms of either flavour (and plain values) to Oxigraph terms."""

    def __init__(self) -> None:
        self.iris: dict[str, ox.NamedNode] = {}

    def iri(self, value: str) -> ox.NamedNode:
        node = self.iris.get(value)
        if node is None:
            node = self.iris[value] = ox.NamedNode(value)
        return node

    def term(self, term: Obj) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        kind = type(term)
        if kind in _OX_TERMS:
            return term  # type: ignore[return-value]
        if kind is URIRef:
            return self.iri(term)  # type: ignore[arg-type]
        if kind is str:
            return ox.Literal(term)  # type: ignore[arg-type]
        if kind in _XSD_NATIVE:
            text = ("true" if term else "false") if kind is bool else str(term)
            return ox.Literal(text, datatype=self.iri(_XSD_NATIVE[kind]))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None and term.datatype != XSD.string:
                return ox.Literal(str(term), datatype=self.iri(term.datatype))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        raise TypeError(f"not an RDF term: {term!r}")


def to_oxigraph(triples: Iterable[Triple], counted: list[int] | None = None) -> Iterator[ox.Triple]:
    """Oxigraph triples for triples of either flavour, in the same order.

    When the input is used up, its length is appended to `counted` if given.
    """
    term: Callable[[Any], Any] = _OxTerms().term
    make, named = ox.Triple, ox.NamedNode
    predicates: dict[Any, Any] = {}  # a handful of terms, each one object: found by identity
    n = 0
    for s, p, o in triples:
        n += 1
        pred = predicates.get(p)
        if pred is None:
            pred = predicates[p] = term(p)
        # Subjects and most objects are Oxigraph IRIs already (from `_OxMinter`).
        yield make(
            s if type(s) is named else term(s),
            pred,
            o if type(o) is named else term(o),
        )
    if counted is not None:
        counted.append(n)


# Below this many output units one process is faster than forking (measured on the seeds).
PARALLEL_MIN_UNITS = 50_000
# Runs per worker: papers, concepts and similarity links differ in size, so equal runs of
# units are unequal work; several runs per worker let the one that is done first take more.
RUNS_PER_WORKER = 4


def write_graph(
    graph: nx.MultiDiGraph,
    path: Path,
    fmt: str = "ttl",
    base: str = DEFAULT_BASE,
    workers: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> int:
    """Serialize the export of `graph` to `path`; returns the triple count.

    Large graphs are cut into contiguous runs of whole subjects, serialized by forked worker
    processes (Turtle and N-Triples) and joined; the bytes equal a one-process write, since
    each run starts a new subject and later runs only repeat the `@prefix` header.  While the
    workers write, this process runs `meanwhile` if given; a one-process write ignores it.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown RDF format {fmt!r} (choose from {', '.join(FORMATS)})")
    Minter(base)  # validate before any work
    units = _units(graph)
    workers = parallel.cores() if workers is None else workers
    if workers < 2 or fmt not in ("ttl", "nt") or len(units) < PARALLEL_MIN_UNITS or not parallel.can_fork():
        return write_rdf(_unit_triples(graph, units, _OxMinter(base)), path, fmt)
    runs = min(workers * RUNS_PER_WORKER, len(units))
    bounds = [len(units) * i // runs for i in range(runs + 1)]  # none of the runs is empty
    parts = [path.with_name(f"{path.name}.part{i}") for i in range(runs)]

    def job(i: int) -> Callable[[], int]:
        run = units[bounds[i] : bounds[i + 1]]
        return lambda: write_rdf(_unit_triples(graph, run, _OxMinter(base)), parts[i], fmt)

    try:
        counts = parallel.run_jobs([job(i) for i in range(runs)], workers=workers, meanwhile=meanwhile)
        header = len(PREFIXES) if fmt == "ttl" else 0
        with path.open("wb") as out:
            for i, part in enumerate(parts):
                with part.open("rb") as f:
                    if i and header:
                        for _ in range(header):
                            line = f.readline()
                            if not line.startswith(b"@prefix"):
                                raise ConfigError(f"unexpected Turtle header in part {i}: {line[:40]!r}")
                    shutil.copyfileobj(f, out, 1 << 20)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return sum(counts)


def write_rdf(triples: Iterable[Triple], path: Path, fmt: str = "ttl") -> int:
    """Serialize `triples` to `path` in `fmt` (ttl, nt, jsonld); returns the triple count."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown RDF format {fmt!r} (choose from {', '.join(FORMATS)})")
    counted: list[int] = []
    ox.serialize(to_oxigraph(triples, counted), str(path), FORMATS[fmt][0], prefixes=PREFIXES)
    return counted[0]
