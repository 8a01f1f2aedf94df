"""Time coupling, co-citation and SPECTER neighbours on synthetic enriched corpora.

Each paper cites 20-60 works from a long-tailed pool (so a few classics are cited by nearly
everyone, the worst case for the sparse products) and is cited by up to a few hundred works;
embeddings have 768 dimensions.  Prints seconds per step, links found and the peak memory of
this process, per size.

    python -m benchmarks.citation_links            # 1k and 10k papers
    python -m benchmarks.citation_links 1000 20000
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from array import array

from kg.model import Paper, Reference
from kg.relate.citations import co_citation, coupling
from kg.relate.embeddings import specter_neighbours


def corpus(n: int, *, seed: int = 15, dims: int = 768) -> list[Paper]:
    rng = random.Random(seed)
    pool = [f"w{k:06d}" for k in range(max(2000, 4 * n))]
    weights = [1.0 / (r + 1) ** 0.8 for r in range(len(pool))]
    citing = [f"c{k:06d}" for k in range(max(1000, 3 * n))]
    papers = []
    for i in range(n):
        refs = {Reference(w, None) for w in rng.choices(pool, weights, k=rng.randint(20, 60))}
        cites = {
            Reference(c, None) for c in rng.sample(citing, min(len(citing), int(rng.paretovariate(1.3) * 5)))
        }
        vector = array("f", (rng.gauss(0, 1) for _ in range(dims)))
        papers.append(
            Paper(
                f"p{i:06d}",
                f"Paper {i}",
                None,
                s2_id=f"s{i:06d}",
                references=sorted(refs),
                citations=sorted(cites),
                embedding=vector,
            )
        )
    return papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    args = parser.parse_args()
    for n in args.sizes:
        papers = corpus(n)
        line = [f"{n} papers:"]
        for name, step in [
            ("coupling", coupling),
            ("co-citation", co_citation),
            ("specter", specter_neighbours),
        ]:
            start = time.perf_counter()
            found = step(papers)
            line.append(f"{name} {time.perf_counter() - start:.2f} s ({len(found)} links)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("; ".join(line) + f"; peak memory {peak:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
