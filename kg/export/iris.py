"""The names an export uses: vocabularies, the IRIs kg mints for what the corpus names itself,
and listing dates as typed literals."""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib import namespace as rdflib_ns

from kg.errors import ConfigError
from kg.export.namespaces import DEFAULT_BASE, KG_VOCAB, PREFIXES


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

    def category(self, code: str) -> str:
        """An arXiv category (`cs.CV`), a concept of the category scheme."""
        return f"{self.base}category/{segment(code)}"

    @property
    def category_scheme(self) -> str:
        return f"{self.base}categories"

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
