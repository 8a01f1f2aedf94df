"""Synthetic Daily Papers pages for scale tests, recombined from the real seed pages.

Titles pair a seed title's head (the part before the colon, or its first words) with another
seed title's body; abstracts chain real seed sentences, keeping the link sentences, so word,
acronym and URL statistics stay those of real pages.  About one paper in eight is listed on a
second page, as in the seeds.  Output is deterministic for a given N and seed.

    python -m benchmarks.generate 10000 /tmp/pages10k
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from kg.pipeline import sample_corpus
from kg.sources import load_sources as load_pages
from kg.sources.identity import normalize_title

PAPERS_PER_PAGE = 100
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _material() -> tuple[list[str], list[str], list[str], list[str]]:
    entries = load_pages([sample_corpus()]).entries
    heads, bodies, sentences, links = [], [], [], []
    for entry in entries:
        head, sep, body = entry.title.partition(": ")
        if sep:
            heads.append(head)
            bodies.append(body)
        else:
            words = entry.title.split()
            heads.append(" ".join(words[:2]))
            bodies.append(entry.title)
        for sentence in _SENTENCE.split(entry.abstract or ""):
            (links if "://" in sentence or "github.com" in sentence else sentences).append(sentence)
    dedupe = lambda xs: sorted(set(xs))  # noqa: E731
    return dedupe(heads), dedupe(bodies), dedupe(sentences), dedupe(links)


def generate_papers(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """`n` distinct (title, abstract) pairs."""
    rng = random.Random(seed)
    heads, bodies, sentences, links = _material()
    papers: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(papers) < n:
        title = f"{rng.choice(heads)}: {rng.choice(bodies)}"
        if normalize_title(title) in seen:
            title = f"{title} {rng.choice(heads)}"
            if normalize_title(title) in seen:
                continue
        seen.add(normalize_title(title))
        chosen = rng.sample(sentences, rng.randint(5, 9))
        if rng.random() < 0.3:
            chosen.append(rng.choice(links))
        papers.append((title, " ".join(chosen)))
    return papers


def write_pages(n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write pages of `n` papers to `out` (both layouts, some papers listed twice)."""
    rng = random.Random(seed + 1)
    papers = generate_papers(n, seed)
    listings = papers + [p for p in papers if rng.random() < 0.125]
    rng.shuffle(listings)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number, start in enumerate(range(0, len(listings), PAPERS_PER_PAGE)):
        chunk = listings[start : start + PAPERS_PER_PAGE]
        path = out / f"page_{number:05d}.txt"
        if number % 2:
            body = "\n".join(f"{t}\n{a}" for t, a in chunk)
            text = f"Get trending papers in your email inbox!\nSubscribe{body}\n"
        else:
            body = "\n\n".join(f"{t}\n\n{a}" for t, a in chunk)
            text = f"new\n\nSubscribe\n\nDaily Papers\n\nMar {number % 28 + 1}\n\n{body}\n"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of distinct papers")
    parser.add_argument("out", type=Path, help="directory for the pages")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    pages = write_pages(args.n, args.out, args.seed)
    print(f"wrote {len(pages)} pages with {args.n} distinct papers to {args.out}")


if __name__ == "__main__":
    main()
