"""`kg serve` as a browser meets it, in real headless Chromium: a page on another origin querying
the endpoint with `--cors` (a simple GET and a POST that needs a preflight), the same page on an
origin not listed (refused by the browser), and kg's own query page (parameter boxes, any case).

Two origins on this machine: the client page is served by a small local HTTP server and opened
as `http://localhost:PORT` (listed with `--cors`) and as `http://127.0.0.1:PORT` (not listed);
the endpoint is `http://127.0.0.1:OTHER`.  Nothing leaves the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg import pipeline
from kg.ask.query import bundled_queries, load_store, match_values, run_query
from kg.export.namespaces import PREFIXES
from tests.browsers import require_browser

pytestmark = pytest.mark.browser


# A minimal browser SPARQL client, as YASGUI or a notebook in a browser does it: fetch, then
# read the SPARQL JSON results.
CLIENT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>client</title></head><body>
<pre id="out"></pre>
<script>
const endpoint = new URLSearchParams(location.search).get("endpoint");
const query = "CLIENT_QUERY";
async function run() {
  const report = {};
  try {
    const get = await fetch(endpoint + "?query=" + encodeURIComponent(query),
                            {headers: {"Accept": "application/sparql-results+json"}});
    report.get = (await get.json()).results.bindings.map(b => b.title.value);
  } catch (e) { report.get = "refused: " + e.name; }
  try {  // application/sparql-query is not a "simple" content type: the browser sends a preflight
    const post = await fetch(endpoint, {method: "POST", body: "ASK { ?p a schema:ScholarlyArticle }",
                                        headers: {"Content-Type": "application/sparql-query",
                                                  "Accept": "application/sparql-results+json"}});
    report.post = (await post.json()).boolean;
  } catch (e) { report.post = "refused: " + e.name; }
  document.getElementById("out").textContent = JSON.stringify(report);
  document.body.dataset.done = "1";
}
run();
</script></body></html>"""
CLIENT_QUERY = (
    "SELECT ?title WHERE { ?p a schema:ScholarlyArticle ; dcterms:title ?title } ORDER BY ?title LIMIT 5"
)
CLIENT_PAGE = CLIENT_PAGE.replace("CLIENT_QUERY", CLIENT_QUERY)


require_browser()


class _Client(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = CLIENT_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def client_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Client)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> pipeline.BuildResult:
    return pipeline.build(out=tmp_path_factory.mktemp("served"), formats=["nt"])


@pytest.fixture(scope="module")
def endpoint(build, client_port) -> Iterator[str]:
    folder = build.outputs[0].parent
    command = [sys.executable, "-m", "kg", "serve", "--data", str(folder), "--port", "0"]
    command += ["--cors", f"http://localhost:{client_port}"]
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


def client_report(browser, page_url: str) -> dict:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url)
        page.wait_for_selector("body[data-done='1']", timeout=30_000)
        return json.loads(page.inner_text("#out"))
    finally:
        context.close()


def test_a_page_on_a_listed_origin_gets_results(browser, endpoint, client_port, build):
    report = client_report(browser, f"http://localhost:{client_port}/?endpoint={endpoint}query")
    store = load_store([build.outputs[0].parent])
    titles = [row["title"].value for row in store.query(CLIENT_QUERY, prefixes=PREFIXES)]  # type: ignore[index]
    assert len(titles) == 5 and report == {"get": titles, "post": True}


def test_a_page_on_an_unlisted_origin_is_refused_by_the_browser(browser, endpoint, client_port):
    report = client_report(browser, f"http://127.0.0.1:{client_port}/?endpoint={endpoint}query")
    assert report == {"get": "refused: TypeError", "post": "refused: TypeError"}


def rows_of(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#results table tr", "rows => rows.slice(1).map(r => [...r.cells].map(c => c.textContent))"
    )


def test_the_query_page_binds_its_own_parameters_in_any_case_and_never_a_typed_query(
    browser, endpoint, build
):
    store = load_store([build.outputs[0].parent])
    query = next(q for q in bundled_queries() if q.name == "papers-for-concept")
    params = {"label": "llm"}
    expected = run_query(store, query, params, match_values(store, query, params))
    want = sorted(row["title"].value for row in expected)  # type: ignore[union-attr]
    assert want  # the sample has papers tagged LLM
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(endpoint)
        page.click('#queries a[data-name="papers-for-concept"]')
        page.fill('#params input[data-name="label"]', "llm")  # the data writes "LLM"
        page.click("button[type=submit]")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('200')")
        titles = sorted(row[1] for row in rows_of(page))
        assert titles == want
        # Edited, the text is the user's own: the box goes and the query runs as typed.
        typed = "SELECT ?label WHERE { ?c skos:prefLabel ?label } ORDER BY ?label LIMIT 3"
        page.fill("#text", typed)
        assert page.eval_on_selector_all("#params input", "inputs => inputs.length") == 0
        page.evaluate("document.getElementById('status').textContent = ''")
        page.click("button[type=submit]")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('200')")
        labels = [row[0] for row in rows_of(page)]
        local = store.query(typed, prefixes={"skos": "http://www.w3.org/2004/02/skos/core#"})
        assert labels == [row["label"].value for row in local]  # type: ignore[index]
        # A syntax error in a typed query points at the text's own line.
        page.fill("#text", "SELECT ?x WHERE {\n  ?x nope:y ?z }")
        page.click("button[type=submit]")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('400')")
        assert page.inner_text("#error").startswith(
            "SPARQL syntax error: unknown prefix 'nope:' at line 2, column 6"
        )
    finally:
        context.close()
