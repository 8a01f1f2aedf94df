"""Enrichment against a local server that answers in the real APIs' formats.

The real client code runs (cached session, limiter, retries, parsers); only the host differs,
set through KG_ARXIV_API and KG_S2_API as a user would point kg at a mirror.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from kg import pipeline
from kg.ask.query import load_store, select
from kg.cli import app
from kg.enrich import arxiv, enrich_papers, s2
from kg.enrich import session as sess
from kg.enrich.match import THRESHOLD, title_similarity
from kg.enrich.session import Client, EnrichError, Limiter, NotCached, make_session
from kg.model import Paper
from tests.conftest import DATA
from tests.fake_apis import ATTENTION, BERT, CITING, Fault, World, serve, small_world

API = DATA / "api"
PAGES = DATA / "enrich_pages.txt"


@pytest.fixture
def world(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> World:
    """The small world on the local server; builds through the pipeline wait for nothing."""
    monkeypatch.setattr(arxiv, "INTERVAL", 0.0)
    monkeypatch.setattr(s2, "INTERVAL_KEYLESS", 0.0)
    return serve(small_world(), httpserver, monkeypatch)


def fast_clients(session: requests.Session, slept: list[float] | None = None) -> dict[str, Client]:
    """The real clients with a fake clock, so rate-limit waits are counted, not slept."""
    slept = [] if slept is None else slept
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return {
        name: Client(
            session, Limiter(interval, clock=lambda: now[0], sleep=sleep), sleep=sleep, jitter=lambda: 0.5
        )
        for name, interval in [("arxiv", arxiv.INTERVAL), ("s2", s2.INTERVAL_KEYLESS)]
    }


def papers() -> list[Paper]:
    from kg.sources import load_sources as load_pages
    from kg.sources.merge import merge_entries

    return merge_entries(load_pages([PAGES]).entries)


def test_titles_found_on_arxiv_then_batched_near_miss_rejected(world: World, tmp_path: Path):
    session = make_session(tmp_path / "cache.sqlite")
    enriched, report = enrich_papers(
        papers(), ["arxiv", "s2"], session=session, clients=fast_clients(session)
    )
    by_title = {p.title: p for p in enriched}
    attention = by_title["Attention Is All You Need"]
    assert (attention.key, attention.arxiv_id, attention.s2_id) == (
        "arxiv-1706.03762",
        "1706.03762",
        ATTENTION,
    )
    assert attention.categories == ["cs.CL", "cs.LG"] and attention.issued == "2017-06-12"
    assert [a for a, _ in attention.authors] == ["Ashish Vaswani", "Noam M. Shazeer"]
    assert (attention.citation_count, attention.influential_citation_count) == (4, 9000)
    assert {c.s2_id for c in attention.citations} == {*CITING, BERT}
    near = by_title["Attention Is Not All You Need"]
    assert (near.arxiv_id, near.s2_id, near.key) == (None, None, "attention-is-not-all-you-need")
    bert = by_title["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert bert.doi == "10.18653/v1/n19-1423"
    assert {r.arxiv_id for r in bert.references} == {"1409.0473", "1706.03762", None}
    assert report.counts["arxiv"] == {
        "matched": 2,
        "not_found": 1,
        "rate_limited": 0,
        "failed": 0,
        "not_asked": 0,
        "requests": 1,
    }
    assert report.counts["s2"] == {
        "matched": 2,
        "not_found": 1,
        "rate_limited": 0,
        "failed": 0,
        "not_asked": 0,
        "requests": 2,
    }
    # One title search for three titles; a title match only for the paper arXiv did not find
    # (S2 offers "Attention Is All You Need" for it, which the strict rule refuses); details,
    # references and citations of the two papers found in one batch call.
    assert world.calls == {"arxiv-search": 1, "s2-match": 1, "s2-batch": 1}


@pytest.mark.parametrize(
    ("a", "b", "accept"),
    [
        ("Attention Is All You Need", "Attention is All you Need", True),
        ("Attention Is All You Need", "Attention Is Not All You Need", False),
        (
            "BERT: Pre-training of Deep Bidirectional Transformers",
            "BERT - Pre-Training of Deep Bidirectional Transformers",
            True,
        ),
        ("Scaling Laws for Speculative Decoding", "Scaling Laws for Neural Machine Translation", False),
        ("An Image is Worth 16x16 Words", "An Image is Worth 32x32 Words", False),
        (
            "Layer Normalisation for Transformers in Speech Recognition",
            "Layer Normalization for Transformers in Speech Recognition",
            True,
        ),
    ],
)
def test_title_threshold_accepts_spelling_and_rejects_other_papers(a: str, b: str, accept: bool):
    assert (title_similarity(a, b) >= THRESHOLD) is accept


def test_enriched_graph_in_rdf(world: World, tmp_path: Path):
    session = make_session(tmp_path / "cache.sqlite")
    result = pipeline.build([PAGES], out=tmp_path / "out", enrich=["arxiv", "s2"], session=session)
    store = load_store([tmp_path / "out" / "graph.ttl"])
    rows = select(
        store,
        """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX cito: <http://purl.org/spar/cito/>
        PREFIX schema: <https://schema.org/>
        SELECT ?citing ?cited ?external WHERE {
          ?p a schema:ScholarlyArticle ; dcterms:title ?citing ; cito:cites ?c .
          OPTIONAL { ?c a schema:ScholarlyArticle ; dcterms:title ?cited }
          OPTIONAL { ?c a schema:CreativeWork ; dcterms:title ?external }
        } ORDER BY ?cited ?external ?citing""",
    )
    nmt = "Neural Machine Translation by Jointly Learning to Align and Translate"
    assert [(r["citing"][:9], r.get("cited"), r.get("external")) for r in rows] == [
        ("Attention", None, nmt),
        ("BERT: Pre", None, nmt),
        ("BERT: Pre", "Attention Is All You Need", None),
    ]
    authors = select(
        store,
        """
        PREFIX kg: <https://w3id.org/kg/vocab#>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?name ?n WHERE { ?p kg:authorship [ kg:author [ foaf:name ?name ] ; kg:position ?n ] ;
                                   kg:arxivId "1810.04805" } ORDER BY ?n""",
    )
    assert [r["name"] for r in authors] == ["Jacob Devlin", "Ming-Wei Chang"]
    same = select(
        store, "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?o WHERE { ?p owl:sameAs ?o } ORDER BY ?o"
    )
    assert {r["o"] for r in same} >= {
        "https://arxiv.org/abs/1706.03762",
        "https://doi.org/10.18653/v1/n19-1423",
        f"https://www.semanticscholar.org/paper/{BERT}",
    }
    pyshacl = pytest.importorskip("pyshacl")
    from rdflib import Graph

    conforms, _, text = pyshacl.validate(
        Graph().parse(tmp_path / "out" / "graph.ttl"), shacl_graph=Graph().parse(Path("kg/data/shapes.ttl"))
    )
    assert conforms, text
    assert result.enrichment is not None


def test_offline_rebuild_from_cache_is_byte_identical(world: World, httpserver: HTTPServer, tmp_path: Path):
    cache = tmp_path / "cache.sqlite"
    session = make_session(cache)
    pipeline.build([PAGES], out=tmp_path / "online", enrich=["arxiv", "s2"], session=session)
    sent = sum(world.calls.values())
    httpserver.stop()
    result = CliRunner().invoke(
        app,
        [
            "build",
            str(PAGES),
            "--out",
            str(tmp_path / "offline"),
            "--enrich",
            "arxiv",
            "--enrich",
            "s2",
            "--cache",
            str(cache),
            "--offline",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "online" / "graph.ttl").read_bytes() == (
        tmp_path / "offline" / "graph.ttl"
    ).read_bytes()
    assert sum(world.calls.values()) == sent  # nothing reached the (stopped) server
    httpserver.start()


def test_offline_cache_miss_is_not_cached_not_a_crash(world: World, tmp_path: Path):
    session = make_session(tmp_path / "empty.sqlite", offline=True)
    client = Client(session, Limiter(0))
    with pytest.raises(NotCached):
        client.fetch("GET", arxiv.api_url(), arxiv.read_feed, params={"search_query": "ti:x"})
    enriched, report = enrich_papers(papers(), ["arxiv", "s2"], session=session)
    assert report.counts["arxiv"]["not_asked"] == 3 and report.counts["s2"]["not_asked"] == 3
    assert report.counts["arxiv"]["failed"] == 0 and report.not_asked_reason["s2"] == "offline, not cached"
    assert report.warnings == [
        "arXiv: 3 papers not asked (offline, and not in the cache).",
        "Semantic Scholar: 3 papers not asked (offline, and not in the cache).",
    ]
    assert world.calls == {}
    assert all(p.arxiv_id is None for p in enriched)


def test_429_with_retry_after_is_honoured(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_ordered_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/busy").respond_with_json({"data": []})
    slept: list[float] = []
    client = Client(make_session(tmp_path / "c.sqlite"), Limiter(0), sleep=slept.append)
    body = client.fetch("GET", httpserver.url_for("/busy"), s2.read_match)
    assert body == [] and slept == [7.0] and client.sent == 2


def test_500_is_retried_with_backoff_then_reported(httpserver: HTTPServer, tmp_path: Path):
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    slept: list[float] = []
    client = Client(
        make_session(tmp_path / "c.sqlite"), Limiter(0), retries=2, sleep=slept.append, jitter=lambda: 0.5
    )
    with pytest.raises(EnrichError, match="HTTP 500 after 3 tries"):
        client.fetch("GET", httpserver.url_for("/broken"), s2.read_match)
    assert slept == [3.0, 6.0]  # 2 s x 2^attempt x (1 + jitter)


def test_timeout_is_a_warning_not_a_crash(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    httpserver.expect_request("/arxiv").respond_with_handler(slow)
    monkeypatch.setenv("KG_ARXIV_API", httpserver.url_for("/arxiv"))
    monkeypatch.setattr(sess, "READ_TIMEOUT", 0.2)
    session = make_session(tmp_path / "c.sqlite")
    _, report = enrich_papers(papers(), ["arxiv"], session=session, clients=fast_clients(session))
    assert report.counts["arxiv"]["failed"] == 3
    assert report.warnings == [
        "arXiv: a request failed: no answer within 0.2 s: "
        + arxiv.api_url()
        + "?"
        + "search_query=ti%3A%22Attention+Is+All+You+Need%22+OR+ti%3A%22Attention+Is+Not+All+You+Need%22"
        + "+OR+ti%3A%22BERT+Pre-training+of+Deep+Bidirectional+Transformers+for+Language+Understanding%22"
        + "&start=0&max_results=9"
    ]


@pytest.mark.parametrize("body", ["<feed><entry>", "not xml at all", '<?xml version="1.0"?><html/>'])
def test_malformed_atom_is_reported(
    body: str, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    httpserver.expect_request("/arxiv").respond_with_data(body, content_type="application/atom+xml")
    monkeypatch.setenv("KG_ARXIV_API", httpserver.url_for("/arxiv"))
    session = make_session(tmp_path / "c.sqlite")
    _, report = enrich_papers(papers(), ["arxiv"], session=session, clients=fast_clients(session))
    assert report.counts["arxiv"]["failed"] == 3 and report.warnings


def test_malformed_json_is_reported_and_not_cached(world: World, tmp_path: Path):
    world.faults["s2-match"].append(Fault(200, "{not json"))
    session = make_session(tmp_path / "c.sqlite")
    _, report = enrich_papers(papers(), ["s2"], session=session, clients=fast_clients(session))
    # arXiv found two titles; the third paper's title match came back malformed.
    assert report.counts["s2"] == {
        "matched": 2,
        "not_found": 0,
        "rate_limited": 0,
        "failed": 1,
        "not_asked": 0,
        "requests": 2,
    }
    assert any("malformed JSON" in w for w in report.warnings)
    # Every answer that parsed is cached (the arXiv search, the batch), the malformed one not.
    assert len(session.cache.responses) == sum(world.calls.values()) - 1
    world.calls.clear()
    _, report = enrich_papers(papers(), ["s2"], session=session, clients=fast_clients(session))
    assert world.calls == {"s2-match": 1}  # asked again: the malformed answer was not kept
    assert report.counts["s2"]["not_found"] == 1 and report.counts["s2"]["failed"] == 0


def test_cli_never_fails_the_build_on_network_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KG_ARXIV_API", "http://127.0.0.1:9/arxiv")  # nothing listens on port 9
    monkeypatch.setenv("KG_S2_API", "http://127.0.0.1:9/s2")
    monkeypatch.setattr(s2, "INTERVAL_KEYLESS", 0.0)
    monkeypatch.setattr(arxiv, "INTERVAL", 0.0)
    monkeypatch.setattr(Client, "retries", 0)
    result = CliRunner().invoke(
        app,
        [
            "build",
            str(PAGES),
            "--out",
            str(tmp_path / "o"),
            "-e",
            "arxiv",
            "-e",
            "s2",
            "--cache",
            str(tmp_path / "c.sqlite"),
        ],
    )
    assert result.exit_code == 0, result.output
    # arXiv and Semantic Scholar share the one host here: 3 refused requests give it up.
    assert warnings_of(result.stderr) == [
        "arXiv: 127.0.0.1:9 (connection refused, 3 requests in a row) is unreachable: 3 papers failed. "
        "Check the connection, or build with --offline to use only cached answers.",
        "Semantic Scholar: 127.0.0.1:9 (connection refused, 3 requests in a row) is unreachable: 2 papers "
        "failed, 1 not asked. Check the connection, or build with --offline to use only cached answers.",
    ]
    flat = " ".join(result.stderr.split())
    assert "Plan: arXiv: 1 request (1 title search); 0 s of waits" in flat
    assert (
        "Plan: Semantic Scholar: about 1 request (about 1 batch of details, references and citations), and "
        "up to 3 title matches for the papers arXiv misses; about 0 s of waits"
    ) in flat
    # matched, not found, rate-limited, failed, not asked, requests sent
    assert re.search(r"arxiv\W+0\W+0\W+0\W+3\W+0\W+1\W", result.stdout)
    assert re.search(r"s2\W+0\W+0\W+0\W+2\W+1\W+2\W", result.stdout)
    assert "not asked: s2 (network down)" in result.stdout


def warnings_of(stderr: str) -> list[str]:
    """The warnings of a CLI run, each joined into one line (rich wraps long lines)."""
    found: list[str] = []
    for line in stderr.splitlines():
        if line.startswith(("Warning: ", "Plan: ", "Note: ", "Error: ")):
            found.append(line)
        elif found and line.strip():
            found[-1] += " " + line.strip()
    return [w.removeprefix("Warning: ") for w in found if w.startswith("Warning: ")]


def test_arxiv_wrappers_sort_papers_into_matched_and_unmatched(world: World, tmp_path: Path):
    client = fast_clients(make_session(tmp_path / "c.sqlite"))["arxiv"]
    by_id = arxiv.lookup_ids({"a": "1706.03762", "b": "2501.99999"}, client=client)
    assert (sorted(by_id.matched), by_id.unmatched) == (["a"], ["b"])
    by_title = arxiv.search_titles({"x": "Attention Is All You Need", "y": "Nothing Like It"}, client=client)
    assert (by_title.matched["x"].arxiv_id, by_title.unmatched) == ("1706.03762", ["y"])
    assert world.calls == {"arxiv-ids": 1, "arxiv-search": 1}
