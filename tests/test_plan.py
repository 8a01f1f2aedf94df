"""The request plan: cheapest requests first, counted before sending, rate limits as users meet them.

Everything runs against the local fake APIs (tests/fake_apis.py) with the real clients on a
fake clock: waits are recorded, never slept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from kg.enrich import enrich_papers, s2
from kg.enrich.plan import Plan
from kg.enrich.session import make_session
from kg.model import Paper
from tests.fake_apis import ATTENTION, BERT, Fault, Work, World, serve, small_world
from tests.test_enrich import fast_clients, papers


@pytest.fixture
def world(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> World:
    return serve(small_world(), httpserver, monkeypatch)


def known(*ids: str) -> list[Paper]:
    """Papers an id list names: an arXiv id, no title."""
    return [Paper(f"arxiv-{i}", "", None, arxiv_id=i) for i in ids]


def enrich(papers_: list[Paper], sources: list[str], cache: Path, slept: list[float] | None = None):
    session = make_session(cache)
    plans: list[Plan] = []
    enriched, report = enrich_papers(
        papers_, sources, session=session, clients=fast_clients(session, slept), on_plan=plans.append
    )
    return enriched, report, plans[0]


def test_two_known_arxiv_ids_cost_one_batch_call_and_a_warm_rebuild_none(world: World, tmp_path: Path):
    cache = tmp_path / "c.sqlite"
    enriched, report, plan = enrich(known("1706.03762", "1810.04805"), ["s2"], cache)
    # So few papers cannot fill an answer: details, references and citations in one call.
    assert world.calls == {"s2-batch": 1}
    assert plan.lines() == [
        "Semantic Scholar: 1 request (1 batch of details, references and citations); 0 s of waits"
    ]
    assert report.counts == {
        "s2": {"matched": 2, "not_found": 0, "rate_limited": 0, "failed": 0, "not_asked": 0, "requests": 1}
    }
    bert = next(p for p in enriched if p.arxiv_id == "1810.04805")
    assert bert.title.startswith("BERT: Pre-training") and bert.s2_id == BERT and len(bert.references) == 3
    world.calls.clear()
    _, report, plan = enrich(known("1706.03762", "1810.04805"), ["s2"], cache)
    assert world.calls == {} and report.counts["s2"]["requests"] == 0
    assert plan.lines() == ["every answer is in the cache; nothing to send"]


def test_with_arxiv_the_ids_cost_one_more_request(world: World, tmp_path: Path):
    _, report, plan = enrich(known("1706.03762", "1810.04805"), ["arxiv", "s2"], tmp_path / "c.sqlite")
    assert world.calls == {"arxiv-ids": 1, "s2-batch": 1}
    assert plan.requests("arxiv") == (1, 0) and plan.requests("s2") == (1, 0)
    assert report.counts["arxiv"]["matched"] == 2


def test_unknown_ids_come_back_null_and_count_as_not_found(world: World, tmp_path: Path):
    enriched, report, _ = enrich(known("1706.03762", "2501.99999"), ["s2"], tmp_path / "c.sqlite")
    assert report.counts["s2"] == {
        "matched": 1,
        "not_found": 1,
        "rate_limited": 0,
        "failed": 0,
        "not_asked": 0,
        "requests": 1,
    }
    assert world.log[0][1].endswith('{"ids": ["ARXIV:1706.03762", "ARXIV:2501.99999"]}')
    assert [p.s2_id for p in enriched] == [ATTENTION, None]


def test_a_doi_goes_to_the_batch_as_is(world: World, tmp_path: Path):
    enriched, _, _ = enrich([Paper("doi-x", "", None, doi="10.18653/v1/n19-1423")], ["s2"], tmp_path / "c")
    assert world.calls == {"s2-batch": 1} and '"DOI:10.18653/v1/n19-1423"' in world.log[0][1]
    assert (enriched[0].arxiv_id, enriched[0].title[:4], enriched[0].key) == (
        "1810.04805",
        "BERT",
        "arxiv-1810.04805",
    )


def test_titles_go_to_arxiv_search_first_even_for_s2_alone(world: World, tmp_path: Path):
    enriched, report, _ = enrich(papers(), ["s2"], tmp_path / "c.sqlite")
    # Ten titles a request on arXiv; Semantic Scholar's one-a-request match only for the rest.
    assert world.calls == {"arxiv-search": 1, "s2-match": 1, "s2-batch": 1}
    attention = next(p for p in enriched if p.s2_id == ATTENTION)
    assert attention.categories == []  # arXiv gave the id only: it was not asked to enrich
    assert report.counts["arxiv"]["matched"] == 2 and report.counts["s2"]["matched"] == 2


def test_a_reference_list_cut_at_the_limit_is_completed_page_by_page(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    refs = [Work(f"{n:040x}", f"Cited work {n}", year=2010) for n in range(1, 6)]
    survey = Work("5" * 40, "A survey", arxiv_id="2305.00001", references=[w.s2_id for w in refs])
    world = serve(World([*refs, survey], nested_cap=2), httpserver, monkeypatch)
    monkeypatch.setattr(s2, "NESTED", 2)
    monkeypatch.setattr(s2, "PAGE", 2)
    enriched, _, _ = enrich(known("2305.00001"), ["s2"], tmp_path / "c.sqlite")
    assert world.calls == {"s2-batch": 1, "s2-references": 3}
    pages = [q.split("&") for e, q in world.log if e == "s2-references"]
    assert [[p for p in page if p.startswith("offset=")] for page in pages] == [
        ["offset=0"],
        ["offset=2"],
        ["offset=4"],
    ]
    assert [r.title for r in enriched[0].references] == [f"Cited work {n}" for n in range(1, 6)]


def test_rate_limited_mid_plan_then_a_rebuild_resumes_from_the_cache(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(s2, "TOGETHER", 0)  # as for a large corpus: details first, then links
    cache = tmp_path / "c.sqlite"
    busy = Fault(429, '{"message": "Too Many Requests"}', {"Retry-After": "7"})
    world.faults["s2-batch"] = [None] + [busy] * 5  # details pass; links stay rate-limited
    slept: list[float] = []
    _, report, _ = enrich(known("1706.03762", "1810.04805"), ["s2"], cache, slept)
    assert slept == [1.0] + [7.0] * 4  # the 1 s between calls; Retry-After between the five tries
    assert report.counts["s2"] == {
        "matched": 0,
        "not_found": 0,
        "rate_limited": 2,
        "failed": 0,
        "not_asked": 0,
        "requests": 6,
    }
    assert any("rate-limited" in w and "build again later to resume" in w for w in report.warnings)
    world.calls.clear()
    enriched, report, plan = enrich(known("1706.03762", "1810.04805"), ["s2"], cache)
    # Nothing of the 429s was kept: the plan and the rebuild send exactly the missing call.
    assert plan.lines() == ["Semantic Scholar: 1 request (1 batch of references and citations); 0 s of waits"]
    assert world.calls == {"s2-batch": 1}
    assert report.counts["s2"]["matched"] == 2 and all(p.citations for p in enriched)


def test_a_long_retry_after_is_not_waited_for_and_the_source_is_left(world: World, tmp_path: Path):
    world.faults["s2-batch"] = [Fault(429, "{}", {"Retry-After": "3600"})]
    slept: list[float] = []
    _, report, _ = enrich(known("1706.03762", "1810.04805"), ["s2"], tmp_path / "c.sqlite", slept)
    assert slept == [] and world.calls == {"s2-batch": 1}
    assert report.counts["s2"]["rate_limited"] == 2
    assert any("asked to wait 3600 s" in w for w in report.warnings)


@pytest.mark.parametrize("fault", [Fault(500, "oops"), Fault(200, "[not json"), Fault(200, '{"data": []}')])
def test_failed_or_malformed_answers_are_not_cached(world: World, tmp_path: Path, fault: Fault):
    cache = tmp_path / "c.sqlite"
    world.faults["s2-batch"] = [fault] * 5
    _, report, _ = enrich(known("1706.03762", "1810.04805"), ["s2"], cache)
    assert report.counts["s2"]["failed"] == 2
    world.faults.clear()
    world.calls.clear()
    _, report, _ = enrich(known("1706.03762", "1810.04805"), ["s2"], cache)
    assert world.calls == {"s2-batch": 1} and report.counts["s2"]["matched"] == 2


def test_link_batches_stay_within_the_documented_limits():
    assert s2.link_batches({f"{n:03d}": (1, 0) for n in range(600)}) == [
        [f"{n:03d}" for n in range(500)],
        [f"{n:03d}" for n in range(500, 600)],
    ]
    heavy = {f"p{n}": (1000, 5000) for n in range(9)}  # each weighs 2,000 nested entries
    assert [len(b) for b in s2.link_batches(heavy)] == [4, 4, 1]
    assert s2.link_batches({"a": (0, 0), "b": (None, 3)}) == [["b"]]


def test_plan_for_a_cold_title_corpus_is_an_honest_estimate(world: World, tmp_path: Path):
    _, _, plan = enrich(papers(), ["arxiv", "s2"], tmp_path / "c.sqlite")
    assert plan.lines() == [
        "arXiv: 1 request (1 title search); 0 s of waits",
        "Semantic Scholar: about 1 request (about 1 batch of details, references and citations), and up to "
        "3 title matches for the papers arXiv misses; about 0 s of waits (up to 3 s)",
    ]


def test_a_documented_batch_answer_parses_with_its_nulls():
    import json

    from tests.conftest import DATA

    body = json.loads((DATA / "api" / "s2_batch.json").read_text())
    attention, unknown, literature = (s2.parse_record(item) for item in body)
    assert unknown is None
    assert attention is not None and literature is not None
    assert (attention.arxiv_id, attention.doi, attention.published, attention.citation_count) == (
        "1706.03762",
        "10.48550/arXiv.1706.03762",
        "2017-06-12",
        120000,
    )
    assert attention.authors == (("Ashish Vaswani", "40348417"), ("Noam Shazeer", None))
    assert attention.embedding == (0.25, -0.5, 1.0) and attention.abstract is None
    assert (literature.venue, literature.published, literature.influential_citation_count) == (
        None,
        None,
        None,
    )
    links = s2._links(body[0], attention.reference_count, attention.citation_count)
    assert [r.year for r in links.references] == [2014, None] and not links.references_cut
    assert [c.title for c in links.citations] == ["A Survey of Transformers"]
    assert s2._links(body[2], 27, 299).references == ()  # `null`: elided by the publisher
