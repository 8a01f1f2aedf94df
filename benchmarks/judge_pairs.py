"""Blind reading of similar-paper pairs: random `kg:similarTo` pairs pooled with TF-IDF top-5 pairs.

Where `benchmarks.judge sheets` samples papers and shows each one's candidates, this samples
links, as the knowledge issue's reading did: N random kg pairs of a build (fixed seed), and
for each, one paper of the pair (chosen at random) paired with one of its TF-IDF top-5
neighbours (chosen at random; the baseline of `benchmarks.judge`).  The rows are pooled (a pair
both systems give is one row, credited to both), shuffled, and each shows both papers' titles
and abstracts, in random order, with no system named; which system gave a row stays in the key.

    python -m benchmarks.judge_pairs sheet BUILD_DIR OUT_DIR [--pairs 40] [--seed 7] [--also NAME=DIR]
    python -m benchmarks.judge_pairs score OUT_DIR [--seed 7]

`sheet` writes `pairs_sheet_SEED.md` (the protocol and the rows) and `pairs_key_SEED.json`;
the judge writes `pairs_answers_SEED.tsv`, one line per row: `ID<TAB>LABEL` (C, S or N).
`score` prints, per system, the share of each label with counts.  Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.judge import Build, _tfidf_neighbours, read_build

PROTOCOL = """Each row shows two papers (title and abstract). For each row, answer:
- C: clearly wanted: a reader working on either paper would want to be shown the other (same problem, method or object, close enough to cite or compare);
- S: somewhat related: same broad area only;
- N: unrelated.
The order of the rows, and of the two papers in a row, means nothing."""


def kg_pairs(build: Build) -> list[tuple[str, str, float]]:
    """Every similar pair of the build once, (a, b, weight) with a < b, sorted."""
    found = {}
    for a, ranked in build.similar.items():
        for weight, b in ranked:
            if a < b and a in build.papers and b in build.papers:
                found[(a, b)] = -weight
    return sorted((a, b, w) for (a, b), w in found.items())


def pool(build: Build, n: int, seed: int, also: dict[str, Build] | None = None) -> list[dict[str, Any]]:
    """The pooled, shuffled rows: each {"papers": [x, y], "from": {system: detail}}.

    Each build of `also` (another version's build of the same papers) gives its own `n`
    random pairs, credited to its name; a row two systems sampled is shown once.
    """
    rng = random.Random(seed)
    links = kg_pairs(build)
    sample = rng.sample(links, min(n, len(links)))
    sources = [rng.choice((a, b)) for a, b, _ in sample]
    tfidf = _tfidf_neighbours(build, sorted(set(sources)))
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for (a, b, weight), source in zip(sample, sources, strict=True):
        rows.setdefault((a, b), {"from": {}})["from"]["kg"] = {"weight": weight, "source": source}
        rank = rng.randrange(len(tfidf[source]))
        pair = tuple(sorted((source, tfidf[source][rank])))
        rows.setdefault(pair, {"from": {}})["from"]["tfidf"] = {"rank": rank + 1, "source": source}  # type: ignore[arg-type]
    for name, other in sorted((also or {}).items()):
        theirs = [(a, b, w) for a, b, w in kg_pairs(other) if a in build.papers and b in build.papers]
        for a, b, weight in rng.sample(theirs, min(n, len(theirs))):
            rows.setdefault((a, b), {"from": {}})["from"][name] = {"weight": weight}
    items = [{"papers": list(pair), **row} for pair, row in sorted(rows.items())]
    rng.shuffle(items)
    for item in items:
        rng.shuffle(item["papers"])
    return items


def write_sheet(
    build: Build, out: Path, n: int, seed: int, also: dict[str, Build] | None = None
) -> tuple[Path, Path]:
    """The sheet and its key for `n` kg pairs, as many TF-IDF pairs and `also`'s (see `pool`)."""
    out.mkdir(parents=True, exist_ok=True)
    items = pool(build, n, seed, also)
    lines = [
        "# Blind reading: similar papers",
        "",
        PROTOCOL,
        "",
        f"Write your answers to `pairs_answers_{seed}.tsv`, one line per row: `ID<TAB>LABEL`.",
        "",
    ]
    key: dict[str, Any] = {}
    for number, item in enumerate(items, 1):
        row = f"R{number:02d}"
        lines += [f"## {row}", ""]
        for mark, iri in zip("12", item["papers"], strict=True):
            paper = build.papers[iri]
            lines += [f"**Paper {mark}: {paper.title}**", "", paper.abstract, ""]
        key[row] = item
    sheet, key_file = out / f"pairs_sheet_{seed}.md", out / f"pairs_key_{seed}.json"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    key_file.write_text(json.dumps(key, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return sheet, key_file


def score(out: Path, seed: int) -> dict[str, dict[str, int]]:
    """Per system, how many of its rows the judge labelled C, S and N (and `n`)."""
    key = json.loads((out / f"pairs_key_{seed}.json").read_text(encoding="utf-8"))
    answers = {}
    for line in (out / f"pairs_answers_{seed}.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t") if "\t" in line else line.split()
        if len(parts) >= 2 and parts[0].strip() in key:
            answers[parts[0].strip()] = parts[1].strip().upper()[:1]
    per: dict[str, Counter[str]] = {}
    for row, item in key.items():
        if row in answers:
            for system in item["from"]:
                per.setdefault(system, Counter())[answers[row]] += 1
    return {s: {"n": sum(c.values()), **dict(sorted(c.items()))} for s, c in sorted(per.items())}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("sheet")
    make.add_argument("build", type=Path)
    make.add_argument("out", type=Path)
    make.add_argument("--pairs", type=int, default=40)
    make.add_argument("--seed", type=int, default=7)
    make.add_argument(
        "--also", action="append", default=[], metavar="NAME=BUILD", help="another version's build to pool"
    )
    read = sub.add_parser("score")
    read.add_argument("out", type=Path)
    read.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.command == "sheet":
        also = {name: read_build(Path(d)) for name, d in (a.split("=", 1) for a in args.also)}
        for path in write_sheet(read_build(args.build), args.out, args.pairs, args.seed, also):
            print(path)
    else:
        for system, counts in score(args.out, args.seed).items():
            n = counts.pop("n")
            shares = ", ".join(f"{label} {c / n:.0%} ({c})" for label, c in counts.items())
            print(f"{system:6} n={n:3}  {shares}")


if __name__ == "__main__":
    main()
