"""The map a researcher reads: `kg view`'s page, its layout and its data.

`render_html` / `write_html` make the self-contained page; `view_data` is what it carries;
`to_pyvis` gives the same drawing as a pyvis `Network` for notebooks; `read_build` reads a
build's RDF export back into the networkx model, so the map can be redrawn without a rebuild.

The drawing code (networkx, numpy, pyvis) is imported on first use: the CLI reads
`ViewOptions` for its help and `kg --help` should not pay for the rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kg.view.options import DEFAULT_GROUPS, KIND_GROUPS, ViewOptions

if TYPE_CHECKING:
    from kg.view.notebook import to_pyvis
    from kg.view.page import render_html, view_data, write_html
    from kg.view.read import read_build
    from kg.view.select import check_drawable, select_view
    from kg.view.tables import find_paper

_LAZY = {
    "to_pyvis": "kg.view.notebook",
    "render_html": "kg.view.page",
    "view_data": "kg.view.page",
    "write_html": "kg.view.page",
    "read_build": "kg.view.read",
    "check_drawable": "kg.view.select",
    "select_view": "kg.view.select",
    "find_paper": "kg.view.tables",
}

__all__ = [
    "DEFAULT_GROUPS",
    "KIND_GROUPS",
    "ViewOptions",
    "check_drawable",
    "find_paper",
    "read_build",
    "render_html",
    "select_view",
    "to_pyvis",
    "view_data",
    "write_html",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg.view' has no attribute {name!r}")
