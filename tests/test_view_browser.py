"""The seed build's page in real headless Chromium, with the network blocked: the issue's
"done when" figures, measured as a reader meets them (first screen, clicks, search, panel,
keys, focus view, a narrow window)."""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import pipeline
from kg.view import ViewOptions, write_html
from kg.view import page as view_page
from kg.view.page import data_of_page

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOI = "Detecting Any Human-Object Interaction Relationship: Universal HOI Detector with Spatial Prompt Learning on Foundation Models"


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


if not _browser_available():
    if os.environ.get("CI") == "true":
        pytest.fail("CI needs Debian chromium and playwright for the browser test", pytrace=False)
    pytest.skip("needs Debian chromium (apt-get install chromium) and playwright", allow_module_level=True)


def page_data(path: Path) -> dict:
    return data_of_page(path.read_text())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The seed build's page, and the seed drawn with a small cap (most papers left undrawn)."""
    out = tmp_path_factory.mktemp("view")
    result = pipeline.build(out=out)
    capped = out / "capped.html"
    # This page's data travels deflated, as a large corpus's does.
    limit = view_page.COMPRESS_ABOVE
    view_page.COMPRESS_ABOVE = 0
    try:
        write_html(result.graph, capped, ViewOptions(max_nodes=80))
    finally:
        view_page.COMPRESS_ABOVE = limit
    assert '{"deflated": "' in capped.read_text()
    return out / "graph.html", capped


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, path: Path, width: int = 1280, height: int = 800, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    requests: list[str] = []

    def block(route):
        requests.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?!file:).*"), block)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return context, page, requests, errors


SCREEN = """() => {
  const box = document.getElementById("graph");
  const w = box.clientWidth, h = box.clientHeight;
  const pos = Object.values(kgNetwork.getPositions()).map(p => kgNetwork.canvasToDOM(p));
  const inside = pos.filter(p => p.x >= 0 && p.x <= w && p.y >= 0 && p.y <= h);
  const xs = inside.map(p => p.x), ys = inside.map(p => p.y);
  return {n: pos.length, inside: inside.length, spanX: (Math.max(...xs) - Math.min(...xs)) / w,
          spanY: (Math.max(...ys) - Math.min(...ys)) / h, scale: kgNetwork.getScale()};
}"""


def first_screen_fits(page) -> dict:
    screen = page.evaluate(SCREEN)
    assert screen["inside"] >= 0.9 * screen["n"], screen
    assert screen["spanX"] >= 0.4 and screen["spanY"] >= 0.4, screen
    return screen


def test_seed_map_reads_offline(built, browser):
    page_file, _ = built
    data = page_data(page_file)
    context, page, requests, errors = open_page(browser, page_file)
    drawn = len(data["M"]["n"])
    assert page.evaluate("kgNodes.length") == drawn > 400
    assert page.evaluate("Object.keys(kgNetwork.body.nodes).length") == drawn

    # The first screen shows the map, not a ball in a corner, with every coloured cluster named.
    first = first_screen_fits(page)
    named = page.evaluate("KG.visibleLabels.filter(l => l.cluster !== undefined).map(l => l.cluster)")
    assert set(range(data["K"]["coloured"])) <= set(named)

    # Labels never overprint, on the first screen or zoomed into a cluster.
    for zoom in ("", "kgNetwork.moveTo({position: KG.scene.clusters[0], scale: 1.6, animation: false})"):
        rects = page.evaluate(
            f"() => {{ {zoom}; kgNetwork.redraw(); return KG.visibleLabels.map(l => l.rect); }}"
        )
        assert len(rects) > 60
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    page.keyboard.press("0")
    page.wait_for_timeout(400)

    # Clicking the centre of a drawn node at scale 1 selects that node, every time.
    ids = sorted(page.evaluate("Object.keys(kgNetwork.getPositions()).map(Number)"))
    box = page.locator("#graph").bounding_box()
    wrong = []
    for k, node in enumerate(random.Random(13).sample(ids, 60)):
        # Successive clicks land 300 px apart: two at one spot would be a double click.
        centre = page.evaluate(
            """([id, dx]) => { const p = kgNetwork.getPositions([id])[id];
                 kgNetwork.moveTo({position: {x: p.x + dx, y: p.y}, scale: 1, animation: false});
                 return kgNetwork.canvasToDOM(p); }""",
            [node, 150 if k % 2 else -150],
        )
        page.mouse.click(box["x"] + centre["x"], box["y"] + centre["y"])
        if page.evaluate("kgNetwork.getSelectedNodes()") != [node]:
            wrong.append(node)
    assert wrong == []

    # `0` fits the view again.
    page.evaluate("kgNetwork.moveTo({scale: 3, animation: false})")
    page.locator("#graph").click(position={"x": 5, "y": 300})
    page.keyboard.press("0")
    page.wait_for_timeout(400)
    assert first_screen_fits(page)["scale"] == pytest.approx(first["scale"], rel=0.02)

    # Searching "LLM" lists the papers tagged *large language model* (its acronym), and no
    # name that merely contains the letters.
    concepts = data["C"]["l"]
    llm = concepts.index("large language models")
    tagged = {t for t, cs in zip(data["P"]["t"], data["P"]["c"], strict=True) if llm in cs}
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("LLM")
    page.wait_for_selector("#results li[role=option]")
    rows = page.eval_on_selector_all(
        "#results li[role=option] .t",
        "els => els.map(e => [e.firstChild.textContent, e.lastChild.textContent])",
    )
    assert rows[0] == ["concept", "large language models"]
    papers = [title for kind, title in rows if kind == "paper"]
    assert len(papers) >= min(20, len(tagged))
    assert all(title in tagged or re.search(r"\bLLM", title) for title in papers)
    found = page.evaluate("KG.search('LLM').filter(r => r.rec.type === 'paper').map(r => r.rec.title)")
    assert tagged <= set(found)
    assert not any("nullmax" in title.lower() for _, title in rows)
    # ↓ ↓ Enter opens the second result.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("t => document.querySelector('#panel h2')?.textContent === t", arg=rows[1][1])

    # A paper's panel lists its similar papers, and a concept chip shows the concept's papers.
    titles = data["P"]["t"]
    sim = data["E"]["sim"]
    neighbours: dict[int, set[str]] = {}
    for i in range(0, len(sim), 4):
        neighbours.setdefault(sim[i], set()).add(titles[sim[i + 1]])
        neighbours.setdefault(sim[i + 1], set()).add(titles[sim[i]])
    paper = max(neighbours, key=lambda p: (len(neighbours[p]), -p))
    page.fill("#search", titles[paper])
    page.press("#search", "Enter")
    page.wait_for_function("t => document.querySelector('#panel h2')?.textContent === t", arg=titles[paper])
    listed = page.evaluate(
        """() => { const h = [...document.querySelectorAll('#panel h3')].find(e => e.textContent.startsWith('Similar papers'));
                   return [...h.nextElementSibling.querySelectorAll(':scope > li button.linkish')].map(b => b.textContent); }"""
    )
    assert set(listed) == neighbours[paper] and len(listed) == len(neighbours[paper])
    assert page.evaluate("kgNetwork.getSelectedNodes().length") == 1
    page.locator("#panel .chip").first.click()
    assert page.inner_text("#panel .kind") == "Concept"

    # Input text reaches the page as text: the HOI abstract's <human, action, object> survives.
    page.fill("#search", "universal hoi detector")
    page.press("#search", "Enter")
    page.wait_for_function("t => document.querySelector('#panel h2')?.textContent === t", arg=HOI)
    assert "<human, action, object>" in page.inner_text("#panel .abstract")

    # The focus view: the paper at the centre with 30-40 nearest papers; Escape returns.
    page.click(".focus-button")
    page.wait_for_selector("#focusbar:not([hidden])")
    focus = page.evaluate("Object.keys(kgNetwork.getPositions()).length")
    assert 31 <= focus <= 41
    assert page.evaluate("KG.scene.nodes[0].x === 0 && KG.scene.nodes[0].y === 0")
    first_screen_fits(page)
    page.locator("#graph").click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_selector("#focusbar[hidden]", state="attached")
    assert page.evaluate("Object.keys(kgNetwork.getPositions()).length") == drawn

    assert requests == [] and errors == []
    context.close()


def test_undrawn_papers_are_found_and_brought_into_view(built, browser):
    _, capped = built
    data = page_data(capped)
    drawn = {row[1] for row in data["M"]["n"] if row[0] == "P"}
    assert len(drawn) < 80 and len(data["P"]["t"]) > 400
    undrawn = next(i for i, t in enumerate(data["P"]["t"]) if i not in drawn and "HOI" in t)
    context, page, requests, errors = open_page(browser, capped)
    page.fill("#search", "universal hoi")
    page.wait_for_selector("#results li[role=option]")
    assert "not drawn" in page.inner_text("#results li[role=option]")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel h2")
    assert page.inner_text("#panel h2") == data["P"]["t"][undrawn]
    page.click(".focus-button")
    page.wait_for_selector("#focusbar:not([hidden])")
    assert page.evaluate("KG.scene.nodes[0].rec.i") == undrawn
    assert page.evaluate("kgNetwork.getSelectedNodes()") == [0]
    # A failed search says so and leaves no stale panel.
    page.fill("#search", "zzzz no such thing")
    page.press("#search", "Enter")
    page.wait_for_function("document.getElementById('status').textContent.startsWith('Nothing matches')")
    assert page.evaluate("document.getElementById('panel').hidden")
    assert requests == [] and errors == []
    context.close()


def test_narrow_dark_window_gives_the_map_the_width(built, browser):
    page_file, _ = built
    context, page, requests, errors = open_page(browser, page_file, 700, 900, "dark")
    graph = page.locator("#graph").bounding_box()
    assert graph["width"] == 700 and graph["height"] >= 780
    first_screen_fits(page)
    background = page.evaluate("getComputedStyle(document.getElementById('graph')).backgroundColor")
    assert background == "rgb(21, 24, 29)"
    assert page.locator("#sidebody").is_hidden()
    page.click("#sidetoggle")
    assert page.locator("#controls").is_visible()
    assert requests == [] and errors == []
    context.close()


def test_enriched_map_has_years_authors_citations_and_hover(tmp_path: Path, browser):
    from kg.view import to_pyvis
    from tests.test_view import enriched_graph

    graph = enriched_graph()
    options = ViewOptions(groups=("papers", "concepts", "authors"), min_concept_papers=1)
    path = tmp_path / "enriched.html"
    write_html(graph, path, options)
    context, page, requests, errors = open_page(browser, path)
    # The year range hides papers outside it (the undated one stays).
    page.fill("#year-from", "2022")
    page.dispatch_event("#year-from", "input")
    hidden = page.evaluate("KG.scene.nodes.filter(n => n.hidden).map(n => n.rec.title)")
    assert hidden == ["Alpha: Speculative decoding with drafts"]
    page.fill("#year-from", "2021")
    page.dispatch_event("#year-from", "input")
    page.check("#colour-year")
    colours = page.evaluate(
        "KG.scene.nodes.filter(n => n.kind === 'paper').map(n => KG.visNodes.get(n.id).color.background)"
    )
    assert len(set(colours)) == 4  # three years and one paper without a date
    # Authors and citations reach the panel.
    page.fill("#search", "ada lovelace")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel h2")
    assert page.inner_text("#panel .kind") == "Author"
    papers = page.eval_on_selector_all("#panel li.paper button", "els => els.map(e => e.textContent)")
    assert sorted(papers) == [
        "Alpha: Speculative decoding with drafts",
        "Beta: Draft models for speculative decoding",
    ]
    page.click("#panel li.paper button >> text=Alpha: Speculative decoding with drafts")
    heads = page.eval_on_selector_all("#panel h3", "els => els.map(e => e.textContent)")
    assert "Cited by, in this corpus (1)" in heads and "Links" in heads
    assert page.inner_text("#panel .meta") == "2021-05-01 · 12 citations"
    # Hovering a node shows what to_pyvis gives as its hover text, and dims the rest.
    net = to_pyvis(graph, options)
    node = page.evaluate("KG.scene.nodes.find(n => n.rec.title && n.rec.title.startsWith('Beta')).id")
    page.keyboard.press("Escape")
    # Closing the panel moves the view (it fits again): hover once the node stands still.
    where = "(id) => kgNetwork.canvasToDOM(kgNetwork.getPositions([id])[id])"
    at, before = page.evaluate(where, node), None
    for _ in range(40):
        if at == before:
            break
        page.wait_for_timeout(100)
        before, at = at, page.evaluate(where, node)
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    page.wait_for_selector("#hovercard:not([hidden])")
    assert page.inner_text("#hovercard") == net.nodes[node]["title"]
    assert page.evaluate("KG.highlight.list.length") == len(page.evaluate(f"KG.neighbourhood({node})"))
    assert requests == [] and errors == []
    context.close()


def test_a_month_is_shown_as_a_month_never_a_first_day(tmp_path: Path, browser):
    snapshot = Path(__file__).resolve().parent / "data" / "snapshot" / "arxiv-metadata.jsonl"
    pipeline.build([snapshot], out=tmp_path)
    context, page, requests, errors = open_page(browser, tmp_path / "graph.html")
    dates = page.evaluate(
        "Object.fromEntries(KG.papers.filter(p => p.title.startsWith('Calculation of prompt') || "
        "p.title.startsWith('Semantic-Clipping')).map(p => [p.title.slice(0, 11), KG.dateText(p)]))"
    )
    assert dates == {"Calculation": "Apr 2007", "Semantic-Cl": "Mar 2025"}
    assert page.evaluate("KG.formatDate('2024-10-25')") == "2024-10-25"  # a day stays a day
    assert page.evaluate("KG.formatDate('2024')") == "2024"
    assert not errors and not requests
    context.close()
