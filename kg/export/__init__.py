"""The networkx model written as files: RDF, the Oxigraph store, Gephi formats, atomically.

Enters: the model (`kg.graph`).  Leaves: N-Triples lines per node (`rdf`, with `papers`,
`concepts`, `links` and `provenance` writing each kind; `iris` and `ntriples` the names and
terms), serialized as Turtle, N-Triples or JSON-LD and loaded into a store (`serialize`,
`jsonld`, `store`), GraphML and GEXF (`gephi`), and staged outputs that replace the last
build's only when all are written (`files`).  `namespaces` holds the contract's prefixes.
"""
