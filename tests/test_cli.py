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
        "empty-dir": (tmp / "nopages", "folder holds no input files (*.txt, *.json, *.bib, *.html, *.htm)"),
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
def test_bad_input_gives_one_line_error_and_exit_1(tmp_path: Path, case: str):
    path, problem = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = run("build", str(path), "--out", str(out))
    where = f"{path}:2" if case == "latin-1" else str(path)
    assert result.exit_code == 1
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
    assert result.exit_code == 1
    assert result.stderr.endswith("Error: no readable inputs among the files given\n")


def test_failed_build_leaves_earlier_exports_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "out"
    assert run("build", str(GOOD), "--out", str(out), "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad, _ = _bad_inputs(tmp_path)["binary"]
    assert run("build", str(SEEDS), str(bad), "--out", str(out)).exit_code == 1

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
    assert result.exit_code == 1
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
