"""The sampled map in Chromium: what the reader is told about the sample, abstracts of papers
not drawn, a search hit that is not drawn, the time view, and part names on zoom."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from kg import pipeline
from kg.view import ViewOptions, write_html
from kg.view import tables as view_tables
from tests.arxiv_slice import CORPUS, MISSING, records
from tests.browsers import require_browser
from tests.test_view_browser import open_page

pytestmark = pytest.mark.browser
require_browser()


@pytest.fixture(scope="module")
def sampled(tmp_path_factory) -> Path:
    """The seeds drawn with 200 places (100 papers of 475) and no abstract inline."""
    out = tmp_path_factory.mktemp("sampled")
    graph = pipeline.build_corpus().graph
    budget = view_tables.ABSTRACT_BUDGET
    view_tables.ABSTRACT_BUDGET = 0
    try:
        write_html(graph, out / "sampled.html", ViewOptions(max_nodes=200))
        write_html(graph, out / "whole.html")
    finally:
        view_tables.ABSTRACT_BUDGET = budget
    return out


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> Path:
    """Real papers of three months of 2025 and one posted first in 2024 (the snapshot has a few)."""
    if not CORPUS.exists():
        pytest.skip(MISSING)
    want = {"2503": 40, "2505": 40, "2507": 40, "2412": 1}
    picked = []
    for record in records():
        month = record["id"][:4]
        if want.get(month, 0) > 0:
            want[month] -= 1
            picked.append(record)
        if not any(want.values()):
            break
    out = tmp_path_factory.mktemp("dated")
    path = out / "dated.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in picked), encoding="utf-8")
    write_html(pipeline.build_corpus([path]).graph, out / "dated.html")
    return out / "dated.html"


def test_the_first_screen_says_how_papers_were_drawn(sampled, browser):
    context, page, requests, errors = open_page(browser, sampled / "sampled.html")
    status = page.inner_text("#status")
    assert "(100 papers)" in status and "in proportion to its size" in status, status
    assert not errors and not requests
    context.close()


def test_an_undrawn_papers_abstract_opens_from_the_deflated_block(sampled, browser):
    context, page, _, errors = open_page(browser, sampled / "sampled.html")
    found = page.evaluate(
        "() => { const i = KG.papers.findIndex(p => p.node < 0 && p.abstract === null);"
        " KG.open(KG.papers[i], {from: 'panel'}); return i; }"
    )
    assert found >= 0
    page.wait_for_function(
        "() => { const a = document.querySelector('#panel .abstract');"
        " return a && !a.textContent.startsWith('Loading'); }",
        timeout=20_000,
    )
    text = page.inner_text("#panel .abstract")
    first_words = page.evaluate(f"KG.papers[{found}].abstract").split()[:6]
    assert text.split()[:6] == first_words and len(first_words) == 6
    assert "Not drawn on this map" in page.inner_text("#panel")
    assert not errors
    context.close()


def test_choosing_an_undrawn_search_hit_brings_it_on_screen(sampled, browser):
    context, page, _, errors = open_page(browser, sampled / "sampled.html")
    title = page.evaluate("KG.papers.find(p => p.node < 0).title")
    page.fill("#search", title)
    page.wait_for_function("() => !document.getElementById('results').hidden", timeout=20_000)
    page.locator("#results li", has_text=title[:40]).first.dispatch_event("mousedown")
    page.wait_for_function("() => KG.scene.mode === 'focus'", timeout=20_000)
    assert page.evaluate("KG.papers[KG.scene.origin].title") == title
    assert "is not among the 100 drawn papers" in page.inner_text("#status")
    # Escape clears the search box, then the selection, then leaves the focus view.
    for _ in range(3):
        page.keyboard.press("Escape")
    page.wait_for_function("() => KG.scene.mode === 'map'", timeout=20_000)
    assert not errors
    context.close()


def test_time_view_puts_months_on_one_axis(dated, browser):
    context, page, _, errors = open_page(browser, dated)
    # A corpus of months is filtered by month; the one older paper counts as at the start.
    assert page.evaluate("KG.data.timeUnit") == "month"
    assert page.evaluate("KG.data.before") == 1
    assert page.evaluate("[KG.whenText(KG.data.years[0]), KG.whenText(KG.data.years[1])]") == [
        "Mar 2025",
        "Jul 2025",
    ]
    page.click("#time-view")
    page.wait_for_function("() => KG.scene.mode === 'time'", timeout=20_000)
    # Papers of a later month sit right of every paper of an earlier one, in any band.
    order = page.evaluate("() => KG.scene.nodes.map(n => [n.rec.when, n.x])")
    assert order
    by_when: dict[int, list[float]] = {}
    for when, x in order:
        by_when.setdefault(when, []).append(x)
    whens = sorted(by_when)
    for a, b in itertools.pairwise(whens):
        assert max(by_when[a]) < min(by_when[b])
    assert len(whens) == 3
    assert "by month" in page.inner_text("#status")
    page.click("#focus-back")
    page.wait_for_function("() => KG.scene.mode === 'map'", timeout=20_000)
    assert not errors
    context.close()


def test_part_names_appear_when_zoomed_into_a_cluster(sampled, browser):
    context, page, _, errors = open_page(browser, sampled / "whole.html")
    first = page.evaluate("KG.visibleLabels.filter(l => l.sub !== undefined).length")
    assert first == 0  # the whole map shows cluster names only
    parent = page.evaluate("KG.data.K.subs[0][0]")
    shown = page.evaluate(
        f"""() => {{ const d = KG.data.K.discs[{parent}], box = document.getElementById('graph');
        kgNetwork.moveTo({{position: {{x: d[0], y: d[1]}},
                          scale: 0.45 * Math.min(box.clientWidth, box.clientHeight) / d[2], animation: false}});
        kgNetwork.redraw(); return KG.visibleLabels.filter(l => l.sub !== undefined).length; }}"""
    )
    assert shown >= 1
    assert not errors
    context.close()
