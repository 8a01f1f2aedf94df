"""Build real arXiv papers and count what their text leaves in the graph.

    python -m benchmarks.text_counts            # the whole dev corpus (40,944 papers)
    python -m benchmarks.text_counts 20000      # its first 20,000 papers

The dev corpus (`../shared/corpora/arxiv-cs-2025.jsonl.gz`, arXiv metadata-snapshot lines, CC0)
is converted to Daily Papers API JSON (`tests.arxiv_slice`) and built with `kg build`'s library
call.  Printed: titles and concept labels holding LaTeX (`$`, `\\word`, `\\_`) as written and as
built; IRIs in graph.nt that pyoxigraph or rdflib refuse; values repaired and dropped; and the
normalisation step's time over every abstract, as a ratio to splitting and joining their words
(a floor any unwrapping pays), so the figure holds on a busy machine.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg import pipeline
from kg.errors import KgError
from kg.extract.text import normalise
from tests.arxiv_slice import CORPUS, MISSING, records, write_slice

DOLLAR = re.compile(r"\$")
PRICE = re.compile(r"\$(?=\d)")  # `$500`: a price, which a reader should see as written
COMMAND = re.compile(r"\\[A-Za-z]")
ESCAPE = re.compile(r"\\_")


def latex_counts(texts: list[str]) -> dict[str, int]:
    return {
        "$": sum(bool(DOLLAR.search(t)) for t in texts),
        "$ (not a price)": sum(bool(DOLLAR.search(PRICE.sub("", t))) for t in texts),
        "\\word": sum(bool(COMMAND.search(t)) for t in texts),
        "\\_": sum(bool(ESCAPE.search(t)) for t in texts),
    }


def graph_labels(nt: Path) -> tuple[list[str], list[str], int, int]:
    """Titles, concept labels, and the IRIs pyoxigraph and rdflib refuse, of an N-Triples export."""
    text = nt.read_text(encoding="utf-8")
    bad_ox = 0
    for iri in set(re.findall(r"<([^>]*)>", text)):
        try:
            ox.NamedNode(iri)
        except ValueError:
            bad_ox += 1
    graph = rdflib.Graph()
    bad_rdflib = 0
    try:
        graph.parse(data=text, format="nt")
    except Exception:  # rdflib stops at the first line it refuses
        bad_rdflib = 1
    titles = [str(o) for o in graph.objects(None, rdflib.DCTERMS.title)]
    labels = [str(o) for p in (rdflib.SKOS.prefLabel, rdflib.SKOS.altLabel) for o in graph.objects(None, p)]
    return titles, labels, bad_ox, bad_rdflib


def time_normalisation(abstracts: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    for a in abstracts:
        " ".join(a.split())
    floor = time.perf_counter() - start
    start = time.perf_counter()
    for a in abstracts:
        normalise(a)
    return time.perf_counter() - start, floor


def main(limit: int | None) -> None:
    if not CORPUS.exists():
        sys.exit(MISSING)
    rows = list(records(limit))
    print(f"{len(rows)} papers of {CORPUS.name}")
    print("titles as written:", latex_counts([r["title"] for r in rows]))
    spent, floor = time_normalisation([r["abstract"] for r in rows])
    print(f"normalising {len(rows)} abstracts: {spent:.2f} s ({spent / floor:.1f}x splitting their words)")
    with tempfile.TemporaryDirectory() as tmp:
        source = write_slice(Path(tmp) / "slice.json", limit)
        start = time.perf_counter()
        try:
            result = pipeline.build([source], out=Path(tmp) / "out", formats=["nt"])
        except KgError as err:
            print(f"build FAILED after {time.perf_counter() - start:.1f} s: {err}")
            return
        print(f"build: {len(result.papers)} papers, {result.triples} triples, {result.elapsed:.1f} s")
        print(f"  stage times: { {k: round(v, 2) for k, v in result.timings.items()} }")
        print(
            f"  texts shown otherwise than written: {result.normalised}; values repaired: {result.repaired}; "
            f"values dropped: {result.dropped}; warnings: {len(result.warnings)}"
        )
        titles, labels, bad_ox, bad_rdflib = graph_labels(Path(tmp) / "out" / "graph.nt")
    print("titles as built:", latex_counts(titles))
    print(f"concept labels as built ({len(labels)}):", latex_counts(labels))
    print(f"IRIs pyoxigraph refuses: {bad_ox}; rdflib parse failures: {bad_rdflib}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
