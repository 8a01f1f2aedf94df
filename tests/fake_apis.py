"""A local stand-in for the arXiv API and the Semantic Scholar Graph API, in their documented formats.

One `World` of works (papers with ids, titles, references) answers every request the real
APIs would: arXiv's Atom feed for `search_query=ti:"…" OR …` and `id_list`; Semantic
Scholar's `/paper/search/match`, `POST /paper/batch` (`fields` as a query parameter, `{"ids":
[…]}` as the body, `null` for unknown ids, nested `references` / `citations` lists of at most
`nested_cap` entries, the documented limits of 500 ids, 9,999 citations and 10 MB per answer
enforced with an HTTP 400), and the paged `/paper/{id}/references` and `/citations`
(`offset`, `limit` <= 1000, `next`).  Tests serve it through pytest-httpserver; the request
benchmark starts its own server.  Requests are counted per endpoint, and `faults` queues
answers (429 with `Retry-After`, 500, malformed bodies) to send instead of the real one.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from xml.sax.saxutils import escape

from werkzeug import Request, Response

NESTED_CAP = 1000  # entries of one nested list in a batch answer (as /paper/{id} answers)
MAX_IDS = 500
MAX_CITATIONS = 9999
MAX_BYTES = 10 * 1024 * 1024
_WORD = re.compile(r"[\W_]+")


# arXiv's search leaves these words out of titles and phrases alike.
_STOPWORDS = frozenset("a an and are as at be by for from in into is of on or the to with".split())


def _norm(text: str) -> str:
    return " ".join(_WORD.sub(" ", text.casefold()).split())


def _search_form(text: str) -> str:
    return " ".join(w for w in _norm(text).split() if w not in _STOPWORDS)


@dataclass
class Work:
    """One paper the fake APIs know.  `references` are s2 ids of cited works (in order);
    `unresolved` are titles of cited works S2 could not resolve (paperId null)."""

    s2_id: str
    title: str
    year: int | None = None
    date: str | None = None  # YYYY-MM-DD
    arxiv_id: str | None = None  # None: not on arXiv
    doi: str | None = None
    authors: list[tuple[str, str]] = field(default_factory=list)  # (authorId, name)
    venue: str = ""
    abstract: str | None = None
    categories: tuple[str, ...] = ("cs.LG",)
    references: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    influential: int = 0
    embedding: list[float] | None = None
    corpus_id: int = 0


@dataclass
class Fault:
    """An answer sent instead of the real one: a status, headers and a body."""

    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class World:
    """The works, their citations (derived from references) and the request counter."""

    def __init__(self, works: Iterable[Work], *, nested_cap: int = NESTED_CAP):
        self.works = {w.s2_id: w for w in works}
        self.nested_cap = nested_cap
        self.calls: Counter[str] = Counter()
        self.faults: dict[str, list[Fault | None]] = defaultdict(list)  # None: answer normally
        self.log: list[tuple[str, str]] = []  # (endpoint, what was asked), in order
        self.by_arxiv = {w.arxiv_id: w for w in self.works.values() if w.arxiv_id}
        self.by_doi = {w.doi.lower(): w for w in self.works.values() if w.doi}
        self.by_corpus = {w.corpus_id: w for w in self.works.values() if w.corpus_id}
        # Rare words only: a common word would make every title a candidate.
        by_word: dict[str, list[str]] = defaultdict(list)
        for w in self.works.values():
            for word in set(_norm(w.title).split()):
                by_word[word].append(w.s2_id)
        self.by_word = {k: v for k, v in by_word.items() if len(v) <= 50}
        cited_by: dict[str, list[str]] = defaultdict(list)
        for w in self.works.values():
            for ref in w.references:
                cited_by[ref].append(w.s2_id)
        # The API lists citing papers newest first.
        self.citers = {
            k: sorted(v, key=lambda s: (-(self.works[s].year or 0), s)) for k, v in cited_by.items()
        }

    # ------------------------------------------------------------------------- shapes

    def external_ids(self, w: Work) -> dict:
        ids: dict = {"CorpusId": w.corpus_id or int(w.s2_id[:7], 16)}
        if w.arxiv_id:
            ids["ArXiv"] = w.arxiv_id
            ids["DOI"] = w.doi or f"10.48550/arXiv.{w.arxiv_id}"
        elif w.doi:
            ids["DOI"] = w.doi
        return ids

    def paper(self, w: Work, fields: set[str]) -> dict:
        """A paper object with `paperId` and the requested top-level fields."""
        out: dict = {"paperId": w.s2_id}
        values = {
            "title": w.title,
            "externalIds": self.external_ids(w),
            "authors": [{"authorId": a, "name": n} for a, n in w.authors],
            "year": w.year,
            "venue": w.venue,
            "publicationDate": w.date,
            "abstract": w.abstract,
            "citationCount": len(self.citers.get(w.s2_id, [])),
            "influentialCitationCount": w.influential,
            "referenceCount": len(w.references) + len(w.unresolved),
            "url": f"https://www.semanticscholar.org/paper/{w.s2_id}",
        }
        for name in fields:
            if name in values:
                out[name] = values[name]
        return out

    def nested(self, ids: list[str], unresolved: list[str], sub: set[str]) -> list[dict]:
        sub = sub | {"title"}
        items = [self.paper(self.works[i], sub) for i in ids]
        for title in unresolved:
            item: dict = {"paperId": None, "title": title}
            for name in sub - {"title"}:
                item[name] = None
            items.append(item)
        return items

    def resolve(self, wanted: str) -> Work | None:
        prefix, sep, rest = wanted.partition(":")
        if not sep:
            return self.works.get(wanted)
        prefix = prefix.upper()
        if prefix == "ARXIV":
            return self.by_arxiv.get(re.sub(r"v\d+$", "", rest))
        if prefix == "DOI":
            return self.by_doi.get(rest.lower())
        if prefix == "CORPUSID" and rest.isdigit():
            return self.by_corpus.get(int(rest))
        return None

    # ------------------------------------------------------------------------- endpoints

    def handle(self, request: Request) -> Response:
        """The werkzeug handler for every path under the fake hosts (`/arxiv`, `/s2/...`)."""
        path = request.path
        if path.startswith("/arxiv"):
            endpoint = "arxiv-ids" if request.args.get("id_list") else "arxiv-search"
        elif path.endswith("/paper/search/match"):
            endpoint = "s2-match"
        elif path.endswith("/paper/batch"):
            endpoint = "s2-batch"
        elif path.endswith("/references"):
            endpoint = "s2-references"
        elif path.endswith("/citations"):
            endpoint = "s2-citations"
        else:
            return _json({"error": "Not found"}, 404)
        self.calls[endpoint] += 1
        self.log.append(
            (endpoint, f"{request.query_string.decode()} {request.get_data(as_text=True)}".strip())
        )
        fault = self.faults[endpoint].pop(0) if self.faults[endpoint] else None
        if fault is not None:
            return Response(fault.body, fault.status, headers=fault.headers, content_type="application/json")
        return getattr(self, endpoint.replace("-", "_"))(request)

    def arxiv_search(self, request: Request) -> Response:
        query = request.args.get("search_query", "")
        limit = int(request.args.get("max_results", 10))
        phrases = [_search_form(p) for p in re.findall(r'ti:"([^"]*)"', query)]
        hits = []
        for w in sorted(self.by_arxiv.values(), key=lambda w: w.arxiv_id or ""):
            title = f" {_search_form(w.title)} "
            if any(p and f" {p} " in title for p in phrases):
                hits.append(w)
        return _atom(hits[:limit], query)

    def arxiv_ids(self, request: Request) -> Response:
        ids = [i.strip() for i in request.args.get("id_list", "").split(",") if i.strip()]
        return _atom([self.by_arxiv[i] for i in ids if i in self.by_arxiv], "")

    def s2_match(self, request: Request) -> Response:
        query = _norm(request.args.get("query", ""))
        fields = _fields(request.args.get("fields"))[0]
        # Candidates share a word of the query (as a search index would find them).
        words = set(query.split())
        candidates = {s for word in words for s in self.by_word.get(word, ())}
        best, score = None, 0.0
        for s2_id in sorted(candidates):
            w = self.works[s2_id]
            ratio = SequenceMatcher(None, query, _norm(w.title), autojunk=False).ratio()
            if ratio > score:
                best, score = w, ratio
        if best is None or score < 0.8:
            return _json({"error": "Title match not found"}, 404)
        return _json(
            {"data": [{**self.paper(best, fields | {"title"}), "matchScore": round(200 * score, 2)}]}
        )

    def s2_batch(self, request: Request) -> Response:
        try:
            ids = request.get_json(force=True)["ids"]
        except (ValueError, KeyError, TypeError):
            return _json({"error": "Unacceptable request body"}, 400)
        if len(ids) > MAX_IDS:
            return _json({"error": f"Cannot process more than {MAX_IDS} ids"}, 400)
        top, nested = _fields(request.args.get("fields"))
        answer, citations = [], 0
        for wanted in ids:
            w = self.resolve(wanted)
            if w is None:
                answer.append(None)
                continue
            item = self.paper(w, top)
            if "references" in nested:
                refs = w.references + [None] * len(w.unresolved)  # type: ignore[list-item]
                kept = refs[: self.nested_cap]
                resolved = [r for r in kept if r is not None]
                item["references"] = self.nested(
                    resolved, w.unresolved[: len(kept) - len(resolved)], nested["references"]
                )
            if "citations" in nested:
                cited = self.citers.get(w.s2_id, [])[: self.nested_cap]
                citations += len(cited)
                item["citations"] = self.nested(cited, [], nested["citations"])
            if "embedding" in nested and w.embedding is not None:
                item["embedding"] = {"model": "specter_v2", "vector": w.embedding}
            elif "embedding" in nested:
                item["embedding"] = None
            answer.append(item)
        if citations > MAX_CITATIONS:
            return _json({"error": f"Response would contain more than {MAX_CITATIONS} citations"}, 400)
        body = json.dumps(answer)
        if len(body) > MAX_BYTES:
            return _json({"error": "Response would exceed maximum size of 10 MB"}, 400)
        return Response(body, content_type="application/json")

    def _page(self, request: Request, ids: list[str], unresolved: list[str], key: str) -> Response:
        offset = int(request.args.get("offset", 0))
        limit = int(request.args.get("limit", 100))
        if limit > 1000 or offset + limit >= 10_000:
            return _json({"error": "limit must be <= 1000 and offset + limit < 10000"}, 400)
        fields = _fields(request.args.get("fields"))[0]
        items = self.nested(ids, unresolved, fields)[offset : offset + limit]
        body: dict = {"offset": offset, "data": [{key: item} for item in items]}
        if offset + limit < len(ids) + len(unresolved):
            body["next"] = offset + limit
        return _json(body)

    def s2_references(self, request: Request) -> Response:
        w = self.resolve(request.path.rsplit("/", 2)[-2])
        if w is None:
            return _json({"error": "Paper with id not found"}, 404)
        return self._page(request, w.references, w.unresolved, "citedPaper")

    def s2_citations(self, request: Request) -> Response:
        w = self.resolve(request.path.rsplit("/", 2)[-2])
        if w is None:
            return _json({"error": "Paper with id not found"}, 404)
        return self._page(request, self.citers.get(w.s2_id, []), [], "citingPaper")


def _fields(text: str | None) -> tuple[set[str], dict[str, set[str]]]:
    """Top-level fields, and subfields of the nested lists (`references.title` -> {title})."""
    top: set[str] = {"title"} if not text else set()
    nested: dict[str, set[str]] = {}
    for name in (text or "").split(","):
        head, _, sub = name.strip().partition(".")
        if head in ("references", "citations", "embedding"):
            nested.setdefault(head, set())
            if sub:
                nested[head].add(sub)
        elif head:
            top.add(head)
    return top, nested


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")


def _atom(works: list[Work], query: str) -> Response:
    """An arXiv API answer: an Atom feed with one entry per work."""
    entries = []
    for w in works:
        authors = "".join(f"<author><name>{escape(n)}</name></author>" for _, n in w.authors)
        categories = "".join(
            f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in w.categories
        )
        doi = f"<arxiv:doi>{escape(w.doi)}</arxiv:doi>" if w.doi else ""
        published = f"{w.date or f'{w.year or 2020}-01-01'}T00:00:00Z"
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{w.arxiv_id}v1</id><published>{published}</published>"
            f"<title>{escape(w.title)}</title><summary>{escape(w.abstract or '')}</summary>"
            f"{authors}{doi}{categories}</entry>"
        )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f'<title type="html">ArXiv Query: {escape(query)}</title>'
        f"<opensearch:totalResults>{len(works)}</opensearch:totalResults>{''.join(entries)}</feed>"
    )
    return Response(feed, content_type="application/atom+xml")


# ----------------------------------------------------------------------------- test helpers

ATTENTION = "204e3073870fae3d05bcbc2f6a8e263d9b72e776"
BERT = "df2b0e26d0599ce3e70df8a9da02e51594e0e992"
BAHDANAU = "fa72afa9b2cbc8f0d7b05d52548906610ffbb9c5"
CITING = ["c1" * 20, "c2" * 20, "c3" * 20]


def small_world(**options: int) -> World:
    """Attention and BERT (the two known papers of tests/data/enrich_pages.txt), a work both
    cite, and three later works citing them; "Attention Is Not All You Need" is unknown."""
    works = [
        Work(
            ATTENTION,
            "Attention Is All You Need",
            year=2017,
            date="2017-06-12",
            arxiv_id="1706.03762",
            authors=[("40348417", "Ashish Vaswani"), ("1846258", "Noam M. Shazeer")],
            venue="Neural Information Processing Systems",
            abstract="The dominant sequence transduction models are based on recurrent networks.",
            categories=("cs.CL", "cs.LG"),
            references=[BAHDANAU],
            influential=9000,
            corpus_id=13756489,
        ),
        Work(
            BERT,
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            year=2019,
            date="2018-10-11",
            arxiv_id="1810.04805",
            doi="10.18653/v1/N19-1423",
            authors=[("39172707", "Jacob Devlin"), ("1744179", "Ming-Wei Chang")],
            venue="North American Chapter of the Association for Computational Linguistics",
            categories=("cs.CL",),
            references=[BAHDANAU, ATTENTION],
            unresolved=["An unpublished note"],
            influential=20000,
            corpus_id=52967399,
        ),
        Work(
            BAHDANAU,
            "Neural Machine Translation by Jointly Learning to Align and Translate",
            year=2014,
            arxiv_id="1409.0473",
            corpus_id=11212020,
        ),
        Work(CITING[0], "A Survey of Transformers", year=2021, references=[ATTENTION, BERT]),
        Work(CITING[1], "Pretrained Models for NLP", year=2020, references=[ATTENTION, BERT]),
        Work(CITING[2], "Efficient Attention", year=2020, arxiv_id="2009.06732", references=[ATTENTION]),
    ]
    return World(works, **options)


def serve(world: World, httpserver, monkeypatch) -> World:
    """Point KG_ARXIV_API and KG_S2_API at `world` on the pytest-httpserver."""
    httpserver.expect_request(re.compile(r"^/(arxiv|s2)(/.*)?$")).respond_with_handler(world.handle)
    monkeypatch.setenv("KG_ARXIV_API", httpserver.url_for("/arxiv"))
    monkeypatch.setenv("KG_S2_API", httpserver.url_for("/s2"))
    return world
