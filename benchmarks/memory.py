"""The memory a process tree really uses: the peak of its summed PSS, sampled from /proc.

A build forks worker processes that share the parent's pages copy-on-write.  Adding up RSS
counts each shared page once per process; PSS (proportional set size) splits a shared page
among the processes that map it, so the sum over the tree is the memory the build occupies.
Linux only; elsewhere nothing is sampled and the peak stays 0.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PROC = Path("/proc")
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:  # the process ended meanwhile, or the kernel lacks the children file
        pass
    return found


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants that are alive now."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += _children(pid)
    return pids


def rss_bytes(pid: int) -> int:
    """The process's resident set size (cheap to read), or 0 once it has ended."""
    try:
        with open(PROC / str(pid) / "statm") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        return 0


def pss_bytes(pid: int) -> int:
    """The process's proportional set size, or 0 once it has ended."""
    try:
        with open(PROC / str(pid) / "smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeMemory:
    """Samples a running process tree's summed PSS on a thread until `stop()`.

    Reading smaps_rollup walks the page tables (~20 ms for a 1.5 GB process), so it is read
    only when the summed RSS, an upper bound of the summed PSS read in microseconds, says
    the peak may have grown.
    """

    def __init__(self, root: int, interval: float = 0.1):
        self.root = root
        self.interval = interval
        self.peak = 0
        self.processes = 0  # most processes alive at one sample
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            pids = process_tree(self.root)
            self.processes = max(self.processes, len(pids))
            if sum(rss_bytes(pid) for pid in pids) > self.peak:
                self.peak = max(self.peak, sum(pss_bytes(pid) for pid in pids))
            self._done.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; returns the peak in bytes."""
        self._done.set()
        self._thread.join()
        return self.peak


def measure(popen_args: list[str], interval: float = 0.1) -> tuple[int, str, float, int, int]:
    """Run a command; returns (exit code, its stdout, wall seconds, peak tree PSS bytes, most processes)."""
    import subprocess

    start = time.perf_counter()
    proc = subprocess.Popen(popen_args, stdout=subprocess.PIPE, text=True)
    sampler = TreeMemory(proc.pid, interval)
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    peak = sampler.stop()
    return proc.returncode, out, wall, peak, sampler.processes
