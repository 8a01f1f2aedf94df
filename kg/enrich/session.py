"""The one HTTP session enrichment uses: a SQLite requests-cache, polite waits, retries, and a
watch on the network.

Every call first asks the cache alone; only a miss waits for the rate limit and goes to the
network, so a rebuild from a warm cache makes no request and waits for nothing.  With
`offline`, a miss is "not cached" and nothing is sent.

An answer is stored only once the caller's `parse` accepted it as the API's format, so a
captive portal's login page or a proxy's error page never enters the cache (and one stored
by an older version is dropped when it is next read).  A host that fails `MAX_FAILURES`
requests in a row (refused, timed out, or answering with something that is not the API's
format) is skipped for the rest of the run, and a run may have a deadline: both make later
requests raise `NotAsked` at once instead of waiting for a rate-limit slot and a timeout.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import requests_cache

from kg.enrich.cache import (
    EXPIRE_AFTER,
    CacheInfo,
    cache_info,
    cache_path,
    clear_cache,
    damaged,
    default_cache_path,
    locked,
)
from kg.errors import KgError

T = TypeVar("T")
# Seconds to open a connection (a reachable API connects in well under one; just over 3 s
# lets one lost SYN be resent) and of silence on an open connection before giving up.
CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 15.0
CACHE_WAIT = 3.0  # seconds to wait for the HTTP cache's write lock held by another process
MAX_FAILURES = 3  # failed requests in a row after which a host counts as down for the run
USER_AGENT = "kg-knowledge-graph/0.1 (research tool; polite client)"


class EnrichError(KgError):
    """A source could not answer usefully (network, status, malformed body)."""


class NetworkError(EnrichError):
    """No answer came: the connection was refused, reset or timed out."""


class BadAnswer(EnrichError):
    """An answer came but is not the API's: an unexpected status, or a body that does not
    parse as the API's format (a captive portal's login page, a proxy's error page)."""


class RateLimited(EnrichError):
    """The API still answered 429 (too many requests) after the retries, or asked for a
    longer wait (`Retry-After`) than `Client.max_wait`: try again later."""


class NotAsked(EnrichError):
    """The request was not sent; `reason` says why ("network down", "time limit", ...)."""

    def __init__(self, message: str, *, reason: str):
        self.reason = reason
        super().__init__(message)


class NotCached(NotAsked):
    """Offline, and the cache has no answer for this request."""

    def __init__(self, message: str):
        super().__init__(message, reason="offline, not cached")


def make_session(path: Path | None = None, *, offline: bool = False) -> requests_cache.CachedSession:
    """A cached session at `path` (see `cache_path`); `Client` decides what is read from and stored in it."""
    path = cache_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"cannot create the cache folder ({err.strerror or err})", path=path.parent) from None
    if locked(path, CACHE_WAIT):  # requests_cache would wait for the lock without end to set up its tables
        busy = requests_cache.CachedSession(backend="memory", only_if_cached=offline)
        busy.kg_cache_busy = True  # type: ignore[attr-defined]  # every request: not asked (cache busy)
        busy.headers["User-Agent"] = USER_AGENT
        return busy
    try:
        session = requests_cache.CachedSession(
            str(path),
            backend="sqlite",
            allowable_methods=("GET", "POST"),
            expire_after=EXPIRE_AFTER,
            only_if_cached=offline,
        )
    except sqlite3.Error as err:
        raise KgError(f"cannot open the HTTP cache ({err})", path=path) from None
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class Limiter:
    """At most one request every `interval` seconds; clock and sleep injectable for tests."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    last: float | None = None
    waited: float = 0.0

    def pause(self) -> float:
        """Seconds the next `wait` would sleep."""
        if self.last is None:
            return 0.0
        return max(0.0, self.interval - (self.clock() - self.last))

    def wait(self) -> None:
        pause = self.pause()
        if pause > 0:
            self.sleep(pause)
            self.waited += pause
        self.last = self.clock()


@dataclass
class Health:
    """One run's watch on the network, shared by its clients: which hosts are down, and the
    run's deadline (a `clock` value; None for no limit)."""

    deadline: float | None = None
    clock: Callable[[], float] = time.monotonic
    max_failures: int = MAX_FAILURES
    streak: dict[str, int] = field(default_factory=dict)
    down: dict[str, str] = field(default_factory=dict)  # host -> why
    timed_out: bool = False

    @classmethod
    def with_timeout(cls, seconds: float | None, clock: Callable[[], float] = time.monotonic) -> Health:
        """A watch whose deadline is `seconds` from now (None: no deadline)."""
        return cls(deadline=None if seconds is None else clock() + seconds, clock=clock)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - self.clock()

    def check(self, host: str, wait: float = 0.0) -> None:
        """Raise `NotAsked` if `host` is down, or if the deadline passes within `wait` s."""
        if host in self.down:
            raise NotAsked(f"{host} is unreachable ({self.down[host]})", reason="network down")
        left = self.remaining()
        if left is not None and left <= wait:
            self.timed_out = True
            raise NotAsked("the time limit for enrichment has passed", reason="time limit")

    def failed(self, host: str, why: str) -> None:
        self.streak[host] = self.streak.get(host, 0) + 1
        if self.streak[host] >= self.max_failures:
            self.down.setdefault(host, f"{why}, {self.streak[host]} requests in a row")

    def answered(self, host: str) -> None:
        self.streak[host] = 0


@dataclass
class Client:
    """One API's view of the shared session: its limiter, retries, request counter, and the
    run's `Health` (share one between the clients of a run)."""

    session: requests.Session  # a `make_session` one; a plain session caches nothing
    limiter: Limiter
    retries: int = 4
    backoff: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    headers: dict[str, str] = field(default_factory=dict)
    health: Health = field(default_factory=Health)
    refresh: bool = False  # ask the network even when the cache has a fresh answer
    sent: int = 0  # requests that went to the network
    max_wait: float = 300.0  # a longer Retry-After on a 429 is not waited for (RateLimited)
    failures: list[str] = field(default_factory=list)  # one line per request that failed
    hosts: set[str] = field(default_factory=set)  # hosts this client asked or meant to ask
    cache_busy: bool = False  # another process held the cache's write lock past CACHE_WAIT

    def fetch(
        self,
        method: str,
        url: str,
        parse: Callable[[requests.Response], T],
        *,
        expire_after: timedelta = EXPIRE_AFTER,
        **kwargs: Any,
    ) -> T:
        """`parse(response)` of the answer to a request, from the cache if it holds one.

        `parse` must raise `BadAnswer` for anything that is not the API's format; only what
        it accepted is stored, for `expire_after`.  It sees 2xx and 404 answers; 429 and 5xx
        are retried with exponential backoff and jitter, honouring Retry-After.  Raises
        `NotAsked` (offline cache miss, host down, deadline), `NetworkError`, `BadAnswer`, or
        `RateLimited` (429s outlasting the retries, or a Retry-After over `max_wait`).
        """
        host = urlsplit(url).netloc
        self.hosts.add(host)
        prepared, key = self._prepare(method, url, **kwargs)
        fresh, stale = self._cached(key, parse)
        if fresh:
            return fresh[0]
        if self.offline:
            raise NotCached(f"not cached (offline): {prepared.url}")
        self._check_writable()
        try:
            response, value = self._ask(prepared, parse, host)
        except (NotAsked, NetworkError, RateLimited):
            if stale:  # an old answer beats none when the network fails
                return stale[0]
            raise
        cache = getattr(self.session, "cache", None)
        if cache is None:
            return value
        try:
            cache.save_response(response, key, datetime.now(timezone.utc) + expire_after)
        except sqlite3.Error as err:
            raise KgError(f"cannot write the HTTP cache ({err})", path=cache.db_path) from None
        return value

    def _prepare(self, method: str, url: str, **kwargs: Any) -> tuple[requests.PreparedRequest, str]:
        """The request as it would be sent, and its cache key ("" without a cache)."""
        request = requests.Request(method, url, headers=self.headers, **kwargs)
        prepared = self.session.prepare_request(request)
        cache = getattr(self.session, "cache", None)
        return prepared, (cache.create_key(prepared) if cache is not None else "")

    def _cached(self, key: str, parse: Callable[[requests.Response], T]) -> tuple[list[T], list[T]]:
        """(fresh, stale): `[value]` of the cached answer in the first list when it can be used
        as it is (fresh, or any answer offline), in the second when it has expired; both
        empty when there is none, or only one `parse` refuses (it is dropped)."""
        cache = getattr(self.session, "cache", None)
        try:
            cached = None if self.refresh or cache is None else cache.get_response(key)
        except sqlite3.OperationalError as err:
            if "locked" not in str(err):
                raise damaged(cache, err) from None
            self.cache_busy = True
            raise NotAsked(
                "the HTTP cache is busy (locked by another process)", reason="cache busy"
            ) from None
        except sqlite3.DatabaseError as err:
            raise damaged(cache, err) from None
        if cached is None:
            return [], []
        try:
            value = parse(cached)
        except BadAnswer:
            cache.delete(key)  # type: ignore[union-attr]  # stored unchecked by an older kg
            return [], []
        return ([value], []) if not cached.is_expired or self.offline else ([], [value])

    def _check_writable(self) -> None:
        """Raise `NotAsked` if the cache's write lock is held by another process for longer
        than `CACHE_WAIT` (or what is left of the time limit): requests_cache would wait for
        it without end, and an answer that cannot be stored is not worth asking for."""
        cache = getattr(self.session, "cache", None)
        if getattr(self.session, "kg_cache_busy", False):
            self.cache_busy = True
        if cache is None:
            return
        if self.cache_busy:
            raise NotAsked("the HTTP cache is busy (locked by another process)", reason="cache busy")
        left = self.health.remaining()
        wait = CACHE_WAIT if left is None else max(0.0, min(CACHE_WAIT, left))
        try:
            with contextlib.closing(sqlite3.connect(str(cache.db_path), timeout=wait)) as db:
                db.execute("BEGIN IMMEDIATE")
                db.rollback()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise damaged(cache, err) from None
            self.cache_busy = True
            raise NotAsked(
                "the HTTP cache is busy (locked by another process)", reason="cache busy"
            ) from None
        except sqlite3.DatabaseError as err:
            raise damaged(cache, err) from None

    @property
    def offline(self) -> bool:
        settings = getattr(self.session, "settings", None)
        return bool(getattr(settings, "only_if_cached", False))

    def _ask(
        self, prepared: requests.PreparedRequest, parse: Callable[[requests.Response], T], host: str
    ) -> tuple[requests.Response, T]:
        """Send (with retries) until an answer parses; record the outcome in `health`."""
        for attempt in range(self.retries + 1):
            self.health.check(host, self.limiter.pause())
            self.limiter.wait()
            self.sent += 1
            try:
                response = self._send(prepared)
                if response.status_code == 429 or response.status_code >= 500:
                    asked = _retry_after(response)
                    if response.status_code == 429 and asked is not None and asked > self.max_wait:
                        raise RateLimited(f"rate-limited (asked to wait {asked:.0f} s): {prepared.url}")
                    if attempt < self.retries:
                        pause = asked or self.backoff * 2**attempt * (1 + self.jitter())
                        self.health.check(host, pause)
                        self.sleep(pause)
                        continue
                    if response.status_code == 429:
                        raise RateLimited(
                            f"rate-limited (HTTP 429 after {self.retries + 1} tries): {prepared.url}"
                        )
                    raise BadAnswer(f"HTTP {response.status_code} after {self.retries + 1} tries")
                if not (response.ok or response.status_code == 404):
                    raise BadAnswer(f"HTTP {response.status_code}")
                value = parse(response)
            except (NetworkError, BadAnswer) as err:
                self.health.failed(host, err.message)
                self.failures.append(f"{err.message}: {prepared.url}")
                raise
            except RateLimited:  # the host is up, only busy: the caller decides what to skip
                self.health.answered(host)
                raise
            self.health.answered(host)
            return response, value
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, prepared: requests.PreparedRequest) -> requests.Response:
        left = self.health.remaining()
        read = READ_TIMEOUT if left is None else max(0.1, min(READ_TIMEOUT, left))
        timeout = (min(CONNECT_TIMEOUT, read), read)
        # What `Session.request` would add: proxies, CA bundle and so on from the environment.
        settings = self.session.merge_environment_settings(prepared.url or "", {}, None, None, None)
        disabled = getattr(self.session, "cache_disabled", contextlib.nullcontext)
        try:
            with disabled():  # stored by `fetch`, once it parsed
                return self.session.send(prepared, timeout=timeout, **settings)
        except requests.ConnectTimeout:
            raise NetworkError(f"no connection within {timeout[0]:g} s") from None
        except requests.Timeout:
            raise NetworkError(f"no answer within {timeout[1]:g} s") from None
        except requests.ConnectionError as err:
            raise NetworkError(_connection_problem(err)) from None
        except requests.RequestException as err:
            raise NetworkError(f"request failed ({type(err).__name__})") from None


def _connection_problem(err: requests.ConnectionError) -> str:
    text = str(err)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "NameResolution" in text or "resolve" in text:
        return "host name not found"
    if "Network is unreachable" in text or "No route to host" in text:
        return "network unreachable"
    if "reset" in text.lower() or "RemoteDisconnected" in text or "aborted" in text.lower():
        return "connection closed without an answer"
    return "connection failed"


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def describe_body(response: requests.Response) -> str:
    """A few words on what a body that is not the API's format looks like, for a message."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    head = response.content[:200].lstrip().lower()
    if kind == "text/html" or head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page (a captive portal or a proxy's login or error page?)"
    if not head:
        return "an empty body"
    return f"a {kind} body" if kind else "an unrecognised body"


# ------------------------------------------------------------------------------------------
# `kg cache info` / `kg cache clear`


__all__ = ["EXPIRE_AFTER", "CacheInfo", "cache_info", "cache_path", "clear_cache", "default_cache_path"]
