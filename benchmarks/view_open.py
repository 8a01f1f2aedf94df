"""Time from opening exports/graph.html to the first drawn frame, in headless Chromium.

Measures the seed build's page and a 10k-paper synthetic build's page (default caps), with
the network blocked, three runs each; prints the median, the page's size, the build's html
stage, and in the page the time of a search ("LLM") and of opening a focus view.

    python -m benchmarks.view_open
    python -m benchmarks.view_open PAGE.html ...   # given pages: open-to-ready and fps while zooming
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import write_pages
from kg import pipeline

OUT = Path(__file__).resolve().parent / "out"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


IN_PAGE = """() => {
  const t0 = performance.now();
  const hits = KG.search("LLM").length;
  const t1 = performance.now();
  KG.focusOn(KG.papers.findIndex(p => p.similar.length > 0));
  const t2 = performance.now();
  return {search: t1 - t0, hits: hits, focus: t2 - t1};
}"""


def _open(browser, page: Path, **context_options):
    """A new tab (network blocked but for files) with `page` open and ready, and the seconds
    that took: from the navigation to the first drawn frame.  (The page may still be parsing
    then: a large map's abstracts end it, read after the map is drawn; `_parsed` waits.)"""
    context = browser.new_context(**context_options)
    context.route(
        "**/*",
        lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_(),
    )
    tab = context.new_page()
    start = time.perf_counter()
    tab.goto(page.as_uri(), wait_until="commit")
    tab.wait_for_selector("body[data-ready='1']", timeout=120_000)
    return tab, time.perf_counter() - start


def _parsed(tab: Any) -> float:
    """Seconds from the navigation to the page's load event (all of it parsed)."""
    tab.wait_for_load_state("load", timeout=120_000)
    return tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventStart") / 1000


def open_to_ready(page: Path, runs: int = 3) -> tuple[float, int, dict]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(runs):
            tab, seconds = _open(browser, page)
            times.append(seconds)
            nodes = tab.evaluate("kgNodes.length")
            actions = tab.evaluate(IN_PAGE)
            tab.context.close()
        browser.close()
    return statistics.median(times), nodes, actions


ZOOM_FPS = """async () => {
  let frames = 0, run = true;
  const tick = () => { frames++; if (run) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const t0 = performance.now();
  for (let i = 0; i < 16; i++) {
    const s = kgNetwork.getScale();
    kgNetwork.moveTo({scale: s * (i % 2 ? 1 / 1.4 : 1.4), animation: {duration: 120, easingFunction: "linear"}});
    await new Promise(r => setTimeout(r, 125));
  }
  run = false;
  return frames / ((performance.now() - t0) / 1000);
}"""


def open_and_zoom(page: Path, runs: int = 3) -> tuple[float, float, int, float]:
    """Median open-to-ready seconds, frames per second while zooming in and out, nodes drawn,
    and median seconds to the load event."""
    from playwright.sync_api import sync_playwright

    opened, fps, parsed = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(runs):
            tab, seconds = _open(browser, page, viewport={"width": 1400, "height": 900})
            opened.append(seconds)
            parsed.append(_parsed(tab))
            fps.append(tab.evaluate(ZOOM_FPS))
            nodes = tab.evaluate("kgNodes.length")
            tab.context.close()
        browser.close()
    return statistics.median(opened), statistics.median(fps), nodes, statistics.median(parsed)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "pages", nargs="*", type=Path, help="map pages to open (default: the seed and a synthetic 10k build)"
    )
    args = parser.parse_args()
    if args.pages:
        for page in (p.resolve() for p in args.pages):
            seconds, fps, nodes, parsed = open_and_zoom(page)
            print(
                f"{page}: {nodes} nodes drawn, page {page.stat().st_size / 1e6:.1f} MB, "
                f"open-to-ready {seconds:.2f} s (all parsed {parsed:.2f} s), zooming {fps:.0f} fps (medians of 3)"
            )
        return
    seed = pipeline.build(out=OUT / "view-seed")
    pages = OUT / "pages-10000"
    if not pages.exists():
        write_pages(10_000, pages)
    start = time.perf_counter()
    big = pipeline.build([pages], out=OUT / "view-10k")
    print(f"10k build: {time.perf_counter() - start:.1f} s (html stage {big.timings['html']:.2f} s)")
    for name, result in [("seed (475 papers)", seed), ("synthetic 10k papers", big)]:
        page = next(p for p in result.outputs if p.name == "graph.html")
        seconds, nodes, actions = open_to_ready(page)
        print(
            f"{name}: {nodes} nodes drawn, page {page.stat().st_size / 1e6:.1f} MB, open-to-ready {seconds:.2f} s (median of 3); "
            f"html stage {result.timings['html']:.2f} s; in the page: search 'LLM' {actions['search']:.0f} ms "
            f"({actions['hits']} results), focus view {actions['focus']:.0f} ms"
        )


if __name__ == "__main__":
    main()
