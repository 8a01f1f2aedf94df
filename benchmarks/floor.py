"""The I/O floor of a build: parse the input, write as many triples as the build did, nothing else.

No phrases, no neighbours, no graph: it reads a snapshot-shaped JSON-lines file (plain or
gzip; `json.loads` a line, as `benchmarks.peer` reads it) or a JSON array (the Hugging Face
JSON kg reads, one `json.load`), then streams `COUNT` triples made from the papers' own
fields (type, id, title, abstract, categories, each author as a node with a name, round after
round with fresh subjects until COUNT is reached) through pyoxigraph's N-Triples serializer
to a file.  Whatever a build spends beyond this is what its own work costs.

    python -m benchmarks.floor SLICE.jsonl[.gz] COUNT --out DIR

It prints the stage times, then one JSON line (stage times, papers, triples) last.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from benchmarks.slices import open_lines, read_records

EX = "https://example.org/floor/"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def parse(path: Path) -> list[dict[str, Any]]:
    """The papers of a JSON-lines file, or of a JSON array (Daily Papers items unwrapped)."""
    with open_lines(path) as f:
        head = f.read(4096).lstrip()
    if head.startswith("["):
        with open_lines(path) as f:
            items = json.load(f)
        return [i["paper"] if isinstance(i, dict) and isinstance(i.get("paper"), dict) else i for i in items]
    return list(read_records(path))


def triples(papers: list[dict[str, Any]], count: int) -> Iterator[ox.Triple]:
    """`count` triples made from the papers' fields."""
    if not papers:
        return
    made = 0
    paper_type = ox.NamedNode(f"{EX}Paper")
    identifier, title, abstract = (ox.NamedNode(f"{DCT}{p}") for p in ("identifier", "title", "abstract"))
    subject_p, creator, name = (ox.NamedNode(f"{DCT}{p}") for p in ("subject", "creator", "name"))
    turn = 0
    while True:
        for paper in papers:
            key = f"{paper.get('id')}" + (f"-{turn}" if turn else "")
            node = ox.NamedNode(f"{EX}paper/{key}")
            made_here = [
                ox.Triple(node, RDF_TYPE, paper_type),
                ox.Triple(node, identifier, ox.Literal(key)),
                ox.Triple(node, title, ox.Literal(paper.get("title") or "")),
                ox.Triple(node, abstract, ox.Literal(paper.get("abstract") or paper.get("summary") or "")),
            ]
            for category in (paper.get("categories") or "").split():
                # Quoted: a category field may hold what no IRI may ("%").
                made_here.append(
                    ox.Triple(node, subject_p, ox.NamedNode(f"{EX}category/{quote(category, safe='')}"))
                )
            for i, author in enumerate(paper.get("authors_parsed") or paper.get("authors") or ()):
                who = " ".join(author) if isinstance(author, list) else str(author)
                person = ox.NamedNode(f"{EX}author/{key}-{i}")
                made_here.append(ox.Triple(node, creator, person))
                made_here.append(ox.Triple(person, name, ox.Literal(who)))
            for triple in made_here:
                yield triple
                made += 1
                if made >= count:
                    return
        turn += 1


def run(path: Path, count: int, out: Path) -> dict[str, Any]:
    timings: dict[str, float] = {}
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    papers = parse(path)
    timings["parse"] = time.perf_counter() - start
    print(f"parse: {timings['parse']:.2f} s", flush=True)
    start = time.perf_counter()
    written = 0

    def counted() -> Iterator[ox.Triple]:
        nonlocal written
        for triple in triples(papers, count):
            written += 1
            yield triple

    ox.serialize(counted(), str(out / "floor.nt"), ox.RdfFormat.N_TRIPLES)
    timings["serialize"] = time.perf_counter() - start
    print(f"serialize: {timings['serialize']:.2f} s", flush=True)
    return {
        "papers": len(papers),
        "triples": written,
        "stages": {k: round(v, 3) for k, v in timings.items()},
        "total": round(time.perf_counter() - began, 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "slice", type=Path, help="snapshot-shaped JSON lines (plain or gzip), or a JSON array"
    )
    parser.add_argument("count", type=int, help="triples to write")
    parser.add_argument("--out", type=Path, required=True, help="folder for floor.nt")
    args = parser.parse_args(argv)
    result = run(args.slice, args.count, args.out)
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
