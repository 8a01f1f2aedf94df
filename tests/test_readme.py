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
