"""A build's commit flushes to the disk before it switches (issue 26, item 4: "no fsync"):
every staged file, and every file and folder of the staged store, is fsynced before the
journal that makes them the build is in place; the folder is fsynced after the renames and
before the journal is removed.  `os.fsync` and `os.replace` are watched, nothing is faked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.export import commit


def staged(out: Path) -> list[tuple[Path, Path]]:
    out.mkdir()
    graph = out / ".graph.nt.kg-0.tmp"
    graph.write_text("<a:b> <a:c> <a:d> .\n")
    store = out / ".oxigraph.kg-1.tmp"
    (store / "sub").mkdir(parents=True)
    (store / "CURRENT").write_text("x")
    (store / "sub" / "000001.sst").write_text("y")
    manifest = out / ".manifest.json.kg-2.tmp"
    manifest.write_text("{}\n")
    return [(graph, out / "graph.nt"), (store, out / "oxigraph"), (manifest, out / "manifest.json")]


def test_the_commit_fsyncs_what_it_switches_in_before_the_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "out"
    pending = staged(out)
    files_below = {p.resolve() for tmp, _ in pending for p in [tmp, *tmp.rglob("*")]}
    events: list[tuple[str, Path]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}")).resolve()))
        real_fsync(fd)

    def replace(src: os.PathLike[str] | str, dst: os.PathLike[str] | str) -> None:
        events.append(("replace", Path(dst).resolve()))
        real_replace(src, dst)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to name what a descriptor is")
    monkeypatch.setattr(commit.os, "fsync", fsync)
    monkeypatch.setattr(commit.os, "replace", replace)
    held = commit.lock(out)
    try:
        commit.commit(out, pending)
    finally:
        commit.unlock(held)
    journal = out.resolve() / commit.STATE / commit.JOURNAL
    placed = next(i for i, (kind, path) in enumerate(events) if kind == "replace" and path == journal)
    flushed_before = {path for kind, path in events[:placed] if kind == "fsync"}
    assert files_below <= flushed_before, files_below - flushed_before  # every staged file and folder
    assert out.resolve() in flushed_before  # the folder's entries for the staged files
    last_switch = max(
        i for i, (kind, path) in enumerate(events) if kind == "replace" and path.parent == out.resolve()
    )
    assert ("fsync", out.resolve()) in events[last_switch:]  # the renames themselves, flushed
    assert (out / "graph.nt").read_text() == "<a:b> <a:c> <a:d> .\n"
    assert (out / "oxigraph" / "sub" / "000001.sst").read_text() == "y"
    assert not journal.exists()
