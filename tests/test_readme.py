"""The README's commands and example are the ones that work."""

from __future__ import annotations

import re

from kg.ask.query import load_store, select
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def commands() -> list[str]:
    return [line.strip() for line in README.splitlines() if line.startswith("    pip install")]


def test_readme_has_exactly_the_two_fresh_machine_commands():
    install_build, install_test = commands()
    assert install_build == "pip install . && kg build"
    assert install_test.startswith("pip install -e '.[test]'") and install_test.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    # .ci/run extracts the command from the README, so the two cannot drift apart...
    assert "README.md" in ci and "pip install -e" in ci
    # ...and the pattern it uses finds exactly the README's test command.
    pattern = re.search(r"sed -n 's/\^    \\\((.*)\\\)\$/\\1/p'", ci)
    assert pattern is not None
    found = [c for c in commands() if re.fullmatch(pattern.group(1).replace(".*", ".*"), c)]
    assert found == [commands()[1]]


def test_readme_sparql_example_answers_on_the_seed_build(seed_ttl):
    sparql = re.search(r"```sparql\n(.*?)```", README, re.S)
    assert sparql is not None
    rows = select(load_store([seed_ttl]), sparql.group(1))
    assert rows and all(int(r["papers"]) > 1 for r in rows)
    assert rows[0]["name"].lower() == "microsoft"


def test_every_readme_kg_command_uses_real_options():
    import shlex

    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    lines = [line.strip() for line in README.splitlines() if line.startswith("    kg ")]
    assert len(lines) >= 8
    for line in lines:
        words = shlex.split(line.split("&&")[0])
        command = words[1]
        help_text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
        for word in words[2:]:
            if word.startswith("--"):
                assert word.split("=")[0] in help_text, f"{line}: {word} is not an option of kg {command}"


def test_each_install_command_follows_a_venv_line():
    lines = README.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("    pip install"):
            assert lines[i - 1] == "    python3 -m venv .venv && . .venv/bin/activate", line


def test_the_namespace_table_is_the_predeclared_prefixes():
    from kg.export.namespaces import PREFIXES

    table = dict(re.findall(r"^\| `(\w+):` \| `([^`]+)`", README, re.M))
    assert table == PREFIXES


def test_the_contract_ships_in_docs():
    contract = (ROOT / "docs" / "contract.md").read_text()
    assert "## The RDF contract" in contract and "`schema: <https://schema.org/>`" in contract
    assert "docs/contract.md" in README and "DESIGN.md" not in README


def test_every_format_in_the_readme_table_is_one_kg_build_writes():
    from kg.export.store import GRAPH_FILES

    rows = re.findall(r"^  \| `(\w+)` \| `(graph\.\w+)` \|", README, re.M)
    assert sorted(name for _, name in rows) == sorted(GRAPH_FILES)
    assert all(name == f"graph.{fmt}" for fmt, name in rows)
