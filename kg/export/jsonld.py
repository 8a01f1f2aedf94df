"""JSON-LD that people and JSON-LD processors read: an `@context`, `@type`, one object per subject.

The export's triples come subject by subject (`kg.export.rdf` keeps each subject's triples
together), so each node object is written as soon as its subject changes: a 7M-triple export
streams through in constant memory.  The context (`kg/data/context.jsonld`) names the
prefixes and says which properties hold IRIs and which typed values, so most values are
plain JSON strings; a value that does not fit its property's declaration is written in full
(`{"@id": …}`, `{"@value": …, "@type": …}`), which JSON-LD reads the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def context() -> dict[str, Any]:
    """The `@context` of kg's JSON-LD: prefixes, and the type of each property's values."""
    text = (resources.files("kg") / "data" / "context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


class _Compactor:
    """Turns triples' terms into the compact JSON the context allows."""

    def __init__(self, ctx: dict[str, Any]):
        self.prefixes = sorted(
            ((ns, name) for name, ns in ctx.items() if isinstance(ns, str) and not name.startswith("@")),
            key=lambda item: -len(item[0]),
        )
        self.keys: dict[str, str] = {}  # property IRI -> its key (a compact IRI)
        self.coerced: dict[str, str] = {}  # property IRI -> "@id" or a datatype IRI
        for key, definition in ctx.items():
            if isinstance(definition, dict) and "@type" in definition:
                iri = self.expand(key)
                kind = definition["@type"]
                self.coerced[iri] = kind if kind == "@id" else self.expand(kind)

    def expand(self, name: str) -> str:
        prefix, _, rest = name.partition(":")
        for ns, known in self.prefixes:
            if known == prefix:
                return ns + rest
        return name

    def compact(self, iri: str) -> str:
        """A compact IRI (`schema:ScholarlyArticle`) where a prefix fits, else the IRI."""
        for ns, name in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if ":" not in local and "/" not in local and "#" not in local:
                    return f"{name}:{local}"
        return iri

    def key(self, predicate: str) -> str:
        found = self.keys.get(predicate)
        if found is None:
            found = self.keys[predicate] = self.compact(predicate)
        return found

    def value(self, predicate: str, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
        coerced = self.coerced.get(predicate)
        if isinstance(term, ox.NamedNode):
            return term.value if coerced == "@id" else {"@id": term.value}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        datatype = term.datatype.value
        if datatype == _LANG_STRING:
            return {"@value": term.value, "@language": term.language}
        if datatype == coerced or (datatype == _XSD_STRING and coerced is None):
            return term.value
        if datatype == _XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": self.compact(datatype)}


def write_jsonld(
    quads: Iterable[ox.Quad | ox.Triple], out: IO[str], ctx: dict[str, Any] | None = None
) -> None:
    """Write `quads` (each subject's together, default graph) as one JSON-LD document."""
    ctx = ctx if ctx is not None else context()
    compactor = _Compactor(ctx)
    out.write('{\n  "@context": ')
    out.write(json.dumps(ctx, indent=2, ensure_ascii=False).replace("\n", "\n  "))
    out.write(',\n  "@graph": [')
    subject = None
    node: dict[str, Any] = {}
    first = True

    def flush() -> None:
        nonlocal first
        if node:
            out.write("\n    " if first else ",\n    ")
            out.write(json.dumps(node, ensure_ascii=False))
            first = False

    for quad in quads:
        s = quad.subject
        if isinstance(s, ox.Triple) or isinstance(quad.object, ox.Triple):
            raise ValueError("RDF-star triples have no JSON-LD 1.1 form")
        if s != subject:
            flush()
            subject = s
            node = {"@id": s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}"}
        predicate = quad.predicate.value
        if predicate == _RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            key, value = "@type", compactor.compact(quad.object.value)
        else:
            key, value = compactor.key(predicate), compactor.value(predicate, quad.object)
        held = node.get(key)
        if held is None:
            node[key] = value
        elif isinstance(held, list):
            held.append(value)
        else:
            node[key] = [held, value]
    flush()
    out.write("\n  ]\n}\n")


def write_jsonld_file(quads: Iterable[ox.Quad | ox.Triple], path: Path | str) -> None:
    """`write_jsonld` to a file (UTF-8)."""
    with open(path, "w", encoding="utf-8") as out:
        write_jsonld(quads, out)
