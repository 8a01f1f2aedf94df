"""How long an enriched build of the bundled sample (475 papers) takes when the APIs cannot
be reached, with an empty cache.

    python -m benchmarks.dead_network_bench [--silent] [--against /path/to/checkout] [--limit 900]

By default the API hosts are a local port nothing listens on (connections refused at once);
with `--silent`, a local socket that accepts connections and never answers (a dead proxy, a
firewall that swallows packets after the handshake).  `--against` times another checkout too
(e.g. a `git worktree` of an older commit), stopped after `--limit` seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(checkout: Path, api: str, limit: float) -> tuple[float, str]:
    """Wall seconds of `kg build --enrich arxiv --enrich s2` and its summary's enrichment rows."""
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "PYTHONPATH": str(checkout),
            "KG_ARXIV_API": f"{api}/api/query",
            "KG_S2_API": f"{api}/graph/v1",
            "COLUMNS": "120",
        }
        command = [sys.executable, "-m", "kg", "build", "-e", "arxiv", "-e", "s2"]
        command += ["--cache", f"{work}/http.sqlite", "--out", f"{work}/out"]
        start = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=limit, cwd=work)
        except subprocess.TimeoutExpired:
            return time.perf_counter() - start, f"stopped after {limit:.0f} s"
        # The summary's enrichment rows (a table row per source, or "arxiv: ..." lines before
        # issue 15) and why papers were not asked.
        rows = [
            line
            for line in done.stdout.splitlines()
            if re.match(r"\W*(arxiv|s2)\b", line) or "not asked" in line
        ]
        return time.perf_counter() - start, "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silent", action="store_true", help="a host that accepts and never answers")
    parser.add_argument("--against", type=Path, help="another checkout to time as well")
    parser.add_argument("--limit", type=float, default=900.0, help="seconds before a run is stopped")
    options = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        if options.silent:
            listener.listen(1024)
        port = listener.getsockname()[1]
        if not options.silent:
            listener.close()  # nothing listens: connections are refused
        api = f"http://127.0.0.1:{port}"
        checkouts = {"this": here} | ({"other": options.against.resolve()} if options.against else {})
        for label, checkout in checkouts.items():
            seconds, rows = run(checkout, api, options.limit)
            print(f"{label}: {seconds:.1f} s ({'silent host' if options.silent else 'connection refused'})")
            print(rows)


if __name__ == "__main__":
    main()
