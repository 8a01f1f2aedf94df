"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a build, on the waitress WSGI server.

Queries run in worker processes that each open the build's Oxigraph store read-only, so a
query that runs past `timeout` is stopped for real (its worker is killed and replaced; an
Oxigraph query cannot be interrupted from its own thread) and the client gets a 503 saying
so.  Results are whole before they are sent, so an error is never a truncated 200.  The
workers (`kg.ask.workers`) bound each query's time from its arrival and each worker's memory,
and reopen the store when a new build is switched in; `kg.ask.guard` refuses what must not
reach them (SERVICE, deep nesting, another Host, bodies over 1 MB).
"""

from __future__ import annotations

import json
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
from kg.ask.workers import MEMORY, Workers
from kg.errors import ConfigError, QueryError

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


def answer(store: ox.Store, query: str, accept: str, default: list[str], named: list[str]) -> Answer:
    """Run `query` on `store` and serialize the result as `accept` asks (the worker's job)."""
    options: dict[str, Any] = {}
    if default:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default]
    if named:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    try:
        result = store.query(query, **options)
        if isinstance(result, ox.QueryTriples):
            chosen = negotiate(accept, GRAPH_TYPES)
            if chosen is None:
                return 406, "text/plain", f"a graph result is offered as {', '.join(GRAPH_TYPES)}".encode()
            body = ox.serialize(result, format=GRAPH_TYPES[chosen])
        else:
            chosen = negotiate(accept, RESULT_TYPES)
            if chosen is None:
                return 406, "text/plain", f"results are offered as {', '.join(RESULT_TYPES)}".encode()
            body = result.serialize(format=RESULT_TYPES[chosen])
    except SyntaxError as err:
        return 400, "text/plain", str(err).encode()
    except (ValueError, RuntimeError, OSError) as err:
        return 500, "text/plain", f"query failed: {err}".encode()
    assert body is not None
    charset = "; charset=utf-8" if chosen.startswith("text/") or "json" in chosen else ""
    return 200, chosen + charset, body


def with_values(text: str, params: dict[str, str]) -> str:
    """A query with its parameters bound by a VALUES block (SPARQL 1.1, 10.2), the way any
    SPARQL server takes them: first in the WHERE clause, so FILTERs there see the values."""
    import re

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
        {"name": q.name, "description": q.description, "params": q.params, "text": q.text} for q in known
    ]
    template = (resources.files("kg") / "data" / "serve.html").read_text(encoding="utf-8")
    listing = "\n".join(
        f'<li><a href="#" data-name="{escape(q.name)}">{escape(q.name)}</a> {escape(q.description)}</li>'
        for q in known
    )
    data = json.dumps(queries).replace("</", "<\\/")
    return template.replace("{{LIST}}", listing).replace("{{QUERIES}}", data).encode()


@dataclass
class _Request:
    method: str
    path: str
    content_type: str
    accept: str
    params: dict[str, list[str]]
    body: bytes


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
    )


def make_app(
    workers: Workers, *, host: str = "127.0.0.1", allow_service: Sequence[str] = ()
) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: `/` the query page, `/query` the SPARQL 1.1 Protocol query operation.

    `host` is the address the server listens on: requests naming another host are refused
    (DNS rebinding); `allow_service` the hosts a query's `SERVICE` may reach (none by default).
    """
    page = query_page()
    names = guard.allowed_hosts(host)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        arrival = time.monotonic()
        refused = guard.refuse_request(environ, names, host)
        if refused is not None:
            status, content_type, body = refused
        else:
            status, content_type, body = _route(_request(environ), workers, page, allow_service, arrival)
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                  406: "Not Acceptable", 413: "Content Too Large", 415: "Unsupported Media Type",
                  421: "Misdirected Request", 500: "Internal Server Error",
                  503: "Service Unavailable"}[status]  # fmt: skip
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        if status == 405:
            headers.append(("Allow", "GET, POST"))
        start_response(f"{status} {reason}", headers)
        return [body]

    return app


def _route(
    request: _Request,
    workers: Workers,
    page: bytes,
    allow_service: Sequence[str] = (),
    arrival: float | None = None,
) -> Answer:
    if request.path in ("/", "/index.html") and request.method == "GET":
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
    elif request.method != "GET":
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
    ready: Callable[[str], None] | None = None,
    allow_service: Sequence[str] = (),
) -> None:
    """Serve the build in `data` (a build folder or an RDF file) until interrupted.

    `ready` is called with the page's URL once the server listens (port 0 picks a free port).
    """
    from waitress.server import create_server

    from kg.export.store import store_for

    if timeout <= 0 or workers < 1:
        raise ConfigError("--timeout must be positive")
    served = store_for(data)
    pool = Workers(served.path, workers, timeout, answer, memory=memory)
    try:
        try:
            server = create_server(
                make_app(pool, host=host, allow_service=allow_service),
                host=host,
                port=port,
                threads=2 * workers + 2,  # more than workers: pages and 503s never wait for a query
                **guard.WAITRESS_LIMITS,
            )
        except OSError as err:
            raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror or err})") from None
        shown = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
        if ready is not None:
            ready(f"http://{shown}:{server.effective_port}/")
        try:
            server.run()
        finally:
            server.close()
    finally:
        pool.close()
        served.close()
