"""Semantic Scholar Graph API: batch details, nested references and citations, title match, pages.

`POST /paper/batch` takes up to 500 ids (`ARXIV:2106.15928`, `DOI:10.…`, or S2's own ids) and
answers, in the order asked, each paper with the fields requested in the `fields` query
parameter, or `null` for an id it does not know.  Its documented limits are 500 ids, 10 MB and
9,999 citations per answer; a nested `references` or `citations` list holds at most the first
1,000 entries.  So details (with the counts of references and citations) come first, then
`link_batches` packs the papers into calls whose nested lists stay within the limits (a few
papers, `TOGETHER`, fit in one call whatever their counts); only a reference list cut at
1,000 is read again, page by page, from `/paper/{id}/references`.

Each request goes through `Client.fetch` with a `read_*` function that accepts only the API's
format (JSON of the right shape; a 404 only with the API's `{"error": …}` object), so nothing
else is ever stored in the HTTP cache and a rebuild asks again instead of replaying it.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import requests

from kg.enrich.match import best_match
from kg.enrich.session import BadAnswer, Client, describe_body
from kg.model import Reference

DEFAULT_API = "https://api.semanticscholar.org/graph/v1"
INTERVAL_KEYLESS = 1.0  # seconds between requests without an API key (shared public pool)
INTERVAL_KEY = 1.0  # the default per-key rate is one request per second
BATCH = 500  # ids per POST /paper/batch (documented)
NESTED = 1000  # entries a nested references/citations list holds at most; longer lists are cut
NESTED_BUDGET = 9999  # nested entries per batch answer: the documented citation cap, references counted too
PAGE = 1000  # entries per page of /paper/{id}/references (documented maximum)
# So few papers that even with both lists full their answer stays within NESTED_BUDGET: their
# details, references and citations come in one call.
TOGETHER = NESTED_BUDGET // (2 * NESTED)
MATCH_FIELDS = "title,externalIds"
DETAIL_FIELDS = (
    "title,externalIds,authors,year,venue,publicationDate,abstract,"
    "citationCount,influentialCitationCount,referenceCount"
)
EMBEDDING_FIELD = "embedding.specter_v2"
WORK_FIELDS = ("title", "externalIds", "year")
LINK_FIELDS = ",".join(f"{lst}.{f}" for lst in ("references", "citations") for f in WORK_FIELDS)
PAGE_FIELDS = ",".join(WORK_FIELDS)


def api_url() -> str:
    return os.environ.get("KG_S2_API", DEFAULT_API).rstrip("/")


def api_headers() -> dict[str, str]:
    key = os.environ.get("S2_API_KEY") or os.environ.get("KG_S2_API_KEY")
    return {"x-api-key": key} if key else {}


@dataclass(frozen=True)
class S2Record:
    """One paper's details from a batch answer."""

    s2_id: str
    title: str | None
    arxiv_id: str | None
    doi: str | None
    authors: tuple[tuple[str, str | None], ...]  # (name, S2 author id)
    year: int | None
    venue: str | None
    published: str | None  # YYYY-MM-DD
    abstract: str | None = None
    citation_count: int | None = None
    influential_citation_count: int | None = None
    reference_count: int | None = None
    embedding: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Links:
    """A paper's references and citing works from one batch answer, and whether each list was cut."""

    references: tuple[Reference, ...]
    citations: tuple[Reference, ...]
    references_cut: bool
    citations_cut: bool


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
    """Candidates of a `/paper/search/match` answer ([] when the API found none: its 404
    "Title match not found")."""
    if _missing(response, "title match"):
        return []
    body = _json(response, "title match")
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise BadAnswer("unexpected title-match response from Semantic Scholar")
    return [d for d in data if isinstance(d, dict) and d.get("paperId") and d.get("title")]


def read_batch(response: requests.Response, *, size: int) -> list[Any]:
    """A `/paper/batch` answer: one item (a paper object, or `null` for an id S2 does not
    know) for each of the `size` ids asked, in order."""
    body = _json(response, "batch")
    if response.status_code != 200 or not isinstance(body, list) or len(body) != size:
        raise BadAnswer("unexpected batch response from Semantic Scholar")
    if not all(item is None or isinstance(item, dict) for item in body):
        raise BadAnswer("unexpected batch response from Semantic Scholar (an item is not a paper)")
    return body


def read_references(response: requests.Response) -> dict[str, Any] | None:
    """One page of a `/paper/{id}/references` answer (None when the API does not know the paper)."""
    if _missing(response, "references"):
        return None
    body = _json(response, "references")
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadAnswer("unexpected references response from Semantic Scholar")
    return body


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _ids(external: Any) -> tuple[str | None, str | None]:
    external = external if isinstance(external, dict) else {}
    arxiv, doi = external.get("ArXiv"), external.get("DOI")
    return (arxiv if isinstance(arxiv, str) else None), (doi if isinstance(doi, str) else None)


def parse_work(item: Any) -> Reference | None:
    """A cited or citing work (a nested paper object); None when it names nothing."""
    if not isinstance(item, dict) or not (item.get("paperId") or item.get("title")):
        return None
    arxiv_id, doi = _ids(item.get("externalIds"))
    title = item.get("title")
    return Reference(
        item.get("paperId") or None,
        " ".join(title.split()) if isinstance(title, str) else None,
        arxiv_id,
        doi,
        _int(item.get("year")),
    )


def parse_record(item: Any) -> S2Record | None:
    """A paper object of a batch answer; None for `null` (an id S2 does not know)."""
    if not isinstance(item, dict) or not isinstance(item.get("paperId"), str):
        return None
    arxiv_id, doi = _ids(item.get("externalIds"))
    authors = tuple(
        (" ".join(str(a["name"]).split()), a.get("authorId") or None)
        for a in item.get("authors") or []
        if isinstance(a, dict) and a.get("name")
    )
    vector = (item.get("embedding") or {}).get("vector") if isinstance(item.get("embedding"), dict) else None
    embedding = None
    if isinstance(vector, list) and vector and all(isinstance(v, (int, float)) for v in vector):
        embedding = tuple(float(v) for v in vector)
    title, abstract = item.get("title"), item.get("abstract")
    return S2Record(
        s2_id=item["paperId"],
        title=" ".join(title.split()) if isinstance(title, str) and title.strip() else None,
        arxiv_id=arxiv_id,
        doi=doi,
        authors=authors,
        year=_int(item.get("year")),
        venue=item.get("venue") or None,
        published=item.get("publicationDate") or None,
        abstract=" ".join(abstract.split()) if isinstance(abstract, str) and abstract.strip() else None,
        citation_count=_int(item.get("citationCount")),
        influential_citation_count=_int(item.get("influentialCitationCount")),
        reference_count=_int(item.get("referenceCount")),
        embedding=embedding,
    )


def embedding_array(record: S2Record) -> array[float] | None:
    """The record's embedding as a compact float array (4 bytes a dimension)."""
    return array("f", record.embedding) if record.embedding else None


def match_title(title: str, *, client: Client) -> str | None:
    """The S2 paper id whose title matches `title` under the strict rule, else None."""
    candidates = client.fetch(
        "GET", f"{api_url()}/paper/search/match", read_match, params={"query": title, "fields": MATCH_FIELDS}
    )
    hit = best_match(title, candidates, lambda d: d["title"])
    return hit["paperId"] if hit else None


def _batch(ids: Sequence[str], fields: str, *, client: Client) -> list[Any]:
    if not ids or len(ids) > BATCH:
        raise ValueError(f"a batch takes 1 to {BATCH} ids, not {len(ids)}")
    return client.fetch(
        "POST",
        f"{api_url()}/paper/batch",
        partial(read_batch, size=len(ids)),
        params={"fields": fields},
        json={"ids": list(ids)},
    )


def fetch_details(ids: Sequence[str], *, client: Client, embeddings: bool = False) -> list[S2Record | None]:
    """One batch call: the details of up to `BATCH` ids, in order (None for unknown ids)."""
    fields = DETAIL_FIELDS + (f",{EMBEDDING_FIELD}" if embeddings else "")
    return [parse_record(item) for item in _batch(ids, fields, client=client)]


def fetch_together(
    ids: Sequence[str], *, client: Client, embeddings: bool = False
) -> list[tuple[S2Record, Links] | None]:
    """One batch call: details, references and citing works of at most `TOGETHER` ids, whose
    nested lists cannot pass the documented limits whatever their counts."""
    if len(ids) > TOGETHER:
        raise ValueError(f"details and links go together for at most {TOGETHER} ids, not {len(ids)}")
    fields = f"{DETAIL_FIELDS},{LINK_FIELDS}" + (f",{EMBEDDING_FIELD}" if embeddings else "")
    found: list[tuple[S2Record, Links] | None] = []
    for item in _batch(ids, fields, client=client):
        record = parse_record(item)
        found.append(
            None if record is None else (record, _links(item, record.reference_count, record.citation_count))
        )
    return found


def link_batches(counts: Mapping[str, tuple[int | None, int | None]]) -> list[list[str]]:
    """S2 ids grouped into batch calls whose nested lists fit the documented limits.

    `counts` is {S2 id: (referenceCount, citationCount)}.  A paper weighs what its two lists
    can hold (each at most `NESTED`); each call weighs at most `NESTED_BUDGET` and holds at
    most `BATCH` ids.  Papers with neither references nor citations need no call.  Ids go in
    sorted order, so the same papers give the same calls (and a rerun finds them cached).
    """
    batches: list[list[str]] = []
    weight = 0
    for s2_id in sorted(counts):
        refs, cites = counts[s2_id]
        w = min(refs or 0, NESTED) + min(cites or 0, NESTED)
        if w == 0:
            continue
        if not batches or weight + w > NESTED_BUDGET or len(batches[-1]) == BATCH:
            batches.append([])
            weight = 0
        batches[-1].append(s2_id)
        weight += w
    return batches


def _works(items: Any) -> tuple[Reference, ...]:
    if not isinstance(items, list):
        return ()  # `null`: the list is elided (e.g. by the publisher)
    return tuple(w for w in map(parse_work, items) if w is not None)


def fetch_links(
    ids: Sequence[str], counts: Mapping[str, tuple[int | None, int | None]], *, client: Client
) -> dict[str, Links]:
    """One batch call: references and citing works of S2 ids (a `link_batches` group)."""
    found: dict[str, Links] = {}
    for wanted, item in zip(ids, _batch(ids, LINK_FIELDS, client=client), strict=True):
        if isinstance(item, dict):
            found[wanted] = _links(item, *counts.get(wanted, (None, None)))
    return found


def _links(item: dict, n_refs: int | None, n_cites: int | None) -> Links:
    """The nested lists of a batch answer's paper; a list is cut when it holds `NESTED`
    entries and the paper's count says there are more."""
    refs, cites = item.get("references"), item.get("citations")
    return Links(
        references=_works(refs),
        citations=_works(cites),
        references_cut=isinstance(refs, list) and len(refs) >= NESTED and (n_refs or 0) > len(refs),
        citations_cut=isinstance(cites, list) and len(cites) >= NESTED and (n_cites or 0) > len(cites),
    )


def fetch_references(s2_id: str, *, client: Client) -> list[Reference]:
    """Every reference of a paper, following `next` from page to page."""
    refs: list[Reference] = []
    offset: int | None = 0
    while offset is not None:
        body = client.fetch(
            "GET",
            f"{api_url()}/paper/{s2_id}/references",
            read_references,
            params={"fields": PAGE_FIELDS, "offset": offset, "limit": PAGE},
        )
        if body is None:  # the API's 404: it does not know the paper (any more)
            break
        for item in body["data"]:
            work = parse_work(item.get("citedPaper") if isinstance(item, dict) else None)
            if work is not None:
                refs.append(work)
        nxt = body.get("next")
        offset = nxt if isinstance(nxt, int) and nxt > offset else None
    return refs
