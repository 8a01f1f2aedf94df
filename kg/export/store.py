"""The build's Oxigraph store and its manifest: what `kg query` and `kg serve` answer from.

`kg build` writes, beside the exports, an Oxigraph store (the folder `oxigraph/`) and
`manifest.json`, which names every file the build wrote and the graph's fingerprint (the
SHA-256 of its N-Triples text).  The store carries the same fingerprint in a file of its
own, so a store from another build (or none, as in a fresh clone where the store is not
committed) is never taken for this one: then the RDF file the manifest names is parsed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.export import commit

STORE_DIR = "oxigraph"
MANIFEST = "manifest.json"
STAMP = "kg-graph.sha256"  # inside the store folder; RocksDB leaves files it does not know alone
COMMIT_WAIT = 10.0  # seconds a reader waits for a build being switched in (a few renames)
# The exports kg writes (any one build writes some of them); a build removes the others.
GRAPH_FILES = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.graphml", "graph.gexf")
# RDF files a store can be loaded from, fastest to parse first.
_RDF = {
    "graph.nt": ox.RdfFormat.N_TRIPLES,
    "graph.ttl": ox.RdfFormat.TURTLE,
    "graph.jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass
class Manifest:
    """What one build wrote: its files (name -> size in bytes), its graph and its store."""

    graph: str  # SHA-256 of the N-Triples text
    triples: int
    base: str
    files: dict[str, int] = field(default_factory=dict)
    store: str | None = STORE_DIR

    def to_json(self) -> str:
        data = {
            "manifest": 1,
            "graph": {"sha256": self.graph, "triples": self.triples, "base": self.base},
            "files": {name: {"bytes": size} for name, size in sorted(self.files.items())},
            "store": self.store,
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The manifest of the build in `folder`, or None if it has none (or one kg cannot read)."""
        try:
            data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            return cls(
                graph=data["graph"]["sha256"],
                triples=int(data["graph"]["triples"]),
                base=data["graph"]["base"],
                files={name: int(info["bytes"]) for name, info in data["files"].items()},
                store=data.get("store"),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def stamp_store(store: Path, graph: str) -> None:
    """Mark a store as holding the graph whose fingerprint is `graph`."""
    (store / STAMP).write_text(graph + "\n", encoding="ascii")


def store_matches(folder: Path, manifest: Manifest) -> Path | None:
    """The store folder of the build in `folder` if it holds the manifest's graph, else None."""
    if manifest.store is None:
        return None
    store = folder / manifest.store
    try:
        held = (store / STAMP).read_text(encoding="ascii").strip()
    except OSError:
        return None
    return store if held == manifest.graph else None


def remove_stale(folder: Path, written: set[str]) -> list[Path]:
    """Remove the graph exports of an earlier build that this build (`written`) did not write,
    so no tool reads an old graph beside the new one; returns what was removed."""
    removed = []
    for name in GRAPH_FILES:
        path = folder / name
        if name not in written and path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def _rdf_file(folder: Path, manifest: Manifest | None) -> Path:
    names = [n for n in _RDF if manifest is None or n in manifest.files]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    if manifest is not None and names:
        raise KgError(f"the build's {names[0]} is missing (run `kg build` again)", path=folder)
    raise KgError("no build here (run `kg build` first)", path=folder)


def _load_file(path: Path, store: ox.Store) -> ox.Store:
    try:
        store.bulk_load(path=str(path), format=_RDF[path.name], to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as err:
        raise KgError(f"cannot load RDF: {err}", path=path) from None
    return store


def settled(folder: Path, wait: float | None = None) -> None:
    """Wait (at most `wait` seconds, `COMMIT_WAIT` by default) for a build committing into
    `folder` to finish, and finish one a killed build began, so a reader sees one build whole."""
    deadline = time.monotonic() + (COMMIT_WAIT if wait is None else wait)
    while commit.pending_journal(folder) and not commit.recover(folder):
        if time.monotonic() > deadline:
            raise KgError(
                "a build is being written here and did not finish in time; run the command again", path=folder
            )
        time.sleep(0.05)


def open_build(folder: Path) -> ox.Store:
    """A read-only store of the last build in `folder`: its Oxigraph store when it holds the
    graph the manifest names, else (no store, another build's) its RDF file parsed in memory.

    A folder without a manifest (a build by an older kg) is read from its RDF file.  A build
    switched in while the store is opened (its old store removed) is met by trying again.
    """
    if not folder.is_dir():
        raise KgError("no build here (run `kg build` first)", path=folder)
    for attempt in range(3):
        settled(folder)
        manifest = Manifest.read(folder)
        if manifest is not None:
            store = store_matches(folder, manifest)
            if store is not None:
                try:
                    return ox.Store.read_only(str(store))
                except (OSError, RuntimeError):
                    if Manifest.read(folder) != manifest and attempt < 2:
                        continue  # a new build came in meanwhile: read that one
                    # else written by another Oxigraph version, say: the RDF file says the same
        return _load_file(_rdf_file(folder, manifest), ox.Store())
    raise KgError("the build changed while it was read; run the command again", path=folder)


@dataclass
class ServedStore:
    """A store folder to serve and whether it is a temporary copy (removed by `close`)."""

    path: Path
    temporary: bool

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.path.parent, ignore_errors=True)


def store_for(data: Path) -> ServedStore:
    """A store folder on disk holding `data` (a build folder, or an RDF file), for processes
    that open it read-only: the build's own store if it is current, else a temporary one."""
    source: Path | None = None
    if data.is_dir():
        settled(data)
        manifest = Manifest.read(data)
        if manifest is not None:
            store = store_matches(data, manifest)
            if store is not None:
                return ServedStore(store, temporary=False)
        source = _rdf_file(data, manifest)
    elif data.is_file():
        source = data
    else:
        raise KgError("no such build folder or RDF file (run `kg build` first)", path=data)
    fmt = _RDF.get(source.name) or ox.RdfFormat.from_extension(source.suffix.lstrip(".").lower())
    if fmt is None:
        raise KgError(f"unknown RDF file type {source.suffix!r}", path=source)
    folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    path = folder / STORE_DIR
    try:
        made = ox.Store(str(path))
        made.bulk_load(path=str(source), format=fmt, to_graph=ox.DefaultGraph())
        made.flush()
        del made
    except (SyntaxError, ValueError, OSError) as err:
        shutil.rmtree(folder, ignore_errors=True)
        raise KgError(f"cannot load RDF: {err}", path=source) from None
    return ServedStore(path, temporary=True)
