"""Count the requests enrichment sends for the seed corpus, cold and warm, per source and endpoint.

A local server plays arXiv and Semantic Scholar (`tests.fake_apis`, in their documented formats)
and knows every seed title: all of them are on Semantic Scholar, all but one in twenty on arXiv
(the rest are journal papers known by DOI).  The world is synthetic but shaped like the field:
20-60 references per paper from a long-tailed pool of older works (so papers share references),
a few citations to earlier corpus papers, citing works that cite several corpus papers, one survey
with more references than a batch answer lists, and three papers with thousands of citations.
No rate-limit wait is slept (the limiters run on a fake clock); the waits a real run would spend
are reported from the real intervals.

    python -m benchmarks.enrich_requests            # arxiv + s2
    python -m benchmarks.enrich_requests --sources s2

Against an older checkout of kg (the benchmark and `tests/fake_apis.py` come from this one),
run it from another folder with the old checkout first on the path:

    cd /tmp && PYTHONPATH=/path/to/old:/path/to/this python -m benchmarks.enrich_requests
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # tests.fake_apis from this checkout; kg from wherever it is found first

from tests.fake_apis import Work, World  # noqa: E402


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def seed_world(titles: list[str], *, seed: int = 15, dims: int = 0) -> World:
    """A deterministic world around the corpus titles (see the module docstring)."""
    rng = random.Random(seed)
    older = [
        Work(
            _sha(f"older-{n}"),
            f"Older work {n} on {rng.choice(['attention', 'diffusion', 'retrieval', 'speech', 'vision'])}",
            year=2010 + n % 13,
            arxiv_id=f"{15 + n % 8}{1 + n % 12:02d}.{20000 + n:05d}" if n % 5 else None,
            doi=None if n % 5 else f"10.5555/older.{n}",
        )
        for n in range(4000)
    ]
    popularity = [1.0 / (r + 1) ** 0.8 for r in range(len(older))]
    corpus = []
    for i, title in enumerate(titles):
        on_arxiv = i % 20 != 7
        month = 1 + i % 12
        refs = {w.s2_id for w in rng.choices(older, popularity, k=rng.randint(20, 60))}
        if i == 0:  # a survey: more references than one nested list holds
            refs |= {w.s2_id for w in older[:1100]}
        earlier = [c.s2_id for c in corpus]
        if earlier:
            refs |= set(rng.sample(earlier, min(len(earlier), rng.randint(0, 4))))
        corpus.append(
            Work(
                _sha(f"corpus-{i}"),
                title,
                year=2023,
                date=f"2023-{month:02d}-{1 + i % 28:02d}",
                arxiv_id=f"23{month:02d}.{10000 + i:05d}" if on_arxiv else None,
                doi=None if on_arxiv else f"10.5555/kg.{i}",
                authors=[(str(100000 + i), f"Author {i}"), (str(200000 + i % 50), f"Coauthor {i % 50}")],
                venue="arXiv.org" if on_arxiv else "Journal of Synthetic Results",
                abstract=f"Abstract of {title}.",
                references=sorted(refs),
                unresolved=[f"An unpublished note {i}-{k}" for k in range(i % 3)],
                influential=i % 7,
                embedding=[round(rng.gauss(0, 1), 4) for _ in range(dims)] if dims else None,
            )
        )
    weight = [rng.paretovariate(1.3) for _ in corpus]
    citing = []
    for j in range(3000):
        cited = {corpus[k].s2_id for k in rng.choices(range(len(corpus)), weight, k=rng.randint(1, 6))}
        citing.append(Work(_sha(f"citing-{j}"), f"Citing work {j}", year=2024, references=sorted(cited)))
    for k, n in [(1, 1500), (2, 2500), (3, 4000)]:  # famous papers: thousands of citations
        citing += [
            Work(_sha(f"fan-{k}-{j}"), f"Follow-up {k}-{j}", year=2024, references=[corpus[k].s2_id])
            for j in range(n)
        ]
    return World(older + corpus + citing)


def run(sources: list[str], papers_of, world: World, cache: Path) -> dict[str, int]:
    """Enrich the seed papers once through `cache`; the requests the server saw, per endpoint."""
    from kg.enrich import arxiv, enrich_papers, s2
    from kg.enrich.session import Client, Limiter, make_session

    now = [0.0]
    waited: dict[str, float] = {}

    def clock() -> float:
        return now[0]

    def sleeper(name: str):
        def sleep(seconds: float) -> None:
            waited[name] = waited.get(name, 0.0) + seconds
            now[0] += seconds

        return sleep

    session = make_session(cache)
    intervals = {"arxiv": arxiv.INTERVAL, "s2": s2.INTERVAL_KEYLESS}
    clients = {
        name: Client(session, Limiter(i, clock=clock, sleep=sleeper(name)), sleep=sleeper(name))
        for name, i in intervals.items()
    }
    world.calls.clear()
    start = time.perf_counter()
    _, report = enrich_papers(papers_of(), sources, session=session, clients=clients)
    seconds = time.perf_counter() - start
    counts = dict(sorted(world.calls.items()))
    counts["_seconds"] = round(seconds, 1)  # type: ignore[assignment]
    for name, w in waited.items():
        counts[f"_wait_{name}"] = round(w)
    counts["_report"] = report.counts  # type: ignore[assignment]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", nargs="+", default=["arxiv", "s2"])
    parser.add_argument(
        "--ids",
        action="store_true",
        help="the inputs give each paper's arXiv id or DOI (as HF JSON or BibTeX do)",
    )
    args = parser.parse_args()
    import kg
    from kg import pipeline
    from kg.sources import load_sources, merge_entries

    def papers_of(with_ids: bool = args.ids):
        loaded = load_sources([pipeline.sample_corpus()])
        papers = merge_entries(loaded.entries, loaded.warnings)
        if with_ids:
            for paper in papers:
                work = by_title[paper.title]
                paper.arxiv_id, paper.doi = work.arxiv_id, work.doi
        return papers

    by_title: dict = {}
    titles = [p.title for p in papers_of(False)]
    world = seed_world(titles)
    by_title.update({w.title: w for w in world.works.values()})
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer()
    server.expect_request(re.compile(r"^/.*")).respond_with_handler(world.handle)  # every path
    server.start()
    os.environ["KG_ARXIV_API"] = server.url_for("/arxiv")
    os.environ["KG_S2_API"] = server.url_for("/s2")
    ids = "with their ids" if args.ids else "titles only"
    print(f"kg from {Path(kg.__file__).parent}; {len(titles)} seed papers, {ids}; sources {args.sources}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "http.sqlite"
            for label in ("cold", "warm"):
                counts = run(args.sources, papers_of, world, cache)
                report = counts.pop("_report")
                extra = {k: v for k, v in counts.items() if k.startswith("_")}
                calls = {k: v for k, v in counts.items() if not k.startswith("_")}
                arxiv = sum(v for k, v in calls.items() if k.startswith("arxiv"))
                s2 = sum(v for k, v in calls.items() if k.startswith("s2"))
                print(
                    f"{label}: {arxiv + s2} requests (arXiv {arxiv}, Semantic Scholar {s2}) {calls} {extra}"
                )
                print(f"   report: {report}")
    finally:
        server.clear()
        server.stop()


if __name__ == "__main__":
    main()
