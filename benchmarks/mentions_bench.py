"""How concentrated and how well dated are `schema:mentions` on a real slice of the dev corpus?

Reads a slice of the dev corpus (`../shared/corpora/arxiv-cs-2025.jsonl.gz`, arXiv metadata,
CC0), normalises the text as a build does, finds the mentions (without a concept map, so the
figure is the mention rule's alone) and prints: mentions, papers mentioned, the share of all
mentions the most mentioned paper receives (the issue's bar: at most 1% at 20,000 papers),
mentions from an older paper to a newer one (the bar: none), and the most mentioned names.

    python -m benchmarks.mentions_bench                      # the first 20,000 papers
    python -m benchmarks.mentions_bench --since 2025-09      # the months the field data left out
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from itertools import islice
from pathlib import Path

from kg.extract.text import normalise_papers
from kg.relate.mentions import mentions, older, paper_month
from kg.sources import SnapshotFilter, load_sources, merge_entries

CORPUS = Path("/work/shared/corpora/arxiv-cs-2025.jsonl.gz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=20_000, help="papers read (after the month filter)")
    parser.add_argument("--since", default=None, help="YYYY-MM")
    parser.add_argument("--until", default=None, help="YYYY-MM")
    args = parser.parse_args()
    loaded = load_sources([args.corpus], keep=SnapshotFilter((), args.since, args.until))
    papers = merge_entries(list(islice(loaded.entries, args.limit)), loaded.warnings)
    normalise_papers(papers)
    start = time.perf_counter()
    found = mentions(papers)
    seconds = time.perf_counter() - start
    month = {p.key: paper_month(p) for p in papers}
    received = Counter(target for _, target, _ in found)
    names = Counter(name for _, _, name in found)
    backwards = sum(1 for s, t, _ in found if older(month[s], month[t]))
    top_share = received.most_common(1)[0][1] / len(found) if found else 0.0
    print(f"papers {len(papers)}, mentions {len(found)} ({seconds:.1f} s), papers mentioned {len(received)}")
    print(f"most mentioned paper receives {top_share:.1%} of all mentions")
    print(f"older -> newer mentions: {backwards} ({backwards / max(len(found), 1):.1%})")
    print("most mentioned names: " + ", ".join(f"{n} {c}" for n, c in names.most_common(12)))


if __name__ == "__main__":
    main()
