"""The HTTP cache (issue 26, item 5): a lock held by another process is waited for a few
seconds, then the source is counted "not asked (cache busy)"; a damaged cache is one line
naming the file and `kg cache clear` removes it whatever its state; `--cache PATH` means one
file in every command.  The APIs are the fake ones on a local server."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.enrich import session as sess
from tests import test_enrich
from tests.fake_apis import World
from tests.test_enrich import PAGES
from tests.test_faults import counts, enrichment, warnings

world = test_enrich.world
runner = CliRunner()


def build(tmp_path: Path, cache: Path, *args: str):
    return runner.invoke(
        app,
        ["build", str(PAGES), "--out", str(tmp_path / "out"), "--cache", str(cache), "-e", "arxiv", *args],
    )


def test_a_cache_locked_by_another_process_is_waited_for_briefly(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(sess, "CACHE_WAIT", 0.5)
    cache = tmp_path / "c.sqlite"
    assert build(tmp_path, cache).exit_code == 0  # the cache exists, with its tables
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        started = time.monotonic()
        result = build(tmp_path, cache, "--refresh")
        took = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 0, result.output
    assert enrichment(result.stdout)["arxiv"] == counts(not_asked=3)
    assert "not asked: arxiv (cache busy)" in result.stdout
    assert (
        "Warning: arXiv: the HTTP cache was locked by another process for over 0.5 s: 3 papers not asked "
        "(cache busy); build again once the other process is done." in warnings(result.stderr)
    )
    assert took < 30  # not the lock's length: requests_cache alone waits as long as it lasts


def test_a_damaged_cache_is_one_line_and_cache_clear_removes_it(world: World, tmp_path: Path):
    cache = tmp_path / "c.sqlite"
    assert build(tmp_path, cache).exit_code == 0
    data = cache.read_bytes()
    cache.write_bytes(data[:4096] + b"\xff" * (len(data) - 4096))  # pages past the first damaged
    result = build(tmp_path, cache)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {cache}: the HTTP cache cannot be read (")
    assert result.stderr.endswith(f"`kg cache clear --cache {cache}` removes it\n")
    assert len(result.stderr.splitlines()) == 1
    cache.write_bytes(data[:100])  # truncated
    cleared = runner.invoke(app, ["cache", "clear", "--cache", str(cache)])
    assert cleared.exit_code == 0 and cleared.stdout.startswith(f"removed {cache} ")
    assert not cache.exists()


def test_a_cache_path_without_suffix_is_one_file_for_every_command(world: World, tmp_path: Path):
    cache = tmp_path / "mycache"
    assert build(tmp_path, cache).exit_code == 0
    info = runner.invoke(app, ["cache", "info", "--cache", str(cache)])
    assert info.exit_code == 0
    assert info.stdout.splitlines()[0] == f"file     {cache}.sqlite"
    cleared = runner.invoke(app, ["cache", "clear", "--cache", str(cache)])
    assert cleared.exit_code == 0 and not Path(f"{cache}.sqlite").exists()
