"""A build commits as one (issue 26): killed at any rename of its commit, a folder holds the
old build or the new one, whole, and `kg query` answers from it; two builds writing one
folder at once: one wins and the other says so; readers of a build being switched in wait
for it or say so in one line.

Kills are real (`os._exit` in a child process at the N-th rename, as SIGKILL leaves it:
no handler runs); everything is bounded in time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.export import commit
from kg.export.store import MANIFEST, STAMP, STORE_DIR, Manifest
from tests.conftest import DATA

runner = CliRunner()
OLD = DATA / "pages" / "line_layout.txt"
NEW = DATA / "sources" / "hf_daily_2024-10-25.json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

# Runs `kg build …` and dies (no cleanup, as a SIGKILL) just before the N-th rename of its
# commit (or the journal's removal); N=0 never dies.
_KILL_AT = """
import os, sys
from kg.export import commit
n = int(sys.argv[1])
calls = [0]
def hook(real):
    def wrapped(*args, **kwargs):
        if armed[0] and (real is not os.unlink or str(args[0]).endswith("commit.json")):
            calls[0] += 1
            if calls[0] == n:
                os._exit(137)
        return real(*args, **kwargs)
    return wrapped
armed = [False]
real_commit = commit.commit
def armed_commit(*args, **kwargs):
    armed[0] = True
    return real_commit(*args, **kwargs)
commit.commit = armed_commit
os.replace = hook(os.replace)
os.unlink = hook(os.unlink)
from kg.cli import app
sys.argv = ["kg", *sys.argv[2:]]
app()
"""


def killed_build(out: Path, n: int, source: Path = NEW) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _KILL_AT, str(n), "build", str(source), "--out", str(out), "-q", "-f", "nt"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def whole(out: Path) -> Manifest:
    """The build in `out`, checked whole: every file its manifest names, at its size, the
    N-Triples file and the store both of the manifest's graph."""
    manifest = Manifest.read(out)
    assert manifest is not None
    for name, size in manifest.files.items():
        assert (out / name).stat().st_size == size, name
    assert hashlib.sha256((out / "graph.nt").read_bytes()).hexdigest() == manifest.graph
    assert (out / STORE_DIR / STAMP).read_text().strip() == manifest.graph
    return manifest


def count(out: Path) -> int:
    result = runner.invoke(app, ["query", COUNT, "--data", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return int(result.stdout.split()[1])


class Killed(BaseException):
    """Stands for SIGKILL in-process: nothing catches it, so nothing cleans up."""


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A build of one corpus (the old one) and of another (the new one, to switch in)."""
    old, new = tmp_path_factory.mktemp("old") / "out", tmp_path_factory.mktemp("new") / "out"
    assert killed_build(old, 0, OLD).returncode == 0
    assert killed_build(new, 0, NEW).returncode == 0
    return old, new


def staged_copy(new: Path, out: Path) -> list[tuple[Path, Path]]:
    """The new build's outputs staged in `out` as a build stages them (the store first, the
    manifest last), fsynced by the commit."""
    names = [STORE_DIR, *sorted(Manifest.read(new).files), MANIFEST]  # type: ignore[union-attr]
    pending = []
    for name in names:
        tmp = out / f".{name}.kg-{len(pending):08d}.tmp"
        source = new / name
        if source.is_dir():
            shutil.copytree(source.resolve(), tmp)
        else:
            shutil.copyfile(source, tmp)
        pending.append((tmp, out / name))
    return pending


def check_whole_after_kill(out: Path, old: Manifest, new: Manifest) -> str:
    answered = count(out)  # the next reader finishes a commit the killed build began
    now = whole(out)
    assert now.graph in (old.graph, new.graph)
    assert answered == now.triples
    left = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".kg"]
    assert all(name.endswith(".tmp") for name in left)  # staged files the next build removes
    assert (out / STORE_DIR).resolve().parent == (out / ".kg" / "stores").resolve()
    return "old" if now.graph == old.graph else "new"


def test_a_kill_at_any_step_of_the_commit_leaves_one_build_whole(
    builds: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    old_dir, new_dir = builds
    old, new = whole(old_dir), whole(new_dir)
    assert old.graph != new.graph
    real_replace, real_unlink = os.replace, os.unlink
    seen = []
    for n in range(1, 40):
        out = tmp_path / f"out{n}"
        shutil.copytree(old_dir, out, symlinks=True)
        pending = staged_copy(new_dir, out)
        calls = [0]

        def step(real, *args, calls=calls, n=n, **kwargs):
            calls[0] += 1
            if calls[0] == n:
                raise Killed
            return real(*args, **kwargs)

        monkeypatch.setattr(commit.os, "replace", lambda *a, **k: step(real_replace, *a, **k))
        monkeypatch.setattr(
            commit.Path,
            "unlink",
            lambda self, *a, **k: (
                step(real_unlink, self) if self.name == commit.JOURNAL else real_unlink(self)
            ),
        )
        try:
            commit.commit(out, pending)
            finished = True
        except Killed:
            finished = False
        monkeypatch.undo()
        seen.append(check_whole_after_kill(out, old, new))
        if finished:
            assert seen[-1] == "new"
            break
    else:
        pytest.fail("the commit never finished")
    # Killed before the journal: the old build; after it: the new one, finished by the reader.
    assert seen[0] == "old" and seen[-2] == "new" and len(seen) > 6


@pytest.mark.parametrize("n", [3, 6])
def test_a_build_killed_for_real_mid_commit_leaves_one_build_whole(
    builds: tuple[Path, Path], tmp_path: Path, n: int
):
    old_dir, new_dir = builds
    out = tmp_path / "out"
    shutil.copytree(old_dir, out, symlinks=True)
    done = killed_build(out, n)
    assert done.returncode == 137, done.stderr
    assert check_whole_after_kill(out, whole(old_dir), whole(new_dir)) == "new"
    again = runner.invoke(app, ["build", str(OLD), "--out", str(out), "-q", "-f", "nt"])
    assert again.exit_code == 0, again.output
    assert whole(out) == whole(old_dir)  # the next build removed what the killed one left
    assert [p.name for p in (out / ".kg" / "stores").iterdir()] == [(out / STORE_DIR).resolve().name]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".kg"]


def test_a_second_build_into_a_folder_being_written_says_so_and_writes_nothing(
    builds: tuple[Path, Path], tmp_path: Path
):
    out = tmp_path / "out"
    shutil.copytree(builds[0], out, symlinks=True)
    before = whole(out)
    held = commit.lock(out)  # a build writing the folder holds this lock
    try:
        result = runner.invoke(app, ["build", str(NEW), "--out", str(out), "-q", "-f", "nt"])
    finally:
        commit.unlock(held)
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {out}: another kg build is writing this folder; this build wrote nothing "
        "(the other one's exports are what the folder will hold)\n"
    )
    assert whole(out) == before
    assert (out / MANIFEST).is_file()


def test_a_reader_waits_for_a_commit_under_way_and_says_so_past_its_wait(
    builds: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from kg.export import store

    out = tmp_path / "out"
    shutil.copytree(builds[0], out, symlinks=True)
    (out / ".kg" / commit.JOURNAL).write_text('{"steps": []}\n')
    held = commit.lock(out)  # the committing build is alive
    monkeypatch.setattr(store, "COMMIT_WAIT", 0.2)
    try:
        result = runner.invoke(app, ["query", COUNT, "--data", str(out)])
    finally:
        commit.unlock(held)
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {out}: a build is being written here and did not finish in time; run the command again\n"
    )
    assert count(out) == whole(out).triples  # the lock released, a journal of no steps is finished
