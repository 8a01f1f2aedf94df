"""The HTTP cache's file: where it is (one rule for `--cache PATH` in every command), whether
another process holds its lock, what it holds (`kg cache info`), and removing it whatever its
state (`kg cache clear`)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kg.errors import KgError

EXPIRE_AFTER = timedelta(days=30)  # paper metadata changes slowly; references grow over months


def cache_path(path: Path | None = None) -> Path:
    """The cache file for `--cache PATH` (default `default_cache_path()`), by the rule
    requests_cache writes it by: a name without a suffix gets `.sqlite`."""
    path = path or default_cache_path()
    return path if path.suffix else Path(f"{path}.sqlite")


def locked(path: Path, wait: float) -> bool:
    """Whether another process holds the write lock of the SQLite file at `path` for longer
    than `wait` seconds."""
    if not path.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(str(path), timeout=wait)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.rollback()
    except sqlite3.OperationalError as err:
        return "locked" in str(err) or "busy" in str(err)
    except sqlite3.DatabaseError:
        return False  # damaged: said when it is read
    return False


def default_cache_path() -> Path:
    """$KG_CACHE_DIR/http.sqlite, else ~/.cache/kg/http.sqlite (XDG_CACHE_HOME respected)."""
    root = os.environ.get("KG_CACHE_DIR")
    if root:
        return Path(root) / "http.sqlite"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "kg" / "http.sqlite"


def damaged(cache: Any, err: sqlite3.Error) -> KgError:
    return KgError(
        f"the HTTP cache cannot be read ({err}); `kg cache clear --cache {cache.db_path}` removes it",
        path=cache.db_path,
    )


@dataclass
class CacheInfo:
    """What the HTTP cache at `path` holds."""

    path: Path
    exists: bool
    size: int = 0  # bytes on disk, with SQLite's side files
    answers: int = 0
    expired: int = 0
    newest: datetime | None = None  # when the most recently stored answer was saved


def _cache_files(path: Path) -> list[Path]:
    return [
        p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")) if p.exists()
    ]


def cache_info(path: Path | None = None) -> CacheInfo:
    """Size and counts of the HTTP cache (default `default_cache_path()`), reading it only."""
    path = cache_path(path)
    if not path.exists():
        return CacheInfo(path, exists=False)
    try:
        size = sum(p.stat().st_size for p in _cache_files(path))
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "responses" not in tables:
                raise KgError("not a kg HTTP cache (no responses table)", path=path)
            answers, expired, latest = db.execute(
                "SELECT COUNT(*), SUM(expires IS NOT NULL AND expires <= ?), MAX(expires) FROM responses",
                (int(time.time()),),
            ).fetchone()
    except sqlite3.Error as err:
        raise KgError(f"cannot read the HTTP cache ({err})", path=path) from None
    except OSError as err:
        raise KgError(f"cannot read the HTTP cache ({err.strerror or err})", path=path) from None
    newest = datetime.fromtimestamp(latest, timezone.utc) - EXPIRE_AFTER if latest else None
    return CacheInfo(path, True, size, answers or 0, expired or 0, newest)


def clear_cache(path: Path | None = None) -> CacheInfo:
    """Delete the HTTP cache's files, whatever state they are in; returns what they held."""
    try:
        info = cache_info(path)
    except KgError:  # damaged, truncated, not a cache: removed all the same
        where = cache_path(path)
        info = CacheInfo(where, True, sum(p.stat().st_size for p in _cache_files(where)))
    for file in _cache_files(info.path):
        try:
            file.unlink()
        except OSError as err:
            raise KgError(f"cannot delete the HTTP cache ({err.strerror or err})", path=file) from None
    return info
