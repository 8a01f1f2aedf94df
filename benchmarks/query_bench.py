"""Time every bundled query as a user meets it: a whole `kg query` process, per build size.

For each size (default 10k and 100k papers) the synthetic pages are built (N-Triples and the
Oxigraph store beside it); each bundled query runs as a `kg query` process twice, once on
the build folder (its store) and once on graph.nt (parsed on every call, as before the
store), and the ratio is printed per query.  `--engines` adds the older comparison of
Oxigraph and rdflib's engine in-process (rdflib with a time limit per query and for parsing).

    python -m benchmarks.query_bench                 # 10k and 100k papers
    python -m benchmarks.query_bench 10000 --engines
"""

from __future__ import annotations

import argparse
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.generate import write_pages

OUT = Path(__file__).resolve().parent / "out"


def export_for(n: int) -> Path:
    from kg import pipeline

    nt = OUT / f"exports-{n}" / "graph.nt"
    if not (nt.parent / "manifest.json").exists():  # a build with its store
        pages = OUT / f"pages-{n}"
        if not pages.exists():
            write_pages(n, pages)
        pipeline.build([pages], out=nt.parent, formats=["nt"])
    return nt


def query_params(nt: Path) -> dict[str, dict[str, str]]:
    """Parameters for the queries that need one, taken from the data itself."""
    from kg.ask.query import load_store

    store = load_store([nt])
    rows = store.query(
        "PREFIX kg: <https://w3id.org/kg/vocab#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?t WHERE { ?s a kg:Similarity ; kg:paper ?p . ?p dcterms:title ?t } ORDER BY ?t LIMIT 1"
    )
    paper_title = next(iter(rows))["t"].value
    broader = store.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?l WHERE { ?c skos:narrower ?n ; skos:prefLabel ?l } ORDER BY ?l LIMIT 1"
    )
    label = next(iter(broader))["l"].value
    return {
        "papers-for-concept": {"label": "LLM"},
        "similar-papers": {"title": paper_title},
        "narrower-concepts": {"label": label},
    }


def run_oxigraph(nt: Path, params: dict[str, dict[str, str]]) -> tuple[float, dict[str, tuple[float, int]]]:
    from kg.ask.query import bundled_queries, load_store, run_query

    start = time.perf_counter()
    store = load_store([nt])
    load = time.perf_counter() - start
    times = {}
    for query in bundled_queries():
        start = time.perf_counter()
        rows = sum(1 for _ in run_query(store, query, params.get(query.name, {})))
        times[query.name] = (time.perf_counter() - start, rows)
    return load, times


def rdflib_child(nt: str, params_json: str, names_json: str) -> None:
    """Runs in the child: parse with rdflib, then the named queries, one JSON line per step."""
    from rdflib import Graph, Literal

    from kg.ask.query import bundled_queries
    from kg.export.rdf import PREFIXES

    params, names = json.loads(params_json), json.loads(names_json)
    start = time.perf_counter()
    graph = Graph()
    graph.parse(nt, format="nt")
    print(json.dumps({"step": "load", "seconds": time.perf_counter() - start}), flush=True)
    for query in bundled_queries():
        if query.name not in names:
            continue
        bindings = {k: Literal(v) for k, v in params.get(query.name, {}).items()}
        start = time.perf_counter()
        rows = sum(1 for _ in graph.query(query.text, initNs=PREFIXES, initBindings=bindings))
        print(
            json.dumps({"step": query.name, "seconds": time.perf_counter() - start, "rows": rows}), flush=True
        )


def run_rdflib(
    nt: Path, params: dict[str, dict[str, str]], per_query: float, load_limit: float
) -> dict[str, float | None]:
    """rdflib's time per query (None: over `per_query` s); a stuck child is killed and a new
    one, which parses the export again, carries on with the queries left."""
    from kg.ask.query import bundled_queries

    # rdflib plans the corpus-citation join badly (over 120 s at 10k papers even with no
    # citations); it runs last so that its time-out costs no reload for the others.
    left = sorted((q.name for q in bundled_queries()), key=lambda name: (name == "citations-in-corpus", name))
    results: dict[str, float | None] = {}
    while left:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.query_bench",
            "--child",
            str(nt),
            json.dumps(params),
            json.dumps(left),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str | None] = queue.Queue()

        def read(proc: subprocess.Popen = proc, lines: queue.Queue = lines) -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        limit = load_limit
        while left:
            try:
                line = lines.get(timeout=limit)
            except queue.Empty:
                if "load" not in results:
                    results["load"] = None
                    left = []
                else:
                    results[left.pop(0)] = None
                break
            if line is None:
                left = []
                break
            step = json.loads(line)
            results[step["step"]] = step["seconds"]
            if step["step"] != "load":
                left.remove(step["step"])
            limit = per_query
        proc.kill()
        proc.wait()
    return results


def kg_query_process(name: str, data: Path, params: dict[str, str], limit: float) -> tuple[float | None, int]:
    """Wall time of a whole `kg query` process (start, load, query, print) and its row count;
    None when over `limit` seconds."""
    cmd = [sys.executable, "-m", "kg", "query", name, "--data", str(data), "--format", "csv"]
    for key, value in params.items():
        cmd += ["--param", f"{key}={value}"]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return None, 0
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{name} failed: {done.stderr.strip()}")
    return seconds, max(len(done.stdout.splitlines()) - 1, 0)


def process_table(n: int, limit: float) -> None:
    """Per bundled query: a `kg query` process on the build's store vs one that parses graph.nt."""
    from kg.ask.query import bundled_queries

    nt = export_for(n)
    params = query_params(nt)
    print(f"\n{n} papers: whole `kg query` processes, store (the build folder) vs parsing graph.nt")
    print("query | rows | store s | parse s | parse / store")
    print("--- | --- | --- | --- | ---")
    for query in bundled_queries():
        chosen = params.get(query.name, {})
        store_s, rows = kg_query_process(query.name, nt.parent, chosen, limit)
        parse_s, parse_rows = kg_query_process(query.name, nt, chosen, limit)
        assert store_s is None or parse_s is None or rows == parse_rows, query.name
        ratio = f"{parse_s / store_s:.0f}x" if store_s and parse_s else "-"
        fmt = lambda s: f"{s:.2f}" if s is not None else f"> {limit:.0f}"  # noqa: E731
        print(f"{query.name} | {rows} | {fmt(store_s)} | {fmt(parse_s)} | {ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--engines", action="store_true", help="also compare Oxigraph and rdflib in-process")
    parser.add_argument("--process-limit", type=float, default=600.0, help="seconds per kg query process")
    parser.add_argument("--rdflib-query-limit", type=float, default=120.0, help="seconds per query")
    parser.add_argument("--rdflib-load-limit", type=float, default=900.0, help="seconds for parsing")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        rdflib_child(*args.child)
        return
    for n in args.sizes:
        process_table(n, args.process_limit)
        if args.engines:
            engines_table(n, args)


def engines_table(n: int, args: argparse.Namespace) -> None:
    """Each bundled query in-process on Oxigraph and on rdflib's engine (the choice of engine)."""
    nt = export_for(n)
    params = query_params(nt)
    load, ox_times = run_oxigraph(nt, params)
    print(
        f"\n{n} papers, {nt.stat().st_size / 1e6:.0f} MB N-Triples; Oxigraph load {load:.2f} s",
        flush=True,
    )
    for name, (seconds, rows) in ox_times.items():
        print(f"  oxigraph {name}: {seconds:.3f} s, {rows} rows", flush=True)
    rd = run_rdflib(nt, params, args.rdflib_query_limit, args.rdflib_load_limit)
    limit = f"> {args.rdflib_query_limit:.0f}"
    print("query | rows | oxigraph s | rdflib s | rdflib / oxigraph")
    print("--- | --- | --- | --- | ---")
    rd_load = rd.get("load")
    print(
        f"(load) | | {load:.2f} | {f'{rd_load:.2f}' if rd_load else f'> {args.rdflib_load_limit:.0f}'} | "
        f"{f'{rd_load / load:.0f}x' if rd_load else '-'}"
    )
    for name, (seconds, rows) in ox_times.items():
        other = rd.get(name)
        ratio = f"{other / max(seconds, 1e-4):.0f}x" if other is not None else "-"
        print(
            f"{name} | {rows} | {seconds:.3f} | {f'{other:.2f}' if other is not None else limit} | {ratio}",
            flush=True,
        )


if __name__ == "__main__":
    main()
