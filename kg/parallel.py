"""Independent pieces of a large build, run in forked worker processes.

Fork shares the parent's memory (papers, concepts, the graph) copy-on-write, so a job is a
plain closure over it: nothing is pickled on the way in, only each job's result on the way
back.  Where fork is missing (Windows, macOS's default) or one core is all there is, jobs run
one after another in this process and give the same results.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# Below this many papers a worker process costs more than it saves: forking, and pickling
# results back, take ~0.1-0.3 s (measured with benchmarks/build_bench.py).
PARALLEL_MIN_PAPERS = 5000

_JOBS: Sequence[Callable[[], object]] = ()


def cores() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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


def _run(index: int) -> object:
    return _JOBS[index]()


def run_jobs(
    jobs: Sequence[Callable[[], T]],
    *,
    parallel: bool = True,
    workers: int | None = None,
) -> list[T]:
    """Each job's result, in the jobs' order.

    With `parallel` (and fork, and more than one core) the jobs run in up to `workers` forked
    processes, taken in order as workers come free; otherwise here, one after another.
    """
    global _JOBS
    workers = cores() if workers is None else workers
    if not parallel or workers < 2 or not can_fork() or len(jobs) < 2:
        return [job() for job in jobs]
    _JOBS = jobs
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
            return pool.map(_run, range(len(jobs)), chunksize=1)  # type: ignore[arg-type]
    finally:
        _JOBS = ()
