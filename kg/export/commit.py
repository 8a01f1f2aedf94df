"""A build's files switched in as one (issue 26): a journal, fsync, one writer at a time.

A build stages every output beside its target (see `kg.export.files`), then commits:

1. every staged file and folder is fsynced;
2. the commit journal `.kg/commit.json` is written (fsynced, renamed into place): the list of
   renames that make the new build, the manifest last;
3. the renames run; the store is not renamed over the old one (a folder cannot be replaced
   in one step) but moved to `.kg/stores/TOKEN` and the link `oxigraph` is switched to it
   with one rename;
4. the folder is fsynced and the journal removed; old stores are removed.

A build killed after step 2 is finished by the next command that opens the folder (the
staged files it names are whole, fsynced before the journal was written): so the folder
always holds the old build or the new one, whole.  A build killed before it leaves the old
build; its staged files are removed as stale.  The lock `.kg/lock` (flock) lets one build
write a folder at a time: a second one says so and writes nothing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from contextlib import suppress
from pathlib import Path

from kg.errors import KgError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, no link (builds there are not atomic)
    fcntl = None  # type: ignore[assignment]

STATE = ".kg"  # kg's own bookkeeping inside an output folder
JOURNAL = "commit.json"
LOCK = "lock"
STORES = "stores"


class BuildLocked(KgError):
    """Another build is writing the same output folder."""


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush a file, or every file and folder below a folder, to the disk."""
    if path.is_dir() and not path.is_symlink():
        for root, _dirs, files in os.walk(path):
            for name in files:
                fsync_path(Path(root) / name)
            fsync_path(Path(root))
    else:
        fsync_path(path)


def lock(directory: Path) -> int | None:
    """Hold the folder's build lock (returns its descriptor, for `unlock`); `BuildLocked`
    if another build holds it."""
    if fcntl is None:  # pragma: no cover
        return None
    state = directory / STATE
    state.mkdir(exist_ok=True)
    fd = os.open(state / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BuildLocked(
            "another kg build is writing this folder; this build wrote nothing (the other one's "
            "exports are what the folder will hold)",
            path=directory,
        ) from None
    return fd


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def _write_journal(directory: Path, steps: list[dict[str, str]]) -> None:
    state = directory / STATE
    tmp = state / f".{JOURNAL}.{secrets.token_hex(4)}"
    tmp.write_text(json.dumps({"steps": steps}, indent=1) + "\n", encoding="utf-8")
    fsync_path(tmp)
    os.replace(tmp, state / JOURNAL)
    fsync_path(state)


def _run(directory: Path, step: dict[str, str]) -> None:
    """One step of a journal; each can run again (a roll-forward after a kill)."""
    source = directory / step["from"]
    target = directory / step["to"]
    if step["op"] == "rename":
        if source.exists() or source.is_symlink():
            if source.is_dir() and not source.is_symlink():
                os.chmod(source, 0o755)
            else:
                os.chmod(source, 0o644)
            os.replace(source, target)
    elif step["op"] == "link":  # `to` becomes a link to `from`, in one rename
        if target.is_dir() and not target.is_symlink():  # a store of a kg before links: set aside
            os.replace(target, directory / STATE / STORES / f"old-{secrets.token_hex(4)}")
        link = directory / STATE / f".link.{secrets.token_hex(4)}"
        os.symlink(os.path.relpath(source, target.parent), link)
        os.replace(link, target)


def commit(directory: Path, pending: list[tuple[Path, Path]]) -> None:
    """Put every staged `(tmp, target)` in place as one build (the caller holds the lock)."""
    steps: list[dict[str, str]] = []
    for tmp, target in pending:
        fsync_tree(tmp)
        if tmp.is_dir():
            stores = directory / STATE / STORES
            stores.mkdir(parents=True, exist_ok=True)
            home = stores / secrets.token_hex(8)
            steps.append({"op": "rename", "from": _rel(directory, tmp), "to": _rel(directory, home)})
            steps.append({"op": "link", "from": _rel(directory, home), "to": _rel(directory, target)})
        else:
            steps.append({"op": "rename", "from": _rel(directory, tmp), "to": _rel(directory, target)})
    fsync_path(directory)
    _write_journal(directory, steps)
    _finish(directory, steps)


def _rel(directory: Path, path: Path) -> str:
    return os.path.relpath(path, directory)


def _finish(directory: Path, steps: list[dict[str, str]]) -> None:
    for step in steps:
        _run(directory, step)
    fsync_path(directory)
    (directory / STATE / JOURNAL).unlink()
    fsync_path(directory / STATE)
    remove_old_stores(directory)


def remove_old_stores(directory: Path) -> None:
    """Remove the stores no link in `directory` points to."""
    stores = directory / STATE / STORES
    if not stores.is_dir():
        return
    used = {
        Path(os.path.realpath(p))
        for p in directory.iterdir()
        if p.is_symlink() and not p.name.startswith(".")
    }
    for store in stores.iterdir():
        if Path(os.path.realpath(store)) not in used:
            shutil.rmtree(store, ignore_errors=True)


def pending_journal(directory: Path) -> bool:
    """Whether a commit in `directory` was begun and not finished (under way, or killed)."""
    return (directory / STATE / JOURNAL).is_file()


def recover(directory: Path, *, locked: bool = False) -> bool:
    """Finish a commit a killed build began.  False only while a live build holds the lock
    (its commit is under way); True otherwise, also when the folder cannot be written (the
    reader then reads the manifest in place, the old build's).

    `locked`: the caller holds the folder's lock already."""
    if not pending_journal(directory):
        return True
    try:
        fd = None if locked else lock(directory)
    except BuildLocked:
        return False
    except OSError:
        return True
    try:
        journal = directory / STATE / JOURNAL
        try:
            steps = json.loads(journal.read_text(encoding="utf-8"))["steps"]
        except FileNotFoundError:
            return True  # finished meanwhile
        except (OSError, ValueError, KeyError):
            with suppress(OSError):
                journal.unlink(missing_ok=True)  # renamed into place whole: cannot happen
            return True
        with suppress(OSError):
            _finish(directory, steps)
        return True
    finally:
        unlock(fd)
