"""Headless Chromium for the browser tests: Debian's chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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


def browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def require_browser() -> None:
    """Skip the calling test module without a browser; under CI=true, fail it instead."""
    if not browser_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian chromium and playwright for the browser test", pytrace=False)
        pytest.skip(
            "needs Debian chromium (apt-get install chromium) and playwright", allow_module_level=True
        )
