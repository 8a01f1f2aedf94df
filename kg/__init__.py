"""kg: turn saved lists of research papers into a citation/metadata knowledge graph."""

from kg.pipeline import BuildResult, build, build_corpus

__all__ = ["BuildResult", "__version__", "build", "build_corpus"]
__version__ = "0.1.0"
