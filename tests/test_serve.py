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


def test_a_syntax_error_is_a_400_with_the_parsers_message(server):
    response = get(server, "SELECT ?x WHERE { ?x a }")
    assert response.status_code == 400
    assert response.text == "error at 1:25: expected one of FILTER, SELECT, VALUES, [_]"


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
    assert out.exit_code == 1
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
