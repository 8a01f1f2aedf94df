"""`kg serve` through real HTTP on localhost: a bounded number of requests to a server on a free port."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg import pipeline
from kg.ask.query import bundled_queries, load_store, run_query
from kg.ask.serve import negotiate, with_values
from tests.conftest import DATA

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CLIENT = "http://client.example"  # an origin the test server lets read its answers
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PARAMS = {
    "papers-for-concept": {"label": "LLM"},
    "similar-papers": {"title": "Scaling Laws for Speculative Decoding"},
    "narrower-concepts": {"label": "decoding"},
    "papers-by-category": {"category": "cs.CL"},  # the seed has no categories: an empty answer
}


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> pipeline.BuildResult:
    return pipeline.build(out=tmp_path_factory.mktemp("served"), formats=["nt"])


@pytest.fixture(scope="module")
def server(build) -> Iterator[str]:
    folder = build.outputs[0].parent
    command = [sys.executable, "-m", "kg", "serve", "--data", str(folder), "--port", "0", "--timeout", "1"]
    command += ["--cors", CLIENT, "--cors", "http://other.example:8080"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    try:
        assert line and line[0].startswith("kg serve: http://127.0.0.1:"), (line, proc.poll())
        yield line[0].split()[2]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(url: str, query: str, accept: str = "") -> requests.Response:
    return requests.get(url + "query", params={"query": query}, headers={"Accept": accept}, timeout=30)


def test_get_answers_in_json_by_default(server, build):
    response = get(server, COUNT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert response.json()["results"]["bindings"][0]["n"]["value"] == str(build.triples)


def test_post_form_and_direct_post_in_each_result_format(server, build):
    form = requests.post(server + "query", data={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30)
    assert form.status_code == 200 and form.headers["Content-Type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(form.text))) == [{"n": str(build.triples)}]
    direct = requests.post(
        server + "query",
        data=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"},
        timeout=30,
    )
    assert direct.status_code == 200
    literal = ET.fromstring(direct.content).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal is not None and literal.text == str(build.triples)
    tsv = get(server, COUNT, "text/tab-separated-values;q=0.9, text/csv;q=0.5")
    assert tsv.headers["Content-Type"].startswith("text/tab-separated-values")
    assert tsv.text.splitlines() == ["?n", str(build.triples)]  # TSV terms in Turtle form
    graph = get(server, "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 2", "text/turtle")
    assert graph.status_code == 200 and graph.headers["Content-Type"].startswith("text/turtle")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?x WHERE { ?x a }",
        "SELECT ?x WHERE {\n  ?x nope:thing ?y }",
        "SELEC ?x WHERE { ?x ?p ?o }",
        "SELECT ?x WHERE { ?x <not an iri> ?o }",
    ],
)
def test_a_syntax_error_is_a_400_worded_as_kg_query_words_it(server, build, text):
    from kg.ask.query import parse_query_text
    from kg.errors import QuerySyntaxError

    response = get(server, text)
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(QuerySyntaxError) as local:
        run_query(load_store([build.outputs[0].parent]), parse_query_text("inline", text))
    assert response.text == str(local.value).replace("SPARQL syntax error in inline:", "SPARQL syntax error:")
    assert "\\u{" not in response.text and len(response.text) < 300


def test_the_prefixes_of_kg_query_are_predeclared(server, build):
    text = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a schema:ScholarlyArticle ; dcterms:title ?t }"
    response = get(server, text)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == str(len(build.papers))
    page = requests.get(server, timeout=30).text
    assert "predeclared" in page and ">schema:</code>" in page and ">kg:</code>" in page


def test_updates_are_refused(server):
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    for response in (
        requests.post(server + "update", data={"update": update}, timeout=30),
        requests.post(server + "query", data={"update": update}, timeout=30),
    ):
        assert response.status_code == 403 and "read-only" in response.text
    assert get(server, update).status_code == 400  # not a query


def test_a_long_query_is_stopped_and_the_server_goes_on(server, build):
    response = get(server, SLOW)
    assert response.status_code == 503
    assert response.text == "query stopped: it ran longer than 1 s (kg serve --timeout)"
    assert get(server, COUNT).json()["results"]["bindings"][0]["n"]["value"] == str(build.triples)


def test_the_page_lists_the_bundled_queries(server):
    page = requests.get(server, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for query in bundled_queries():
        assert f'data-name="{query.name}"' in page.text


def test_every_bundled_query_answers_through_the_protocol_as_in_kg_query(server, build):
    """The scale-out path: the store kg build bulk-loaded, queried over the SPARQL protocol,
    with parameters bound by VALUES as any SPARQL server takes them."""
    store = load_store([build.outputs[0].parent])
    for query in bundled_queries():
        params = PARAMS.get(query.name, {})
        assert set(query.params) <= set(params), query.name
        response = get(server, with_values(query.text, params), "text/csv")
        assert response.status_code == 200, (query.name, response.text)
        served = list(csv.reader(io.StringIO(response.text)))
        local = run_query(store, query, params)
        names = [v.value for v in local.variables]
        expected = [[row[n].value if row[n] is not None else "" for n in names] for row in local]
        assert served[0] == names and sorted(served[1:]) == sorted(expected), query.name


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.2, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("image/png", None),
        ("text/csv;q=0", None),
    ],
)
def test_accept_negotiation(accept: str, chosen: str | None):
    from kg.ask.serve import RESULT_TYPES

    assert negotiate(accept, RESULT_TYPES) == chosen


def test_serving_a_missing_build_says_to_build(tmp_path: Path):
    from typer.testing import CliRunner

    from kg.cli import app

    out = CliRunner().invoke(app, ["serve", "--data", str(tmp_path / "nothing")])
    assert out.exit_code == 3
    assert (
        out.stderr
        == f"Error: {tmp_path / 'nothing'}: no such build folder or RDF file (run `kg build` first)\n"
    )


def test_an_rdf_file_is_served_from_a_temporary_store(tmp_path: Path):
    from kg.export.store import store_for

    served = store_for(DATA / "citations.ttl")
    try:
        assert served.temporary and (served.path / "CURRENT").is_file()
    finally:
        served.close()
    assert not served.path.exists()


def test_a_graph_query_asked_only_for_result_formats_answers_turtle(server):
    construct = "CONSTRUCT { ?s a schema:ScholarlyArticle } WHERE { ?s a schema:ScholarlyArticle } LIMIT 3"
    for accept in ("application/sparql-results+json", "application/sparql-results+xml, text/csv;q=0.5"):
        response = get(server, construct, accept)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
        assert response.text.count("<https://schema.org/ScholarlyArticle>") == 3
    assert get(server, construct, "image/png").status_code == 406  # names neither kind: still refused
    assert get(server, COUNT, "text/turtle").status_code == 406  # a SELECT has no RDF form


def test_vary_head_and_options(server):
    response = get(server, COUNT, "text/csv")
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]
    head = requests.head(
        server + "query", params={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == response.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(response.content)
    assert requests.head(server, timeout=30).status_code == 200
    options = requests.options(server + "query", timeout=30)
    assert options.status_code == 204 and "OPTIONS" in options.headers["Allow"]
    assert "Access-Control-Allow-Origin" not in options.headers  # no Origin: not a CORS request
    assert requests.delete(server + "query", timeout=30).status_code == 405


@pytest.mark.parametrize("origin", [CLIENT, "http://other.example:8080"])
def test_cors_lets_a_listed_origin_read_answers_after_a_preflight(server, build, origin):
    preflight = requests.options(
        server + "query",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
        timeout=30,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= allowed
    response = requests.post(
        server + "query",
        data=COUNT.encode(),
        headers={"Origin": origin, "Content-Type": "application/sparql-query", "Accept": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200 and response.text.splitlines()[1] == str(build.triples)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]  # the header differs by origin


def test_cors_tells_an_unlisted_origin_nothing(server):
    for response in (
        requests.options(
            server + "query",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
            timeout=30,
        ),
        get_with(server, COUNT, {"Origin": "http://evil.example"}),
        get_with(server, COUNT, {"Origin": CLIENT + ":81"}),  # another port is another origin
    ):
        assert "Access-Control-Allow-Origin" not in response.headers


def get_with(url: str, query: str, headers: dict[str, str]) -> requests.Response:
    return requests.get(url + "query", params={"query": query}, headers=headers, timeout=30)


def test_cors_star_lets_any_origin_read(build):
    from kg.ask.serve import Workers, answer, make_app

    pool = Workers(build.outputs[0].parent / "oxigraph", 1, 10, answer)
    try:
        app = make_app(pool, ["*"])
        seen: list[tuple[str, list[tuple[str, str]]]] = []
        environ = {
            "REQUEST_METHOD": "OPTIONS",
            "PATH_INFO": "/query",
            "HTTP_ORIGIN": "https://anywhere.example",
            "wsgi.input": io.BytesIO(b""),
        }
        body = app(environ, lambda status, headers: seen.append((status, headers)))
        assert seen[0][0] == "204 No Content" and b"".join(body) == b""
        assert ("Access-Control-Allow-Origin", "*") in seen[0][1] and ("Vary", "Accept") in seen[0][1]
    finally:
        pool.close()


@pytest.mark.parametrize("origin", ["client.example", "https://x.example/path", "ftp://x.example"])
def test_a_malformed_cors_origin_is_a_usage_error(build, origin):
    from typer.testing import CliRunner

    from kg.cli import app

    out = CliRunner().invoke(app, ["serve", "--data", str(build.outputs[0].parent), "--cors", origin])
    assert out.exit_code != 0
    assert f"--cors {origin!r}: give an origin as scheme://host[:port] (no path), or *" in out.stderr


def test_sparqlwrapper_runs_select_ask_and_construct(server, build):
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    client = sparqlwrapper.SPARQLWrapper(server + "query")
    client.setQuery(COUNT)
    client.setReturnFormat(sparqlwrapper.JSON)
    assert client.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == str(build.triples)
    client.setMethod(sparqlwrapper.POST)
    client.setQuery("ASK { ?p a schema:ScholarlyArticle }")
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery("CONSTRUCT { ?p a schema:ScholarlyArticle } WHERE { ?p a schema:ScholarlyArticle }")
    client.setReturnFormat(sparqlwrapper.TURTLE)
    turtle = client.queryAndConvert()  # SPARQLWrapper gives Turtle as the bytes it got
    from rdflib import Graph

    assert len(Graph().parse(data=turtle, format="turtle")) == len(build.papers)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_rdflib_sparqlstore_selects_and_constructs(server, build, fmt):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server + "query", returnFormat=fmt)
    graph = Graph(store)
    count = graph.query(COUNT)
    assert [int(row[0]) for row in count] == [build.triples]
    constructed = graph.query(
        "PREFIX schema: <https://schema.org/> "
        "CONSTRUCT { ?p a schema:ScholarlyArticle } WHERE { ?p a schema:ScholarlyArticle }"
    )
    assert constructed.graph is not None and len(constructed.graph) == len(build.papers)
    store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_quietly_even_under_load(build):
    """Ctrl-C reaches the server and its workers alike (one process group): no traceback from
    any of them, no waitress queue-depth warnings from the burst before it."""
    import os
    import signal
    from concurrent.futures import ThreadPoolExecutor

    folder = build.outputs[0].parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--data", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        url = proc.stdout.readline().split()[2]
        with ThreadPoolExecutor(12) as pool:
            answers = list(
                pool.map(lambda _: requests.post(url + "query", data={"query": COUNT}, timeout=60), range(12))
            )
        assert all(a.status_code == 200 for a in answers)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and err == ""
