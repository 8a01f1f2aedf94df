"""The map a researcher reads: `kg view`'s page, its layout and its data.

`render_html` / `write_html` make the self-contained page; `view_data` is what it carries;
`to_pyvis` gives the same drawing as a pyvis `Network` for notebooks; `read_build` reads a
build's RDF export back into the networkx model, so the map can be redrawn without a rebuild.
"""

from kg.view.notebook import to_pyvis
from kg.view.options import DEFAULT_GROUPS, KIND_GROUPS, ViewOptions
from kg.view.page import render_html, view_data, write_html
from kg.view.read import read_build
from kg.view.select import check_drawable, select_view
from kg.view.tables import find_paper

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
