"""Whether this tree builds exactly what a git ref builds, and how much CPU it takes doing so.

The ref's tree is exported with `git archive` into a temporary folder (the repository is left
as it is: no worktree, no checkout) and both trees build the same inputs in fresh processes:
the bundled seeds and, with `--size N`, the first N papers of the real dev corpus
(`benchmarks.slices`).  Every export but the store (graph.ttl, graph.nt, graph.html,
vocab.ttl, manifest.json) is compared byte for byte.  The two builds run in turn,
`--repeat` times each; the CPU time (user + system, worker processes included) and the wall
time of the fastest run of each tree are compared, since on a shared machine the neighbours
only ever add time.

    python -m benchmarks.same_output main --size 5000
    python -m benchmarks.same_output main --size 5000 --size 20000 --repeat 2
    python -m benchmarks.same_output f4b572e --no-seeds --size 2000
"""

from __future__ import annotations

import argparse
import filecmp
import io
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from benchmarks import slices

HERE = Path(__file__).resolve().parent.parent
COMPARED = ("graph.ttl", "graph.nt", "graph.html", "vocab.ttl", "manifest.json")


def export_ref(ref: str, into: Path) -> Path:
    """The files of `ref` (a commit, branch or tag of this repository) under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(HERE), "archive", "--format=tar", ref], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def build(tree: Path, inputs: list[str], out: Path, jobs: int | None) -> tuple[float, float]:
    """(CPU seconds of the whole process tree, wall seconds) of one `kg build` from `tree`."""
    command = [sys.executable, "-m", "kg", "build", *inputs, "--out", str(out), "-f", "ttl", "-f", "nt", "-q"]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"the build in {tree} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def differing(a: Path, b: Path) -> list[str]:
    """The compared exports that differ between two output folders (or exist in one only)."""
    found = []
    for name in COMPARED:
        x, y = a / name, b / name
        if x.exists() != y.exists() or (x.exists() and not filecmp.cmp(x, y, shallow=False)):
            found.append(name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", nargs="?", default="main", help="git ref to compare with (default: main)")
    parser.add_argument("--size", type=int, action="append", default=[], help="a real slice of N papers")
    parser.add_argument("--no-seeds", action="store_true", help="skip the bundled seeds")
    parser.add_argument(
        "--repeat", type=int, default=1, help="builds per tree and input (the fastest counts)"
    )
    parser.add_argument("--jobs", type=int, help="worker processes (default: kg's own)")
    args = parser.parse_args()
    inputs: list[tuple[str, list[str]]] = [] if args.no_seeds else [("seeds", [])]
    inputs += [(f"real {n}", [str(slices.slice_path(n))]) for n in args.size]
    same = True
    with tempfile.TemporaryDirectory(prefix="kg-same-output-") as tmp:
        base = export_ref(args.ref, Path(tmp) / "ref")
        trees = {args.ref: base, "this tree": HERE}
        print(
            f"{'input':<12} {'ref CPU s':>10} {'this CPU s':>10} {'CPU ratio':>9} {'wall ratio':>10}  exports"
        )
        for name, paths in inputs:
            best: dict[str, tuple[float, float]] = {}
            outs = {who: Path(tmp) / f"{who.replace(' ', '-')}-{name.replace(' ', '-')}" for who in trees}
            for _ in range(args.repeat):
                for who, tree in trees.items():
                    cpu, wall = build(tree, paths, outs[who], args.jobs)
                    old = best.get(who)
                    best[who] = (min(cpu, old[0]), min(wall, old[1])) if old else (cpu, wall)
            diff = differing(outs[args.ref], outs["this tree"])
            same &= not diff
            (ref_cpu, ref_wall), (cpu, wall) = best[args.ref], best["this tree"]
            verdict = "identical" if not diff else "DIFFER: " + ", ".join(diff)
            print(
                f"{name:<12} {ref_cpu:>10.2f} {cpu:>10.2f} {cpu / ref_cpu:>9.2f} {wall / ref_wall:>10.2f}  {verdict}",
                flush=True,
            )
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
