"""Former home of the page reader, kept so code written against `kg.ingest` still works.

The readers live in `kg.sources` (one module per format); new code imports from there.
"""

from __future__ import annotations

from kg.sources import InputSet as PageSet
from kg.sources import load_sources as load_pages
from kg.sources.identity import normalize_title, title_key
from kg.sources.inputs import read_text, resolve_inputs, source_names
from kg.sources.merge import merge_entries
from kg.sources.pages import looks_like_abstract, parse_page

__all__ = [
    "PageSet",
    "load_pages",
    "looks_like_abstract",
    "merge_entries",
    "normalize_title",
    "parse_page",
    "read_text",
    "resolve_inputs",
    "source_names",
    "title_key",
]
