"""Inputs that ended in a traceback (issue 26, items 6 to 8), through the real CLI: each is a
one-line error naming the file (and line), exit 1, or skipped with `--skip-bad`; a value no
export could write is repaired and counted; only web addresses become link IRIs; HF JSON line
numbers are right (and counted in one pass)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.sources import hf
from kg.sources.fields import CAPS
from tests.conftest import DATA

runner = CliRunner()
GOOD = DATA / "pages" / "line_layout.txt"


def build(tmp_path: Path, *inputs: Path, extra: tuple[str, ...] = ()):
    out = tmp_path / "out"
    return runner.invoke(app, ["build", *map(str, inputs), "--out", str(out), "-q", "-f", "nt", *extra]), out


def hf_file(tmp_path: Path, name: str, paper_json: str) -> Path:
    path = tmp_path / name
    path.write_text(
        '[\n{"paper": {"id": "2401.00001", "title": "A fine paper", "summary": "Fine."}},\n'
        f'{{"paper": {paper_json}}}\n]\n',
        encoding="utf-8",
    )
    return path


def test_a_lone_surrogate_in_a_title_is_repaired_and_counted(tmp_path: Path):
    path = hf_file(
        tmp_path, "s.json", '{"id": "2401.00002", "title": "Broken \\ud800 title", "summary": "x"}'
    )
    result, out = build(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert (
        f"Warning: {path}: repaired fields (title lone surrogate: 1): surrogates became U+FFFD, "
        "long values were cut" in result.stderr
    )
    assert "Broken \ufffd title" in (out / "graph.nt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("authors", "shown"), [("7", "int '7'"), ('"Alice, Bob"', "str 'Alice, Bob'"), ('{"name": "A"}', "dict")]
)
def test_authors_of_the_wrong_type_are_an_error_at_the_line(tmp_path: Path, authors: str, shown: str):
    path = hf_file(
        tmp_path, "a.json", f'{{"id": "2401.00002", "title": "T", "summary": "x", "authors": {authors}}}'
    )
    result, _ = build(tmp_path, path)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: {path}:3: /1: authors must be a list of names or objects with a name, not {shown}"
    )
    assert len(result.stderr.splitlines()) == 1
    skipped, out = build(tmp_path, path, GOOD, extra=("--skip-bad",))
    assert skipped.exit_code == 0, skipped.output
    assert f"skipped {path}:3: /1: authors must be" in skipped.stderr
    assert (out / "graph.nt").is_file()


@pytest.mark.parametrize("words", [False, True], ids=["one-word", "words"])
def test_an_abstract_of_17_mib_is_cut_and_counted(tmp_path: Path, words: bool):
    text = ("word " * (17 << 18)) if words else "a" * (17 << 20)
    path = hf_file(tmp_path, "big.json", json.dumps({"id": "2401.00002", "title": "Big", "summary": text}))
    result, out = build(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "repaired fields (abstract over 100,000 characters: 1)" in result.stderr
    assert (out / "graph.nt").stat().st_size < 2 * CAPS["abstract"] + 100_000


def test_bibtex_nested_5000_deep_is_one_line(tmp_path: Path):
    path = tmp_path / "deep.bib"
    path.write_text("@article{a, title={" + '{\\"' * 5000 + "u" + "}" * 5000 + "}, year={2020}}\n")
    result, _ = build(tmp_path, path)
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {path}: nested too deeply to read (thousands of levels)\n",
    )
    skipped, _ = build(tmp_path, path, GOOD, extra=("--skip-bad",))
    assert skipped.exit_code == 0 and f"skipped {path}: nested too deeply" in skipped.stderr


def test_html_props_nested_100k_deep_is_one_line(tmp_path: Path):
    path = tmp_path / "deep.html"
    path.write_text(
        '<html><body><div data-target="DailyPapers" data-props="'
        + "[" * 100_000
        + "]" * 100_000
        + '"></div></body></html>'
    )
    result, _ = build(tmp_path, path)
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {path}: nested too deeply to read (thousands of levels)\n",
    )


# ------------------------------------------------------------------------------------------
# 7. Line numbers of HF JSON items


def test_item_lines_are_right_whatever_the_layout():
    items = [{"paper": {"id": f"2401.{i:05d}", "title": f"T{i}", "summary": "x"}} for i in range(50)]
    text = (
        "[\n"
        + ",\n\n".join(json.dumps(item, indent=1 if i % 3 == 0 else None) for i, item in enumerate(items))
        + "\n]"
    )
    expected = [
        text.count("\n", 0, text.index(json.dumps(item, indent=1 if i % 3 == 0 else None))) + 1
        for i, item in enumerate(items)
    ]
    assert [line for _, line, _ in hf.items_of(json.loads(text), text)] == expected


# ------------------------------------------------------------------------------------------
# 8. Only web addresses become link IRIs


@pytest.mark.parametrize(
    "url",
    [
        "javascript://example.com/%0Aalert(7)",
        "vbscript://github.com/a/b",
        "data://example.com/x",
        "file://example.com/etc",
    ],
)
def test_a_script_link_is_dropped_with_a_warning(tmp_path: Path, url: str):
    path = hf_file(
        tmp_path,
        "js.json",
        json.dumps({"id": "2401.00002", "title": "T", "summary": "x", "projectPage": url}),
    )
    result, out = build(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert f"projectPage {url!r} is not a web address, ignored" in result.stderr
    graph = (out / "graph.nt").read_text(encoding="utf-8")
    assert url.split(":")[0] + ":" not in graph


class _Scanned(str):
    """JSON text that adds up how many characters `count` scans."""

    scanned = 0

    def count(self, sub, start=None, end=None):  # type: ignore[override]
        _Scanned.scanned += (len(self) if end is None else end) - (start or 0)
        return super().count(sub, start, end)


def test_item_lines_are_counted_in_one_pass():
    # Counting each item's line from the file's start made 20k items take 131 s (issue 26).
    items = [{"paper": {"id": f"2401.{i:05d}", "title": f"T{i}", "summary": "x"}} for i in range(2000)]
    text = _Scanned("[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]")
    _Scanned.scanned = 0
    lines = [line for _, line, _ in hf.items_of(json.loads(text), text)]
    assert lines == list(range(2, 2002))
    assert _Scanned.scanned <= len(text)
