"""SPARQL over exported RDF, on Oxigraph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, QueryError

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
}
DEFAULT_DATA = Path("exports") / "graph.ttl"


def load_store(paths: Sequence[Path]) -> ox.Store:
    """An in-memory Oxigraph store holding every file of `paths` in its default graph."""
    store = ox.Store()
    for path in paths:
        if not path.is_file():
            hint = " (run `kg build` first)" if path.name.startswith("graph.") else ""
            raise KgError(f"no such data file{hint}", path=path)
        fmt = _FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise KgError(
                f"unknown RDF file type {path.suffix!r} (use one of {', '.join(_FORMATS)})", path=path
            )
        try:
            store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
        except (SyntaxError, ValueError, OSError) as err:
            raise KgError(f"cannot load RDF: {err}", path=path) from None
    return store


def select(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings (IRIs and literal values), unbound as missing keys."""
    try:
        solutions = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


@dataclass
class Stats:
    """Counts of an export's main things, and its biggest repository owners."""

    counts: dict[str, int]
    top_owners: list[tuple[str, int]]
    top_concepts: list[tuple[str, int]]


_STATS_QUERY = """
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/kg/vocab#>
SELECT
  (SUM(IF(?c = schema:ScholarlyArticle, 1, 0)) AS ?papers)
  (SUM(IF(?c = schema:SoftwareSourceCode, 1, 0)) AS ?repos)
  (SUM(IF(?c = foaf:Agent, 1, 0)) AS ?owners)
  (SUM(IF(?c = schema:WebSite, 1, 0)) AS ?hosts)
  (SUM(IF(?c = prov:Entity, 1, 0)) AS ?sources)
  (SUM(IF(?c = skos:Concept, 1, 0)) AS ?concepts)
  (SUM(IF(?c = foaf:Person, 1, 0)) AS ?authors)
WHERE { ?s a ?c }
"""
_TOP_OWNERS = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX kg: <https://w3id.org/kg/vocab#>
SELECT ?name (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper kg:repository ?repo . ?repo kg:owner ?owner . ?owner foaf:name ?name .
} GROUP BY ?owner ?name ORDER BY DESC(?papers) ?name LIMIT 10
"""

_TOP_CONCEPTS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper dcterms:subject ?concept . ?concept skos:prefLabel ?label .
} GROUP BY ?concept ?label ORDER BY DESC(?papers) ?label LIMIT 20
"""


def graph_stats(store: ox.Store) -> Stats:
    """Counts by class, triples, papers with code, and the owners with most papers."""
    counts = {k: int(v) for k, v in select(store, _STATS_QUERY)[0].items()}
    counts["triples"] = len(store)
    with_repo = select(
        store,
        "PREFIX kg: <https://w3id.org/kg/vocab#> "
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:repository ?r }",
    )
    counts["papers with a repository"] = int(with_repo[0]["n"])
    owners = [(r["name"], int(r["papers"])) for r in select(store, _TOP_OWNERS)]
    concepts = [(r["label"], int(r["papers"])) for r in select(store, _TOP_CONCEPTS)]
    return Stats(counts, owners, concepts)
