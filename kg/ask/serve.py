"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a build, on the waitress WSGI server.

Queries run in worker processes that each open the build's Oxigraph store read-only, so a
query that runs past `timeout` is stopped for real (its worker is killed and replaced; an
Oxigraph query cannot be interrupted from its own thread) and the client gets a 503 saying
so.  Results are whole before they are sent, so an error is never a truncated 200.  The
prefixes `kg query` knows are predeclared, a syntax error is worded as `kg query` words it,
and with `cors` origins a page on another origin (YASGUI, a notebook) may query it.
workers (`kg.ask.workers`) bound each query's time from its arrival and each worker's memory,
and reopen the store when a new build is switched in; `kg.ask.guard` refuses what must not
reach them (SERVICE, deep nesting, another Host, bodies over 1 MB).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg.ask import guard
from kg.ask.syntax import explain_syntax_error
from kg.ask.workers import MEMORY, Workers
from kg.errors import ConfigError, QueryError, UsageError
from kg.export.namespaces import PREFIXES

# What a client may ask for, by media type: SELECT/ASK results and CONSTRUCT/DESCRIBE graphs.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
READ_ONLY = "kg serve is read-only: SPARQL updates are refused"
# A graph result asked for only in result formats (rdflib's SPARQLStore(returnFormat="json")
# runs CONSTRUCT so) is answered in this one, as most SPARQL servers answer.
DEFAULT_GRAPH_TYPE = "text/turtle"
METHODS = "GET, HEAD, POST, OPTIONS"

Answer = tuple[int, str, bytes]  # HTTP status, content type, body


def negotiate(accept: str, offered: Iterable[str]) -> str | None:
    """The offered media type the `Accept` header prefers (the first offered for `*/*` or no
    header), or None if it accepts none of them."""
    offered = list(offered)
    if not accept.strip():
        return offered[0]
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        kind, *options = (part.strip() for part in item.split(";"))
        q = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        kind = kind.lower()
        if kind in ("*/*", "application/*", "text/*"):
            head = kind.split("/")[0]
            match = next((o for o in offered if head == "*" or o.startswith(head + "/")), None)
        else:
            match = kind if kind in offered else None
        if match is not None and (best is None or (q, -position) > (best[0], best[1])):
            best = (q, -position, match)
    return best[2] if best else None


def _accepted(accept: str) -> list[str]:
    """The media types an `Accept` header names with a q above 0."""
    kinds = []
    for item in accept.split(","):
        kind, *options = (part.strip() for part in item.split(";"))
        if kind and not any(o.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for o in options):
            kinds.append(kind.lower())
    return kinds


def answer(store: ox.Store, query: str, accept: str, default: list[str], named: list[str]) -> Answer:
    """Run `query` on `store` and serialize the result as `accept` asks (the worker's job)."""
    options: dict[str, Any] = {"prefixes": PREFIXES}
    if default or named:
        # The protocol names the whole dataset (SPARQL 1.1 Protocol, 2.1.4): it replaces the
        # query's FROM and FROM NAMED, and what it leaves out is empty, as in the query
        # language (13.2): only named graphs given, the default graph is empty; only default
        # graphs, there are no named ones.  A graph the store does not hold is an empty graph.
        options["default_graph"] = [ox.NamedNode(iri) for iri in default]
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    try:
        result = store.query(query, **options)
        if isinstance(result, ox.QueryTriples):
            chosen = negotiate(accept, GRAPH_TYPES)
            asked = _accepted(accept)
            if chosen is None and asked and all(kind in RESULT_TYPES for kind in asked):
                chosen = DEFAULT_GRAPH_TYPE
            if chosen is None:
                return 406, "text/plain", f"a graph result is offered as {', '.join(GRAPH_TYPES)}".encode()
            body = ox.serialize(result, format=GRAPH_TYPES[chosen])
        else:
            chosen = negotiate(accept, RESULT_TYPES)
            if chosen is None:
                return 406, "text/plain", f"results are offered as {', '.join(RESULT_TYPES)}".encode()
            body = result.serialize(format=RESULT_TYPES[chosen])
    except SyntaxError as err:
        return (
            400,
            "text/plain; charset=utf-8",
            f"SPARQL syntax error: {explain_syntax_error(query, str(err))}".encode(),
        )
    except (ValueError, RuntimeError, OSError) as err:
        return 500, "text/plain", f"query failed: {err}".encode()
    assert body is not None
    charset = "; charset=utf-8" if chosen.startswith("text/") or "json" in chosen else ""
    return 200, chosen + charset, body


def with_values(text: str, params: dict[str, str]) -> str:
    """A query with its parameters bound by a VALUES block (SPARQL 1.1, 10.2), the way any
    SPARQL server takes them: first in the WHERE clause, so FILTERs there see the values."""
    from kg.ask.query import parse_term

    if not params:
        return text
    names = " ".join(f"?{name}" for name in params)
    terms = " ".join(str(parse_term(value)) for value in params.values())
    block = f"VALUES ({names}) {{ ({terms}) }}"
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if where is None:
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[: where.end()]}\n  {block}{text[where.end() :]}"


def query_page() -> bytes:
    """The query page: a form over /query and the bundled queries to start from."""
    from kg.ask.query import bundled_queries

    known = bundled_queries()
    queries = [
        {"name": q.name, "description": q.description, "params": q.params, "values": q.values, "text": q.text}
        for q in known
    ]
    template = (resources.files("kg") / "data" / "serve.html").read_text(encoding="utf-8")
    listing = "\n".join(
        f'<li><a href="#" data-name="{escape(q.name)}">{escape(q.name)}</a> {escape(q.description)}'
        + (f" <em>Needs {escape(q.needs)}.</em>" if q.needs else "")
        + "</li>"
        for q in known
    )
    data = json.dumps(queries).replace("</", "<\\/")
    prefixes = ", ".join(
        f'<code title="{escape(iri)}">{escape(name)}:</code>' for name, iri in PREFIXES.items()
    )
    return (
        template.replace("{{LIST}}", listing)
        .replace("{{QUERIES}}", data)
        .replace("{{PREFIXES}}", prefixes)
        .encode()
    )


@dataclass
class _Request:
    method: str
    path: str
    content_type: str
    accept: str
    params: dict[str, list[str]]
    body: bytes
    origin: str = ""


def _request(environ: dict[str, Any]) -> _Request:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    return _Request(
        environ["REQUEST_METHOD"],
        environ.get("PATH_INFO", "/"),
        environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower(),
        environ.get("HTTP_ACCEPT", ""),
        parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
        body,
        environ.get("HTTP_ORIGIN", ""),
    )


def cors_headers(request: _Request, cors: Sequence[str]) -> list[tuple[str, str]]:
    """The CORS headers for a request from `request.origin`: `*` in `cors` lets every origin
    read the answers, otherwise only the origins listed (exactly, as `scheme://host:port`)."""
    if not cors or not request.origin:
        return []
    if "*" in cors:
        headers = [("Access-Control-Allow-Origin", "*")]
    elif request.origin in cors:
        headers = [("Access-Control-Allow-Origin", request.origin)]
    else:
        return []
    if request.method == "OPTIONS":  # a preflight: what the real request may be
        headers += [
            ("Access-Control-Allow-Methods", METHODS),
            ("Access-Control-Allow-Headers", "Accept, Content-Type"),
            ("Access-Control-Max-Age", "600"),
        ]
    return headers


def make_app(
    workers: Workers, cors: Sequence[str] = (), *, host: str = "127.0.0.1", allow_service: Sequence[str] = ()
) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: `/` the query page, `/query` the SPARQL 1.1 Protocol query operation.

    `cors` the origins whose pages may read its answers (`*`: any); `host` the address the
    server listens on: requests naming another host are refused (DNS rebinding);
    `allow_service` the hosts a query's `SERVICE` may reach (none by default).
    """
    page = query_page()
    names = guard.allowed_hosts(host)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        arrival = time.monotonic()
        refused = guard.refuse_request(environ, names, host)
        request = _request(environ) if refused is None else None
        if refused is not None or request is None:
            status, content_type, body = refused or (400, "text/plain", b"bad request")
        else:
            status, content_type, body = _route(request, workers, page, allow_service, arrival)
        reason = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                  405: "Method Not Allowed", 406: "Not Acceptable", 413: "Content Too Large",
                  415: "Unsupported Media Type", 421: "Misdirected Request", 500: "Internal Server Error",
                  503: "Service Unavailable"}[status]  # fmt: skip
        headers = [("Content-Type", content_type)] if content_type else []
        headers.append(("Content-Length", str(len(body))))
        if request is not None and request.path == "/query":
            # The answer depends on Accept (and, for a listed origin, on Origin): caches must know.
            headers.append(("Vary", "Accept, Origin" if cors and "*" not in cors else "Accept"))
        if status in (204, 405):
            headers.append(("Allow", METHODS))
        if request is not None:
            headers += cors_headers(request, cors)
        start_response(f"{status} {reason}", headers)
        return [] if request is not None and request.method == "HEAD" else [body]

    return app


def _route(
    request: _Request,
    workers: Workers,
    page: bytes,
    allow_service: Sequence[str] = (),
    arrival: float | None = None,
) -> Answer:
    if request.method == "OPTIONS" and request.path in ("/", "/index.html", "/query"):
        return 204, "", b""
    if request.path in ("/", "/index.html") and request.method in ("GET", "HEAD"):
        return 200, "text/html; charset=utf-8", page
    if request.path == "/update":
        return 403, "text/plain", READ_ONLY.encode()
    if request.path != "/query":
        return 404, "text/plain", b"not found: the SPARQL endpoint is /query"
    params = request.params
    if request.method == "POST":
        if request.content_type == "application/x-www-form-urlencoded":
            form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            if "update" in form:
                return 403, "text/plain", READ_ONLY.encode()
            params = {**params, **form}
        elif request.content_type == "application/sparql-query":
            params = {**params, "query": [request.body.decode("utf-8", "replace")]}
        elif request.content_type == "application/sparql-update":
            return 403, "text/plain", READ_ONLY.encode()
        else:
            return (
                415,
                "text/plain",
                b"POST a query as application/x-www-form-urlencoded or application/sparql-query",
            )
    elif request.method not in ("GET", "HEAD"):
        return 405, "text/plain", b"use GET or POST"
    queries = params.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        return 400, "text/plain", b"give exactly one query parameter"
    default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    try:
        guard.check_query(queries[0], allow_service)
        guard.check_graph_iris([*default, *named])
    except QueryError as err:
        return 400, "text/plain", str(err).encode()
    return workers.run(queries[0], request.accept, default, named, arrival=arrival)


def serve(
    data: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float = 30.0,
    workers: int = 6,
    memory: int = MEMORY,
    cors: Sequence[str] = (),
    verbose: bool = False,
    ready: Callable[[str], None] | None = None,
    allow_service: Sequence[str] = (),
) -> None:
    """Serve the build in `data` (a build folder or an RDF file) until interrupted.

    `ready` is called with the page's URL once the server listens (port 0 picks a free port).
    `cors` lists the origins (`https://example.org`, or `*` for any) whose pages may query it
    from a browser.
    """
    from waitress.server import create_server

    from kg.export.store import store_for

    if timeout <= 0 or workers < 1:
        raise ConfigError("--timeout must be positive")
    for origin in cors:
        if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
            raise UsageError(f"--cors {origin!r}: give an origin as scheme://host[:port] (no path), or *")
    # waitress warns "Task queue depth is N" whenever requests wait for a thread: the workers
    # pace them on purpose, so that is not news (`verbose` keeps it).
    logging.getLogger("waitress.queue").setLevel(logging.WARNING if verbose else logging.ERROR)
    served = store_for(data)
    pool = Workers(served.path, workers, timeout, answer, memory=memory)
    try:
        try:
            server = create_server(
                make_app(pool, cors, host=host, allow_service=allow_service),
                host=host,
                port=port,
                threads=2 * workers + 2,  # more than workers: pages and 503s never wait for a query
                **guard.WAITRESS_LIMITS,
            )
        except OSError as err:
            raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror or err})") from None
        shown = str(server.effective_host)
        if shown in ("0.0.0.0", "::"):  # on every address: a URL that opens here (its Host passes)
            shown = "127.0.0.1" if shown == "0.0.0.0" else "::1"
        shown = f"[{shown}]" if ":" in shown else shown
        if ready is not None:
            ready(f"http://{shown}:{server.effective_port}/")
        try:
            server.run()
        finally:
            server.close()
    finally:
        pool.close()
        served.close()
