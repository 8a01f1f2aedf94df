"""N-Triples text to files in any RDF format, by Oxigraph: here, or in serializer processes.

A large export is streamed to one serializer process per output, which parses and writes
while the caller goes on making text: on two cores that halves the time of writing a 7M
triple export, and the serializer, started fresh (not forked), shares none of the caller's
memory.  Parsing is lenient (Oxigraph's IRI checks are half its parsing time): callers
hand over only IRIs they minted from safe parts or checked themselves.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import KgError

# An output that is an Oxigraph store (a folder), not a file.
STORE = "oxigraph"
NTRIPLES = "nt"  # the kind of an N-Triples file

# The serializer process: N-Triples on stdin; argv: output kind (a file extension, or
# "oxigraph" for a store), output path, then prefix=namespace pairs.  It imports only
# pyoxigraph (and, for JSON-LD, kg's writer), so it starts in a tenth of a second.
# A store is bulk-loaded a slice of lines at a time: Oxigraph's bulk loader holds what it is
# given in memory.  Loading the 3.4M triples of the 40,944-paper dev corpus (pyoxigraph 0.5):
# 500k lines a slice 16.8 s at 557 MB, 100k 12.5 s at 174 MB, 50k 12.7 s at 110 MB, 25k 15.1 s.
STORE_SLICE = 100_000  # N-Triples lines (one triple each) per bulk load

_SERIALIZER = """
import itertools, sys, pyoxigraph as ox
fmt, path, prefixes = sys.argv[1], sys.argv[2], dict(a.split("=", 1) for a in sys.argv[4:])
if fmt == "oxigraph":
    store = ox.Store(path)
    while True:
        lines = b"".join(itertools.islice(sys.stdin.buffer, int(sys.argv[3])))
        if not lines:
            break
        store.bulk_load(lines, ox.RdfFormat.N_TRIPLES, lenient=True)
    store.flush()
elif fmt == "jsonld":
    from kg.export.jsonld import write_jsonld_file
    write_jsonld_file(ox.parse(sys.stdin.buffer, ox.RdfFormat.N_TRIPLES, lenient=True), path)
else:
    triples = ox.parse(sys.stdin.buffer, ox.RdfFormat.N_TRIPLES, lenient=True)
    ox.serialize(triples, path, ox.RdfFormat.from_extension(fmt), prefixes=prefixes)
"""


# A full or read-only disk, a quota, a permission: raised as OSError like the in-process writer's.
_DISK_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}


# (stage, done, total): "RDF" for the nodes whose text is made, "store" for those the store took.
Progress = Callable[[str, int, int], None]


def serialize(
    pieces: Callable[[], Iterable[tuple[str, int, int]]],
    outputs: dict[Path, str],
    prefixes: dict[str, str],
    *,
    separate: bool,
    digest: Any = None,
    progress: Progress | None = None,
) -> int:
    """Write the N-Triples text that `pieces()` yields (whole lines, each with the units done
    and the units in all) to each output; returns the line count.

    `outputs` maps each path to its kind: an RDF file extension (ttl, nt, jsonld) or `STORE`
    (an Oxigraph store made at that folder).  `digest` (a hashlib object), if given, is fed
    the text, once.  With `separate`, the text is made once and each output is written by a
    serializer process (an N-Triples file, which is that text, is written here); otherwise
    each output is written here, from text made anew for it (holding a large export's text
    to write it twice would take more memory than the graph).
    `progress` is told ("RDF", units, total) as text is made and ("store", units, total + 1)
    as the store takes it, the last one once the store is written.
    """
    count = 0
    tell = progress or (lambda stage, done, total: None)

    def counted(stage: str, feed: Any = None) -> Iterator[tuple[str, int, int]]:
        nonlocal count
        count = 0
        done = total = 0
        tell(stage, 0, 1)
        for text, done, total in pieces():
            count += text.count("\n")  # one triple a line: newlines inside literals are escaped
            if feed is not None:
                feed.update(text.encode())
            yield text, done, total
            tell(stage, done, total + (stage == "store"))
        tell(stage, total + (stage == "store"), total + (stage == "store"))

    if not separate:
        if not outputs and digest is not None:
            for _ in counted("RDF", digest):
                pass
        for number, (path, kind) in enumerate(outputs.items()):
            texts = counted("store" if kind == STORE else "RDF", digest if number == 0 else None)
            _write_here(texts, path, kind, prefixes)
        return count
    stores = [path for path, kind in outputs.items() if kind == STORE]
    # The text is N-Triples as Oxigraph writes it (`kg.export.ntriples.string`): an N-Triples
    # file is that text, written here, with no process to parse and write it again.
    direct = [path for path, kind in outputs.items() if kind == NTRIPLES]
    others = {path: kind for path, kind in outputs.items() if kind != NTRIPLES}
    tell("RDF", 0, 1)  # the text is made first, the store takes it as it comes
    with contextlib.ExitStack() as files, _Serializers(others, prefixes, stores, tell) as serializers:
        handles = [files.enter_context(path.open("wb")) for path in direct]
        for text, done, total in counted("RDF"):
            data = text.encode()
            if digest is not None:
                digest.update(data)
            serializers.send(data, (done, total))
            for handle in handles:
                handle.write(data)
    return count


def _write_here(
    texts: Iterator[tuple[str, int, int]], path: Path, kind: str, prefixes: dict[str, str]
) -> None:
    if kind == STORE:
        # Bulk-loaded from the text, as the serializer process does: parsing into Python
        # quads first, then loading those, took 4x as long (20k real papers: 12 s of 15).
        store = ox.Store(str(path))
        batch: list[str] = []
        lines = 0
        for text, _, _ in texts:
            batch.append(text)
            lines += text.count("\n")
            if lines >= STORE_SLICE:
                store.bulk_load("".join(batch), ox.RdfFormat.N_TRIPLES, lenient=True)
                batch, lines = [], 0
        if batch:
            store.bulk_load("".join(batch), ox.RdfFormat.N_TRIPLES, lenient=True)
        store.flush()
        return
    if kind == NTRIPLES:  # the text itself (see `serialize`)
        with path.open("wb") as handle:
            for text, _, _ in texts:
                handle.write(text.encode())
        return
    quads = itertools.chain.from_iterable(
        ox.parse(text, ox.RdfFormat.N_TRIPLES, lenient=True) for text, _, _ in texts
    )
    if kind == "jsonld":
        from kg.export.jsonld import write_jsonld_file

        write_jsonld_file(quads, path)
    else:
        ox.serialize(quads, str(path), ox.RdfFormat.from_extension(kind), prefixes=prefixes)


class _Serializers:
    """One serializer process per output, fed through its stdin by a thread of this process.

    The threads write while the caller makes the next piece of text (a pipe holds only
    64 KiB, so writing from the caller's thread would take turns with the serializer
    instead of overlapping).  A serializer's stderr goes to a file, so a talkative one can
    never block.
    """

    def __init__(
        self,
        outputs: dict[Path, str],
        prefixes: dict[str, str],
        watched: list[Path] | None = None,
        progress: Progress | None = None,
    ):
        pairs = [f"{k}={v}" for k, v in prefixes.items()]
        self.procs: list[tuple[Path, subprocess.Popen, IO[bytes]]] = []
        for path, fmt in outputs.items():
            errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__, after the process)
            command = [sys.executable, "-c", _SERIALIZER, fmt, str(path), str(STORE_SLICE), *pairs]
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
            self.procs.append((path, proc, errors))
        self.queues: list[queue.Queue[tuple[bytes, tuple[int, int]] | None]] = [
            queue.Queue(maxsize=2) for _ in self.procs
        ]
        # The watched outputs' progress ("store"): the units of the text their process has taken.
        self.watched = set(watched or ()) if progress else set()
        self.progress = progress
        self.mark = (0, 0)
        if self.watched:
            self._told((0, 0))
        self.threads = [
            threading.Thread(
                target=_pump,
                args=(q, proc, self._told if path in self.watched else None),
                daemon=True,
            )
            for q, (path, proc, _) in zip(self.queues, self.procs, strict=True)
        ]
        for thread in self.threads:
            thread.start()

    def _told(self, mark: tuple[int, int]) -> None:
        assert self.progress is not None
        self.progress("store", mark[0], mark[1] + 1)  # + 1: the store is written when its process ends

    def send(self, data: bytes, mark: tuple[int, int] = (0, 0)) -> None:
        self.mark = mark
        for q in self.queues:
            q.put((data, mark))

    def __enter__(self) -> _Serializers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is not None:  # the caller failed: its outputs are discarded
            for _, proc, _ in self.procs:
                proc.kill()
        for q in self.queues:
            q.put(None)
        for thread in self.threads:
            thread.join()
        failed, os_error = [], None
        for path, proc, errors in self.procs:
            code = proc.wait()
            if path in self.watched and not code:
                self._told((self.mark[1] + 1, self.mark[1]))
            if code and kind is None:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                last = lines[-1] if lines else str(proc.returncode)
                number = re.search(r"\(os error (\d+)\)", last)
                if number and int(number.group(1)) in _DISK_FAULTS:  # the caller words these for the user
                    os_error = os_error or OSError(int(number.group(1)), last, str(path))
                failed.append(f"{path.name}: RDF serializer failed: {last}")
            errors.close()
        if os_error:
            raise os_error
        if failed:
            raise KgError("; ".join(failed))


def _pump(
    chunks: queue.Queue[tuple[bytes, tuple[int, int]] | None],
    proc: subprocess.Popen,
    written: Callable[[tuple[int, int]], None] | None = None,
) -> None:
    """Write queued chunks to the process's stdin until None, telling `written` each one's
    mark once the process has taken it.  After a write fails (the process died; its exit code
    tells why) keep taking chunks, so the caller never blocks."""
    assert proc.stdin is not None
    broken = False
    while (item := chunks.get()) is not None:
        data, mark = item
        if not broken:
            try:
                proc.stdin.write(data)
            except OSError:
                broken = True
            else:
                if written is not None:
                    written(mark)
    with contextlib.suppress(OSError):
        proc.stdin.close()
