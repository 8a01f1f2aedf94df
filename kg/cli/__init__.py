"""The `kg` command line: thin typer commands over the library.

One module per command group (`build`, `view`, `fetch`, `ask`: query, serve and stats; `cache`),
the shared pieces in `common`; this module makes the app and registers the commands, and no
command module imports it. The build's machinery (numpy, scipy, networkx, rdflib, requests) is
imported inside the commands that use it, so `kg --help`, `kg query` and `kg view` start
without paying for it.
"""

from __future__ import annotations

import typer

from kg.cli import ask, build, cache, fetch, view
from kg.cli.common import PlainCommand, PlainGroup
from kg.export.files import handle_sigterm

app = typer.Typer(
    cls=PlainGroup,
    help="Turn saved lists of research papers into a citation/metadata knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("build", cls=PlainCommand)(build.build)
app.command("stats", cls=PlainCommand)(ask.stats)
app.command("view", cls=PlainCommand)(view.view_command)
app.command("fetch", cls=PlainCommand)(fetch.fetch_command)
app.command("query", cls=PlainCommand)(ask.query_command)
app.command("serve", cls=PlainCommand)(ask.serve_command)
app.add_typer(cache.cache_app, name="cache")


def main() -> None:
    handle_sigterm()
    app()
