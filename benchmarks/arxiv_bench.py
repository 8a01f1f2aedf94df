"""kg build vs the obvious peer vs the I/O floor, on slices of the real arXiv corpus, in one run.

For each size (default 2k and 20k papers) it runs, one after another and each as a whole
fresh process (start-up, imports, work, exit: what a user waits for):

- kg: `kg build SLICE.hf.json --out DIR --format nt -q` on the slice written as Hugging Face
  JSON (`benchmarks.slices.to_hf`; kg cannot read the snapshot yet), default options, no
  enrichment, worker processes as kg chooses (`--jobs` to force).  It runs kg's own CLI
  entry point, `kg.cli:main`, through `--kg`, which only wraps `kg.pipeline.build` to print
  the build's stage times as a JSON line when the process exits;
- peer: `python -m benchmarks.peer SLICE.jsonl` (TF-IDF phrases and neighbours, networkx,
  rdflib N-Triples, pyvis);
- floor: `python -m benchmarks.floor SLICE.jsonl COUNT`, COUNT being the triples kg wrote.

Besides the wall time, the CPU seconds (user + system) of the whole process tree are taken
from `getrusage(RUSAGE_CHILDREN)` (kg waits for its workers, so theirs count), and the
1-minute load average before and after each run: on a machine shared with other work the
wall time says what a user waited, the CPU time what the work cost.
Memory is sampled from /proc every 50 ms over the whole process tree (kg forks workers):
the peak of the summed RSS (which counts a copy-on-write page once per process that maps
it) and the peak of the summed PSS (which shares it out: the memory really occupied).
Outputs go to a temporary folder, removed afterwards; slices are kept (see benchmarks.slices).

    python -m benchmarks.arxiv_bench                  # 2k and 20k
    python -m benchmarks.arxiv_bench 2000 5000 all    # other sizes
    python -m benchmarks.arxiv_bench --json rows.json # also keep the rows

The profile of one build is taken by hand (it is not part of this run):

    python -m cProfile -o /tmp/kg-20k.prof -m kg build /tmp/kg-bench-slices/arxiv-20000.hf.json \\
        --out /tmp/kg-20k --format nt -q
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import slices
from benchmarks.memory import process_tree, pss_bytes, rss_bytes


class TreePeaks:
    """Peak summed RSS and PSS of a process tree, sampled on a thread until `stop()`.

    PSS (smaps_rollup walks the page tables, ~20 ms for a big process) is read only when
    the summed RSS, its upper bound, has passed the highest PSS seen.
    """

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval = root, interval
        self.rss = self.pss = self.processes = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            pids = process_tree(self.root)
            self.processes = max(self.processes, len(pids))
            rss = sum(rss_bytes(p) for p in pids)
            self.rss = max(self.rss, rss)
            if rss > self.pss:
                self.pss = max(self.pss, sum(pss_bytes(p) for p in pids))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def measure(command: list[str]) -> dict[str, Any]:
    """Run `command`; its wall time, peak tree memory, and the JSON its last stdout line holds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peaks = TreePeaks(proc.pid)
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    peaks.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed (exit {proc.returncode})")
    lines = out.strip().splitlines()
    try:
        last = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        last = {}
    return {
        "wall": wall,
        "cpu": cpu,
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "rss_mb": peaks.rss / 2**20,
        "pss_mb": peaks.pss / 2**20,
        "processes": peaks.processes,
        **last,
    }


def kg_cli(argv: list[str]) -> None:
    """`kg ARGV...` as the console script runs it, printing the build's stage times at exit."""
    import atexit

    from kg.cli import main

    try:
        from kg import pipeline
    except ImportError:  # kg's modules moved: no stage times, the same build
        pipeline = None
    if pipeline is not None and hasattr(pipeline, "build"):
        build = pipeline.build

        def timed(*args: Any, **kwargs: Any) -> Any:
            result = build(*args, **kwargs)
            stages = {k: round(v, 3) for k, v in result.timings.items()}
            atexit.register(lambda: print(json.dumps({"stages": stages, "build": round(result.elapsed, 3)})))
            return result

        pipeline.build = timed
    sys.argv = ["kg", *argv]
    main()


def run_size(n: int | None, work: Path, jobs: int | None) -> dict[str, Any]:
    lines, hf = slices.slice_path(n), slices.hf_path(n)
    label = slices.name(n)
    kg_out = work / f"kg-{label}"
    command = [sys.executable, "-m", "benchmarks.arxiv_bench", "--kg", "build", str(hf), "--out", str(kg_out)]
    command += ["--format", "nt", "-q"]
    kg = measure(command + (["--jobs", str(jobs)] if jobs else []))
    manifest = json.loads((kg_out / "manifest.json").read_text(encoding="utf-8"))
    kg["triples"] = manifest["graph"]["triples"]
    peer = measure(
        [sys.executable, "-m", "benchmarks.peer", str(lines), "--out", str(work / f"peer-{label}")]
    )
    floor = measure(
        [
            sys.executable,
            "-m",
            "benchmarks.floor",
            str(lines),
            str(kg["triples"]),
            "--out",
            str(work / "floor"),
        ]
    )
    for path in (kg_out, work / f"peer-{label}", work / "floor"):
        shutil.rmtree(path, ignore_errors=True)
    return {"size": label, "papers": peer["papers"], "kg": kg, "peer": peer, "floor": floor}


def table(rows: list[dict[str, Any]]) -> str:
    head = [
        "papers",
        "kg wall s",
        "kg CPU s",
        "kg peak RSS MB (tree)",
        "kg peak PSS MB (tree)",
        "kg triples",
        "peer wall s",
        "peer CPU s",
        "peer peak RSS MB",
        "peer triples",
        "floor wall s",
        "floor CPU s",
        "floor peak RSS MB",
        "kg / peer",
        "kg / floor",
        "peer / floor",
        "kg / peer CPU",
        "kg / floor CPU",
        "load before-after (kg)",
    ]
    out = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        kg, peer, floor = r["kg"], r["peer"], r["floor"]
        out.append(
            " | ".join(
                [
                    str(r["papers"]),
                    f"{kg['wall']:.1f}",
                    f"{kg['cpu']:.1f}",
                    f"{kg['rss_mb']:.0f}",
                    f"{kg['pss_mb']:.0f}",
                    str(kg["triples"]),
                    f"{peer['wall']:.1f}",
                    f"{peer['cpu']:.1f}",
                    f"{peer['rss_mb']:.0f}",
                    str(peer["triples"]),
                    f"{floor['wall']:.1f}",
                    f"{floor['cpu']:.1f}",
                    f"{floor['rss_mb']:.0f}",
                    f"{kg['wall'] / peer['wall']:.2f}",
                    f"{kg['wall'] / floor['wall']:.1f}",
                    f"{peer['wall'] / floor['wall']:.1f}",
                    f"{kg['cpu'] / peer['cpu']:.2f}",
                    f"{kg['cpu'] / floor['cpu']:.1f}",
                    "{:.1f}-{:.1f}".format(*kg["load"]),
                ]
            )
        )
    return "\n".join(out)


def main() -> None:
    if sys.argv[1:2] == ["--kg"]:
        kg_cli(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["2000", "20000"], help="papers per slice, or 'all'")
    parser.add_argument("--jobs", type=int, help="kg's worker processes (default: kg's choice)")
    parser.add_argument("--json", type=Path, help="write the rows (stage times included) here too")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-arxiv-bench-") as tmp:
        for size in args.sizes:
            n = None if size == "all" else int(size)
            row = run_size(n, Path(tmp), args.jobs)
            rows.append(row)
            print(
                f"{row['size']}: kg {row['kg']['wall']:.1f} s, peer {row['peer']['wall']:.1f} s, "
                f"floor {row['floor']['wall']:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(table(rows))
    for r in rows:
        for tool in ("kg", "peer", "floor"):
            stages = r[tool].get("stages") or {}
            print(f"{r['size']} {tool} stages: " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))


if __name__ == "__main__":
    main()
