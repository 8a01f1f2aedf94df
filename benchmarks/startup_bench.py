"""Start-up cost of kg's quick commands: `python -X importtime` totals and the heavy packages.

    python -m benchmarks.startup_bench [--runs 5] [--against /path/to/other/checkout]

For each command, prints the sum of the self times `-X importtime` reports (what the imports
cost), the wall time of the whole process, and which of the build's heavy packages it
imported.  With `--against`, the same commands run from another checkout (e.g. a `git
worktree` of an older commit), interleaved with this one's, so the ratio is taken under the
same machine load.  The best of `--runs` runs is shown.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "kg --help": ["--help"],
    "kg query top-concepts": ["query", "top-concepts", "--format", "csv"],
    "kg view --no-open": ["view", "--no-open"],
}
HEAVY = ("numpy", "scipy", "networkx", "rdflib", "requests", "requests_cache", "simplemma", "pyvis")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)")


def imported(stderr: str) -> tuple[float, set[str]]:
    """(sum of self import times in s, top-level packages imported) from `-X importtime`."""
    total, packages = 0, set()
    for line in stderr.splitlines():
        found = _LINE.match(line)
        if found:
            total += int(found.group(1))
            packages.add(found.group(3).split(".")[0])
    return total / 1e6, packages


def measure(args: list[str], checkout: Path, cwd: Path) -> tuple[float, float, set[str]]:
    """(import seconds, process seconds, heavy packages) of one `python -m kg ...` run."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "COLUMNS": "100"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kg", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )
    wall = time.perf_counter() - start
    seconds, packages = imported(done.stderr)
    return seconds, wall, packages & set(HEAVY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (the best is shown)")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    options = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    checkouts = {"this": here} | ({"other": options.against.resolve()} if options.against else {})
    with tempfile.TemporaryDirectory() as work:
        # Both checkouts query the same small export, built once by this one.
        subprocess.run(
            [sys.executable, "-m", "kg", "build", "-q", "--out", "exports"],
            cwd=work,
            env={**os.environ, "PYTHONPATH": str(here)},
            check=True,
        )
        for name, args in COMMANDS.items():
            best: dict[str, tuple[float, float, set[str]]] = {}
            for _ in range(options.runs):
                for label, checkout in checkouts.items():
                    result = measure(args, checkout, Path(work))
                    if label not in best or result[0] < best[label][0]:
                        best[label] = result
            for label, (seconds, wall, heavy) in best.items():
                print(
                    f"{name:24} {label:5} imports {seconds:.3f} s  process {wall:.2f} s  "
                    f"heavy: {', '.join(sorted(heavy)) or 'none'}"
                )
            if "other" in best:
                print(f"{'':24} ratio this/other: imports {best['this'][0] / best['other'][0]:.2f}")


if __name__ == "__main__":
    main()
