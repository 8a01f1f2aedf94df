"""arXiv API (Atom): find papers by exact-phrase title search, look up known ids in batches.

The API's terms ask for one request every three seconds on one connection; titles are
therefore searched several at a time (`ti:"a" OR ti:"b"`), and each answer is matched back to
its titles locally, under the strict title rule of `kg.enrich.match`.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
import requests
from defusedxml import DefusedXmlException

from kg.enrich.match import best_match
from kg.enrich.session import BadAnswer, Client, EnrichError, NotAsked, describe_body
from kg.extract.text import unwrap

DEFAULT_API = "http://export.arxiv.org/api/query"
INTERVAL = 3.0  # seconds between requests (arXiv API terms of use)
TITLES_PER_QUERY = 10
IDS_PER_QUERY = 100
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ID = re.compile(r"arxiv\.org/abs/(.+?)(?:v\d+)?$")


def api_url() -> str:
    return os.environ.get("KG_ARXIV_API", DEFAULT_API)


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says about one paper."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    published: str  # YYYY-MM-DD
    categories: tuple[str, ...]
    doi: str | None = None
    journal_ref: str | None = None
    summary: str | None = None  # the abstract, unwrapped


@dataclass
class ArxivResult:
    matched: dict[str, ArxivRecord] = field(default_factory=dict)  # paper key -> record
    unmatched: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_asked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_feed(text: str | bytes) -> list[ArxivRecord]:
    """Entries of an arXiv Atom feed; raises `BadAnswer` for anything else."""
    try:
        root = SafeET.fromstring(text)
    except (ET.ParseError, DefusedXmlException) as err:
        raise BadAnswer(f"malformed arXiv Atom response ({err})") from None
    if root.tag != f"{_ATOM}feed":
        raise BadAnswer("arXiv response is not an Atom feed")
    records = []
    for entry in root.findall(f"{_ATOM}entry"):
        ident = _ID.search(entry.findtext(f"{_ATOM}id", ""))
        title = " ".join(entry.findtext(f"{_ATOM}title", "").split())
        if ident is None or not title:
            continue  # the API reports query errors as an entry without an abs id
        records.append(
            ArxivRecord(
                arxiv_id=ident.group(1),
                title=title,
                authors=tuple(
                    " ".join((a.findtext(f"{_ATOM}name") or "").split())
                    for a in entry.findall(f"{_ATOM}author")
                ),
                published=entry.findtext(f"{_ATOM}published", "")[:10],
                categories=tuple(
                    c.get("term", "") for c in entry.findall(f"{_ATOM}category") if c.get("term")
                ),
                doi=entry.findtext(f"{_ARXIV}doi") or None,
                journal_ref=" ".join((entry.findtext(f"{_ARXIV}journal_ref") or "").split()) or None,
                summary=unwrap(entry.findtext(f"{_ATOM}summary") or "") or None,
            )
        )
    return records


def read_feed(response: requests.Response) -> list[ArxivRecord]:
    """The records of an API answer; `BadAnswer` unless it is a 200 with an Atom feed."""
    if response.status_code != 200:
        raise BadAnswer(f"HTTP {response.status_code} from the arXiv API")
    head = response.content[:300].lstrip()
    if not head.startswith(b"<") or b"<html" in head.lower() or b"<!doctype html" in head.lower():
        raise BadAnswer(f"not an arXiv Atom feed but {describe_body(response)}")
    return parse_feed(response.content)


def _phrase(title: str) -> str:
    # Quotes and boolean words inside a phrase would end it or change the query.
    words = re.sub(r"[^\w\s-]", " ", title).split()
    return " ".join(w for w in words if w.upper() not in {"AND", "OR", "ANDNOT"})


def search_batch(titles: Mapping[str, str], *, client: Client) -> dict[str, ArxivRecord | None]:
    """One title-search request for up to `TITLES_PER_QUERY` titles ({paper key: title}):
    each key's record under the strict title rule, or None.  Raises `EnrichError` (`NotAsked`,
    `RateLimited`, ...) as `Client.fetch` does."""
    keys = sorted(titles)
    query = " OR ".join(f'ti:"{_phrase(titles[k])}"' for k in keys)
    params = {"search_query": query, "start": 0, "max_results": 3 * len(keys)}
    records = client.fetch("GET", api_url(), read_feed, params=params)
    return {key: best_match(titles[key], records, lambda r: r.title) for key in keys}


def lookup_batch(ids: Sequence[str], *, client: Client) -> dict[str, ArxivRecord]:
    """One `id_list` request for up to `IDS_PER_QUERY` arXiv ids: {arXiv id: record} for the
    ids arXiv knows.  Raises `EnrichError`."""
    wanted = sorted(set(ids))
    params = {"id_list": ",".join(wanted), "max_results": len(wanted)}
    return {r.arxiv_id: r for r in client.fetch("GET", api_url(), read_feed, params=params)}


def search_titles(titles: dict[str, str], *, client: Client) -> ArxivResult:
    """Match paper keys to arXiv records by title: `titles` is {paper key: title}."""
    result = ArxivResult()
    keys = sorted(titles)
    for start in range(0, len(keys), TITLES_PER_QUERY):
        batch = keys[start : start + TITLES_PER_QUERY]
        try:
            found = search_batch({k: titles[k] for k in batch}, client=client)
        except NotAsked:
            result.not_asked += batch
            continue
        except EnrichError:  # the client keeps the reason, for one warning per source
            result.failed += batch
            continue
        for key in batch:
            record = found[key]
            if record is None:
                result.unmatched.append(key)
            else:
                result.matched[key] = record
    return result


def lookup_ids(ids: dict[str, str], *, client: Client) -> ArxivResult:
    """Records for papers whose arXiv id is known: `ids` is {paper key: arXiv id}.

    Ids go `IDS_PER_QUERY` to an `id_list` request, one request per `client`'s rate-limit
    interval (the 3-second rule); a batch that fails marks its papers failed and the others
    go on.  An id arXiv does not know is unmatched.
    """
    result = ArxivResult()
    keys = sorted(ids, key=lambda k: (ids[k], k))
    for start in range(0, len(keys), IDS_PER_QUERY):
        batch = keys[start : start + IDS_PER_QUERY]
        try:
            records = lookup_batch([ids[k] for k in batch], client=client)
        except NotAsked:
            result.not_asked += batch
            continue
        except EnrichError as err:
            result.failed += batch
            result.warnings.append(f"arXiv: {err}")
            continue
        for key in batch:
            record = records.get(ids[key])
            if record is None:
                result.unmatched.append(key)
            else:
                result.matched[key] = record
    return result
