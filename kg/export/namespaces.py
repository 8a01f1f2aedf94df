"""The namespaces of the RDF contract and the default base of minted IRIs.

Kept apart from `kg.export.rdf` (which needs rdflib and networkx) so that `kg query` and other quick
commands can predeclare the prefixes without importing the build's machinery.
"""

from __future__ import annotations

DEFAULT_BASE = "https://w3id.org/kg/id/"
KG_VOCAB = "https://w3id.org/kg/vocab#"

PREFIXES = {
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "cito": "http://purl.org/spar/cito/",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "kg": KG_VOCAB,
}
