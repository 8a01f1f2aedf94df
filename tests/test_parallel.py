from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time

import pytest

from kg.errors import InputError, KgError
from kg.parallel import Background, Beside, Count, can_fork, give_back_free_memory, map_ranges, run_jobs

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


@needs_fork
def test_a_background_job_runs_in_another_process_beside_this_one():
    seen = []
    job = Background(lambda: (seen.append(1), os.getpid())[1])
    assert job.result() != os.getpid()
    assert seen == []  # what the job changed stayed in its process
    assert job.result() != os.getpid()  # asked twice, waited once


def test_a_background_job_without_fork_runs_here_when_asked():
    seen = []
    job = Background(lambda: (seen.append(1), os.getpid())[1], parallel=False)
    assert seen == []
    assert job.result() == os.getpid()
    assert seen == [1]


@needs_fork
def test_a_background_failure_is_raised_here_with_its_message(tmp_path):
    def broken():
        raise InputError("cannot be read", path=tmp_path / "x.json", line=3)

    with pytest.raises(InputError, match=r"x\.json:3: cannot be read"):
        Background(broken).result()


@needs_fork
def test_a_background_process_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="died"):
        Background(lambda: os._exit(9)).result()


@needs_fork
def test_a_background_result_is_taken_as_soon_as_it_is_sent_so_the_process_ends_then():
    # A result larger than a pipe holds: the child could not exit until it was read.
    job = Background(lambda: b"x" * 1_000_000)
    job._process.join(timeout=30)  # nobody has asked for the result yet
    assert job._process.exitcode == 0
    assert job.result() == b"x" * 1_000_000


@needs_fork
def test_a_background_job_that_forks_workers_of_its_own_may_and_its_count_is_shown_here():
    # A daemon process may not fork: a job that does says so, and its workers run apart.
    shown: list[tuple[str, int, int]] = []
    count = Count("work", lambda stage, done, total: shown.append((stage, done, total)))
    released = multiprocessing.get_context("fork").Event()

    def job():
        count("work", 2, 3)
        released.wait(30)  # until this process has shown the count
        count("work", 3, 3)
        return os.getpid(), run_jobs([_job(i) for i in range(2)], workers=2)

    forked = Background(job, forks=True)

    def waiting():
        count.show()
        if shown[-1] == ("work", 2, 3):
            released.set()

    pid, results = forked.result(waiting=waiting)
    assert shown[0] in {("work", 0, 1), ("work", 2, 3)}  # begun, or counted already
    assert ("work", 2, 3) in shown and shown[-1] == ("work", 3, 3)  # the last count, once done
    assert pid != os.getpid()
    assert [sq for _, sq, _ in results] == [0, 1]
    assert {worker for _, _, worker in results}.isdisjoint({pid, os.getpid()})


def _sleeper(folder):
    def job():
        (folder / str(os.getpid())).write_text("")
        time.sleep(60)

    return job


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "\nState:\tZ" in status.read()  # ended, not yet reaped
    except FileNotFoundError:
        return True


@needs_fork
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cancelling_a_job_that_forks_ends_its_workers_too_at_once(tmp_path):
    job = Background(lambda: run_jobs([_sleeper(tmp_path), _sleeper(tmp_path)], workers=2), forks=True)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in tmp_path.iterdir()]
    assert len(workers) == 2
    began = time.monotonic()
    job.cancel()
    assert time.monotonic() - began < 3  # not when the workers' minute of sleep is up
    assert job._process.exitcode is not None
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)


@needs_fork
def test_a_wait_that_is_interrupted_cancels_the_job():
    job = Background(lambda: time.sleep(60), forks=True)

    def interrupted():
        raise KeyboardInterrupt

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        job.result(waiting=interrupted)
    assert time.monotonic() - began < 3
    assert job._process.exitcode is not None  # ended, not left to run on


@needs_fork
def test_a_daemon_background_job_cannot_fork_so_says_the_error():
    with pytest.raises(AssertionError, match="daemonic"):
        Background(lambda: run_jobs([_job(i) for i in range(2)], workers=2)).result()


def test_a_count_shows_begun_until_the_job_has_counted():
    shown: list[tuple[str, int, int]] = []
    count = Count("work", lambda *told: shown.append(told))
    count.show()
    count("work", 5, 9)
    count.show()
    assert shown == [("work", 0, 1), ("work", 5, 9)]


def _refuse_to_load():
    raise ValueError("cannot be rebuilt here")


class _Unloadable:
    def __reduce__(self):
        return (_refuse_to_load, ())


@needs_fork
def test_a_background_result_that_cannot_be_read_is_an_error_that_says_so():
    with pytest.raises(RuntimeError, match="result could not be read: cannot be rebuilt here"):
        Background(_Unloadable).result()


@needs_fork
def test_a_cancelled_background_job_stops_its_process():
    job = Background(lambda: time.sleep(60))
    job.cancel()
    assert job._process.exitcode is not None
    assert not job._reader.is_alive()


def test_a_job_beside_runs_in_another_thread_and_sees_this_process():
    shared = {"graph": [1, 2, 3]}
    job = Beside(lambda: (threading.get_ident(), sum(shared["graph"])))
    thread, total = job.result()
    assert thread != threading.get_ident()
    assert total == 6
    assert job.result() == (thread, total)  # asked twice, ran once


def test_a_job_beside_not_in_parallel_runs_here_when_asked():
    seen = []
    job = Beside(lambda: (seen.append(1), threading.get_ident())[1], parallel=False)
    assert seen == []
    assert job.result() == threading.get_ident()
    assert seen == [1]


def test_a_failure_beside_is_raised_here():
    def broken():
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        Beside(broken).result()


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="malloc_trim is glibc's",
)
def test_memory_freed_here_is_handed_back_to_the_system():
    blocks = [bytearray(1000) for _ in range(100_000)]  # 100 MB of C allocations, not arenas
    keeper = bytearray(1000)  # after them: the heap's end cannot simply shrink
    del blocks
    before = _resident_mb()
    give_back_free_memory()
    assert before - _resident_mb() > 50
    del keeper


def test_the_map_drawn_beside_the_rdf_is_the_same_page(tmp_path, monkeypatch):
    from kg import pipeline

    pages = []
    for beside in (False, True):
        monkeypatch.setattr(pipeline, "MAP_BESIDE_MIN_EDGES", 0 if beside else 10**12)
        drawn_in = []
        real_draw = pipeline._draw
        monkeypatch.setattr(
            pipeline,
            "_draw",
            lambda *a, real=real_draw, d=drawn_in: (d.append(threading.get_ident()), real(*a))[1],
        )
        result = pipeline.build(out=tmp_path / str(beside), jobs=2)
        assert result.timings["html"] > 0
        # drawn beside: in a thread of its own while this one made the RDF
        assert (drawn_in != [threading.get_ident()]) == beside
        assert len(drawn_in) == 1
        pages.append((tmp_path / str(beside) / "graph.html").read_bytes())
    assert pages[0] == pages[1]


def test_a_map_that_fails_beside_the_rdf_fails_the_build_and_leaves_the_last_one(tmp_path, monkeypatch):
    from kg import pipeline

    out = tmp_path / "out"
    pipeline.build(out=out, jobs=1)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "MAP_BESIDE_MIN_EDGES", 0)
    monkeypatch.setattr(pipeline, "render_html", broken)
    with pytest.raises(KgError, match="no space left on device"):
        pipeline.build(out=out, jobs=2)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.parametrize(("items", "workers"), [(0, 2), (1, 2), (7, 2), (10, 3), (1000, 4)])
def test_map_ranges_gives_the_whole_list_in_order(items, workers):
    pids = set()

    def squares(lo, hi):
        pids.add(os.getpid())
        return [(i * i, os.getpid()) for i in range(lo, hi)]

    found = map_ranges(squares, items, workers, min_items=1)
    assert [sq for sq, _ in found] == [i * i for i in range(items)]
    if can_fork() and items >= workers:
        # split: the first range worked here, every other one by a forked process of its own
        first = items // workers
        assert {pid for _, pid in found[:first]} == {os.getpid()}
        others = [pid for _, pid in found[first:]]
        assert os.getpid() not in others and len(set(others)) == workers - 1


def test_map_ranges_below_its_floor_stays_here():
    found = map_ranges(lambda lo, hi: [(i, os.getpid()) for i in range(lo, hi)], 10, 2, min_items=11)
    assert found == [(i, os.getpid()) for i in range(10)]


_KILLED_PARENT = """
import sys, time
from pathlib import Path
from kg.parallel import Background, run_jobs
sys.path.insert(0, {tests!r})
from test_parallel import _sleeper
folder = Path({folder!r})
if {forks!r}:
    job = Background(lambda: run_jobs([_sleeper(folder), _sleeper(folder)], workers=2), forks=True)
else:
    job = Background(_sleeper(folder))
job.result()
"""


@needs_fork
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc")
@pytest.mark.parametrize(("forks", "processes"), [(True, 2), (False, 1)])
def test_a_background_job_ends_when_its_parent_is_killed_outright(tmp_path, forks, processes):
    import signal
    import subprocess

    script = _KILLED_PARENT.format(tests=os.path.dirname(__file__), folder=str(tmp_path), forks=forks)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, env={**os.environ, "PYTHONPATH": root}
    )
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.iterdir())) < processes and time.monotonic() < deadline:
            time.sleep(0.05)
        sleepers = [int(p.name) for p in tmp_path.iterdir()]
        assert len(sleepers) == processes
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while not all(_gone(pid) for pid in sleepers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_gone(pid) for pid in sleepers)  # not left to sleep out their minute
    finally:
        parent.kill()


def _terminated_worker() -> int | None:
    import signal

    worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    worker.start()
    time.sleep(0.2)
    os.kill(worker.pid, signal.SIGTERM)  # as a pool's terminate() ends its workers
    worker.join(10)
    return worker.exitcode


@needs_fork
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl")
def test_a_worker_of_a_job_that_forks_ends_on_sigterm_as_it_would_without_kg():
    import signal

    # The job's own SIGTERM handler ends its group; a worker inherits it, and must end alone,
    # by the signal (a pool that terminates its workers waited for ever on one that did not).
    assert Background(_terminated_worker, forks=True).result() == -signal.SIGTERM
