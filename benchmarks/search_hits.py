"""How often the map's search puts what a reader looks for in its first three results.

Opens a build's `graph.html` in headless Chromium (network blocked) and runs the page's own
search (`KG.search`) for queries drawn at random (seeded) from the build's data:

- a concept's label, and its longest word alone;
- a one-edit typo of a concept's label (a letter dropped, added, changed or two swapped, in a
  word of four letters or more);
- two words of a paper's title (words of three letters or more, not "with", "from", ...),
  and the whole title.

Prints, per case and with how many were tried, the share whose concept (or paper) is the
first result and among the first three, the median rank where found and the share not found;
then the median and slowest time of a search.  Runs on any build's page, so the same cases
(same seed) measure an older page's search against a newer one's.

    python -m benchmarks.search_hits BUILD_FOLDER [--cases 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.view_open import ARGS
from kg.view.page import data_of_page

STOP = set(
    "a an and are as at be by for from in into is it its of on or our the their this to via we "
    "with without using towards toward based through over under than that these those can not "
    "how what when why which who do does new".split()
)
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def typo(word: str, rng: random.Random) -> str:
    """`word` with one edit: a letter dropped, added, changed, or two neighbours swapped."""
    while True:
        at = rng.randrange(len(word))
        kind = rng.choice(("drop", "add", "change", "swap"))
        if kind == "drop":
            out = word[:at] + word[at + 1 :]
        elif kind == "add":
            out = word[:at] + rng.choice(ALPHABET) + word[at:]
        elif kind == "change":
            out = word[:at] + rng.choice(ALPHABET.replace(word[at].lower(), "")) + word[at + 1 :]
        else:
            at = min(at, len(word) - 2)
            out = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if out.lower() != word.lower():
            return out


def weighted_sample(weights: list[int], count: int, rng: random.Random) -> list[int]:
    """`count` distinct rows, each drawn with a chance in proportion to its weight."""
    keyed = sorted(range(len(weights)), key=lambda i: -(rng.random() ** (1 / max(weights[i], 1e-9))))
    return keyed[:count]


def cases(data: dict[str, Any], count: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """Queries and the record each should find ("concept:3", "paper:12"), by case."""
    rng = random.Random(seed)
    labels = data["C"]["l"]
    titles = data["P"]["t"]
    out: dict[str, list[tuple[str, str]]] = {
        "concept label": [],
        "concept, longest word alone": [],
        "concept a reader meets, longest word alone": [],
        "concept label, one-edit typo": [],
        "title, two of its words": [],
        "title, whole": [],
    }
    for c in rng.sample(range(len(labels)), min(count, len(labels))):
        label = labels[c]
        out["concept label"].append((label, f"concept:{c}"))
        out["concept, longest word alone"].append((max(label.split(), key=len), f"concept:{c}"))
        words = [w for w in label.split() if len(w) >= 4 and w.isalpha()]
        if words:
            word = rng.choice(words)
            out["concept label, one-edit typo"].append(
                (label.replace(word, typo(word, rng), 1), f"concept:{c}")
            )
    # The concepts a reader meets: drawn in proportion to their papers.
    counts = data["C"]["n"]
    out["concept a reader meets, longest word alone"] = [
        (max(labels[c].split(), key=len), f"concept:{c}") for c in weighted_sample(counts, count, rng)
    ]
    for p in rng.sample(range(len(titles)), min(count, len(titles))):
        words = []
        for w in re.findall(r"[^\W_]+", titles[p].lower()):
            if len(w) >= 3 and w not in STOP and w not in words:
                words.append(w)
        if len(words) >= 2:
            pair = sorted(rng.sample(range(len(words)), 2))
            out["title, two of its words"].append((" ".join(words[k] for k in pair), f"paper:{p}"))
        out["title, whole"].append((titles[p], f"paper:{p}"))
    return out


RUN = """(cases) => cases.map(([q, want]) => {
  const t0 = performance.now();
  const results = KG.search(q);
  const ms = performance.now() - t0;
  return {ms: ms, rank: results.findIndex(r => r.rec.type + ":" + r.rec.i === want) + 1};
})"""


def rank_line(ranks: list[int]) -> str:
    """Top 1, top 3, median rank (of those found) and not found, of a case's ranks (0: not found)."""
    n = max(1, len(ranks))
    found = sorted(r for r in ranks if r)
    median = statistics.median(found) if found else float("nan")
    return (
        f"top 1 {sum(r == 1 for r in ranks) / n:.0%}, top 3 {sum(0 < r <= 3 for r in ranks) / n:.0%}, "
        f"median rank {median:g}, not found {(len(ranks) - len(found)) / n:.0%}"
    )


def run(page_file: Path, count: int, seed: int) -> dict[str, tuple[float, int]]:
    """Share found in the top three and cases tried, by case; prints as it goes."""
    from playwright.sync_api import sync_playwright

    data = data_of_page(page_file.read_text(encoding="utf-8"))
    by_case = cases(data, count, seed)
    in_labels = Counter(w for label in data["C"]["l"] for w in set(label.lower().split()))
    title_words = [set(re.findall(r"[^\W_]+", t.lower())) for t in data["P"]["t"]]
    shares: dict[str, tuple[float, int]] = {}
    times: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context()
        context.route(
            "**/*",
            lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_(),
        )
        tab = context.new_page()
        tab.goto(page_file.resolve().as_uri())
        tab.wait_for_selector("body[data-ready='1']", timeout=300_000)
        tab.evaluate("KG.search('warm up')")
        for name, pairs in by_case.items():
            answers = tab.evaluate(RUN, [list(pair) for pair in pairs])
            ranks = [a["rank"] for a in answers]
            times += [a["ms"] for a in answers]
            shares[name] = (sum(0 < r <= 3 for r in ranks) / max(1, len(ranks)), len(ranks))
            missed = [q for (q, _), r in zip(pairs, ranks, strict=True) if not 0 < r <= 3][:5]
            print(f"{name} ({len(ranks)} cases): {rank_line(ranks)}; missed e.g. {missed}")
            if "longest word" in name:
                # A word many labels hold cannot put each of them first: the cases whose
                # word no other label holds, apart.
                few = sum(in_labels[q.lower()] <= 3 for q, _ in pairs) / max(1, len(pairs))
                only = [r for (q, _), r in zip(pairs, ranks, strict=True) if in_labels[q.lower()] == 1]
                print(f"  (the word is in at most 3 concept labels in {few:.0%} of these cases)")
                print(f"  word in no other label ({len(only)} cases): {rank_line(only)}")
            if name == "title, two of its words":
                # Two words that a hundred titles hold cannot put each of those first: the
                # cases whose two words at most three titles hold, apart.
                held = [sum(set(q.split()) <= words for words in title_words) for q, _ in pairs]
                rare = [r for r, h in zip(ranks, held, strict=True) if h <= 3]
                print(
                    f"  (both words are in at most 3 titles in {len(rare) / max(1, len(pairs)):.0%} of these cases)"
                )
                print(f"  words in at most 3 titles ({len(rare)} cases): {rank_line(rare)}")
        browser.close()
    print(
        f"search time: median {statistics.median(times):.1f} ms, slowest {max(times):.0f} ms "
        f"({len(data['P']['t'])} papers, {len(data['C']['l'])} concepts)"
    )
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="a build folder (with graph.html) or a graph.html")
    parser.add_argument("--cases", type=int, default=200, help="queries per case (200)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    page = args.build / "graph.html" if args.build.is_dir() else args.build
    run(page, args.cases, args.seed)


if __name__ == "__main__":
    main()
