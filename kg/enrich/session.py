"""The one HTTP session enrichment uses: a SQLite requests-cache, polite waits and retries.

Every call first asks the cache alone; only a miss waits for the rate limit and goes to the
network, so a rebuild from a warm cache makes no request and waits for nothing.  With
`offline`, a miss is reported as "not cached" (requests-cache answers 504) and nothing is sent.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
import requests_cache

from kg.errors import KgError

EXPIRE_AFTER = timedelta(days=30)  # paper metadata changes slowly; references grow over months
TIMEOUT = 30.0  # seconds for one HTTP exchange, apart from any rate-limit wait
USER_AGENT = "kg-knowledge-graph/0.1 (research tool; polite client)"


class EnrichError(KgError):
    """A source could not answer usefully (network, status, malformed body)."""


class NotCached(EnrichError):
    """Offline, and the cache has no answer for this request."""


class RateLimited(EnrichError):
    """The API still answered 429 (too many requests) after the retries, or asked for a
    longer wait (`Retry-After`) than `Client.max_wait`: try again later."""


def default_cache_path() -> Path:
    """$KG_CACHE_DIR/http.sqlite, else ~/.cache/kg/http.sqlite (XDG_CACHE_HOME respected)."""
    root = os.environ.get("KG_CACHE_DIR")
    if root:
        return Path(root) / "http.sqlite"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "kg" / "http.sqlite"


def make_session(path: Path | None = None, *, offline: bool = False) -> requests_cache.CachedSession:
    """A cached session at `path`; GET and POST are cached (the S2 batch call is a POST)."""
    path = path or default_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    session = requests_cache.CachedSession(
        str(path),
        backend="sqlite",
        allowable_methods=("GET", "POST"),
        allowable_codes=(200, 404),  # "no such title" is an answer worth keeping too
        expire_after=EXPIRE_AFTER,
        only_if_cached=offline,
        stale_if_error=True,
    )
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

    def wait(self) -> None:
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            pause = self.interval - (now - self.last)
            self.sleep(pause)
            self.waited += pause
            now = self.clock()
        self.last = now


@dataclass
class Client:
    """One API's view of the shared session: its limiter, retries and request counter."""

    session: requests.Session
    limiter: Limiter
    retries: int = 4
    backoff: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    headers: dict[str, str] = field(default_factory=dict)
    sent: int = 0  # requests that went to the network
    max_wait: float = 300.0  # a longer Retry-After is not waited for (RateLimited)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """A response with a 2xx or 404 status, from the cache if it has one.

        429 and 5xx are retried with exponential backoff and jitter, honouring Retry-After.
        Raises `NotCached` offline on a cache miss, `RateLimited` when 429s outlast the
        retries (or Retry-After exceeds `max_wait`), and `EnrichError` for anything else.
        """
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
        cached = self._send(method, url, only_if_cached=True, **kwargs)
        if cached.status_code != 504:  # requests-cache's answer to a miss; 504s are never stored
            return self._check(cached, url)
        if getattr(self.session.settings, "only_if_cached", False):  # type: ignore[attr-defined]
            raise NotCached(f"not cached (offline): {url}")
        for attempt in range(self.retries + 1):
            self.limiter.wait()
            self.sent += 1
            response = self._send(method, url, **kwargs)
            if response.status_code == 429 or response.status_code >= 500:
                wait = _retry_after(response)
                if response.status_code == 429 and wait is not None and wait > self.max_wait:
                    raise RateLimited(f"rate-limited (asked to wait {wait:.0f} s): {url}")
                if attempt == self.retries:
                    break
                self.sleep(wait or self.backoff * 2**attempt * (1 + self.jitter()))
                continue
            return self._check(response, url)
        if response.status_code == 429:
            raise RateLimited(f"rate-limited (HTTP 429 after {self.retries + 1} tries): {url}")
        raise EnrichError(f"HTTP {response.status_code} after {self.retries + 1} tries: {url}")

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, **kwargs)
        except requests.Timeout:
            raise EnrichError(f"timed out: {url}") from None
        except requests.RequestException as err:
            raise EnrichError(f"network error ({type(err).__name__}): {url}") from None

    @staticmethod
    def _check(response: requests.Response, url: str) -> requests.Response:
        if response.ok or response.status_code == 404:
            return response
        raise EnrichError(f"HTTP {response.status_code}: {url}")


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
