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

# The serializer process: N-Triples on stdin; argv: output kind (a file extension, or
# "oxigraph" for a store), output path, then prefix=namespace pairs.  It imports only
# pyoxigraph (and, for JSON-LD, kg's writer), so it starts in a tenth of a second.
# A store is bulk-loaded a slice of lines at a time: Oxigraph's bulk loader holds what it is
# given in memory (2.0 GB for a 100k-paper build in one go, 0.7 GB in slices, for 1.4x the time).
STORE_SLICE = 500_000  # N-Triples lines (one triple each) per bulk load

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


def serialize(
    chunks: Callable[[], Iterable[str]],
    outputs: dict[Path, str],
    prefixes: dict[str, str],
    *,
    separate: bool,
    digest: Any = None,
) -> int:
    """Write the N-Triples text that `chunks()` yields (whole lines) to each output; returns
    the line count.

    `outputs` maps each path to its kind: an RDF file extension (ttl, nt, jsonld) or `STORE`
    (an Oxigraph store made at that folder).  `digest` (a hashlib object), if given, is fed
    the text, once.  With `separate`, the text is made once and each output is written by a
    serializer process; otherwise each output is written here, from text made anew for it
    (holding a large export's text to write it twice would take more memory than the graph).
    """
    count = 0

    def counted(feed: Any = None) -> Iterator[str]:
        nonlocal count
        count = 0
        for text in chunks():
            count += text.count("\n")  # one triple a line: newlines inside literals are escaped
            if feed is not None:
                feed.update(text.encode())
            yield text

    if not separate:
        if not outputs and digest is not None:
            for _ in counted(digest):
                pass
        for number, (path, kind) in enumerate(outputs.items()):
            texts = counted(digest if number == 0 else None)
            quads = itertools.chain.from_iterable(
                ox.parse(text, ox.RdfFormat.N_TRIPLES, lenient=True) for text in texts
            )
            _write_here(quads, path, kind, prefixes)
        return count
    with _Serializers(outputs, prefixes) as serializers:
        for text in counted():
            data = text.encode()
            if digest is not None:
                digest.update(data)
            serializers.send(data)
    return count


def _write_here(quads: Iterator[ox.Quad], path: Path, kind: str, prefixes: dict[str, str]) -> None:
    if kind == STORE:
        store = ox.Store(str(path))
        while piece := list(itertools.islice(quads, STORE_SLICE)):
            store.bulk_extend(piece)
        store.flush()
    elif kind == "jsonld":
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

    def __init__(self, outputs: dict[Path, str], prefixes: dict[str, str]):
        pairs = [f"{k}={v}" for k, v in prefixes.items()]
        self.procs: list[tuple[Path, subprocess.Popen, IO[bytes]]] = []
        for path, fmt in outputs.items():
            errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__, after the process)
            command = [sys.executable, "-c", _SERIALIZER, fmt, str(path), str(STORE_SLICE), *pairs]
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
            self.procs.append((path, proc, errors))
        self.queues: list[queue.Queue[bytes | None]] = [queue.Queue(maxsize=2) for _ in self.procs]
        self.threads = [
            threading.Thread(target=_pump, args=(q, proc), daemon=True)
            for q, (_, proc, _) in zip(self.queues, self.procs, strict=True)
        ]
        for thread in self.threads:
            thread.start()

    def send(self, data: bytes) -> None:
        for q in self.queues:
            q.put(data)

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
            if proc.wait() and kind is None:
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


def _pump(chunks: queue.Queue[bytes | None], proc: subprocess.Popen) -> None:
    """Write queued chunks to the process's stdin until None.  After a write fails (the
    process died; its exit code tells why) keep taking chunks, so the caller never blocks."""
    assert proc.stdin is not None
    broken = False
    while (data := chunks.get()) is not None:
        if not broken:
            try:
                proc.stdin.write(data)
            except OSError:
                broken = True
    with contextlib.suppress(OSError):
        proc.stdin.close()
