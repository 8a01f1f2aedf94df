"""The seed build's page in real headless Chromium, with the network blocked."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from kg import pipeline

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


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("view")
    pipeline.build(out=out)
    return out / "graph.html"


def test_seed_page_in_headless_chromium_offline(page_file: Path):
    from playwright.sync_api import sync_playwright

    html = page_file.read_text()
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', html, re.S).group(1))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        left_file: list[str] = []

        def block(route):
            left_file.append(route.request.url)
            route.abort()

        context.route(re.compile(r"^(?!file:).*"), block)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)

        assert left_file == []
        assert errors == []
        assert page.evaluate("kgNodes.length") == len(data["nodes"]) > 100
        drawn = page.evaluate("Object.keys(kgNetwork.body.nodes).length")
        assert drawn == len(data["nodes"])

        page.fill("#search", "universal hoi detector")
        page.press("#search", "Enter")
        page.wait_for_function("document.querySelector('#panel h2') !== null")
        assert page.inner_text("#panel h2") == HOI
        assert "<human, action, object>" in page.inner_text("#panel p")
        assert page.evaluate("kgNetwork.getSelectedNodes().length") == 1
        browser.close()
