"""Turn the networkx model into RDF following the contract in DESIGN.md, and write it.

Each node of the model gives its triples as N-Triples lines, in a stable, subject-grouped
order.  Oxigraph parses those lines and serializes them as Turtle, N-Triples or JSON-LD,
keeping the order, so the same graph always gives the same bytes (`kg.serialize`); `to_rdf`
gives the same triples as an rdflib `Graph`, the programming model.  IRIs are minted from
parts that need no escaping, and the ones the data brings are checked once
(`_Lines.external`), so Oxigraph may parse without checking each one again.

Lines, not term objects, cross into Oxigraph because building a pyoxigraph term or triple
from Python costs about a microsecond each (measured: 1.6 us per triple with a literal);
parsing a line costs a tenth of that, so a 7M-triple export takes seconds, not half a minute.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdflib_ns

from kg import graph as g
from kg.errors import ConfigError, KgError
from kg.namespaces import DEFAULT_BASE, KG_VOCAB, PREFIXES
from kg.serialize import STORE, serialize


class Vocabulary:
    """A namespace whose terms (rdflib `URIRef`s) are made once, on first use.

    rdflib's `Namespace` builds a new `URIRef` on every attribute access.
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


SCHEMA = Vocabulary(PREFIXES["schema"])
CITO = Vocabulary(PREFIXES["cito"])
KG = Vocabulary(KG_VOCAB)
DCTERMS = Vocabulary(str(rdflib_ns.DCTERMS))
FOAF = Vocabulary(str(rdflib_ns.FOAF))
OWL = Vocabulary(str(rdflib_ns.OWL))
PROV = Vocabulary(str(rdflib_ns.PROV))
RDF = Vocabulary(str(rdflib_ns.RDF))
SKOS = Vocabulary(str(rdflib_ns.SKOS))
XSD = Vocabulary(str(rdflib_ns.XSD))
FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, "ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "jsonld"),
}

_KEY_SAFE = re.compile(r"[\w.~-]+", re.ASCII)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def segment(text: str) -> str:
    """`text` as one IRI path segment: the one encoding rule of every minted IRI.

    Letters, digits and `-._~` stay as they are; anything else (a `/`, an accented letter) is
    percent-encoded as UTF-8, so a key gives the same characters in every IRI it is part of.
    """
    return text if _KEY_SAFE.fullmatch(text) else quote(text, safe="")


class Minter:
    """Stable IRIs for things the corpus names itself, under one base.

    A paper's parts (its topics, authorships, derivations) are fragments of the paper's IRI
    under a base ending in `/`; under a base ending in `#`, whose IRIs are already fragments
    (an IRI holds one `#`), they are path segments after it (`…#paper/KEY/topic-SLUG`).  Keys
    and slugs never hold a `/`, so the two never meet.
    """

    def __init__(self, base: str = DEFAULT_BASE):
        if not re.match(r"^[a-z][a-z0-9+.-]*:\S*[/#]$", base, re.IGNORECASE):
            raise ConfigError(f"base IRI must be absolute and end in '/' or '#': {base!r}")
        if base.count("#") > 1 or ("#" in base and not base.endswith("#")):
            raise ConfigError(f"base IRI may hold one '#', at its end: {base!r}")
        try:
            ox.NamedNode(f"{base}paper/x")
        except ValueError:
            raise ConfigError(f"base IRI is not a valid IRI: {base!r}") from None
        self.base = base
        self._part = "/" if base.endswith("#") else "#"

    def paper(self, key: str) -> str:
        return f"{self.base}paper/{segment(key)}"

    def source(self, name: str) -> str:
        # A source is named by its path below the inputs: each of its parts a segment.
        return f"{self.base}source/{'/'.join(segment(part) for part in name.split('/'))}"

    def author(self, key: str) -> str:
        return f"{self.base}author/{segment(key)}"

    def concept(self, slug: str) -> str:
        return f"{self.base}concept/{segment(slug)}"

    @property
    def scheme(self) -> str:
        return f"{self.base}concepts"

    def topic(self, paper: str, slug: str) -> str:
        """The score of a paper's concept; `paper` is the paper's IRI."""
        return f"{paper}{self._part}topic-{segment(slug)}"

    def authorship(self, paper: str, position: int) -> str:
        return f"{paper}{self._part}author-{position}"

    def derivation(self, paper: str, source: str, line: int, pointer: str = "") -> str:
        """Where a paper was seen: by line, or for JSON (where one line can hold every entry)
        by the entry's JSON Pointer, its `/` written as `.`."""
        if pointer:
            where = quote(pointer[1:].replace("/", "."), safe=".")
            return f"{paper}{self._part}seen-{segment(source)}-J{where}"
        return f"{paper}{self._part}seen-{segment(source)}-L{line}"

    def cooccurrence(self, a: str, b: str) -> str:
        return f"{self.base}cooccurrence/{segment(a)}--{segment(b)}"

    def similarity(self, a: str, b: str) -> str:
        """The similarity of the papers keyed `a` and `b`, their keys encoded as in their IRIs."""
        return f"{self.base}similarity/{segment(a)}--{segment(b)}"

    def linked(self, kind: str, a: str, b: str) -> str:
        """A citation or embedding link of the papers keyed `a` and `b`: `kind` is coupling,
        cocitation or embedding (keys encoded as in the papers' IRIs)."""
        return f"{self.base}{kind}/{segment(a)}--{segment(b)}"


def listing_date(text: str) -> Literal:
    """`Mar 11` -> "--03-11"^^xsd:gMonthDay; `Mar 11, 2024` and `2024-03-11` -> "2024-03-11"^^xsd:date."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return Literal(text, datatype=XSD.date)
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
# dcterms:issued as precise as the source: a day, a month or a year.
_DATE_TYPES = {10: _XSD.date, 7: _XSD.gYearMonth, 4: _XSD.gYear}


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

# Pieces of text handed to the serializers at a time: big enough that each costs little to
# pass on, small enough that the few in flight take little memory.
CHUNK_CHARS = 4_000_000
# Kinds of node named by a web address of their own; several may share one.
_WEB_KINDS = ("repo", "page", "link", "owner", "host", "work")
_PAPER_LINKS = {g.REPOSITORY: _KG.repository, g.PROJECT_PAGE: _KG.projectPage, g.LINK: _KG.link}
# Links between papers that rest on citations or embeddings: (IRI kind, basis, what is counted).
_CITATION_LINKS = {
    g.COUPLED: ("coupling", _KG.BibliographicCoupling, _KG.sharedReferences),
    g.CO_CITED: ("cocitation", _KG.CoCitation, _KG.coCitations),
    g.NEAR: ("embedding", _KG.SpecterEmbedding, _KG.embeddingSimilarity),
}


class _Minted(dict[str, str]):
    """IRIs in N-Triples form (`<iri>`), each minted once, on first lookup."""

    def __init__(self, mint: Callable[[str], str]):
        super().__init__()
        self.mint = mint

    def __missing__(self, key: str) -> str:
        term = self[key] = f"<{self.mint(key)}>"
        return term


class _Lines:
    """The N-Triples lines of a graph's export, one node (unit) at a time.

    The model is read through networkx's own successor dictionary (`_succ`) rather than its
    views: a large export reads millions of adjacency entries, and the views cost several
    times more per entry.  Nothing is changed.
    """

    def __init__(self, graph: nx.MultiDiGraph, base: str):
        self.graph = graph
        self.nodes = graph.nodes
        self.succ: dict = graph._succ
        self.pred: dict = graph._pred
        self._same_iri: dict[str, list[str]] = {}
        self._web_methods: dict[str, Callable[[str, dict, list[str]], None]] = {}
        self.mint = Minter(base)
        # The IRIs that recur, in N-Triples form: paper[key], concept[slug], source[name].
        self.paper = _Minted(self.mint.paper)
        self.concept = _Minted(self.mint.concept)
        self.source = _Minted(self.mint.source)
        self._external: dict[str, str] = {}
        self._related = self._linked_slugs(g.RELATED, both=True)
        self._narrower = self._linked_slugs(g.BROADER, both=False, reverse=True)

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

    def _linked_slugs(self, rel: str, *, both: bool, reverse: bool = False) -> dict[str, list[str]]:
        """Per concept node, the slugs of the concepts it links to by `rel` (`reverse`: that
        link to it; `both`: either way)."""
        linked: dict[str, list[str]] = defaultdict(list)
        nodes = self.nodes
        for nid, kind in self.graph.nodes(data="kind"):
            if kind != "concept":
                continue
            for other, edges in self.succ[nid].items():
                if any(e["rel"] == rel for e in edges.values()):
                    if both or not reverse:
                        linked[nid].append(nodes[other]["slug"])
                    if both or reverse:
                        linked[other].append(nodes[nid]["slug"])
        return linked

    # One method per node kind; each appends whole subject groups to `out`.
    def source_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.source[data["name"]]
        out.append(f"{s} {A} {_PROV.Entity} .\n{s} {_DCTERMS.source} {_string(data['name'])} .\n")
        if data.get("listed"):
            out.append(f"{s} {_KG.listingDate} {_literal(listing_date(data['listed']))} .\n")
        if data.get("format"):
            out.append(f"{s} {_KG.inputFormat} {_string(data['format'])} .\n")

    def paper_node(self, nid: str, data: dict, out: list[str]) -> None:
        key = data["key"]
        iri = self.mint.paper(key)
        s = self.paper[key]
        add = out.append
        if data["title"]:
            add(f"{s} {A} {_SCHEMA.ScholarlyArticle} .\n{s} {_DCTERMS.title} {_string(data['title'])} .\n")
        else:  # known by an id only, until enrichment finds its title
            add(f'{s} {A} {_SCHEMA.ScholarlyArticle} .\n{s} {_KG.titleMissing} "true"^^{_XSD.boolean} .\n')
        if data.get("abstract") is not None:
            add(f"{s} {_DCTERMS.abstract} {_string(data['abstract'])} .\n")
        else:
            add(f'{s} {_KG.abstractMissing} "true"^^{_XSD.boolean} .\n')
        self._identity(s, data, out)
        nodes = self.nodes
        derivations: list[tuple[str, str, int, str]] = []  # (IRI, source name, line, JSON Pointer)
        topics = []
        authors = []
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                rel = edge["rel"]
                if rel == g.SUBJECT:
                    slug = nodes[target]["slug"]
                    add(f"{s} {_DCTERMS.subject} {self.concept[slug]} .\n")
                    topics.append((slug, edge["score"]))
                elif rel == g.MENTIONS:
                    add(f"{s} {_SCHEMA.mentions} {self.paper[nodes[target]['key']]} .\n")
                elif rel == g.CREATOR:
                    author = f"<{self.mint.author(nodes[target]['key'])}>"
                    add(f"{s} {_DCTERMS.creator} {author} .\n")
                    authors.append((edge["position"], author))
                elif rel == g.CITES:
                    cited = nodes[target]
                    o = self.paper[cited["key"]] if cited["kind"] == "paper" else self.external(cited["iri"])
                    add(f"{s} {_CITO.cites} {o} .\n")
                elif rel == g.DERIVED_FROM:
                    name = nodes[target]["name"]
                    if not derivations or derivations[-1][1] != name:  # a page's edges come together
                        add(f"{s} {_PROV.wasDerivedFrom} {self.source[name]} .\n")
                    pointer = edge.get("pointer", "")
                    derivations.append(
                        (
                            f"<{self.mint.derivation(iri, name, edge['line'], pointer)}>",
                            name,
                            edge["line"],
                            pointer,
                        )
                    )
                elif rel in _PAPER_LINKS:
                    add(f"{s} {_PAPER_LINKS[rel]} {self.external(nodes[target]['iri'])} .\n")
                    add(f"{s} {_KG.writtenUrl} {_string(edge['written'])} .\n")
                elif rel == g.SIMILAR:
                    add(f"{s} {_KG.similarTo} {self.paper[nodes[target]['key']]} .\n")
        for source, edges in self.pred[nid].items():  # the similar papers stored the other way
            if any(edge["rel"] == g.SIMILAR for edge in edges.values()):
                add(f"{s} {_KG.similarTo} {self.paper[nodes[source]['key']]} .\n")
        for d, *_ in derivations:
            add(f"{s} {_PROV.qualifiedDerivation} {d} .\n")
        authors.sort()
        authorships = [f"<{self.mint.authorship(iri, position)}>" for position, _ in authors]
        for a in authorships:
            add(f"{s} {_KG.authorship} {a} .\n")
        topic_iris = [f"<{self.mint.topic(iri, slug)}>" for slug, _ in topics]
        for t in topic_iris:
            add(f"{s} {_KG.topic} {t} .\n")
        # The paper's parts after the paper: each subject's triples stay together.
        for a, (position, author) in zip(authorships, authors, strict=True):
            add(f"{a} {A} {_KG.Authorship} .\n{a} {_KG.author} {author} .\n")
            add(f"{a} {_KG.position} {_integer(position)} .\n")
        for t, (slug, score) in zip(topic_iris, topics, strict=True):
            add(
                f"{t} {A} {_KG.Topic} .\n{t} {_KG.concept} {self.concept[slug]} .\n"
                f"{t} {_KG.score} {_decimal(score)} .\n"
            )
        for d, name, line, pointer in derivations:
            add(f"{d} {A} {_PROV.Derivation} .\n{d} {_PROV.entity} {self.source[name]} .\n")
            add(f"{d} {_KG.line} {_integer(line)} .\n")
            if pointer:
                add(f"{d} {_KG.jsonPointer} {_string(pointer)} .\n")

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
        if issued:
            datatype = _DATE_TYPES.get(len(issued))
            if datatype is not None and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", issued):
                add(f"{s} {_DCTERMS.issued} {_typed(issued, datatype)} .\n")
        if data.get("upvotes") is not None:
            add(f"{s} {_KG.upvotes} {_integer(data['upvotes'])} .\n")
        if data.get("citation_count") is not None:
            add(f"{s} {_KG.citationCount} {_integer(data['citation_count'])} .\n")
        if data.get("influential_citation_count") is not None:
            add(f"{s} {_KG.influentialCitationCount} {_integer(data['influential_citation_count'])} .\n")
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
        year = data.get("year")
        if year:
            out.append(f"{s} {_DCTERMS.issued} {_typed(f'{year:04d}', _XSD.gYear)} .\n")
        nodes = self.nodes
        for target, edges in self.succ[nid].items():  # an outside work citing corpus papers
            if any(e["rel"] == g.CITES for e in edges.values()):
                out.append(f"{s} {_CITO.cites} {self.paper[nodes[target]['key']]} .\n")

    def concept_node(self, nid: str, data: dict, out: list[str]) -> None:
        slug = data["slug"]
        s = self.concept[slug]
        add = out.append
        add(f"{s} {A} {_SKOS.Concept} .\n{s} {_SKOS.prefLabel} {_string(data['label'])} .\n")
        for alt in data["alt_labels"]:
            add(f"{s} {_SKOS.altLabel} {_string(alt)} .\n")
        add(
            f"{s} {_SKOS.inScheme} <{self.mint.scheme}> .\n{s} {_KG.paperCount} {_integer(data['papers'])} .\n"
        )
        for other in sorted(self._related.get(nid, ())):
            add(f"{s} {_SKOS.related} {self.concept[other]} .\n")
        for other in sorted(self._narrower.get(nid, ())):
            add(f"{s} {_SKOS.narrower} {self.concept[other]} .\n")
        nodes = self.nodes
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                if edge["rel"] == g.BROADER:
                    add(f"{s} {_SKOS.broader} {self.concept[nodes[target]['slug']]} .\n")
                elif edge["rel"] == g.RELATED:
                    other = nodes[target]["slug"]
                    c = f"<{self.mint.cooccurrence(slug, other)}>"
                    add(
                        f"{c} {A} {_KG.Cooccurrence} .\n{c} {_KG.concept} {s} .\n"
                        f"{c} {_KG.concept} {self.concept[other]} .\n{c} {_KG.support} {_integer(edge['weight'])} .\n"
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
                if edge["rel"] in _CITATION_LINKS:
                    self._citation_link(key, nodes[target]["key"], edge, out)
                if edge["rel"] != g.SIMILAR:
                    continue
                other = nodes[target]["key"]
                a, b = self.paper[key], self.paper[other]
                sim = f"<{self.mint.similarity(key, other)}>"
                add(
                    f"{sim} {A} {_KG.Similarity} .\n{sim} {_KG.paper} {a} .\n{sim} {_KG.paper} {b} .\n"
                    f"{sim} {_KG.weight} {_decimal(edge['weight'])} .\n"
                    f"{sim} {_KG.conceptSimilarity} {_decimal(edge['by_concepts'])} .\n"
                )
                if edge["by_concepts"] > 0:
                    add(f"{sim} {_KG.basis} {_KG.ConceptOverlap} .\n")
                if edge.get("by_text") is not None:
                    add(f"{sim} {_KG.textSimilarity} {_decimal(edge['by_text'])} .\n")
                    if edge["by_text"] > 0:
                        add(f"{sim} {_KG.basis} {_KG.TextOverlap} .\n")
                for shared in edge["shared"]:
                    add(f"{sim} {_KG.sharedConcept} {self.concept[shared]} .\n")

    def _citation_link(self, key: str, other: str, edge: dict, out: list[str]) -> None:
        """A coupling, co-citation or embedding link, as a kg:Similarity of its own basis."""
        kind, basis, measure = _CITATION_LINKS[edge["rel"]]
        a, b = self.paper[key], self.paper[other]
        link = f"<{self.mint.linked(kind, key, other)}>"
        out.append(
            f"{link} {A} {_KG.Similarity} .\n{link} {_KG.paper} {a} .\n{link} {_KG.paper} {b} .\n"
            f"{link} {_KG.weight} {_decimal(edge['weight'])} .\n{link} {_KG.basis} {basis} .\n"
        )
        if measure == _KG.embeddingSimilarity:
            out.append(f"{link} {measure} {_decimal(edge['weight'])} .\n")
        else:
            out.append(f"{link} {measure} {_integer(edge['count'])} .\n")

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

    def _web_units(
        self, by_kind: dict[str, list[str]]
    ) -> list[tuple[Callable[[str, dict, list[str]], None], str]]:
        """One unit per web address, in IRI order: nodes of several kinds may share one (a site's
        root page is the site; a page one paper calls its project page another merely links)."""
        same: dict[str, list[str]] = defaultdict(list)
        for kind in _WEB_KINDS:
            for nid in by_kind.get(kind, ()):
                same[self.nodes[nid]["iri"]].append(nid)
        self._same_iri = {}
        units: list[tuple[Callable[[str, dict, list[str]], None], str]] = []
        for iri in sorted(same):
            nids = sorted(same[iri], key=lambda n: (_WEB_KINDS.index(self.nodes[n]["kind"]), n))
            self._same_iri[nids[0]] = nids
            units.append((self.web_node, nids[0]))
        return units

    def web_node(self, nid: str, data: dict, out: list[str]) -> None:
        """Every node at one web address, as one subject group (each triple once)."""
        nids = self._same_iri[nid]
        if len(nids) == 1:
            self._web_methods[data["kind"]](nid, data, out)
            return
        lines: list[str] = []
        for n in nids:
            self._web_methods[self.nodes[n]["kind"]](n, self.nodes[n], lines)
        out.append("".join(dict.fromkeys("".join(lines).splitlines(keepends=True))))

    def units(self) -> list[tuple[Callable[[str, dict, list[str]], None], str]]:
        """The export as (method, node) units in output order: kinds in the order below, nodes
        sorted within a kind (web addresses after the papers, by IRI), then the concept scheme
        and the similarity nodes.  Each subject's triples come together (`kg.jsonld` relies on it)."""
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


# Graphs of more edges than this are serialized by separate processes (see kg.serialize);
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
) -> int:
    """Serialize the export of `graph` once per format in `paths` ({fmt: path}) and, given
    `store`, into a new Oxigraph store at that folder; returns the triple count.

    The N-Triples text is made once.  A large graph's is streamed to a serializer process
    per output unless `separate` is false (see `kg.serialize`).  `digest` (a hashlib object)
    is fed the N-Triples text: the graph's fingerprint.
    """
    for fmt in paths:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown RDF format {fmt!r} (choose from {', '.join(FORMATS)})")
    outputs = {path: FORMATS[fmt][1] for fmt, path in paths.items()}
    if store is not None:
        outputs[store] = STORE
    separate = separate and graph.number_of_edges() >= SERIALIZER_MIN_EDGES
    return serialize(_Lines(graph, base).chunks, outputs, PREFIXES, separate=separate, digest=digest)
