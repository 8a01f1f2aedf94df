"""Enrichment against a local server that answers in the real APIs' formats.

The real client code runs (cached session, limiter, retries, parsers); only the host differs,
set through KG_ARXIV_API and KG_S2_API as a user would point kg at a mirror.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from kg import pipeline
from kg.cli import app
from kg.enrich import arxiv, enrich_papers, s2
from kg.enrich import session as sess
from kg.enrich.match import THRESHOLD, title_similarity
from kg.enrich.session import Client, EnrichError, Limiter, NotCached, make_session
from kg.model import Paper
from kg.query import load_store, select
from tests.conftest import DATA

API = DATA / "api"
PAGES = DATA / "enrich_pages.txt"
ATTENTION = "204e3073870fae3d05bcbc2f6a8e263d9b72e776"
BERT = "df2b0e26d0599ce3e70df8a9da02e51594e0e992"
BAHDANAU = "fa72afa9b2cbc8f0d7b05d52548906610ffbb9c5"
S2_PAPERS = {
    ATTENTION: {
        "paperId": ATTENTION,
        "title": "Attention is All you Need",
        "externalIds": {"ArXiv": "1706.03762", "DBLP": "conf/nips/VaswaniSPUJGKP17", "CorpusId": 13756489},
        "authors": [
            {"authorId": "40348417", "name": "Ashish Vaswani"},
            {"authorId": "1846258", "name": "Noam M. Shazeer"},
        ],
        "year": 2017,
        "venue": "Neural Information Processing Systems",
        "publicationDate": "2017-06-12",
    },
    BERT: {
        "paperId": BERT,
        "title": "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "externalIds": {"ArXiv": "1810.04805", "DOI": "10.18653/v1/N19-1423", "CorpusId": 52967399},
        "authors": [
            {"authorId": "39172707", "name": "Jacob Devlin"},
            {"authorId": "1744179", "name": "Ming-Wei Chang"},
        ],
        "year": 2019,
        "venue": "North American Chapter of the Association for Computational Linguistics",
        "publicationDate": "2018-10-11",
    },
}
REFERENCES = {  # BERT's references, served in pages of one
    BERT: [
        {
            "citedPaper": {
                "paperId": BAHDANAU,
                "title": "Neural Machine Translation by Jointly Learning to Align and Translate",
                "externalIds": {"ArXiv": "1409.0473", "CorpusId": 11212020},
            }
        },
        {
            "citedPaper": {
                "paperId": ATTENTION,
                "title": "Attention is All you Need",
                "externalIds": {"ArXiv": "1706.03762", "CorpusId": 13756489},
            }
        },
        {"citedPaper": {"paperId": None, "title": "An unpublished note", "externalIds": None}},
    ],
    ATTENTION: [],
}


class Calls:
    def __init__(self) -> None:
        self.count: dict[str, int] = {}

    def add(self, what: str) -> None:
        self.count[what] = self.count.get(what, 0) + 1


def s2_handler(calls: Calls):
    def handle(request: Request) -> Response:
        path = request.path.removeprefix("/s2")
        if path == "/paper/search/match":
            calls.add("s2-match")
            query = request.args["query"].lower()
            if "bert" in query:
                body = {"data": [{"paperId": BERT, "title": S2_PAPERS[BERT]["title"], "matchScore": 230.5}]}
            elif "attention" in query:  # S2's fuzzy match offers this paper for the near-miss too
                body = {
                    "data": [
                        {"paperId": ATTENTION, "title": "Attention is All you Need", "matchScore": 190.2}
                    ]
                }
            else:
                return Response(
                    json.dumps({"error": "Title match not found"}), 404, content_type="application/json"
                )
            return Response(json.dumps(body), content_type="application/json")
        if path == "/paper/batch":
            calls.add("s2-batch")
            assert request.args["fields"] == s2.DETAIL_FIELDS
            ids = request.get_json()["ids"]
            return Response(json.dumps([S2_PAPERS.get(i) for i in ids]), content_type="application/json")
        if path.endswith("/references"):
            calls.add("s2-references")
            paper = path.split("/")[2]
            offset = int(request.args.get("offset", 0))
            refs = REFERENCES.get(paper, [])
            body = {"offset": offset, "data": refs[offset : offset + 1]}
            if offset + 1 < len(refs):
                body["next"] = offset + 1
            return Response(json.dumps(body), content_type="application/json")
        return Response("not found", 404)

    return handle


def arxiv_handler(calls: Calls):
    def handle(request: Request) -> Response:
        calls.add("arxiv")
        query = request.args.get("search_query", "")
        name = "arxiv_search.xml" if "Attention" in query or "BERT" in query else "arxiv_empty.xml"
        return Response((API / name).read_bytes(), content_type="application/atom+xml")

    return handle


@pytest.fixture
def apis(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Calls:
    calls = Calls()
    httpserver.expect_request("/arxiv").respond_with_handler(arxiv_handler(calls))
    for path in ["/s2/paper/search/match", "/s2/paper/batch"]:
        httpserver.expect_request(path).respond_with_handler(s2_handler(calls))
    httpserver.expect_request(
        __import__("re").compile(r"^/s2/paper/[0-9a-f]+/references$")
    ).respond_with_handler(s2_handler(calls))
    monkeypatch.setenv("KG_ARXIV_API", httpserver.url_for("/arxiv"))
    monkeypatch.setenv("KG_S2_API", httpserver.url_for("/s2"))
    # Builds through the pipeline use the real limiters; a local server needs no waits.
    monkeypatch.setattr(arxiv, "INTERVAL", 0.0)
    monkeypatch.setattr(s2, "INTERVAL_KEYLESS", 0.0)
    return calls


def fast_clients(session: requests.Session) -> dict[str, Client]:
    """The real clients with a fake clock, so rate-limit waits are counted, not slept."""
    slept: list[float] = []
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
    from kg.ingest import load_pages, merge_entries

    return merge_entries(load_pages([PAGES]).entries)


def test_match_near_miss_zero_results_and_batch_nulls(apis: Calls, tmp_path: Path):
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
    near = by_title["Attention Is Not All You Need"]
    assert (near.arxiv_id, near.s2_id, near.key) == (None, None, "attention-is-not-all-you-need")
    bert = by_title["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert bert.doi == "10.18653/v1/N19-1423"
    assert {r.arxiv_id for r in bert.references} == {"1409.0473", "1706.03762", None}
    assert report.counts["arxiv"] == {
        "matched": 2,
        "unmatched": 1,
        "failed": 0,
        "not asked": 0,
        "requests": 1,
    }
    assert report.counts["s2"]["matched"] == 2 and report.counts["s2"]["unmatched"] == 1
    # one match per paper, one batch, BERT's three reference pages and Attention's one
    assert apis.count == {"arxiv": 1, "s2-match": 3, "s2-batch": 1, "s2-references": 4}


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


def test_enriched_graph_in_rdf(apis: Calls, tmp_path: Path):
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
          ?p dcterms:title ?citing ; cito:cites ?c .
          OPTIONAL { ?c a schema:ScholarlyArticle ; dcterms:title ?cited }
          OPTIONAL { ?c a schema:CreativeWork ; dcterms:title ?external }
        } ORDER BY ?cited ?external""",
    )
    assert [(r.get("cited"), r.get("external")) for r in rows] == [
        (None, "Neural Machine Translation by Jointly Learning to Align and Translate"),
        ("Attention Is All You Need", None),
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
        "https://doi.org/10.18653/v1/N19-1423",
        f"https://www.semanticscholar.org/paper/{BERT}",
    }
    pyshacl = pytest.importorskip("pyshacl")
    from rdflib import Graph

    conforms, _, text = pyshacl.validate(
        Graph().parse(tmp_path / "out" / "graph.ttl"), shacl_graph=Graph().parse(Path("kg/data/shapes.ttl"))
    )
    assert conforms, text
    assert result.enrichment is not None


def test_offline_rebuild_from_cache_is_byte_identical(apis: Calls, httpserver: HTTPServer, tmp_path: Path):
    cache = tmp_path / "cache.sqlite"
    session = make_session(cache)
    pipeline.build([PAGES], out=tmp_path / "online", enrich=["arxiv", "s2"], session=session)
    sent = sum(apis.count.values())
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
    assert sum(apis.count.values()) == sent  # nothing reached the (stopped) server
    httpserver.start()


def test_offline_cache_miss_is_not_cached_not_a_crash(apis: Calls, tmp_path: Path):
    session = make_session(tmp_path / "empty.sqlite", offline=True)
    client = Client(session, Limiter(0))
    with pytest.raises(NotCached):
        client.fetch("GET", arxiv.api_url(), arxiv.read_feed, params={"search_query": "ti:x"})
    enriched, report = enrich_papers(papers(), ["arxiv", "s2"], session=session)
    assert report.counts["arxiv"]["not asked"] == 3 and report.counts["s2"]["not asked"] == 3
    assert report.counts["arxiv"]["failed"] == 0 and report.not_asked_reason["s2"] == "offline, not cached"
    assert apis.count == {}
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


def test_malformed_json_is_reported(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    httpserver.expect_request("/s2/paper/search/match").respond_with_data(
        "{not json", content_type="application/json"
    )
    monkeypatch.setenv("KG_S2_API", httpserver.url_for("/s2"))
    session = make_session(tmp_path / "c.sqlite")
    _, report = enrich_papers(papers(), ["s2"], session=session, clients=fast_clients(session))
    assert report.counts["s2"]["failed"] == 3
    assert any("malformed JSON" in w for w in report.warnings)
    assert session.cache.responses.keys() == set()  # nothing that failed to parse is kept


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
    assert result.stderr.startswith(
        "Warning: arXiv: 127.0.0.1:9 (connection refused, 3 requests in a row) is unreachable: 3 papers failed."
    )
    assert "0 / 0 / 3" in result.stdout
