"""Hugging Face papers API: the Daily Papers lists of a day, an ISO week or a month.

`GET {api}/daily_papers?date=YYYY-MM-DD` (or `week=YYYY-Www`, `month=YYYY-MM`) answers a JSON
array of items, `limit` (at most 100) a page, pages counted from `p=0`.  Requests go through
the shared cached session, so asking again for a period already fetched sends nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from kg.enrich.session import Client, EnrichError

DEFAULT_API = "https://huggingface.co/api"
INTERVAL = 1.0  # seconds between requests: polite, far below the Hub's published limits
PAGE_SIZE = 100  # the most the API gives in one page
MAX_PAGES = 50  # a month holds about 1,500 papers; more pages than this means a loop
# A list still growing (today's) is asked again after this long, not served from the cache.
FRESH_FOR = timedelta(hours=1)


def api_url() -> str:
    return os.environ.get("KG_HF_API", DEFAULT_API).rstrip("/")


def daily_papers(period: dict[str, str], *, client: Client, still_open: bool = False) -> list[dict[str, Any]]:
    """Every item of one period (`{"date": …}`, `{"week": …}` or `{"month": …}`), all pages.

    Items repeated across pages (the list can shift while it is read) are kept once.
    `still_open` marks a period that includes today: its answers expire after `FRESH_FOR`.
    Raises `EnrichError` when the API fails or answers something other than an array.
    """
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    url = f"{api_url()}/daily_papers"
    extra: dict[str, Any] = {"expire_after": FRESH_FOR} if still_open else {}
    for page in range(MAX_PAGES):
        params = {**period, "limit": str(PAGE_SIZE), "p": str(page)}
        response = client.request("GET", url, params=params, **extra)
        if response.status_code == 404:
            raise EnrichError(f"Hugging Face API: no such list ({response.url})")
        try:
            answer = response.json()
        except ValueError:
            raise EnrichError(f"Hugging Face API: answer is not JSON ({response.url})") from None
        if not isinstance(answer, list):
            raise EnrichError(f"Hugging Face API: answer is not a list of papers ({response.url})")
        for item in answer:
            paper = item.get("paper") if isinstance(item, dict) else None
            ident = paper.get("id") if isinstance(paper, dict) else None
            if isinstance(ident, str) and ident in seen:
                continue
            if isinstance(ident, str):
                seen.add(ident)
            items.append(item)
        if len(answer) < PAGE_SIZE:
            return items
    raise EnrichError(f"Hugging Face API: more than {MAX_PAGES} pages for {period}; stopped")
