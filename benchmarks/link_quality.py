"""How well do similar-paper links hold?  On a real slice of tune months, and on the seeds.

On a real slice (by default the first 2,000 papers of the tune months 2025-01..08 of the dev
corpus, in the corpus's order; months 2025-09..12 are for judging, never for tuning) it prints:

- links resting on one phrase: one shared key (`one_key`), or one group of shared keys
  (`one_phrase`, see `kg.relate.texts.one_phrase_share`), holds more than
  ONE_PHRASE_SHARE of the pair's phrase cosine (field-weighted), and the links that rest on
  one phrase or word with too little else in common (`rests_on_one`: what a word in two
  senses makes, and what kg's own links may not);
- papers linked (with at least one similar paper);
- strong-partner coverage: a paper's strong partner is its nearest paper by a plain TF-IDF
  cosine (scikit-learn, 1-2-grams of title and abstract, English stop words, sublinear tf,
  min_df 2, as benchmarks/judge.py's baseline) where that cosine is at least a threshold; the
  coverage is the share of papers with a strong partner whose similar papers hold it or a paper
  as close (within PARTNER_TOLERANCE of its cosine), at a few thresholds;
- the links' weights: quantiles, the share at least STRONG_WEIGHT, a histogram.

On the seeds (the bundled sample) it prints the same and the precision and recall against the
hand-judged pairs (`tests/data/gold_similar.tsv`, scored as benchmarks/quality.py scores them).

    python -m benchmarks.link_quality                     # 2,000 tune papers and the seeds
    python -m benchmarks.link_quality --limit 5000 --no-seeds
    python -m benchmarks.link_quality --similarity old_similarity.py   # another version's links
    python -m benchmarks.link_quality --show 30           # and 30 random links to read
    python -m benchmarks.link_quality --input /tmp/kg-bench-slices/arxiv-5000.jsonl --no-seeds
    python -m benchmarks.link_quality --held-out --no-seeds   # 2,000 papers of 2025-09..12, to report

Needs scikit-learn (`pip install -e '.[bench]'`) for the TF-IDF partners.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import inspect
import json
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from benchmarks import slices

TUNE_MONTHS = ("2025-01", "2025-08")
HELD_OUT_MONTHS = ("2025-09", "2025-12")  # judging months: measured with --held-out, never tuned on
PARTNER_THRESHOLDS = (0.2, 0.3, 0.4)
PARTNER_TOLERANCE = 0.05  # a linked paper within this share of the best cosine is as close


def tune_slice(limit: int, since: str, until: str, corpus: Path | None = None) -> Path:
    """The first `limit` papers of the corpus whose arXiv id's month is in since..until, as a
    JSON-lines file in the temp folder (written once, then reused)."""
    first, last = since[2:4] + since[5:7], until[2:4] + until[5:7]
    out = Path(tempfile.gettempdir()) / f"kg-links-{since}-{until}-{limit}.jsonl"
    if out.exists():
        return out
    lines = []
    with gzip.open(corpus or slices.corpus(), "rt", encoding="utf-8") as rows:
        for line in rows:
            month = json.loads(line)["id"][:4]
            if first <= month <= last:
                lines.append(line)
                if len(lines) >= limit:
                    break
    part = out.with_suffix(".part")
    part.write_text("".join(lines), encoding="utf-8")
    part.replace(out)
    return out


def read_papers(inputs: Sequence[str | Path]) -> list[Any]:
    """The papers as a build reads them (merged, text normalised)."""
    from kg.extract.text import normalise_papers
    from kg.sources import load_sources, merge_entries

    loaded = load_sources(inputs)
    papers = merge_entries(loaded.entries, loaded.warnings)
    normalise_papers(papers)
    return papers


def load_similar(path: Path | None) -> Callable[..., list[Any]]:
    """`similar_papers` of this tree, or of another version's similarity module (a file)."""
    if path is None:
        from kg.relate.similarity import similar_papers

        return similar_papers
    spec = importlib.util.spec_from_file_location("kg_relate_similarity_other", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.similar_papers  # type: ignore[no-any-return]


def links_of(similar: Callable[..., list[Any]], concepts: Any, papers: Sequence[Any]) -> list[Any]:
    """The links `similar` makes, given the papers where it takes them (newer versions do)."""
    if len(inspect.signature(similar).parameters) > 1:
        return similar(concepts, papers)
    return similar(concepts)


def neighbours_of(links: Sequence[Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for link in links:
        found.setdefault(link.a, set()).add(link.b)
        found.setdefault(link.b, set()).add(link.a)
    return found


def one_phrase_figures(concepts: Any, papers: Sequence[Any], links: Sequence[Any]) -> dict[str, float]:
    """The shares of links resting on one shared phrase: on one key, on one group of keys
    (`one_phrase_share`), and on one phrase or word with too little else in common
    (`rests_on_one`, what kg's links may not)."""
    from kg.relate import texts as sim

    if not links:
        return {"one_key": 0.0, "one_phrase": 0.0, "rests_on_one": 0.0}
    number = {k: i for i, k in enumerate(concepts.rows)}
    texts = sim.read_texts(concepts, papers, budget=False)
    one_key = one = alone = 0
    for link in links:
        i, j = number[link.a], number[link.b]
        parts = texts.phrases[i].multiply(texts.phrases[j]).data
        one_key += bool(parts.sum() > 0 and parts.max() > sim.ONE_PHRASE_SHARE * parts.sum())
        one += sim.one_phrase_share(texts, i, j) > sim.ONE_PHRASE_SHARE
        alone += sim.rests_on_one(texts, i, j)
    return {
        "one_key": one_key / len(links),
        "one_phrase": one / len(links),
        "rests_on_one": alone / len(links),
    }


def tfidf_nearest(papers: Sequence[Any]) -> tuple[list[str], np.ndarray, Any]:
    """(paper keys, each paper's best TF-IDF cosine, the normalised TF-IDF rows)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    keys = [p.key for p in papers]
    texts = [f"{p.title}. {p.abstract or ''}" for p in papers]
    vectors = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", sublinear_tf=True, min_df=2
    ).fit_transform(texts)
    best = np.zeros(len(keys))
    for start in range(0, len(keys), 1000):
        block = (vectors[start : start + 1000] @ vectors.T).toarray()
        for n in range(block.shape[0]):
            block[n, start + n] = -1.0
        best[start : start + block.shape[0]] = block.max(axis=1)
    return keys, best, vectors


def partner_coverage(
    keys: list[str], best: np.ndarray, vectors: Any, neighbours: dict[str, set[str]], threshold: float
) -> tuple[int, float]:
    """(papers with a strong partner at `threshold`, the share of them linked to it or to a
    paper as close)."""
    number = {k: i for i, k in enumerate(keys)}
    strong = np.flatnonzero(best >= threshold)
    covered = 0
    for i in strong.tolist():
        linked = [number[k] for k in neighbours.get(keys[i], ()) if k in number]
        if linked:
            closeness = (vectors[linked] @ vectors[i].T).toarray().ravel()
            covered += bool(closeness.max() >= (1 - PARTNER_TOLERANCE) * best[i])
    return len(strong), (covered / len(strong) if len(strong) else 0.0)


def weight_figures(links: Sequence[Any]) -> dict[str, Any]:
    from kg.relate.similarity import STRONG_WEIGHT

    weights = np.array([link.weight for link in links])
    if not len(weights):
        return {"links": 0}
    edges = np.arange(0.0, 0.55, 0.05)
    histogram, _ = np.histogram(np.clip(weights, 0, 0.5), bins=edges)
    return {
        "links": len(weights),
        "quantiles (10/25/50/75/90%)": [
            round(float(q), 3) for q in np.quantile(weights, [0.1, 0.25, 0.5, 0.75, 0.9])
        ],
        f"strong (>= {STRONG_WEIGHT})": round(float((weights >= STRONG_WEIGHT).mean()), 3),
        "histogram (0.05 bins, last 0.45+)": histogram.tolist(),
    }


def gold_figures(neighbours: dict[str, set[str]]) -> dict[str, Any]:
    from benchmarks.quality import _score_similar, read_gold_similar

    scored = SimpleNamespace(gold_similar_papers=0)
    _score_similar(scored, neighbours, read_gold_similar())  # type: ignore[arg-type]
    return {
        "gold papers": scored.gold_similar_papers,
        "links judged": scored.similar_judged,
        "precision": scored.similar_precision,
        "precision (strong pairs only)": scored.similar_precision_strong,
        "recall of strong pairs": scored.similar_recall,
    }


def measure(papers: Sequence[Any], similar: Callable[..., list[Any]], gold: bool = False) -> dict[str, Any]:
    """All figures of one corpus's links (see the module docstring)."""
    from kg.extract.concepts import extract_concepts

    concepts = extract_concepts(papers)
    links = links_of(similar, concepts, papers)
    neighbours = neighbours_of(links)
    figures: dict[str, Any] = {"papers": len(papers)}
    figures["papers linked"] = round(sum(1 for p in papers if neighbours.get(p.key)) / max(len(papers), 1), 3)
    figures["similar papers per paper"] = round(2 * len(links) / max(len(papers), 1), 3)
    figures.update({k: round(v, 3) for k, v in one_phrase_figures(concepts, papers, links).items()})
    keys, best, vectors = tfidf_nearest(papers)
    for threshold in PARTNER_THRESHOLDS:
        count, coverage = partner_coverage(keys, best, vectors, neighbours, threshold)
        figures[f"strong-partner coverage (tf-idf >= {threshold}, {count} papers)"] = round(coverage, 3)
    figures.update(weight_figures(links))
    if gold:
        figures.update(gold_figures(neighbours))
    figures["_links"] = links
    return figures


def show(papers: Sequence[Any], links: Sequence[Any], count: int, seed: int = 7) -> str:
    """`count` random links (fixed seed) with both titles, to read."""
    title = {p.key: p.title for p in papers}
    lines = []
    for link in random.Random(seed).sample(list(links), min(count, len(links))):
        lines.append(
            f"{link.weight:.3f} (phrases {link.by_text}, words {getattr(link, 'by_words', None)}): "
            f"{title[link.a][:70]!r} ~ {title[link.b][:70]!r}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2000, help="papers of the tune months (0: none)")
    parser.add_argument("--since", default=TUNE_MONTHS[0])
    parser.add_argument("--until", default=TUNE_MONTHS[1])
    parser.add_argument(
        "--input",
        type=Path,
        default=None,
        help="a slice file to measure instead (its papers' months are yours to check)",
    )
    parser.add_argument("--no-seeds", action="store_true", help="skip the seeds")
    parser.add_argument("--similarity", type=Path, default=None, help="another version's similarity.py")
    parser.add_argument("--show", type=int, default=0, help="print this many random links of the slice")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="measure the judging months 2025-09..12 (to report, not to tune)",
    )
    args = parser.parse_args()
    if args.held_out:
        args.since, args.until = HELD_OUT_MONTHS
    elif args.since >= HELD_OUT_MONTHS[0] or args.until >= HELD_OUT_MONTHS[0]:
        parser.error("months from 2025-09 on are for judging, not tuning (use --held-out to measure them)")
    from kg.pipeline import sample_corpus

    similar = load_similar(args.similarity)
    runs: list[tuple[str, list[Any], bool]] = []
    if args.input is not None:
        runs.append((f"slice {args.input.name}", read_papers([args.input]), False))
    elif args.limit:
        runs.append(
            (
                f"{'held-out' if args.held_out else 'tune'} slice {args.since}..{args.until}",
                read_papers([tune_slice(args.limit, args.since, args.until)]),
                False,
            )
        )
    if not args.no_seeds:
        runs.append(("seeds", read_papers([sample_corpus()]), True))
    for name, papers, gold in runs:
        figures = measure(papers, similar, gold)
        links = figures.pop("_links")
        print(f"== {name}")
        for key, value in figures.items():
            print(f"{key}: {value}")
        if args.show and not gold:
            print(show(papers, links, args.show))


if __name__ == "__main__":
    main()
