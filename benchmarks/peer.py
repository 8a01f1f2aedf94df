"""The obvious peer of `kg build`: TF-IDF key phrases and neighbours -> networkx -> rdflib -> pyvis.

What someone without kg would write to turn arXiv papers into a graph and a map, with the
usual libraries and their usual settings:

1. read: a JSON-lines file in the shape of arXiv's metadata snapshot (plain or gzip), one
   `json.loads` a line; a paper's text is its title and abstract.
2. phrases: scikit-learn's `TfidfVectorizer(ngram_range=(1, 3), stop_words="english",
   min_df=2, max_df=0.5, sublinear_tf=True)`; a paper's key phrases are the `--phrases`
   (default 6, kg's `--concepts-per-paper`) n-grams of highest weight in its row.
3. neighbours: each paper's 5 most cosine-similar papers over the same (L2-normalised,
   sparse) TF-IDF rows, computed a block of rows at a time (`X[block] @ X.T`, made dense
   one block at a time), so 40k papers need one block's 40k columns in memory, not 40k².
4. graph: a networkx `Graph` of paper nodes (title, abstract), phrase nodes, paper-phrase
   edges (the weight) and paper-paper `similar` edges (the cosine).
5. rdf: the graph as an rdflib `Graph` (`dcterms:title`, `dcterms:abstract`, a
   `skos:Concept` per phrase, `ex:keyPhrase`, `ex:similarTo`), written as N-Triples.
6. html: a pyvis map (`cdn_resources="in_line"`, so it opens offline as kg's does).

pyvis cannot draw the whole graph: `Network.add_node` and `add_edge` test for duplicates by
scanning Python lists (`node_ids`, and every edge so far), so `from_nx` is quadratic in nodes
and in edges, and vis.js itself stalls in the browser far below 10k nodes.  So the peer does
what kg's view does by default: it draws the `--max-nodes` (1500) nodes of highest degree and
at most `--max-edges` (6000) edges among them, similar edges first, then the heaviest phrase
edges.  pyvis computes no layout in Python (the browser's physics does), unlike kg's view.

    python -m benchmarks.peer SLICE.jsonl[.gz] --out DIR [--limit N]

It prints each stage's wall time, then one JSON line (stage times, counts, triples) last.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse

from benchmarks.slices import read_records

EX = "https://example.org/peer/"


@contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    print(f"{name}: {timings[name]:.2f} s", flush=True)


def read(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    """id, title and abstract of each paper, text as the file has it (the abstract stripped)."""
    return [
        {
            "id": r["id"],
            "title": " ".join((r.get("title") or "").split()),
            "abstract": (r.get("abstract") or "").strip(),
        }
        for r in read_records(path, limit)
    ]


def key_phrases(
    texts: list[str], per_paper: int
) -> tuple[sparse.csr_matrix, np.ndarray, list[list[tuple[int, float]]]]:
    """TF-IDF rows, the vocabulary, and each paper's top n-grams as (column, weight)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 3),
        stop_words="english",
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        dtype=np.float32,
    )
    x = vectorizer.fit_transform(texts).tocsr()
    vocabulary = vectorizer.get_feature_names_out()
    top: list[list[tuple[int, float]]] = []
    for i in range(x.shape[0]):
        lo, hi = x.indptr[i], x.indptr[i + 1]
        weights, columns = x.data[lo:hi], x.indices[lo:hi]
        many = hi - lo > per_paper
        best = np.argpartition(-weights, per_paper)[:per_paper] if many else np.arange(hi - lo)
        best = best[np.argsort(-weights[best], kind="stable")]
        top.append([(int(columns[j]), float(weights[j])) for j in best])
    return x, vocabulary, top


def neighbours(x: sparse.csr_matrix, k: int = 5, block: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `k` most cosine-similar other rows (rows are L2-normalised), and the cosines."""
    n = x.shape[0]
    k = min(k, n - 1)
    xt = x.T.tocsr()
    found = np.zeros((n, k), dtype=np.int64)
    cosines = np.zeros((n, k), dtype=np.float32)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        sims = (x[lo:hi] @ xt).toarray()
        sims[np.arange(hi - lo), np.arange(lo, hi)] = -1.0  # not its own neighbour
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(sims, best, axis=1)
        order = np.argsort(-values, axis=1, kind="stable")
        found[lo:hi] = np.take_along_axis(best, order, axis=1)
        cosines[lo:hi] = np.take_along_axis(values, order, axis=1)
    return found, cosines


def build_graph(
    papers: list[dict[str, str]],
    vocabulary: np.ndarray,
    top: list[list[tuple[int, float]]],
    near: np.ndarray,
    cosines: np.ndarray,
) -> nx.Graph:
    graph = nx.Graph()
    for paper in papers:
        graph.add_node(f"paper:{paper['id']}", kind="paper", label=paper["title"], abstract=paper["abstract"])
    for paper, phrases in zip(papers, top, strict=True):
        for column, weight in phrases:
            phrase = str(vocabulary[column])
            node = f"phrase:{phrase}"
            if node not in graph:
                graph.add_node(node, kind="phrase", label=phrase)
            graph.add_edge(f"paper:{paper['id']}", node, kind="phrase", weight=weight)
    for i, paper in enumerate(papers):
        for j, cosine in zip(near[i], cosines[i], strict=True):
            if cosine > 0:
                graph.add_edge(
                    f"paper:{paper['id']}", f"paper:{papers[j]['id']}", kind="similar", weight=float(cosine)
                )
    return graph


def write_ntriples(graph: nx.Graph, path: Path) -> int:
    """The graph as N-Triples through rdflib; returns the number of triples."""
    from rdflib import RDF, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, SKOS

    ex = Namespace(EX)
    rdf = Graph()
    rdf.bind("ex", ex)

    def iri(node: str) -> URIRef:
        kind, _, key = node.partition(":")
        return ex[f"{kind}/{key.replace(' ', '_')}"]

    for node, data in graph.nodes(data=True):
        subject = iri(node)
        if data["kind"] == "paper":
            rdf.add((subject, RDF.type, ex.Paper))
            rdf.add((subject, DCTERMS.identifier, Literal(node.partition(":")[2])))
            rdf.add((subject, DCTERMS.title, Literal(data["label"])))
            if data["abstract"]:
                rdf.add((subject, DCTERMS.abstract, Literal(data["abstract"])))
        else:
            rdf.add((subject, RDF.type, SKOS.Concept))
            rdf.add((subject, SKOS.prefLabel, Literal(data["label"], lang="en")))
    for a, b, data in graph.edges(data=True):
        if data["kind"] == "similar":
            rdf.add((iri(a), ex.similarTo, iri(b)))
            rdf.add((iri(b), ex.similarTo, iri(a)))
        else:
            paper, phrase = (a, b) if a.startswith("paper:") else (b, a)
            rdf.add((iri(paper), ex.keyPhrase, iri(phrase)))
    rdf.serialize(destination=str(path), format="nt", encoding="utf-8")
    return len(rdf)


def drawn_subgraph(graph: nx.Graph, max_nodes: int, max_edges: int) -> nx.Graph:
    """The nodes of highest degree and the edges among them, similar edges first."""
    keep = sorted(graph.nodes, key=lambda n: (-graph.degree(n), n))[:max_nodes]
    kept = set(keep)
    edges = [(a, b, d) for a, b, d in graph.edges(keep, data=True) if a in kept and b in kept]
    edges.sort(key=lambda e: (e[2]["kind"] != "similar", -e[2]["weight"]))
    drawn = nx.Graph()
    for node in keep:
        data = graph.nodes[node]
        drawn.add_node(
            node,
            label=data["label"][:60],
            title=data["label"],
            group=data["kind"],
            size=5 + 2 * graph.degree(node) ** 0.5,
        )
    for a, b, d in edges[:max_edges]:
        drawn.add_edge(a, b, weight=d["weight"])
    return drawn


def write_html(graph: nx.Graph, path: Path, max_nodes: int, max_edges: int) -> tuple[int, int]:
    """A pyvis map of the drawn subgraph; returns the nodes and edges drawn."""
    from pyvis.network import Network

    drawn = drawn_subgraph(graph, max_nodes, max_edges)
    net = Network(height="900px", width="100%", cdn_resources="in_line")
    net.from_nx(drawn)
    net.write_html(str(path), notebook=False)
    return drawn.number_of_nodes(), drawn.number_of_edges()


def run(path: Path, out: Path, *, limit: int | None, phrases: int, max_nodes: int, max_edges: int) -> dict:
    timings: dict[str, float] = {}
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with stage(timings, "read"):
        papers = read(path, limit)
    with stage(timings, "phrases"):
        x, vocabulary, top = key_phrases([f"{p['title']}. {p['abstract']}" for p in papers], phrases)
    with stage(timings, "neighbours"):
        near, cosines = neighbours(x)
    with stage(timings, "graph"):
        graph = build_graph(papers, vocabulary, top, near, cosines)
    with stage(timings, "rdf"):
        triples = write_ntriples(graph, out / "graph.nt")
    with stage(timings, "html"):
        drawn = write_html(graph, out / "graph.html", max_nodes, max_edges)
    kinds: dict[str, int] = {}
    for _, kind in graph.nodes(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "papers": len(papers),
        "phrases": kinds.get("phrase", 0),
        "vocabulary": len(vocabulary),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "triples": triples,
        "drawn": {"nodes": drawn[0], "edges": drawn[1]},
        "stages": {k: round(v, 3) for k, v in timings.items()},
        "total": round(time.perf_counter() - began, 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slice", type=Path, help="snapshot-shaped JSON lines, plain or gzip")
    parser.add_argument("--out", type=Path, required=True, help="folder for graph.nt and graph.html")
    parser.add_argument("--limit", type=int, help="read only the first N papers")
    parser.add_argument("--phrases", type=int, default=6, help="key phrases per paper (default 6)")
    parser.add_argument("--max-nodes", type=int, default=1500, help="most nodes drawn (default 1500)")
    parser.add_argument("--max-edges", type=int, default=6000, help="most edges drawn (default 6000)")
    args = parser.parse_args(argv)
    result = run(
        args.slice,
        args.out,
        limit=args.limit,
        phrases=args.phrases,
        max_nodes=args.max_nodes,
        max_edges=args.max_edges,
    )
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
