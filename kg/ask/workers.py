"""The worker processes of `kg serve`: each opens the build's store read-only and answers
one query at a time.

- A query that runs past its time is stopped for real (its worker is killed and replaced; an
  Oxigraph query cannot be interrupted from its own thread).  The time counts from the
  request's arrival: time spent waiting for a free worker is part of it.
- Each worker's memory is bounded (`RLIMIT_AS`, its size after opening the store plus
  `memory` bytes): a query past it ends its worker, which is replaced; the client gets 503.
- A worker notices a new build (the store link `oxigraph` points elsewhere, see
  `kg.export.commit`) and reopens the store between queries, so every answer comes from one
  build, the newest once it is in place.
- At most `queue` requests wait for a worker; past that the answer is 503 at once.
"""

from __future__ import annotations

import contextlib
import os
import queue as queues
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError

Answer = tuple[int, str, bytes]  # HTTP status, content type, body
AnswerFn = Callable[..., Answer]
MEMORY = 2 << 30  # bytes a worker may add to what it holds once its store is open


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at its present size plus `extra` bytes."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))
    except (ImportError, OSError, ValueError, StopIteration):  # pragma: no cover - not Linux
        pass


def _open(store_path: str) -> tuple[ox.Store, str]:
    return ox.Store.read_only(store_path), os.path.realpath(store_path)


def _worker(store_path: str, conn: Any, answer: AnswerFn, memory: int) -> None:
    """A worker process: answers (query, accept, default, named) messages until the pipe closes."""
    # Ctrl-C reaches the whole process group: the server stops its workers itself, quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store, opened = _open(store_path)
    except OSError as err:
        conn.send(str(err))
        return
    _limit_memory(memory)
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if os.path.realpath(store_path) != opened:  # a new build was switched in
            with contextlib.suppress(OSError):
                store, opened = _open(store_path)
        try:
            conn.send(answer(store, *message))
        except MemoryError:
            os._exit(3)  # past its memory: the parent replaces it and says so


class Workers:
    """Worker processes that run queries on a store, each within `timeout` seconds of arrival."""

    def __init__(
        self,
        store: Path,
        count: int,
        timeout: float,
        answer: AnswerFn,
        *,
        memory: int = MEMORY,
        queue: int | None = None,
    ):
        self.store = store
        self.timeout = timeout
        self.answer = answer
        self.memory = memory
        self.queue = 2 * count if queue is None else queue
        self.waiting = 0
        self.lock = threading.Lock()
        import multiprocessing as mp

        self.context = mp.get_context("spawn")  # the server's threads are never forked
        self.idle: queues.Queue[tuple[Any, Any]] = queues.Queue()
        for _ in range(count):
            self.idle.put(self._start())

    def _start(self) -> tuple[Any, Any]:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_worker, args=(str(self.store), child, self.answer, self.memory), daemon=True
        )
        process.start()
        child.close()
        # Wait until it has the store open: its start-up must not count against a query's time.
        status = parent.recv() if parent.poll(120) else "no answer"
        if status != "ready":
            process.kill()
            raise KgError(f"cannot open the store for queries: {status}", path=self.store)
        return process, parent

    def _stopped(self) -> Answer:
        return (
            503,
            "text/plain",
            f"query stopped: it ran longer than {self.timeout:g} s (kg serve --timeout)".encode(),
        )

    def run(
        self, query: str, accept: str, default: list[str], named: list[str], *, arrival: float | None = None
    ) -> Answer:
        deadline = (time.monotonic() if arrival is None else arrival) + self.timeout
        with self.lock:
            if self.waiting >= self.queue:
                return 503, "text/plain", b"server busy: too many queries waiting; try again shortly"
            self.waiting += 1
        try:
            process, conn = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queues.Empty:
            return self._stopped()  # waited its whole time for a worker
        finally:
            with self.lock:
                self.waiting -= 1
        timed_out = False
        try:
            conn.send((query, accept, default, named))
            if conn.poll(max(0.0, deadline - time.monotonic())):
                result: Answer = conn.recv()
                self.idle.put((process, conn))
                return result
            timed_out = True
        except (EOFError, OSError):
            pass  # the worker died: its pipe closed before it answered
        # Past the time limit, or the worker died: stop it, start a fresh one.
        if not timed_out:
            process.join(timeout=5)  # a dying worker closes its pipe a moment before it ends
        process.kill()
        process.join()
        conn.close()
        self.idle.put(self._start())
        if timed_out:
            return self._stopped()
        return 503, "text/plain", self._death(process.exitcode).encode()

    def _death(self, code: int | None) -> str:
        """What to tell the client about a worker that died while it ran their query."""
        # 3: Python's MemoryError (see _worker); SIGABRT: the store's own allocation failed.
        if code in (3, -signal.SIGABRT, 134):
            return f"query stopped: it needed more than {self.memory >> 20:,} MB (kg serve's memory cap)"
        return f"query stopped: its worker ended unexpectedly (exit code {code}); a fresh one is started"

    def close(self) -> None:
        while not self.idle.empty():
            process, conn = self.idle.get()
            with contextlib.suppress(OSError):
                conn.send(None)
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
