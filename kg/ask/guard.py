"""What `kg query` and `kg serve` refuse before a query reaches Oxigraph (issue 26).

- `SERVICE`: Oxigraph sends a federated query's pattern to the URL it names (an HTTP POST
  from this machine), so a query could reach hosts only this machine can reach (SSRF).  A
  query with `SERVICE` is refused unless every endpoint it names is on a host the user
  allowed (`--allow-service HOST`).
- Nesting: Oxigraph's parser recurses once per nested `(`, `{` or `[`; a few thousand
  overflow its stack and kill the process (a segfault, nothing to catch), so deep nesting
  is refused before parsing.
- Graph IRIs of the protocol (`default-graph-uri`, `named-graph-uri`) must be absolute IRIs.

The checks read the query's tokens with strings, IRIs and comments blanked, so a title that
says "service" is no `SERVICE`; they err on the side of refusing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from kg.errors import QueryError

MAX_DEPTH = 256  # nested brackets a query may have; real queries stay under 20
MAX_BODY = 1 << 20  # bytes a request body may have (`kg serve`: 413 past it)

# Strings, IRIs and comments (as in kg.ask.syntax), blanked before looking at keywords.
_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
# The keyword, not a variable (?service), a prefixed name (ex:service, service:x) or a blank node.
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)
_SILENT = re.compile(r"\s*(?:SILENT\b\s*)?", re.IGNORECASE)
_IRI = re.compile(r'<([^<>"{}|^`\\\s]*)>')
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class ServiceRefused(QueryError):
    """A query names a `SERVICE` endpoint the user did not allow."""


class TooDeep(QueryError):
    """A query nests brackets deeper than the parser can take."""


def _unescaped(text: str) -> str:
    """`text` with SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX) decoded, as the SPARQL
    grammar says a parser may do before anything else."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(decode, text)


def _blank(text: str) -> str:
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _services(text: str) -> Iterable[str | None]:
    """The endpoint IRI after each `SERVICE` keyword in `text` (None: a variable or a name)."""
    blank = _blank(text)
    for match in _SERVICE.finditer(blank):
        rest = _SILENT.match(text, match.end())
        start = rest.end() if rest else match.end()
        iri = _IRI.match(text, start)
        yield iri.group(1) if iri else None


def service_hosts(allowed: Iterable[str]) -> frozenset[str]:
    """`--allow-service` values as host names (a URL given names its host)."""
    hosts = set()
    for value in allowed:
        value = value.strip()
        host = urlsplit(value).hostname if "//" in value else value.split(":")[0].strip("[]")
        if host:
            hosts.add(host.lower())
    return frozenset(hosts)


def check_service(text: str, allowed: Iterable[str] = ()) -> None:
    """Refuse `text` if it has a `SERVICE` whose endpoint is not an http(s) URL on an allowed host."""
    hosts = service_hosts(allowed)
    for variant in dict.fromkeys((text, _unescaped(text))):
        for iri in _services(variant):
            host = urlsplit(iri).hostname if iri else None
            scheme = urlsplit(iri).scheme.lower() if iri else ""
            if iri is not None and host and scheme in ("http", "https") and host.lower() in hosts:
                continue
            named = f"<{iri}>" if iri is not None else "an endpoint not written as <IRI>"
            hint = (
                f" (allowed hosts: {', '.join(sorted(hosts))})"
                if hosts
                else " (federated queries reach other hosts; allow one with --allow-service HOST)"
            )
            raise ServiceRefused(f"SERVICE {named} refused{hint}")


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse `text` if its brackets nest deeper than `limit`."""
    depth = deepest = 0
    for char in _blank(text):
        if char in "({[":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    raise TooDeep(f"the query nests brackets more than {limit} deep; refused before parsing")
        elif char in ")}]":
            depth = max(0, depth - 1)


def check_query(text: str, allowed: Iterable[str] = ()) -> None:
    """Every check a query passes before Oxigraph sees it."""
    check_depth(text)
    check_service(text, allowed)


def check_graph_iris(iris: Sequence[str]) -> None:
    """Refuse protocol graph IRIs (`default-graph-uri`, `named-graph-uri`) that are not absolute IRIs."""
    import pyoxigraph as ox

    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as err:
            raise QueryError(f"bad graph IRI {iri[:200]!r}: {err}") from None


# ------------------------------------------------------------------------------------------
# `Host` (DNS rebinding): a page on another site that resolves its name to this machine
# sends requests whose Host is that name; answering only our own names stops it.


def is_own_address(name: str) -> bool:
    """Whether `name` is an IP literal of this machine (loopback, or an address of one of its
    interfaces): the kernel lets a socket bind only to its own addresses, so a probe bind says."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if address.is_loopback:
        return True
    if address.is_unspecified or address.is_multicast:
        return False
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((str(address), 0))
    except OSError:  # EADDRNOTAVAIL: another machine's address
        return False
    return True


def allowed_hosts(host: str) -> frozenset[str]:
    """The host names (no port) a request to a server listening on `host` may carry."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    # 0.0.0.0 is no address of a request's: a page that fetches http://0.0.0.0:port/ reaches
    # this machine from any site ("0.0.0.0 day"), so that Host is refused too.
    names = set() if address is not None and address.is_unspecified else {host.lower().strip("[]")}
    if address is None or address.is_loopback:
        names |= {"localhost", "127.0.0.1", "::1"}
    if address is not None and address.is_unspecified:
        names |= {"localhost", socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names)


def host_ok(header: str, names: frozenset[str], listening: str) -> bool:
    """Whether a request's `Host` header names this server (a missing one passes: no browser
    sends a request without it).

    On every address (0.0.0.0, ::) the names are this machine's own (localhost, its host
    name) and any of its own IP literals; another machine's address is refused like another
    name, since a rebound name could as well be written as the address it resolves to.
    """
    header = header.strip().lower()
    if not header:
        return True
    if header.startswith("["):
        name = header[1 : header.find("]")] if "]" in header else header
    else:
        name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    name = name.rstrip(".")  # "localhost." is localhost
    if name in names:
        return True
    try:
        unspecified = ipaddress.ip_address(listening.strip("[]")).is_unspecified
    except ValueError:
        unspecified = False
    return unspecified and is_own_address(name)


# What waitress itself bounds: bodies (it answers 413 past the cap, chunked ones too), open
# connections, and how long an idle or slow connection may hold one.
WAITRESS_LIMITS: dict[str, int] = {
    "max_request_body_size": MAX_BODY,
    "connection_limit": 1000,
    "channel_timeout": 15,
    "cleanup_interval": 5,
}


def refuse_request(
    environ: dict[str, object], names: frozenset[str], listening: str
) -> tuple[int, str, bytes] | None:
    """The answer to a request refused before it is read (another `Host`, a body over the
    cap), or None to go on."""
    header = str(environ.get("HTTP_HOST") or "")
    if not host_ok(header, names, listening):
        message = f"this server does not answer for host {header[:100]!r} (Host must name the address it listens on)"
        return 421, "text/plain", message.encode()
    try:
        length = int(str(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 400, "text/plain", b"bad Content-Length"
    if length > MAX_BODY:
        return 413, "text/plain", f"the request body is over {MAX_BODY:,} bytes".encode()
    return None
