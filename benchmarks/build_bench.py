"""Time `kg build` on real arXiv slices or synthetic corpora, stage by stage, and how cost grows.

Each size is built in a fresh Python process with the default options and no enrichment.
Besides the time of each stage it prints the wall time of the whole process (start-up,
build, exit: what a user waits for), the peak memory of the build's process tree (summed PSS
of the process, its forked workers and its serializer processes, sampled from /proc) next
to the main process's own peak RSS, and the growth exponent between consecutive sizes
(log of the cost ratio over log of the size ratio: 1.0 is linear).

Real slices (`--real`) are the first N papers of the dev corpus
(`../shared/corpora/arxiv-cs-2025.jsonl.gz`, see `benchmarks.slices`).  kg reads the
snapshot's JSON lines when it can (probed on a three-paper slice); until then each slice is
built from its Hugging Face JSON conversion.  Synthetic pages are generated once into
benchmarks/out/ and reused; their vocabulary is the seed pages', far smaller than real text's.

    python -m benchmarks.build_bench --real                 # 2k, 5k, 10k, 20k, all real papers
    python -m benchmarks.build_bench --real 2000 20000      # some of them
    python -m benchmarks.build_bench                        # synthetic 1k, 10k, 100k
    python -m benchmarks.build_bench --jobs 1               # no worker processes
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import slices
from benchmarks.generate import write_pages
from benchmarks.memory import measure

OUT = Path(__file__).resolve().parent / "out"


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_one(inputs: Path, out: Path, jobs: int | None) -> dict:
    """Build `inputs` in this process; returns stage times and peak memory."""
    from kg import pipeline

    start = time.perf_counter()
    result = pipeline.build([inputs], out=out, formats=["ttl"], jobs=jobs)
    total = time.perf_counter() - start
    return {
        "papers": len(result.papers),
        "concepts": result.count("concept"),
        "triples": result.triples,
        "stages": result.timings,
        "total": total,
        "peak_mb": _peak_mb(),
    }


def reads_snapshot() -> bool:
    """Whether kg builds the corpus's JSON lines as they are (a three-paper slice tells)."""
    from kg import pipeline
    from kg.errors import KgError

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.jsonl"
        with slices.open_lines(slices.corpus()) as f:
            probe.write_text("".join(next(f) for _ in range(3)), encoding="utf-8")
        try:
            return len(pipeline.build_corpus([probe], jobs=1).papers) == 3
        except KgError:
            return False


def real_input(size: str, snapshot: bool) -> tuple[str, Path]:
    n = None if size == "all" else int(size)
    path = slices.slice_path(n) if snapshot else slices.hf_path(n)
    return f"real {slices.name(n).removeprefix('arxiv-')}", path


def synthetic_input(size: str) -> tuple[str, Path]:
    pages = OUT / f"pages-{size}"
    if not pages.exists():
        write_pages(int(size), pages)
    return f"synthetic {size}", pages


def growth(rows: list[tuple[str, dict]], measure_of: str) -> list[str]:
    """The growth exponent of `measure_of` between consecutive rows (by papers)."""
    found = []
    for (name0, r0), (name1, r1) in itertools.pairwise(rows):
        if r1["papers"] > r0["papers"] and r0[measure_of] > 0:
            k = math.log(r1[measure_of] / r0[measure_of]) / math.log(r1["papers"] / r0["papers"])
            found.append(f"{name0} -> {name1}: n^{k:.2f}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", help="papers per corpus ('all': the whole real corpus)")
    parser.add_argument("--real", action="store_true", help="slices of the real arXiv corpus")
    parser.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.out, args.jobs)))
        return
    sizes = args.sizes or (
        ["2000", "5000", "10000", "20000", "all"] if args.real else ["1000", "10000", "100000"]
    )
    snapshot = args.real and reads_snapshot()
    if args.real:
        print(f"real slices read as {'JSON lines' if snapshot else 'HF JSON (converted)'}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-build-bench-") as tmp:
        for size in sizes:
            name, inputs = real_input(size, snapshot) if args.real else synthetic_input(size)
            command = [sys.executable, "-m", "benchmarks.build_bench", "--one", str(inputs)]
            command += ["--out", str(Path(tmp) / name.replace(" ", "-"))]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            code, out, wall, memory, processes = measure(
                command + (["--jobs", str(args.jobs)] if args.jobs else [])
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if code:
                raise SystemExit(f"the {name} build failed (exit {code})")
            row = json.loads(out.strip().splitlines()[-1])
            # CPU seconds of the whole tree (workers and serializers are waited for, so they
            # count): on a shared machine wall time says more about the neighbours.
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            row.update(wall=wall, cpu=cpu, memory_mb=memory / 2**20, processes=processes)
            rows.append((name, row))
            print(
                f"{name}: {wall:.1f} s, {cpu:.1f} CPU s, {row['memory_mb']:.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    stages = list(dict.fromkeys(s for _, r in rows for s in r["stages"]))
    header = [
        "corpus",
        "papers",
        "concepts",
        "triples",
        *[f"{s} s" for s in stages],
        "build s",
        "wall s",
        "CPU s",
    ]
    header += ["memory MB (all processes)", "main process peak RSS MB", "processes"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name, r in rows:
        cells = [name, str(r["papers"]), str(r["concepts"]), str(r["triples"])]
        cells += [f"{r['stages'].get(s, 0):.2f}" for s in stages]
        cells += [
            f"{r['total']:.2f}",
            f"{r['wall']:.2f}",
            f"{r['cpu']:.2f}",
            f"{r['memory_mb']:.0f}",
            f"{r['peak_mb']:.0f}",
        ]
        cells.append(str(r["processes"]))
        print(" | ".join(cells))
    for what in ("wall", "cpu", "memory_mb"):
        for line in growth(rows, what):
            print(f"growth of {what}: {line}")
    if rows:
        slowest = max(rows[-1][1]["stages"].items(), key=lambda kv: kv[1])
        print(f"dominant stage in {rows[-1][0]}: {slowest[0]} ({slowest[1]:.2f} s)")


if __name__ == "__main__":
    main()
