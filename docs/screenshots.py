"""Screenshots of the seed build's map for the README, taken in headless Chromium (network
blocked): the whole map, a zoomed cluster, a paper's panel and a paper's focus view; and, given
a real build's page (a 20,000-paper slice of the dev corpus), that map whole, zoomed into its
largest cluster (its parts named) and as papers by month.

    python docs/screenshots.py [exports/graph.html] [--real PATH/graph.html]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
PAPER = "Scaling Laws for Speculative Decoding"


def main(page_file: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="light")
        context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
        page = context.new_page()
        page.goto(page_file.resolve().as_uri())
        page.wait_for_selector("body[data-ready='1']")
        page.screenshot(path=DOCS / "map.png")

        # Zoomed into the largest cluster: its papers and concepts are named.
        page.evaluate(
            """() => { const c = KG.scene.clusters[0];
                       kgNetwork.moveTo({position: {x: c.x, y: c.y}, scale: 1.6, animation: false}); }"""
        )
        page.wait_for_timeout(100)
        page.screenshot(path=DOCS / "cluster.png")

        page.click("#fit")
        page.fill("#search", PAPER)
        page.press("#search", "Enter")
        page.wait_for_selector("#panel h2")
        page.wait_for_timeout(400)
        page.mouse.move(1100, 790)
        page.screenshot(path=DOCS / "panel.png")

        page.click(".focus-button")
        page.wait_for_selector("#focusbar:not([hidden])")
        page.wait_for_timeout(200)
        page.screenshot(path=DOCS / "focus.png")
        browser.close()


def real(page_file: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="light")
        context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
        page = context.new_page()
        page.goto(page_file.resolve().as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        page.screenshot(path=DOCS / "map-20k.png")
        page.evaluate(
            """() => { const d = KG.data.K.discs[0], box = document.getElementById('graph');
                       kgNetwork.moveTo({position: {x: d[0], y: d[1]},
                         scale: 0.45 * Math.min(box.clientWidth, box.clientHeight) / d[2], animation: false}); }"""
        )
        page.wait_for_timeout(200)
        page.screenshot(path=DOCS / "parts-20k.png")
        page.click("#fit")
        page.click("#time-view")
        page.wait_for_selector("#focusbar:not([hidden])")
        page.wait_for_timeout(300)
        page.screenshot(path=DOCS / "time-20k.png")
        browser.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--real" in args:
        at = args.index("--real")
        real(Path(args[at + 1]))
        del args[at : at + 2]
    main(Path(args[0]) if args else DOCS.parent / "exports" / "graph.html")
