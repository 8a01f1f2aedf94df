"""Independent pieces of a large build, run in forked worker processes.

Fork shares the parent's memory (papers, concepts, the graph) copy-on-write, so a job is a
plain closure over it: nothing is pickled on the way in, only each job's result on the way
back.  Where fork is missing (Windows, macOS's default) or one core is all there is, jobs run
one after another in this process and give the same results.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, MutableSequence, Sequence
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")

# Below this many papers a worker process costs more than it saves: forking, and pickling
# results back, take ~0.1-0.3 s (measured with benchmarks/build_bench.py).
PARALLEL_MIN_PAPERS = 5000

_JOBS: Sequence[Callable[[], object]] = ()
# Work done so far, one slot per job: jobs count it with `advance`, in this process or in a
# forked worker (then the slots are shared memory the parent reads while it waits).
_DONE: MutableSequence[int] | None = None
_SLOT = 0
_REPORT: Callable[[int], None] | None = None  # told the total done, here (not in a worker)


def cores() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


_TRIM: Callable[[int], int] | None = None
_TRIM_LOOKED_UP = False


def give_back_free_memory() -> None:
    """Hand the memory this process has freed back to the system (glibc's `malloc_trim`).

    The C allocator keeps what Python frees for reuse: after the concepts of 40k papers,
    about 400 MB.  A forked child would inherit it as resident pages and either side's next
    allocation would copy them, so a large build calls this before it forks.  Elsewhere
    (another C library, another system) it does nothing.
    """
    global _TRIM, _TRIM_LOOKED_UP
    if not _TRIM_LOOKED_UP:
        _TRIM_LOOKED_UP = True
        if sys.platform.startswith("linux"):
            try:
                # By glibc's name: `ctypes.util.find_library` would run `ldconfig` to find it.
                _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # musl and others have no malloc_trim
                _TRIM = None
    if _TRIM is not None:
        _TRIM(0)


def workers_for(papers: int, jobs: int | None = None) -> int:
    """Worker processes for a stage over `papers` papers; 1 means the work stays here.

    Small corpora, platforms without fork and `jobs=1` get 1; otherwise `jobs`, by default
    one per core.
    """
    if papers < PARALLEL_MIN_PAPERS or not can_fork():
        return 1
    return max(1, cores() if jobs is None else jobs)


def split(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """`items` cut into `count` contiguous runs of near-equal length, in order."""
    bounds = [len(items) * i // count for i in range(count + 1)]
    return [items[bounds[i] : bounds[i + 1]] for i in range(count)]


def advance(count: int = 1) -> None:
    """Count `count` units of the running job's work as done (for `run_jobs`' `progress`).

    Outside `run_jobs` it does nothing; a job calls it every so many items, not per item.
    """
    if _DONE is not None:
        _DONE[_SLOT] += count
        if _REPORT is not None:
            _REPORT(sum(_DONE))


def _run(index: int) -> object:
    global _SLOT, _REPORT
    _SLOT, _REPORT = index, None  # a worker: the parent reports
    return _JOBS[index]()


# How often the parent reads the workers' counts while it waits for them (seconds).
POLL = 0.2


def run_jobs(
    jobs: Sequence[Callable[[], T]],
    *,
    parallel: bool = True,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[T]:
    """Each job's result, in the jobs' order.

    With `parallel` (and fork, and more than one core) the jobs run in up to `workers` forked
    processes, taken in order as workers come free; otherwise here, one after another.
    `progress`, if given, is told the work all jobs have counted done (`advance`) as they go.
    """
    global _JOBS, _DONE, _SLOT, _REPORT
    workers = cores() if workers is None else workers
    if not parallel or workers < 2 or not can_fork() or len(jobs) < 2:
        _DONE, _REPORT = [0] * len(jobs), progress
        try:
            results = []
            for _SLOT, job in enumerate(jobs):
                results.append(job())
            return results
        finally:
            _DONE, _SLOT, _REPORT = None, 0, None
    context = multiprocessing.get_context("fork")
    give_back_free_memory()
    _JOBS, _DONE = jobs, context.RawArray("q", len(jobs))  # one writer a slot: no lock needed
    try:
        with context.Pool(min(workers, len(jobs))) as pool:
            waiting = pool.map_async(_run, range(len(jobs)), chunksize=1)
            while not waiting.ready():
                waiting.wait(POLL)
                if progress is not None:
                    progress(sum(_DONE))
            done: list[T] = waiting.get()  # type: ignore[assignment]
            if progress is not None:
                progress(sum(_DONE))
            return done
    finally:
        _JOBS, _DONE = (), None


# Items below which `map_ranges` keeps the work here: forking a large process and pickling
# the results back costs about 0.05 s, worth it only for a second or more of work.
RANGES_MIN_ITEMS = 50_000


def map_ranges(
    job: Callable[[int, int], list[T]], items: int, workers: int, *, min_items: int | None = None
) -> list[T]:
    """`job(lo, hi)` for `workers` contiguous ranges of `range(items)`, concatenated in order:
    the same list as `job(0, items)`.  Fewer than `min_items` (default RANGES_MIN_ITEMS)
    items, or one worker, and it runs here in one piece.

    The first range is worked here while forked processes work the others: this process
    would only wait, and a forked one copies every page it writes to (on the dev corpus two
    forked judges of the concepts' keys held 1.4 GB between them; one and this process, less).
    """
    least = RANGES_MIN_ITEMS if min_items is None else min_items
    if workers < 2 or items < least or not can_fork():
        return job(0, items)
    bounds = [items * i // workers for i in range(workers + 1)]
    ranges = list(itertools.pairwise(bounds))
    beside = [Background(functools.partial(job, lo, hi)) for lo, hi in ranges[1:]]
    try:
        pieces = [job(*ranges[0]), *(b.result() for b in beside)]
    except BaseException:
        for b in beside:
            b.cancel()
        raise
    return [x for piece in pieces for x in piece]


class Background(Generic[T]):
    """One job run in a forked process while the caller goes on; `result()` waits for it.

    Where fork is missing, or `parallel` is false, the job runs in this process when
    `result()` is first asked for, so callers need no second path.  An exception the job
    raises is raised again by `result()` (it must pickle, as kg's errors do).  The job sees
    this process as it was at the fork: what it changes stays in its own process.

    A job that forks processes of its own (`run_jobs`, `map_ranges`) says `forks=True`: its
    process is then no daemon (a daemon may not fork) and leads a process group of its own,
    which `cancel()` ends whole; `result()` cancels the job if it is interrupted while it waits.
    """

    def __init__(self, job: Callable[[], T], *, parallel: bool = True, forks: bool = False):
        self._job: Callable[[], T] | None = job
        self._done = False
        self._value: object = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._group = False
        if parallel and can_fork():
            context = multiprocessing.get_context("fork")
            give_back_free_memory()
            receive, send = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_in_background, args=(job, send, forks, os.getpid()), daemon=not forks
            )
            self._process.start()
            self._group = forks and _own_group(self._process.pid)
            send.close()  # the child's end: once it exits, a read here ends rather than hangs
            # The child can exit only once its result is read (a pipe holds 64 KiB): a thread
            # here reads it as soon as it is sent, so the child's memory is freed then, not
            # when the caller comes to ask for the result.
            self._received: tuple[bool, object] = (True, None)
            self._reader = threading.Thread(target=self._read, args=(receive,), daemon=True)
            self._reader.start()

    def _read(self, receive: Any) -> None:
        try:
            self._received = receive.recv()
        except EOFError:  # the process died without a word (killed, out of memory)
            self._received = (True, RuntimeError("a background worker process died"))
        except Exception as error:  # a result that would not unpickle: said, not lost
            self._received = (True, RuntimeError(f"a background job's result could not be read: {error}"))
        finally:
            receive.close()

    def result(self, waiting: Callable[[], None] | None = None) -> T:
        """The job's result; `waiting`, if given, is called every `POLL` seconds until it
        comes, and once more then."""
        if not self._done:
            self._done = True
            if self._process is None:
                job, self._job = self._job, None
                assert job is not None
                self._value = job()
            else:
                try:
                    while waiting is not None and self._reader.is_alive():
                        waiting()
                        self._reader.join(POLL)
                    self._reader.join()
                    if waiting is not None:
                        waiting()
                except BaseException:  # interrupted (SIGTERM, Ctrl-C) or `waiting` failed
                    self._done = False
                    self.cancel()
                    raise
                self._process.join()
                failed, self._value = self._received
                if failed:
                    assert isinstance(self._value, BaseException)
                    raise self._value
        return cast(T, self._value)

    def cancel(self) -> None:
        """Stop the job if it runs in a process of its own (the caller failed): with the
        processes it forked, if it forks (they share a process group of its own)."""
        if self._process is not None and not self._done:
            self._done = True
            if self._group and self._process.pid is not None:
                with contextlib.suppress(OSError):  # the group has ended already
                    os.killpg(self._process.pid, signal.SIGKILL)
            self._process.kill()
            self._process.join()
            self._reader.join(_GONE_WITHIN)


# Seconds `cancel` waits for the reader of a killed job's pipe (every holder of its sending
# end is killed with it, so it reads the end at once).
_GONE_WITHIN = 5.0


def _own_group(pid: int | None) -> bool:
    """Put a forked process in a process group of its own (so that one signal ends it and
    every process it forks); whether this system has process groups to do it with."""
    if pid is None or not hasattr(os, "setpgid"):
        return False
    with contextlib.suppress(OSError):  # it did so itself already, or it has ended
        os.setpgid(pid, pid)
    return True


def _end_group(leader: int, *_: object) -> None:
    """On SIGTERM, the leader of a job's group ends the group.  The workers it forks inherit
    this handler: there SIGTERM (a pool's `terminate()`) must end just the worker, as it would
    without the handler, or the pool waits for it for ever."""
    if os.getpid() == leader:
        os.killpg(leader, signal.SIGKILL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


# prctl(2)'s option to have the kernel signal this process when the one that forked it ends.
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int, group: bool) -> None:
    """Have this forked process end when its parent does, even killed outright (SIGKILL, out
    of memory), where it would otherwise run on with nobody to read its result.  A process
    leading a group of its own ends the group: its workers too.  Linux only (prctl).  The
    kernel counts the forking *thread* as the parent, so a job must be waited for by the thread
    that started it (every caller in kg does)."""
    if not parent or not sys.platform.startswith("linux"):
        return
    if group and os.getpgrp() == os.getpid():
        signal.signal(signal.SIGTERM, functools.partial(_end_group, os.getpid()))
        death = signal.SIGTERM
    else:
        death = signal.SIGKILL
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(death), 0, 0, 0)
    except (OSError, AttributeError):  # no libc to ask: the job runs as before
        return
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)


class Count:
    """A `progress(stage, done, total)` for a job in a forked process, shown here.

    The job is told to call the count; this process calls `show()` while it waits (see
    `Background.result`), which hands the last count to `progress`.  The numbers live in
    memory both processes share, so nothing is sent: one writer, no lock.  Until the job has
    counted anything, `show()` says (0, 1): begun, its total not yet known.
    """

    def __init__(self, stage: str, progress: Callable[[str, int, int], None]) -> None:
        self._stage, self._progress = stage, progress
        self._slots = multiprocessing.get_context("fork").RawArray("q", 2) if can_fork() else [0, 0]

    def __call__(self, _stage: str, done: int, total: int) -> None:
        self._slots[1] = total
        self._slots[0] = done

    def show(self) -> None:
        done, total = self._slots[0], self._slots[1]
        if not total:
            done, total = 0, 1
        self._progress(self._stage, done, total)


def _in_background(job: Callable[[], object], send: Any, group: bool = False, parent: int = 0) -> None:
    if group:
        _own_group(os.getpid())  # here too: whichever side runs first, the group is in place
    _end_with(parent, group)
    try:
        value, failed = job(), False
    except BaseException as error:  # handed to the parent, which raises it
        value, failed = error, True
    try:
        send.send((failed, value))
    except Exception as error:  # an unpicklable result or error: say what it was
        send.send((True, RuntimeError(f"background job failed: {value!r} ({error})")))
    send.close()


class Beside(Generic[T]):
    """One job run in a thread of this process while the caller goes on; `result()` waits.

    For a job that reads what the caller also reads (the graph) and needs no core of its own
    for long: a forked process would copy every page the job reads (reading an object writes
    its reference count), a thread shares them.  Both take turns at the interpreter, so this
    pays only where the caller mostly waits (on another process, on a pipe).  An exception the
    job raises is raised again by `result()`.  `cancel()` does not stop the job: its result is
    dropped, so a job must leave nothing behind (return what it made, rather than write it).
    """

    def __init__(self, job: Callable[[], T], *, parallel: bool = True):
        self._job: Callable[[], T] | None = job
        self._value: T | BaseException | None = None
        self._failed = False
        self._thread: threading.Thread | None = None
        if parallel:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        job, self._job = self._job, None
        assert job is not None
        try:
            self._value = job()
        except BaseException as error:  # raised again by `result()`, in the caller's thread
            self._value, self._failed = error, True

    def result(self) -> T:
        if self._thread is None:
            if self._job is not None:
                self._run()
        else:
            self._thread.join()
        if self._failed:
            assert isinstance(self._value, BaseException)
            raise self._value
        return cast(T, self._value)

    def cancel(self) -> None:
        """Drop the job's result (a thread cannot be stopped; a daemon one ends with the process)."""
        self._job = None
