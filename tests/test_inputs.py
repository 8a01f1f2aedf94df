"""Input resolution: each file read once, folders and globs never loop (issue 17, item 1)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import app
from kg.errors import InputError
from kg.sources import load_sources
from kg.sources.inputs import resolve_inputs, source_names
from tests.conftest import ROOT
from tests.sources_build import HF_DAY, PAGE, build, runner


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


MIT = """MIT License

Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:
"""


def _junk_folder(tmp: Path) -> Path:
    root = tmp / "papers"
    (root / "code").mkdir(parents=True)
    shutil.copy(PAGE, root / "day.txt")
    (root / "code" / "requirements.txt").write_text("numpy>=1.24\nrequests==2.31.0\ntyper\n")
    (root / "LICENSE.txt").write_text(MIT)
    # the same licence with its paragraphs unwrapped, as some editors save it
    (root / "LICENSE-unwrapped.txt").write_text(
        "\n\n".join(" ".join(p.split()) for p in MIT.split("\n\n")) + "\n"
    )
    (root / "code" / "package.json").write_text('{"name": "site", "version": "1.0.0", "private": true}\n')
    (root / "code" / "site.tar.gz").write_bytes(gzip.compress(b"index.html\x00\x00\x00" * 100, mtime=0))
    return root


def test_files_in_a_folder_that_are_no_input_format_are_skipped_with_a_note(tmp_path: Path):
    root = _junk_folder(tmp_path)
    junk = sorted(
        [
            "LICENSE-unwrapped.txt",
            "LICENSE.txt",
            "code/package.json",
            "code/requirements.txt",
            "code/site.tar.gz",
        ]
    )
    built = build(tmp_path, root)
    notes = sorted(line for line in built.result.stderr.splitlines() if line.startswith("Note: "))
    assert [n.split(": ", 2)[1] for n in notes] == [str(root / j) for j in junk]
    assert all(n.endswith(", skipped") for n in notes)
    titles = built.column("SELECT ?t WHERE { ?p a schema:ScholarlyArticle ; dcterms:title ?t }", "t")
    page_titles = {e.title for e in load_sources([PAGE]).entries}
    assert set(titles) == page_titles
    assert built.column("SELECT ?f WHERE { ?s dcterms:source ?f }", "f") == ["day.txt"]


def test_the_summary_counts_the_skipped_files(tmp_path: Path):
    root = _junk_folder(tmp_path)
    result = runner.invoke(app, ["build", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert re.search(r"files skipped \(no input format\)\s*│\s*5\b", result.stdout)


def test_a_junk_file_named_on_its_own_is_still_an_error(tmp_path: Path):
    root = _junk_folder(tmp_path)
    built = build(tmp_path, root / "code" / "package.json", ok=False)
    assert built.result.exit_code == 3
    assert built.result.stderr.startswith(
        f"Error: {root / 'code' / 'package.json'}: JSON, but not Hugging Face"
    )


def test_a_folder_of_only_junk_has_no_readable_inputs(tmp_path: Path):
    root = _junk_folder(tmp_path)
    (root / "day.txt").unlink()
    built = build(tmp_path, root, ok=False)
    assert built.result.exit_code == 3
    assert built.result.stderr.splitlines()[-1] == "Error: no readable inputs among the files given"
