"""The `kg` command line: thin typer commands over the library.

One module per command group (`build`, `view`, `fetch`, `ask`: query, serve and stats; `cache`),
the shared pieces in `common`; this module makes the app and registers the commands, and no
command module imports it. The build's machinery (numpy, scipy, networkx, rdflib, requests) is
imported inside the commands that use it, so `kg --help`, `kg query` and `kg view` start
without paying for it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli import ask, build, cache, fetch, view
from kg.cli.common import PlainCommand, PlainGroup, out_console
from kg.export.files import handle_sigterm

app = typer.Typer(
    cls=PlainGroup,
    help="Turn saved lists of research papers into a citation/metadata knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 done (ASK true), 1 ASK false or no rows (query --fail-empty), "
    "2 usage error, 3 input, output or data error.",
)


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("kg")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "unknown"
        out_console.print(f"kg {number}", markup=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show kg's version and exit."),
    ] = False,
) -> None:
    """Options of `kg` itself."""


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
