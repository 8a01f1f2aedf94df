"""Atomic output: every file of a build is written beside its target, then renamed into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KgError


class AtomicOutputs:
    """Collects temporary files and renames them all at the end; on error removes them all.

    Renames happen only after every output was written, so a failed build leaves the
    previous exports as they were.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self._pending: list[tuple[Path, Path]] = []

    def write(self, name: str, writer: Callable[[Path], object]) -> Path:
        """Call `writer(tmp_path)` and schedule the rename to `directory/name`."""
        writer(self.stage(name))
        return self.directory / name

    def stage(self, name: str) -> Path:
        """A temporary path for `directory/name`, renamed with the others at commit."""
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.directory)
        os.close(fd)
        self._pending.append((Path(tmp), self.directory / name))
        return Path(tmp)

    def stage_dir(self, name: str) -> Path:
        """A temporary folder for `directory/name` (a store), swapped in with the others at commit."""
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=self.directory))
        self._pending.append((tmp, self.directory / name))
        return tmp

    def commit(self) -> None:
        for tmp, target in self._pending:
            if tmp.is_dir():
                _swap_dir(tmp, target)
                continue
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        self._pending.clear()

    def discard(self) -> None:
        for tmp, _ in self._pending:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        self._pending.clear()


def _swap_dir(new: Path, target: Path) -> None:
    """Put folder `new` at `target`: a rename cannot replace a folder that holds files, so the
    old one is renamed aside first and removed after."""
    os.chmod(new, 0o755)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_outputs(directory: Path) -> Iterator[AtomicOutputs]:
    """Context in which outputs are staged and, if no exception escapes, committed together."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"cannot create output directory ({err.strerror or err})", path=directory) from None
    outputs = AtomicOutputs(directory)
    try:
        yield outputs
    except BaseException:
        outputs.discard()
        raise
    outputs.commit()
