"""Shared fixtures: the seed corpus built once per session, through the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import pipeline

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = pipeline.sample_corpus()


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """The bundled corpus built with default options into a temporary exports directory."""
    out = tmp_path_factory.mktemp("exports")
    return pipeline.build(out=out)


@pytest.fixture(scope="session")
def seed_ttl(seed_build: pipeline.BuildResult) -> Path:
    return seed_build.outputs[0]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for every browser test (see tests/browsers.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browsers import ARGS, CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
