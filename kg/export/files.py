"""Atomic output: every file of a build is written beside its target, then renamed into place.

A staged file is named `.{name}.kg-XXXXXXXX.tmp` and stays locked (`flock`) by the process
writing it, so a later build can tell one left by a killed build (unlocked: removed) from one
a concurrent build is still writing (locked: left alone).  SIGTERM is turned into the same
exception as Ctrl-C, so a terminated build removes its staged files as an interrupted one does.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from kg.errors import KgError
from kg.export import commit

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: staleness is judged by age instead
    fcntl = None  # type: ignore[assignment]

_STAGED = re.compile(r"^\..+\.kg-[a-z0-9_]{8}\.tmp$")
# What builds before the lock wrote (`.graph.nt.ibbk41ra.tmp`): only names kg gives its outputs.
_LEGACY = re.compile(r"^\.(?:graph|vocab)\.[a-z]+\.[a-z0-9_]{8}\.tmp$")
UNLOCKED_STALE_AFTER = 24 * 3600.0  # seconds; where flock is missing, only old files are stale

# Words for the OS errors a user can fix, by errno (strerror varies between systems).
_PROBLEMS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENAMETOOLONG: "file name too long",
    errno.ENOENT: "no such file or directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "is a directory",
    errno.EEXIST: "already exists",
}


def os_problem(err: OSError) -> str:
    """The few words a user needs for an OS error: 'no space left on device', …"""
    number = err.errno
    if number is None:  # Oxigraph's Rust errors carry the number in the text only
        found = re.search(r"\(os error (\d+)\)", str(err))
        number = int(found.group(1)) if found else None
    if number in _PROBLEMS:
        return _PROBLEMS[number]
    return (err.strerror or os.strerror(number) if number else str(err)).lower()


def write_error(err: OSError, path: Path) -> KgError:
    """A one-line `KgError` for an OS error while writing an output into `path`'s folder."""
    where = Path(err.filename) if isinstance(err.filename, str) else path
    if where.name.startswith(".") and where.name.endswith(".tmp"):  # a staged file: name the target
        where = where.parent
    return KgError(f"cannot write: {os_problem(err)} (earlier exports are unchanged)", path=where)


class AtomicOutputs:
    """Collects temporary files and renames them all at the end; on error removes them all.

    Renames happen only after every output was written, so a failed build leaves the
    previous exports as they were.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self._pending: list[tuple[Path, Path]] = []
        self._locks: list[int] = []

    def write(self, name: str, writer: Callable[[Path], object]) -> Path:
        """Call `writer(tmp_path)` and schedule the rename to `directory/name`."""
        writer(self.stage(name))
        return self.directory / name

    def stage(self, name: str) -> Path:
        """A temporary path for `directory/name`, renamed with the others at commit."""
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.kg-", suffix=".tmp", dir=self.directory)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held until commit or discard
            self._locks.append(fd)
        else:  # pragma: no cover
            os.close(fd)
        self._pending.append((Path(tmp), self.directory / name))
        return Path(tmp)

    def stage_dir(self, name: str) -> Path:
        """A temporary folder for `directory/name` (a store), swapped in with the others at
        commit; named and locked like a staged file, so a killed build's one is removed too."""
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.kg-", suffix=".tmp", dir=self.directory))
        if fcntl is not None:
            fd = os.open(tmp, os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held until commit or discard
            self._locks.append(fd)
        self._pending.append((tmp, self.directory / name))
        return tmp

    def commit(self) -> None:
        """Put every staged output in place as one build (see `kg.export.commit`)."""
        try:
            commit.commit(self.directory, self._pending)
            self._pending.clear()
        finally:
            self._unlock()

    def discard(self) -> None:
        for tmp, _ in self._pending:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        self._pending.clear()
        self._unlock()

    def _unlock(self) -> None:
        for fd in self._locks:
            os.close(fd)
        self._locks.clear()


@contextmanager
def atomic_outputs(directory: Path) -> Iterator[AtomicOutputs]:
    """Context in which outputs are staged and, if no exception escapes, committed together.

    Stale staged files of killed builds are removed first.  An OS error (permission,
    read-only file system, full disk, name too long) becomes a one-line `KgError`.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"cannot create output directory ({os_problem(err)})", path=directory) from None
    try:
        held = commit.lock(directory)
    except OSError as err:
        raise write_error(OSError(err.errno, err.strerror), directory) from None
    try:
        commit.recover(directory, locked=True)
        commit.remove_old_stores(directory)  # one a killed build was removing
        remove_stale_temps(directory)
        outputs = AtomicOutputs(directory)
        try:
            yield outputs
            outputs.commit()
        except OSError as err:
            outputs.discard()
            raise write_error(err, directory) from None
        except BaseException:
            outputs.discard()
            raise
    finally:
        commit.unlock(held)


def remove_stale_temps(directory: Path) -> list[tuple[Path, int]]:
    """Remove staged files that no live build holds; returns their paths and sizes.

    Files of kg's naming pattern only; one a running build holds locked stays.
    """
    removed: list[tuple[Path, int]] = []
    with suppress(OSError):
        commit.recover(directory)  # a killed build's journal names staged files: finish it first
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed  # no folder yet, or one we cannot list: the write will say why
    for entry in entries:
        if not (_STAGED.match(entry.name) or _LEGACY.match(entry.name)):
            continue
        path = Path(entry.path)
        with suppress(OSError):
            if entry.is_dir(follow_symlinks=False):  # a staged store, or an old one set aside
                if _is_stale(path):
                    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
                    shutil.rmtree(path)
                    removed.append((path, size))
            elif entry.is_file(follow_symlinks=False):
                size = entry.stat().st_size
                if _is_stale(path):
                    path.unlink()
                    removed.append((path, size))
    return removed


def _is_stale(path: Path) -> bool:
    if fcntl is None:  # pragma: no cover
        return time.time() - path.stat().st_mtime > UNLOCKED_STALE_AFTER
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a running build is writing it
    finally:
        os.close(fd)
    return True


# ------------------------------------------------------------------------------------------
# SIGTERM

_INSTALLED = False


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: handled wherever Ctrl-C is."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _default_in_child() -> None:
    # A forked worker dies of SIGTERM at once, as it did before: multiprocessing stops idle
    # workers with it, and a Python-level handler there was seen to miss it (a hung pool).
    with suppress(ValueError):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def handle_sigterm() -> None:
    """Make SIGTERM raise `Terminated` (a `KeyboardInterrupt`) in this process, as Ctrl-C
    does, so staged files are removed and worker processes stopped on the way out; forked
    workers keep the default (die at once)."""
    global _INSTALLED
    signal.signal(signal.SIGTERM, _terminated)
    if not _INSTALLED:
        os.register_at_fork(after_in_child=_default_in_child)
        _INSTALLED = True
