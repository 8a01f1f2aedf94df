"""N-Triples pieces every part of the export writes: vocabulary terms as `<iri>`, literals, the
IRIs minted once per run, and `Writer`, the state the per-kind writers share.

The model is read through networkx's own successor dictionary (`_succ`) rather than its
views: a large export reads millions of adjacency entries, and the views cost several
times more per entry.  Nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import networkx as nx
import pyoxigraph as ox
from rdflib import Literal

from kg.export.iris import CITO, DCTERMS, FOAF, KG, OWL, PROV, RDF, SCHEMA, SKOS, XSD, Minter, Vocabulary


class Terms:
    """A vocabulary's terms in N-Triples form (`<iri>`), each made once."""

    def __init__(self, vocabulary: Vocabulary):
        self._vocabulary = vocabulary

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self.__dict__[name] = f"<{getattr(self._vocabulary, name)}>"
        return term


RDF_, SCHEMA_, DCTERMS_, SKOS_ = Terms(RDF), Terms(SCHEMA), Terms(DCTERMS), Terms(SKOS)
FOAF_, CITO_, PROV_, OWL_, KG_ = Terms(FOAF), Terms(CITO), Terms(PROV), Terms(OWL), Terms(KG)
XSD_ = Terms(XSD)
A = RDF_.type
# dcterms:issued as precise as the source: a day, a month or a year.
DATE_TYPES = {10: XSD_.date, 7: XSD_.gYearMonth, 4: XSD_.gYear}


# What a literal escapes, as Oxigraph's N-Triples writer does (so that kg's own text is the
# file Oxigraph would write from it): the quote, the backslash, the short escapes
# (\b \t \n \f \r) and the other C0 controls and DEL as \uXXXX.
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_ESCAPES = str.maketrans(
    {chr(c): _SHORT_ESCAPES.get(chr(c), f"\\u{c:04X}") for c in [*range(0x20), 0x7F, ord('"'), ord("\\")]}
)
_TO_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def string(text: str) -> str:
    """An xsd:string literal, escaped as Oxigraph writes N-Triples."""
    if _TO_ESCAPE.search(text):
        text = text.translate(_ESCAPES)
    return f'"{text}"'


def typed(text: str, datatype: str) -> str:
    return f"{string(text)}^^{datatype}"


def integer(value: int) -> str:
    return f'"{value}"^^{XSD_.integer}'


def decimal(value: float) -> str:
    """An `xsd:decimal` with four places (scores and weights)."""
    return f'"{value:.4f}"^^{XSD_.decimal}'


def literal(value: Literal) -> str:
    if value.language:
        return f"{string(str(value))}@{value.language}"
    if value.datatype is not None and value.datatype != XSD.string:
        return typed(str(value), f"<{value.datatype}>")
    return string(str(value))


class Minted(dict[str, str]):
    """IRIs in N-Triples form (`<iri>`), each minted once, on first lookup."""

    def __init__(self, mint: Callable[[str], str]):
        super().__init__()
        self.mint = mint

    def __missing__(self, key: str) -> str:
        term = self[key] = f"<{self.mint(key)}>"
        return term


class Writer:
    """What the writers of each kind of node share: the model, the minted IRIs, checked IRIs."""

    def __init__(self, graph: nx.MultiDiGraph, base: str):
        self.graph = graph
        self.nodes = graph.nodes
        self.succ: dict = graph._succ
        self.pred: dict = graph._pred
        self._same_iri: dict[str, list[str]] = {}
        self._web_methods: dict[str, Callable[[str, dict, list[str]], None]] = {}
        self.mint = Minter(base)
        # The IRIs that recur, in N-Triples form: paper[key], concept[slug], source[name], category[code].
        self.paper = Minted(self.mint.paper)
        self.concept = Minted(self.mint.concept)
        self.source = Minted(self.mint.source)
        self.category = Minted(self.mint.category)
        self._external: dict[str, str | None] = {}
        # Values no export can hold, which the readers should have repaired or dropped: the
        # exporter's last safety net leaves them out (or repairs them), never fails.
        self.dropped: set[str] = set()

    def external(self, iri: str) -> str | None:
        """An IRI from the data (a repository, an arXiv id, ...), checked once by Oxigraph;
        None (and noted in `dropped`) if Oxigraph refuses it: the triples naming it are left out."""
        if iri in self._external:
            return self._external[iri]
        try:
            ox.NamedNode(iri)
        except ValueError:
            self.dropped.add(iri)
            term = None
        else:
            term = f"<{iri}>"
        self._external[iri] = term
        return term

    def encodable(self, text: str) -> str:
        """`text` with every lone surrogate (no UTF-8 form) replaced by U+FFFD, each noted."""
        try:
            text.encode()
        except UnicodeEncodeError:
            for match in _SURROGATES.finditer(text):
                start = text.rfind("\n", 0, match.start()) + 1
                self.dropped.add(f"a lone surrogate in {text[start : match.start()][-80:]!r}")
            text = _SURROGATES.sub("\ufffd", text)
        return text


_SURROGATES = re.compile("[\ud800-\udfff]")
