"""Questions to a build: SPARQL over the store of the last build, from the CLI or over HTTP.

Enters: a build's folder (its Oxigraph store, or the RDF file its manifest names) and a query:
a bundled name, a `.rq` file or SPARQL text.  Leaves: answers as tables or standard result
formats (`query`, `results`; parse errors in words by `syntax`), and `kg serve`, a read-only
SPARQL 1.1 Protocol endpoint with a query page (`serve`).
"""
