"""Peak memory and time of reading arXiv's metadata snapshot, with and without filters.

Each case reads the dev corpus (`../shared/corpora/arxiv-cs-2025.jsonl.gz`, 40,944 papers,
gzip) with `kg.sources.load_sources` in a fresh process and reports that process's peak RSS
(`ru_maxrss`, from `os.wait4`).  The reader streams line by line, so the peak is the
interpreter, kg's imports and the entries kept, never the file: a filter that keeps few
papers should peak near the bare imports, and reading all of them stays well under 400 MB.
As a ratio for scale, the last case decompresses the whole file into memory the way a
reader that reads whole files would.

    python benchmarks/read_snapshot.py [SNAPSHOT]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpora/arxiv-cs-2025.jsonl.gz")
LIMIT_MB = 400

READ = """
import sys
from pathlib import Path
from kg.sources import SnapshotFilter, load_sources
keep = SnapshotFilter(tuple(c for c in sys.argv[2].split(",") if c), sys.argv[3] or None, sys.argv[4] or None)
loaded = load_sources([Path(sys.argv[1])], keep=keep)
print(len(loaded.entries))
"""
IMPORTS = "import kg.sources; print(0)"
WHOLE = "import gzip, sys; print(len(gzip.open(sys.argv[1], 'rt', encoding='utf-8').read().splitlines()))"

CASES = [
    ("imports only (baseline)", IMPORTS, []),
    ("all papers", READ, ["", "", ""]),
    ("--category cs.CL", READ, ["cs.CL", "", ""]),
    ("--category cs.* --since 2025-06", READ, ["cs.*", "2025-06", ""]),
    ("--category stat.ML --until 2025-04", READ, ["stat.ML", "", "2025-04"]),
    ("whole file in memory (for scale)", WHOLE, []),
]


def peak(code: str, args: list[str]) -> tuple[str, float, float]:
    """(stdout, peak RSS in MB, seconds) of `python -c code args…` in a fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ}
    )
    assert child.stdout is not None
    out = child.stdout.read().decode().strip()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"case failed (exit {child.returncode}): {code[:60]!r} {args}")
    return out, usage.ru_maxrss / 1024, time.perf_counter() - start


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    if not path.exists():
        print(f"no snapshot at {path}: nothing to measure", file=sys.stderr)
        return 1
    print(f"reading {path} ({path.stat().st_size / 1e6:.1f} MB on disk)")
    print(f"{'case':40} {'papers':>8} {'peak RSS':>10} {'time':>8}")
    worst = 0.0
    base = 0.0
    for name, code, args in CASES:
        extra = [str(path), *args] if code is not IMPORTS else []
        out, mb, seconds = peak(code, extra)
        if code is IMPORTS:
            base = mb
        elif code is READ:
            worst = max(worst, mb)
        print(f"{name:40} {out:>8} {mb:8.0f} MB {seconds:6.1f} s   (x{mb / base:.1f} of the imports)")
    verdict = "under" if worst < LIMIT_MB else "OVER"
    print(f"peak of the streamed reads: {worst:.0f} MB, {verdict} the {LIMIT_MB} MB limit")
    return 0 if worst < LIMIT_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
