"""Semantic Scholar Graph API: title match, batch details, paginated references.

Each paper is looked up with `/paper/search/match` (the API's own best title match, checked
again here under the strict title rule), then the matched ids go in `POST /paper/batch`
calls of up to 500, and each paper's references are read page by page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import requests

from kg.enrich.match import best_match
from kg.enrich.session import BadAnswer, Client, EnrichError, NotAsked, describe_body
from kg.model import Reference

DEFAULT_API = "https://api.semanticscholar.org/graph/v1"
INTERVAL_KEYLESS = 1.0  # seconds between requests without an API key (shared public pool)
INTERVAL_KEY = 1.0  # the default per-key rate is one request per second
BATCH = 500
PAGE = 1000
DETAIL_FIELDS = "title,externalIds,authors,year,venue,publicationDate"
REF_FIELDS = "title,externalIds"


def api_url() -> str:
    return os.environ.get("KG_S2_API", DEFAULT_API).rstrip("/")


def api_headers() -> dict[str, str]:
    key = os.environ.get("S2_API_KEY") or os.environ.get("KG_S2_API_KEY")
    return {"x-api-key": key} if key else {}


@dataclass(frozen=True)
class S2Record:
    s2_id: str
    title: str
    arxiv_id: str | None
    doi: str | None
    authors: tuple[tuple[str, str | None], ...]  # (name, S2 author id)
    year: int | None
    venue: str | None
    published: str | None
    references: tuple[Reference, ...] = ()


@dataclass
class S2Result:
    matched: dict[str, S2Record] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_asked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _json(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise BadAnswer(
            f"not Semantic Scholar's JSON ({what}) but {describe_body(response)}"
            if not response.content.lstrip().startswith((b"{", b"["))
            else f"malformed JSON from Semantic Scholar ({what})"
        ) from None


def _missing(response: requests.Response, what: str) -> bool:
    """True for the API's own 404 (a JSON object naming the error); `BadAnswer` for another."""
    if response.status_code != 404:
        return False
    body = _json(response, what)
    if not isinstance(body, dict) or "error" not in body:
        raise BadAnswer(f"HTTP 404 without Semantic Scholar's error object ({what})")
    return True


def read_match(response: requests.Response) -> list[dict[str, Any]]:
    """Candidates of a `/paper/search/match` answer ([] when the API found none)."""
    if _missing(response, "title match"):
        return []
    body = _json(response, "title match")
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise BadAnswer("unexpected title-match response from Semantic Scholar")
    return [d for d in data if isinstance(d, dict) and d.get("paperId") and d.get("title")]


def match_title(title: str, *, client: Client) -> str | None:
    """The S2 paper id whose title matches `title` under the strict rule, else None."""
    candidates = client.fetch(
        "GET", f"{api_url()}/paper/search/match", read_match, params={"query": title, "fields": "title"}
    )
    hit = best_match(title, candidates, lambda d: d["title"])
    return hit["paperId"] if hit else None


def _ids(external: Any) -> tuple[str | None, str | None]:
    external = external if isinstance(external, dict) else {}
    return external.get("ArXiv"), external.get("DOI")


def read_batch(response: requests.Response, *, size: int) -> list[Any]:
    """A `/paper/batch` answer: one item (or null) for each of the `size` ids asked."""
    body = _json(response, "batch")
    if response.status_code != 200 or not isinstance(body, list) or len(body) != size:
        raise BadAnswer("unexpected batch response from Semantic Scholar")
    return body


def fetch_batch(ids: list[str], *, client: Client) -> dict[str, dict[str, Any]]:
    """Details for up to `BATCH` ids per call; ids S2 does not know come back as null."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        body = client.fetch(
            "POST",
            f"{api_url()}/paper/batch",
            partial(read_batch, size=len(chunk)),
            params={"fields": DETAIL_FIELDS},
            json={"ids": chunk},
        )
        for wanted, item in zip(chunk, body, strict=True):
            if isinstance(item, dict) and item.get("paperId"):
                found[wanted] = item
    return found


def read_references(response: requests.Response) -> dict[str, Any] | None:
    """One page of a `/paper/{id}/references` answer (None when the API does not know the paper)."""
    if _missing(response, "references"):
        return None
    body = _json(response, "references")
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadAnswer("unexpected references response from Semantic Scholar")
    return body


def fetch_references(s2_id: str, *, client: Client) -> list[Reference]:
    """Every reference of a paper, following `next` from page to page."""
    refs: list[Reference] = []
    offset: int | None = 0
    while offset is not None:
        body = client.fetch(
            "GET",
            f"{api_url()}/paper/{s2_id}/references",
            read_references,
            params={"fields": REF_FIELDS, "offset": offset, "limit": PAGE},
        )
        if body is None:
            break
        for item in body["data"]:
            cited = item.get("citedPaper") if isinstance(item, dict) else None
            if isinstance(cited, dict) and (cited.get("paperId") or cited.get("title")):
                arxiv_id, doi = _ids(cited.get("externalIds"))
                refs.append(Reference(cited.get("paperId"), cited.get("title"), arxiv_id, doi))
        nxt = body.get("next")
        offset = nxt if isinstance(nxt, int) and nxt > offset else None
    return refs


def enrich_s2(titles: dict[str, str], *, client: Client) -> S2Result:
    """Match, fetch details and references for {paper key: title}."""
    result = S2Result()
    ids: dict[str, str] = {}
    for key in sorted(titles):
        try:
            s2_id = match_title(titles[key], client=client)
        except NotAsked:
            result.not_asked.append(key)
            continue
        except EnrichError:  # the client keeps the reason, for one warning per source
            result.failed.append(key)
            continue
        if s2_id is None:
            result.unmatched.append(key)
        else:
            ids[key] = s2_id
    try:
        details = fetch_batch(sorted(set(ids.values())), client=client)
    except NotAsked:
        result.not_asked += sorted(ids)
        return result
    except EnrichError:
        result.failed += sorted(ids)
        return result
    no_references = 0
    for key in sorted(ids):
        item = details.get(ids[key])
        if item is None:
            result.unmatched.append(key)
            continue
        try:
            refs = fetch_references(ids[key], client=client)
        except EnrichError:
            no_references += 1
            refs = []
        arxiv_id, doi = _ids(item.get("externalIds"))
        authors = tuple(
            (" ".join(str(a.get("name", "")).split()), a.get("authorId"))
            for a in item.get("authors") or []
            if isinstance(a, dict) and a.get("name")
        )
        year = item.get("year")
        result.matched[key] = S2Record(
            s2_id=item["paperId"],
            title=str(item.get("title") or titles[key]),
            arxiv_id=arxiv_id,
            doi=doi,
            authors=authors,
            year=year if isinstance(year, int) else None,
            venue=item.get("venue") or None,
            published=item.get("publicationDate") or None,
            references=tuple(refs),
        )
    if no_references:
        result.warnings.append(
            f"Semantic Scholar: the references of {no_references} matched papers could not be read"
        )
    return result
