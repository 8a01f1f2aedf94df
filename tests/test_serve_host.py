"""The `Host` check of `kg serve` (DNS rebinding, issue 26) on every address (`--host 0.0.0.0`):
this machine's names and its own IP literals pass, other names and other machines' addresses
are refused with 421.  The application is called in-process, so nothing listens beyond
loopback."""

from __future__ import annotations

import io
import socket
from typing import Any

import pytest

from kg.ask import guard
from kg.ask.serve import make_app

OTHER_V4 = "203.0.113.9"  # TEST-NET-3: documentation only, no machine's address
OTHER_V6 = "2001:db8::9"  # documentation only


class _NoWorkers:
    """Stands in for the worker pool: the page at / needs none."""

    def run(self, *args: Any, **kwargs: Any) -> tuple[int, str, bytes]:  # pragma: no cover
        raise AssertionError("no query is run here")


def status(host: str, header: str) -> int:
    app = make_app(_NoWorkers(), host=host)  # type: ignore[arg-type]
    seen: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "HTTP_HOST": header,
        "wsgi.input": io.BytesIO(b""),
    }
    b"".join(app(environ, lambda line, headers: seen.append(line)))
    return int(seen[0].split()[0])


def own_address(family: socket.AddressFamily, probe: str) -> str | None:
    """An address of this machine's own on a non-loopback interface (the one a route out uses),
    or None; a UDP connect sends nothing."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            address = str(sock.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith(("127.", "::1")) else address


@pytest.mark.parametrize(
    "header", ["localhost", "localhost:7878", "127.0.0.1:7878", "[::1]:7878", "LOCALHOST"]
)
def test_on_every_address_localhost_passes(header: str):
    assert status("0.0.0.0", header) == 200


def test_on_every_address_the_machines_own_names_pass():
    assert status("0.0.0.0", f"{socket.gethostname()}:7878") == 200
    assert status("0.0.0.0", socket.getfqdn()) == 200


def test_on_every_address_the_machines_own_ip_literals_pass():
    v4 = own_address(socket.AF_INET, "192.0.2.1")
    v6 = own_address(socket.AF_INET6, "2001:db8::1")
    if v4 is None and v6 is None:
        pytest.skip("this machine has no address beyond loopback")
    if v4 is not None:
        assert guard.is_own_address(v4)
        assert status("0.0.0.0", f"{v4}:7878") == 200
        assert status("0.0.0.0", v4) == 200
    if v6 is not None:
        assert guard.is_own_address(v6)
        assert status("::", f"[{v6}]:7878") == 200


@pytest.mark.parametrize(
    "header",
    ["attacker.example", "attacker.example:7878", f"{OTHER_V4}:7878", f"[{OTHER_V6}]:7878", "0.0.0.0:7878"],
)
def test_on_every_address_other_hosts_are_refused(header: str):
    # Was: any IP literal passed on 0.0.0.0, so a rebound name written as an address got in.
    assert status("0.0.0.0", header) == 421
    assert status("::", header) == 421


def test_on_loopback_only_loopback_names_pass():
    assert status("127.0.0.1", "localhost:7878") == 200
    assert status("127.0.0.1", "127.0.0.1") == 200
    own = own_address(socket.AF_INET, "192.0.2.1")
    if own is not None:  # the server does not listen there: its address is another host's name
        assert status("127.0.0.1", own) == 421
    assert status("127.0.0.1", "attacker.example") == 421
