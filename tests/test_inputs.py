"""Input resolution: each file read once, folders and globs never loop (issue 17, item 1)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources.inputs import resolve_inputs, source_names
from tests.conftest import ROOT
from tests.sources_build import HF_DAY, PAGE, build


def _tree(tmp: Path) -> Path:
    root = tmp / "in"
    (root / "sub").mkdir(parents=True)
    shutil.copy(PAGE, root / "x.txt")
    shutil.copy(HF_DAY, root / "sub" / "day.json")
    (root / "sub" / "up").symlink_to("..")  # a folder link back up its own tree
    (root / "alias.txt").symlink_to("x.txt")
    return root


def test_a_file_named_twice_is_read_once_with_a_note(tmp_path: Path):
    root = _tree(tmp_path)
    again = root / ".." / "in" / "x.txt"
    built = build(tmp_path, root / "x.txt", again, root / "alias.txt")
    assert built.result.stderr.splitlines() == [
        f"Note: {again}: same file as {root / 'x.txt'}, read once",
        f"Note: {root / 'alias.txt'}: same file as {root / 'x.txt'}, read once",
    ]
    assert built.column("SELECT ?f WHERE { ?s dcterms:source ?f }", "f") == ["x.txt"]


def test_folders_and_double_star_globs_do_not_follow_links_back_into_the_tree(tmp_path: Path):
    root = _tree(tmp_path)
    for inputs in ([root], [f"{root}/**/*.txt", f"{root}/**/*.json"], [f"{root}/**"]):
        # In a separate process with a time limit: a regression would loop, not fail.
        run = subprocess.run(
            [sys.executable, "-m", "kg", "build", *map(str, inputs), "--out", str(tmp_path / "o"), "-q"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert run.returncode == 0, run.stderr
        assert "same file as" in run.stderr  # alias.txt is x.txt
    resolved = resolve_inputs([root])
    # alias.txt comes first in the walk, so x.txt is the name read once more
    assert [p.relative_to(root).as_posix() for p in resolved.files] == ["alias.txt", "sub/day.json"]
    assert resolved.notes == [f"{root / 'x.txt'}: same file as {root / 'alias.txt'}, read once"]


def test_source_names_end_even_for_one_file_named_twice(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    (tmp_path / "sub").mkdir()
    names = source_names([path, tmp_path / "sub" / ".." / "a.txt"])
    assert sorted(names.values()) == sorted({names[path], names[path] + "#2"})


def test_a_glob_matching_nothing_and_an_empty_folder_are_errors(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no files match this pattern"):
        resolve_inputs([f"{tmp_path}/**/*.bib"])
    with pytest.raises(InputError, match=r"folder holds no input files"):
        resolve_inputs([tmp_path / "empty"])
