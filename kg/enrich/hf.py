"""Hugging Face papers API: the Daily Papers lists of a day, an ISO week or a month.

`GET {api}/daily_papers?date=YYYY-MM-DD` (or `week=YYYY-Www`, `month=YYYY-MM`) answers a JSON
array of items, `limit` (at most 100) a page, pages counted from `p=0`.  Requests go through
the shared cached session, so asking again for a period already fetched sends nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import requests

from kg.enrich.session import EXPIRE_AFTER, BadAnswer, Client, EnrichError, describe_body

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
    expire = FRESH_FOR if still_open else EXPIRE_AFTER
    for page in range(MAX_PAGES):
        params = {**period, "limit": str(PAGE_SIZE), "p": str(page)}
        answer = client.fetch("GET", url, _papers_list, params=params, expire_after=expire)
        if answer is None:
            raise EnrichError(f"Hugging Face API: no such list ({url}, {period})")
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


def _papers_list(response: requests.Response) -> list[Any] | None:
    """The items of an answer (None for a 404); `BadAnswer` unless it is a JSON array."""
    if response.status_code == 404:
        return None
    try:
        answer = response.json()
    except ValueError:
        raise BadAnswer(f"Hugging Face API: not JSON but {describe_body(response)}") from None
    if not isinstance(answer, list):
        raise BadAnswer("Hugging Face API: answer is not a list of papers")
    return answer
