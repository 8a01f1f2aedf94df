"""Which files the inputs name: files, folders and globs, each file once, never looping.

A file named twice (`in/x.txt in/../in/x.txt`, or a file and a symlink to it) is read once.
Folders and `**` globs are walked by `walk`, which follows a symlinked folder only into a
folder it has not been in, so a `..` link cannot send it round forever.
"""

from __future__ import annotations

import glob
import gzip
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from kg.errors import InputError

# File name endings a folder is searched for (the readers detect the format from the content;
# `.gz` is any of them gzipped, `.jsonl` the arXiv snapshot).
INPUT_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".bib", ".html", ".htm", ".gz")
GZIP_MAGIC = b"\x1f\x8b"
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass
class Resolved:
    """The files to read, in a stable order, notes about inputs named more than once, and
    which files were found by walking a folder or matching a glob (not named one by one)."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    walked: set[Path] = field(default_factory=set)


def walk(root: Path) -> Iterator[Path]:
    """Every file below `root`, in sorted order, skipping hidden names.

    Symlinked folders are followed, but never into a folder already walked (by device and
    inode), so links back up the tree end the descent instead of repeating it.
    """
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path) -> Iterator[Path]:
        try:
            stat = folder.stat()
        except OSError:
            return
        if (stat.st_dev, stat.st_ino) in seen:
            return
        seen.add((stat.st_dev, stat.st_ino))
        try:
            children = sorted(folder.iterdir())
        except OSError as err:
            raise InputError(f"cannot list folder ({err.strerror or err})", path=folder) from None
        for child in children:
            if child.name.startswith("."):
                continue
            if child.is_dir():
                yield from visit(child)
            elif child.is_file():
                yield child

    yield from visit(root)


def _glob_parts(pattern: str) -> tuple[Path, list[str]]:
    """Split a pattern into the folder before its first wildcard and the pattern parts after."""
    parts = Path(pattern).parts
    for i, part in enumerate(parts):
        if _GLOB_CHARS.search(part):
            return Path(*parts[:i]) if i else Path("."), list(parts[i:])
    return Path(pattern), []


def _match(names: Sequence[str], patterns: Sequence[str]) -> bool:
    """Glob matching of path parts: `**` spans any number of folders; `*` never starts a hidden name."""
    if not patterns:
        return not names
    if patterns[0] == "**":
        return any(_match(names[i:], patterns[1:]) for i in range(len(names) + 1))
    if not names:
        return False
    name, pattern = names[0], patterns[0]
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatchcase(name, pattern) and _match(names[1:], patterns[1:])


def expand_glob(pattern: str) -> list[Path]:
    """Files matching a shell-style pattern, sorted; `**` is walked without looping (see `walk`)."""
    if "**" not in pattern:
        return sorted(p for p in map(Path, glob.glob(pattern)) if p.is_file())
    anchor, parts = _glob_parts(pattern)
    if not anchor.is_dir():
        return []
    found = []
    for path in walk(anchor):
        if _match(path.relative_to(anchor).parts, parts):
            found.append(path)
    return sorted(found)


def resolve_inputs(inputs: Sequence[str | Path]) -> Resolved:
    """Expand files, folders (every input file below: `INPUT_SUFFIXES`) and globs.

    A file reached twice, under any name, is kept once, under the name that reached it first,
    and a note says so.  Raises `InputError` for an input that names no file.
    """
    resolved = Resolved()
    seen: dict[Path, Path] = {}

    def add(path: Path, walked: bool = False) -> None:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            raise InputError("cannot resolve path (symlink loop?)", path=path) from None
        first = seen.get(real)
        if first is None:
            seen[real] = path
            resolved.files.append(path)
            if walked:
                resolved.walked.add(path)
        elif first != path:
            resolved.notes.append(f"{path}: same file as {first}, read once")

    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = [p for p in walk(path) if p.suffix.lower() in INPUT_SUFFIXES]
            if not files:
                raise InputError(
                    f"folder holds no input files ({', '.join('*' + s for s in INPUT_SUFFIXES)})",
                    path=path,
                )
            for file in files:
                add(file, walked=True)
        elif path.is_file():
            add(path)
        elif _GLOB_CHARS.search(str(raw)):
            files = expand_glob(str(raw))
            if not files:
                raise InputError("no files match this pattern", path=str(raw))
            for file in files:
                add(file, walked=True)
        elif path.exists():
            raise InputError("not a regular file or folder", path=path)
        else:
            raise InputError("no such file or directory", path=path)
    return resolved


def source_names(files: Sequence[Path]) -> dict[Path, str]:
    """Display names for sources: the file name, widened with parent folders only on clashes.

    Names come from the resolved paths, which differ for distinct files, so widening ends;
    two names that stay equal once the whole path is used (which `resolve_inputs` prevents)
    get a `#2`, `#3` suffix rather than looping.
    """
    parts = {f: f.resolve().parts for f in files}
    depth = dict.fromkeys(files, 1)
    while True:
        names = {f: "/".join(parts[f][-depth[f] :]) for f in files}
        by_name: dict[str, list[Path]] = {}
        for f, n in names.items():
            by_name.setdefault(n, []).append(f)
        clashes = [fs for fs in by_name.values() if len(fs) > 1]
        if not clashes:
            return names
        widened = False
        for fs in clashes:
            for f in fs:
                if depth[f] < len(parts[f]):
                    depth[f] += 1
                    widened = True
        if not widened:
            for fs in clashes:
                for i, f in enumerate(fs[1:], start=2):
                    names[f] = f"{names[f]}#{i}"
            return names


def read_head(path: Path, size: int = 1 << 16) -> bytes:
    """The first `size` bytes of a file's content, gunzipped when it is gzip."""
    try:
        with path.open("rb") as raw:
            head = raw.read(size)
            if head[:2] != GZIP_MAGIC:
                return head
        with gzip.open(path, "rb") as unzipped:
            return unzipped.read(size)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise InputError(f"gzip data is damaged or cut short ({err})", path=path) from None
    except OSError as err:
        raise InputError(f"cannot read file ({getattr(err, 'strerror', None) or err})", path=path) from None


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text (gunzipped when it starts with gzip's magic bytes), refusing
    empty, binary and mis-encoded files."""
    try:
        data = path.read_bytes()
        if data[:2] == GZIP_MAGIC:
            data = gzip.decompress(data)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise InputError(f"gzip data is damaged or cut short ({err})", path=path) from None
    except OSError as err:
        raise InputError(f"cannot read file ({getattr(err, 'strerror', None) or err})", path=path) from None
    if not data.strip():
        raise InputError("file is empty", path=path)
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not a text file", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})",
            path=path,
            line=line,
        ) from None
