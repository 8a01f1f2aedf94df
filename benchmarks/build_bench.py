"""Time `kg build` on synthetic corpora of 1k, 10k and 100k papers, stage by stage.

Each size is built in a fresh Python process with the default options and no enrichment.
Pages are generated once into benchmarks/out/ and reused.  Besides the time of each stage it
prints the wall time of the whole process (start-up, build, exit: what a user waits for) and
the peak memory of the build's process tree (summed PSS of the process and its forked
workers, sampled from /proc), next to the main process's own peak RSS.

    python -m benchmarks.build_bench             # 1k, 10k, 100k
    python -m benchmarks.build_bench 1000 5000   # other sizes
    python -m benchmarks.build_bench --jobs 1    # no worker processes (what parallelism buys)
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.generate import write_pages
from benchmarks.memory import measure

OUT = Path(__file__).resolve().parent / "out"


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_one(n: int, jobs: int | None) -> dict:
    """Build the N-paper corpus in this process; returns stage times and peak memory."""
    from kg import pipeline

    pages = OUT / f"pages-{n}"
    start = time.perf_counter()
    result = pipeline.build([pages], out=OUT / f"exports-{n}", formats=["ttl"], jobs=jobs)
    total = time.perf_counter() - start
    return {
        "papers": len(result.papers),
        "triples": result.triples,
        "stages": result.timings,
        "total": total,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.jobs)))
        return
    rows = []
    for n in args.sizes:
        pages = OUT / f"pages-{n}"
        if not pages.exists():
            write_pages(n, pages)
        command = [sys.executable, "-m", "benchmarks.build_bench", "--one", str(n)]
        code, out, wall, memory, processes = measure(
            command + (["--jobs", str(args.jobs)] if args.jobs else [])
        )
        if code:
            raise SystemExit(f"the {n}-paper build failed (exit {code})")
        row = json.loads(out.strip().splitlines()[-1])
        row.update(wall=wall, memory_mb=memory / 2**20, processes=processes)
        rows.append((n, row))
    stages = list(dict.fromkeys(s for _, r in rows for s in r["stages"]))
    header = ["papers", "triples", *[f"{s} s" for s in stages], "build s", "wall s"]
    header += ["memory MB (all processes)", "main process peak RSS MB", "processes"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for _, r in rows:
        cells = [str(r["papers"]), str(r["triples"]), *[f"{r['stages'].get(s, 0):.2f}" for s in stages]]
        cells += [f"{r['total']:.2f}", f"{r['wall']:.2f}", f"{r['memory_mb']:.0f}", f"{r['peak_mb']:.0f}"]
        cells.append(str(r["processes"]))
        print(" | ".join(cells))
    if len(rows) >= 2:
        (n0, r0), (n1, r1) = rows[-2], rows[-1]
        print(
            f"\ncost ratio {n1 // 1000}k / {n0 // 1000}k: {r1['total'] / r0['total']:.1f}x build, "
            f"{r1['wall'] / r0['wall']:.1f}x wall, for {n1 / n0:.0f}x the papers"
        )
    if rows:
        slowest = max(rows[-1][1]["stages"].items(), key=lambda kv: kv[1])
        print(f"dominant stage at {rows[-1][0]} papers: {slowest[0]} ({slowest[1]:.2f} s)")


if __name__ == "__main__":
    main()
