from __future__ import annotations

import os

import pytest

from kg.parallel import can_fork, run_jobs

needs_fork = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


def _job(i: int):
    return lambda: (i, i * i, os.getpid())


@needs_fork
def test_jobs_run_in_workers_and_come_back_in_order():
    results = run_jobs([_job(i) for i in range(6)], workers=2)
    assert [(i, sq) for i, sq, _ in results] == [(i, i * i) for i in range(6)]
    assert os.getpid() not in {pid for _, _, pid in results}


def test_without_parallel_everything_runs_here():
    results = run_jobs([_job(i) for i in range(3)], parallel=False)
    assert results == [(i, i * i, os.getpid()) for i in range(3)]


@needs_fork
def test_a_failing_job_raises_here():
    def broken():
        raise ValueError("job 2 broke")

    with pytest.raises(ValueError, match="job 2 broke"):
        run_jobs([_job(0), broken, _job(3)], workers=2)
