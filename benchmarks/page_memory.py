"""Time and peak memory of reading one large saved page (issue 26, item 7: a 1M-line page file
took over 120 s and 2.85 GB).

    python -m benchmarks.page_memory --lines 1000000 [--keep FILE]

writes a page of `--lines` lines (title, blank, abstract, blank: a paper every four lines, the
abstracts 60 words), then reads it with `kg.sources.load_sources` in a fresh process and prints
the seconds, the process's peak RSS, the file's size and the bytes of text the entries keep.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = (
    "model data learning graph language network training method results task image agent "
    "reasoning benchmark performance attention retrieval policy robust efficient large"
).split()

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from kg.sources import load_sources
started = time.perf_counter()
loaded = load_sources([Path(sys.argv[1])], input_format="page")
seconds = time.perf_counter() - started
kept = sum(len(e.title) + len(e.abstract or "") for e in loaded.entries)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": round(seconds, 2), "peak_rss": peak, "entries": len(loaded.entries), "kept_chars": kept}))
"""


def write_page(path: Path, lines: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("Daily Papers\n")
        for i in range((lines - 1) // 4):
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} for {rng.choice(WORDS)} number {i}"
            abstract = " ".join(rng.choice(WORDS) for _ in range(60)) + "."
            out.write(f"{title}\n\n{abstract}\n\n")


def baseline() -> int:
    """Peak RSS of a process that only imports the reader."""
    code = (
        "import resource; import kg.sources; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"
    )
    return int(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the page here (and keep it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "page.txt"
        if not path.is_file():
            write_page(path, args.lines)
        run = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True)
        if run.returncode:
            sys.exit(run.stderr)
        result = json.loads(run.stdout)
        result.update(lines=args.lines, file_bytes=path.stat().st_size, import_rss=baseline())
        print(json.dumps(result))


if __name__ == "__main__":
    main()
