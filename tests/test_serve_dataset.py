"""The RDF dataset of a query on `kg serve` (SPARQL 1.1 Protocol, 2.1.4): `default-graph-uri`
and `named-graph-uri` name it, they take precedence over the query's FROM / FROM NAMED, what
they leave out is empty, and a graph the store does not hold is an empty graph, not an error.

The server serves a TriG file with a default graph and two named graphs, so each answer says
which graphs the query saw.  Loopback only, one server per module.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence

import pytest
import requests

EX = "http://example.org/"
G1, G2, NOWHERE = EX + "g1", EX + "g2", EX + "not-in-the-store"
TRIG = f"""
<{EX}a> <{EX}says> "default" .
<{G1}> {{ <{EX}a> <{EX}says> "g1" . }}
<{G2}> {{ <{EX}b> <{EX}says> "g2" . <{EX}c> <{EX}says> "g2 again" . }}
"""
SAID = "SELECT ?o WHERE { ?s ?p ?o }"  # what the default graph says
NAMED = "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }"  # what each named graph says


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("dataset") / "graphs.trig"
    data.write_text(TRIG, encoding="utf-8")
    command = [sys.executable, "-m", "kg", "serve", "--data", str(data), "--port", "0", "--workers", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=60)
    try:
        assert line and line[0].startswith("kg serve: http://127.0.0.1:"), (line, proc.poll())
        yield line[0].split()[2] + "query"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def rows(response: requests.Response) -> list[tuple[str, ...]]:
    """An answer's rows as sorted tuples of values, in the order of its variables."""
    assert response.status_code == 200, response.text
    data = response.json()
    names = data["head"]["vars"]
    return sorted(tuple(b[n]["value"] for n in names if n in b) for b in data["results"]["bindings"])


def ask(
    endpoint: str, query: str, default: Sequence[str] = (), named: Sequence[str] = ()
) -> requests.Response:
    params = [("query", query)] + [("default-graph-uri", g) for g in default]
    params += [("named-graph-uri", g) for g in named]
    return requests.get(endpoint, params=params, headers={"Accept": "application/json"}, timeout=30)


def test_without_a_dataset_the_store_is_the_dataset(server: str):
    assert rows(ask(server, SAID)) == [("default",)]
    assert rows(ask(server, NAMED)) == [(G1, "g1"), (G2, "g2"), (G2, "g2 again")]


def test_default_graph_uri_is_the_default_graph_and_leaves_no_named_ones(server: str):
    assert rows(ask(server, SAID, default=[G1])) == [("g1",)]
    assert rows(ask(server, SAID, default=[G1, G2])) == [("g1",), ("g2",), ("g2 again",)]  # their merge
    assert rows(ask(server, NAMED, default=[G1])) == []


def test_named_graph_uri_alone_leaves_the_default_graph_empty(server: str):
    # Was: the store's default graph answered as if no dataset had been named (issue 25).
    assert rows(ask(server, SAID, named=[G2])) == []
    assert rows(ask(server, NAMED, named=[G2])) == [(G2, "g2"), (G2, "g2 again")]


def test_both_parameters_name_the_whole_dataset(server: str):
    assert rows(ask(server, SAID, default=[G2], named=[G1])) == [("g2",), ("g2 again",)]
    assert rows(ask(server, NAMED, default=[G2], named=[G1])) == [(G1, "g1")]


def test_the_protocol_dataset_takes_precedence_over_from_and_from_named(server: str):
    from_g2 = f"SELECT ?o FROM <{G2}> WHERE {{ ?s ?p ?o }}"
    named_g2 = f"SELECT ?g ?o FROM NAMED <{G2}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert rows(ask(server, from_g2)) == [("g2",), ("g2 again",)]  # the query's own dataset
    assert rows(ask(server, from_g2, default=[G1])) == [("g1",)]
    assert rows(ask(server, named_g2)) == [(G2, "g2"), (G2, "g2 again")]
    assert rows(ask(server, named_g2, named=[G1])) == [(G1, "g1")]
    # Naming only default graphs replaces FROM NAMED too: the dataset has no named graph.
    assert rows(ask(server, named_g2, default=[G1])) == []


def test_a_graph_the_store_does_not_hold_is_an_empty_graph(server: str):
    assert rows(ask(server, SAID, default=[NOWHERE])) == []
    assert rows(ask(server, NAMED, named=[NOWHERE])) == []
    assert rows(ask(server, SAID, default=[NOWHERE, G1])) == [("g1",)]


def test_post_takes_the_dataset_from_the_form_or_the_url(server: str):
    form = requests.post(
        server,
        data=[("query", SAID), ("default-graph-uri", G1)],
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert rows(form) == [("g1",)]
    direct = requests.post(
        server,
        params=[("named-graph-uri", G1)],
        data=NAMED.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        timeout=30,
    )
    assert rows(direct) == [(G1, "g1")]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_names_the_dataset(server: str, method: str):
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    client = sparqlwrapper.SPARQLWrapper(server)
    client.setReturnFormat(sparqlwrapper.JSON)
    client.setMethod(getattr(sparqlwrapper, method))

    def values(query: str) -> list[str]:
        client.setQuery(query)
        bindings = client.queryAndConvert()["results"]["bindings"]
        return sorted(b["o"]["value"] for b in bindings)

    assert values(SAID) == ["default"]
    client.addDefaultGraph(G2)
    assert values(SAID) == ["g2", "g2 again"]
    assert values(f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}") == ["g2", "g2 again"]
    client.clearParameter("default-graph-uri")
    client.addNamedGraph(G1)
    assert values(SAID) == []
    assert values(NAMED) == ["g1"]
