"""kg: turn saved lists of research papers into a citation/metadata knowledge graph.

The packages are the pipeline, and data flows one way: `sources` (files to papers) ->
`extract` (each paper's text: links, phrases, concepts) -> `relate` (links between papers) ->
`enrich` (optional, the only code on the network) -> `graph` (the networkx model) ->
`export` (RDF, store, Gephi) and `view` (the map); `ask` queries a build and `cli` is the
command line.  `pipeline` runs the stages: `kg.build(inputs, out=...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.pipeline import BuildResult, build, build_corpus

__all__ = ["BuildResult", "__version__", "build", "build_corpus"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The pipeline imports numpy, scipy, networkx and rdflib: only a build should pay for them,
    # not `import kg.cli` (every command) or `import kg.ask.query`.
    if name in ("BuildResult", "build", "build_corpus"):
        from kg import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
