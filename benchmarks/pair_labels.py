"""Which blind-labelled similar pairs a version's links keep: the share of the C / S / N pairs.

The labels are a judge's reading of random `kg:similarTo` pairs of a build (and of TF-IDF
pairs pooled with them, `benchmarks.judge_pairs`), one line a pair, tab-separated with a header:
`row  a  b  label  kg_weight  tfidf_rank` (a and b arXiv ids, label C, S or N, kg_weight empty
where the row came from TF-IDF alone).  This builds the slice's links again (this tree's, or
another version's similarity module) and prints, of the rows that were kg links (a uniform
sample of that build's links), how many of each label the links keep, and the C-rate of those
kept; and, of the TF-IDF rows, how many of each label are links now.  Label only papers of
the tune months (2025-01..08); the judging months are for the blind reading that reports.

    python -m benchmarks.pair_labels LABELS.tsv SLICE.jsonl
    python -m benchmarks.pair_labels LABELS.tsv SLICE.jsonl --similarity old_similarity.py
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.link_quality import links_of, load_similar, read_papers

LABELS = ("C", "S", "N")


def read_labels(path: Path) -> list[tuple[tuple[str, str], str, bool]]:
    """((key a, key b) sorted, label, whether the row was a kg link) of each labelled row."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cells = (line.split("\t") + [""] * 6)[:6]
        _, a, b, label, weight, _ = (c.strip() for c in cells)
        if label in LABELS:
            x, y = sorted((f"arxiv-{a}", f"arxiv-{b}"))
            rows.append(((x, y), label, bool(weight)))
    return rows


def kept_shares(rows: list[tuple[tuple[str, str], str, bool]], links: set[tuple[str, str]]) -> dict[str, Any]:
    """Per label, the kg rows kept of those labelled, the C-rate of the kept, and the TF-IDF
    rows that are links."""
    total: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    tfidf: Counter[str] = Counter()
    for pair, label, was_kg in rows:
        if was_kg:
            total[label] += 1
            kept[label] += pair in links
        else:
            tfidf[label] += pair in links
    count = sum(kept.values())
    return {
        "kg rows labelled": {k: total[k] for k in LABELS},
        "kg rows kept": {k: kept[k] for k in LABELS},
        "C-rate of the kept": round(kept["C"] / count, 3) if count else None,
        "tf-idf rows now links": {k: tfidf[k] for k in LABELS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("slice", type=Path, help="the JSON-lines slice the labelled build was made of")
    parser.add_argument("--similarity", type=Path, default=None, help="another version's similarity.py")
    args = parser.parse_args()
    from kg.extract.concepts import extract_concepts

    papers = read_papers([args.slice])
    links = links_of(load_similar(args.similarity), extract_concepts(papers), papers)
    figures = kept_shares(read_labels(args.labels), {(link.a, link.b) for link in links})
    print(f"links: {len(links)}")
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
