from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import pipeline
from kg.cli import app
from kg.errors import KgError
from kg.export import rdf
from tests.conftest import DATA, SEEDS

runner = CliRunner()
GOOD = DATA / "pages" / "line_layout.txt"


def run(*args: str):
    return runner.invoke(app, list(args))


def table_rows(text: str) -> set[str]:
    """Rows of a rich table as 'cell cell' strings, box drawing removed."""
    rows = set()
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        rows.add(" ".join(cells))
    return rows


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path | str, str]]:
    (tmp / "empty.txt").write_text("")
    (tmp / "blank.txt").write_text("\n\n   \n")
    (tmp / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp / "latin1.txt").write_bytes("A Title\nUne \xe9tude des r\xe9seaux\n".encode("latin-1"))
    (tmp / "furniture.txt").write_text("new\n\nSubscribe\n\nMar 11\n")
    (tmp / "nopages").mkdir()
    (tmp / "nopages" / "notes.md").write_text("# not a page")
    return {
        "missing": (tmp / "missing.txt", "no such file or directory"),
        "no-glob-match": (str(tmp / "*.page"), "no files match this pattern"),
        "empty-dir": (
            tmp / "nopages",
            "folder holds no input files (*.txt, *.json, *.jsonl, *.ndjson, *.bib, *.html, *.htm, *.gz)",
        ),
        "empty": (tmp / "empty.txt", "file is empty"),
        "whitespace-only": (tmp / "blank.txt", "file is empty"),
        "binary": (tmp / "binary.txt", "binary file (contains NUL bytes), not a text file"),
        "latin-1": (tmp / "latin1.txt", "not valid UTF-8 (byte 0xe9 at offset 12)"),
        "no-papers": (
            tmp / "furniture.txt",
            "no papers found (expected a title line followed by its abstract)",
        ),
    }


CASES = [
    "missing",
    "no-glob-match",
    "empty-dir",
    "empty",
    "whitespace-only",
    "binary",
    "latin-1",
    "no-papers",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_one_line_error_and_exit_3(tmp_path: Path, case: str):
    path, problem = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = run("build", str(path), "--out", str(out))
    where = f"{path}:2" if case == "latin-1" else str(path)
    assert result.exit_code == 3
    assert result.stderr == f"Error: {where}: {problem}\n"
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("case", ["empty", "binary", "latin-1", "no-papers"])
def test_skip_bad_warns_and_builds_the_rest(tmp_path: Path, case: str):
    path, problem = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = run("build", str(GOOD), str(path), "--out", str(out), "--skip-bad")
    assert result.exit_code == 0, result.output
    where = f"{path}:2" if case == "latin-1" else str(path)
    assert f"Warning: skipped {where}: {problem}" in result.stderr
    assert (out / "graph.ttl").read_text().count("a schema:ScholarlyArticle") == 3


def test_skip_bad_with_nothing_readable_is_an_error(tmp_path: Path):
    path, _ = _bad_inputs(tmp_path)["empty"]
    result = run("build", str(path), "--out", str(tmp_path / "out"), "--skip-bad")
    assert result.exit_code == 3
    assert result.stderr.endswith("Error: no readable inputs among the files given\n")


def test_failed_build_leaves_earlier_exports_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "out"
    assert run("build", str(GOOD), "--out", str(out), "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad, _ = _bad_inputs(tmp_path)["binary"]
    assert run("build", str(SEEDS), str(bad), "--out", str(out)).exit_code == 3

    # A crash after one format was written must not leave it replaced.
    real = rdf.write_graphs

    def crash_after_ttl(graph, paths, base=rdf.DEFAULT_BASE, **options):
        real(graph, {"ttl": paths["ttl"]}, base, **options)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "write_graphs", crash_after_ttl)
    with pytest.raises(KgError, match="no space left on device"):
        pipeline.build([SEEDS], out=out, formats=["ttl", "nt"])
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_build_summary_counts_what_was_built(tmp_path: Path):
    result = run("build", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    built = pipeline.build_corpus()
    lines = table_rows(result.stdout)
    assert "files read 5" in lines
    assert f"distinct papers {len(built.papers)}" in lines
    assert f"repositories {built.count('repo')}" in lines
    assert f"wrote {tmp_path / 'graph.ttl'}" in lines


def test_formats_option_writes_each_format(tmp_path: Path):
    result = run("build", str(GOOD), "-o", str(tmp_path), "-f", "ttl", "-f", "nt", "-f", "jsonld", "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".kg",  # the store the link `oxigraph` names, the build lock (kg.export.commit)
        "graph.html",
        "graph.jsonld",
        "graph.nt",
        "graph.ttl",
        "manifest.json",
        "oxigraph",
        "vocab.ttl",
    ]
    assert result.stdout == ""


def test_unknown_format_is_a_usage_error(tmp_path: Path):
    result = run("build", str(GOOD), "-o", str(tmp_path), "--format", "rdfxml")
    assert result.exit_code == 2


def test_stats_reads_the_export(tmp_path: Path):
    run("build", "--out", str(tmp_path), "-q")
    result = run("stats", "--data", str(tmp_path / "graph.ttl"))
    assert result.exit_code == 0
    built = pipeline.build_corpus()
    lines = table_rows(result.stdout)
    assert f"papers {len(built.papers)}" in lines
    assert f"owners {built.count('owner')}" in lines


def test_stats_without_a_build_says_to_build(tmp_path: Path):
    result = run("stats", "--data", str(tmp_path / "graph.ttl"))
    assert result.exit_code == 3
    assert result.stderr == f"Error: {tmp_path / 'graph.ttl'}: no such data file (run `kg build` first)\n"


def test_python_dash_m_runs_the_same_cli(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(GOOD), "--out", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "graph.ttl").read_text().count("a schema:ScholarlyArticle") == 3


def test_builds_in_separate_processes_are_byte_identical(tmp_path: Path):
    # Different hash seeds change set and dict-of-string orders; the exports must not notice.
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg", "build", "-q", "--out", str(out)], check=True, env=env)
        outputs.append({p.name: p.read_bytes() for p in out.iterdir() if p.is_file()})
    assert outputs[0] == outputs[1]


def test_jobs_reach_the_build_and_zero_is_a_usage_error(tmp_path: Path, monkeypatch):
    seen = []
    real_build = pipeline.build

    def spy(*args, **kwargs):
        seen.append(kwargs["jobs"])
        return real_build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", spy)
    assert run("build", str(GOOD), "-o", str(tmp_path), "-q", "--jobs", "1").exit_code == 0
    assert run("build", str(GOOD), "-o", str(tmp_path), "-q").exit_code == 0
    assert seen == [1, None]
    result = runner.invoke(
        app, ["build", str(GOOD), "-o", str(tmp_path / "none"), "--jobs", "0"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2
    assert "Invalid value for '--jobs' / '-j'" in result.stderr
    assert not (tmp_path / "none").exists()


def test_build_option_defaults_are_the_librarys():
    # The CLI spells its defaults out (importing the library would slow `kg --help`); they
    # must stay the library's own.
    import inspect

    from kg.cli.build import build
    from kg.extract.concepts import ConceptOptions

    defaults = inspect.signature(build).parameters
    assert defaults["concepts_per_paper"].default == ConceptOptions.per_paper
    assert defaults["min_papers"].default == ConceptOptions.min_papers


# ------------------------------------------------------------------------------------------
# Conventions: --version, -h, completion, -q/-v everywhere, exit codes


def all_commands() -> list[tuple[str, ...]]:
    import typer.main

    root = typer.main.get_command(app)
    found = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found += [(name, sub) for sub in subcommands]
        else:
            found.append((name,))
    return found


def test_version_is_the_installed_packages():
    from importlib.metadata import version

    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"kg {version('kg')}\n"


@pytest.mark.parametrize("command", [(), *all_commands()])
def test_dash_h_is_help_and_every_command_has_quiet_and_verbose(command):
    short = runner.invoke(app, [*command, "-h"], env={"COLUMNS": "100"})
    long = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert short.exit_code == long.exit_code == 0 and short.stdout == long.stdout
    if command:
        assert re.search(r"--quiet\s+-q", short.stdout) and re.search(r"--verbose\s+-v", short.stdout)
    else:
        assert "--install-completion" in short.stdout and "Exit codes: 0 done" in short.stdout


def test_shell_completion_completes_command_names():
    env = {**os.environ, "_KG_COMPLETE": "complete_bash", "COMP_WORDS": "kg qu", "COMP_CWORD": "1"}
    script = Path(sys.executable).parent / "kg"  # completion keys on the program's name
    if not script.exists():
        pytest.skip(f"no kg script beside {sys.executable}")
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.split() == ["query"]


@pytest.fixture(scope="module")
def ttl(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("conventions")
    assert run("build", str(GOOD), "-o", str(out), "-q").exit_code == 0
    return out / "graph.ttl"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["ASK { ?p a schema:ScholarlyArticle }"], 0),
        (["ASK { ?p a schema:Nothing }"], 1),
        (["SELECT ?p WHERE { ?p a schema:Nothing }"], 0),
        (["SELECT ?p WHERE { ?p a schema:Nothing }", "--fail-empty"], 1),
        (["SELECT ?p WHERE { ?p a schema:Nothing }", "--fail-empty", "-f", "csv"], 1),
        (["SELECT ?p WHERE { ?p a schema:ScholarlyArticle }", "--fail-empty", "-f", "csv"], 0),
        (["CONSTRUCT { ?p a schema:Nothing } WHERE { ?p a schema:Nothing }", "--fail-empty", "-f", "nt"], 1),
        (["papers-for-concept"], 2),  # its --param is missing
        (["SELECT ?x WHERE {"], 2),
        (["top-concepts", "-q", "-v"], 2),
    ],
)
def test_query_exit_codes(ttl, args, code):
    result = run("query", *args, "-d", str(ttl))
    assert result.exit_code == code, result.output


def test_a_missing_build_is_a_data_error_and_a_bad_option_a_usage_error(tmp_path: Path):
    assert run("query", "top-concepts", "-d", str(tmp_path / "none.ttl")).exit_code == 3
    assert run("query", "top-concepts", "--max-rows", "0").exit_code == 2


def test_quiet_drops_notes_and_verbose_adds_details(ttl):
    args = ["query", "papers-for-concept", "-p", "label=no such concept", "-d", str(ttl)]
    plain, quiet, verbose = run(*args), run(*args, "-q"), run(*args, "-v")
    assert "Note: --param label='no such concept' matches no" in plain.stderr
    assert quiet.stderr == "" and quiet.stdout == plain.stdout
    assert "Note:" in verbose.stderr and re.search(r"Answered in \d+\.\d+ s", verbose.stderr)


def test_view_prints_the_page_when_no_browser_opens(ttl, monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    page = ttl.parent / "graph.html"
    result = run("view", "-o", str(ttl.parent))
    assert result.exit_code == 0 and result.stdout == f"{page}\n"
    assert result.stderr.startswith("Note: no browser to open it in")
    assert run("view", "-o", str(ttl.parent), "-q").stderr == ""
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = run("view", "-o", str(ttl.parent))
    assert result.exit_code == 0 and result.stdout == "" and opened == [page.resolve().as_uri()]


def test_a_citation_query_on_a_build_without_citations_says_what_it_needs(ttl):
    from kg.ask.query import bundled_queries

    needing = [q.name for q in bundled_queries() if q.needs]
    assert {"coupled-papers", "co-cited-papers", "citations-in-corpus", "prior-works"} <= set(needing)
    for name in needing:
        result = run("query", name, "-d", str(ttl))
        assert result.exit_code == 0
        assert (
            result.stderr
            == f"Note: no rows; {name} needs references and citations, from kg build --enrich s2\n"
        )
    assert "needs references and citations" in run("query", "--list").stdout.replace("\n", " ")
