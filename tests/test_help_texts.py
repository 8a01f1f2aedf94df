"""The help of `kg serve`, `kg query` and `kg build` as a newcomer reads it at 80 columns: what
the defaults are, what an address or a limit means, and examples that are whole commands."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def help_text(command: str) -> str:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return " ".join(" ".join(line.strip(" │") for line in result.stdout.splitlines()).split())


@pytest.mark.parametrize("command", ["serve", "query", "build", "stats"])
def test_help_fits_80_columns_and_shows_every_help_text_whole(command: str):
    raw = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in raw.splitlines()) <= 80
    # Rich takes "[word]" for markup and drops it (a "[default: …]" written in a help text
    # vanished): every option's help must be shown word for word.
    shown = help_text(command)
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    for param in click_command.params:
        written = " ".join((getattr(param, "help", None) or "").split())
        assert written in shown, (param.name, written)


def test_query_help_says_what_it_reads_by_default():
    text = help_text("query")
    assert "A build folder, or RDF files" in text and "Default: exports, where kg build writes." in text
    assert "graph.ttl" not in text  # was: "default exports/graph.ttl", not what it reads
    assert "predeclared" in text and "Example: kg query --list" in text
    assert "Default: no limit." in text  # --timeout


def test_serve_help_says_what_an_address_opens_and_gives_whole_commands():
    text = help_text("serve")
    assert "0.0.0.0 lets other machines query it" in text
    assert "http://127.0.0.1:7878/" in text
    examples = re.findall(r"Example: (.*?)(?= Example:| ╭| ─|$)", text)
    assert len(examples) == 3 and all(", then" not in e for e in examples), examples
    assert "from its arrival" in text  # what --timeout counts
    assert "Megabytes each query process" in text  # what --memory is


def test_build_help_says_the_network_is_used_only_when_asked():
    text = help_text("build")
    assert "Without it the build sends nothing over the network" in text
    assert "citation queries need s2" in text
    assert "Default: no limit." in text  # --enrich-timeout
