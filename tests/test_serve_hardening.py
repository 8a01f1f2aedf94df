"""`kg serve` and `kg query` safe to expose (issue 26): SERVICE refused, Host checked, bodies
capped, deep nesting refused before parsing, bad graph IRIs answered 400, idle and slow
clients unable to block others.

Everything runs on loopback against a real `kg serve` process; waits are bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from kg import pipeline
from kg.ask.guard import ServiceRefused, check_query
from kg.cli import app
from tests.conftest import DATA

runner = CliRunner()
GOOD = DATA / "pages" / "line_layout.txt"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"


class Recorder:
    """A local listener that records every connection made to it (and answers none)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join(timeout=2)
        self.socket.close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    probe = Recorder()
    yield probe
    probe.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hardened")
    pipeline.build([GOOD], out=out, formats=["nt"])
    return out


def start(folder: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "kg", "serve", "--data", str(folder), "--port", "0", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=60)
    assert line and line[0].startswith("kg serve: http://127.0.0.1:"), (line, proc.poll())
    return proc, line[0].split()[2]


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    proc, url = start(folder, "--timeout", "2")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def service_query(port: int) -> str:
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/internal-admin> {{ ?s ?p ?o }} }}"


def get(url: str, query: str, **kwargs: object) -> requests.Response:
    kwargs.setdefault("timeout", 30)
    return requests.get(url + "query", params={"query": query}, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# 1. SERVICE


def test_serve_refuses_service_and_the_probe_reaches_no_listener(server: str, recorder: Recorder):
    for query in (
        service_query(recorder.port),
        service_query(recorder.port).replace("SERVICE", "service SILENT"),
        service_query(recorder.port).replace("SERVICE", "\\u0053ERVICE"),
    ):
        response = requests.post(server + "query", data={"query": query}, timeout=30)
        assert response.status_code == 400, (query, response.text)
        assert "refused" in response.text and "--allow-service" in response.text
    time.sleep(0.3)
    assert recorder.connections == 0


def test_query_refuses_service_in_one_line(folder: Path, recorder: Recorder):
    result = runner.invoke(app, ["query", service_query(recorder.port), "--data", str(folder)])
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: SERVICE <http://127.0.0.1:{recorder.port}/internal-admin> refused (federated queries "
        "reach other hosts; allow one with --allow-service HOST)\n"
    )
    assert recorder.connections == 0


def test_an_allowed_host_is_reached(folder: Path, recorder: Recorder):
    # The same probe does reach the listener when the host is allowed: the refusal is what stops it.
    runner.invoke(
        app, ["query", service_query(recorder.port), "--data", str(folder), "--allow-service", "127.0.0.1"]
    )
    deadline = time.monotonic() + 5
    while recorder.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recorder.connections >= 1


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }',
        "SELECT ?service WHERE { ?service <http://schema.org/serviceType> ?o } # SERVICE",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
    ],
)
def test_the_word_service_elsewhere_is_no_service(text: str):
    check_query(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <http://evil.example/> { ?s ?p ?o } }",
    ],
)
def test_service_to_a_host_not_allowed_is_refused(text: str):
    with pytest.raises(ServiceRefused):
        check_query(text, ["127.0.0.1"])


# ------------------------------------------------------------------------------------------
# 4. Host, body, nesting, graph IRIs


def test_another_host_name_is_refused(server: str):
    port = server.rstrip("/").rsplit(":", 1)[1]
    rebound = get(server, COUNT, headers={"Host": f"attacker.example:{port}"})
    assert rebound.status_code == 421 and "attacker.example" in rebound.text
    assert get(server, COUNT, headers={"Host": f"localhost:{port}"}).status_code == 200
    assert get(server, COUNT).status_code == 200


def test_a_body_over_the_cap_is_refused_unread(server: str):
    body = b"query=" + b"x" * (2 << 20)
    response = requests.post(
        server + "query", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30
    )
    assert response.status_code == 413


def test_deep_nesting_is_refused_before_parsing(server: str, folder: Path):
    response = requests.post(server + "query", data={"query": DEEP}, timeout=30)
    assert response.status_code == 400 and "nests brackets" in response.text
    assert get(server, COUNT).status_code == 200
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", DEEP, "--data", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr  # was 139: a segfault in the parser
    assert result.stderr.startswith("Error: the query nests brackets more than 256 deep")


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_a_bad_graph_iri_is_a_400(server: str, name: str):
    response = requests.get(server + "query", params={"query": COUNT, name: "not an iri"}, timeout=30)
    assert response.status_code == 400 and "bad graph IRI" in response.text


# ------------------------------------------------------------------------------------------
# kg query --timeout


def test_query_timeout_stops_a_slow_query(folder: Path):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", SLOW, "--data", str(folder), "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == "Error: query stopped: it ran longer than 1 s (--timeout)\n"
    assert time.monotonic() - started < 30


# ------------------------------------------------------------------------------------------
# 2. Idle and slow clients; memory


def test_a_hundred_idle_sockets_do_not_stop_a_new_client(server: str):
    host, port = server.rstrip("/").split("//")[1].split(":")
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(100)]
    try:
        response = get(server, COUNT, timeout=10)
        assert response.status_code == 200
    finally:
        for sock in idle:
            sock.close()


def test_four_slow_queries_do_not_delay_a_fast_one(server: str):
    started = time.monotonic()
    assert get(server, COUNT).status_code == 200
    alone = time.monotonic() - started
    slow: list[int] = []
    threads = [threading.Thread(target=lambda: slow.append(get(server, SLOW).status_code)) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the slow ones hold their workers now
    started = time.monotonic()
    fast = get(server, COUNT)
    took = time.monotonic() - started
    page = requests.get(server, timeout=30)
    for thread in threads:
        thread.join(timeout=30)
    assert fast.status_code == 200 and page.status_code == 200
    assert took < alone + 1.0, (took, alone)
    assert slow == [503] * 4  # each stopped at its --timeout


def test_a_query_past_a_workers_memory_is_a_503_and_the_worker_is_replaced(folder: Path):
    proc, url = start(folder, "--timeout", "60", "--memory", "256", "--workers", "1")
    try:
        cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
        started = time.monotonic()
        response = requests.post(url + "query", data={"query": cross}, timeout=90)
        assert response.status_code == 503, response.text[:200]
        assert response.text == "query stopped: it needed more than 256 MB (kg serve's memory cap)"
        assert time.monotonic() - started < 60  # the cap stopped it, not the timeout
        assert get(url, COUNT).status_code == 200  # a fresh worker answers
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_worker_killed_from_outside_is_named_as_such_not_as_memory(folder: Path):
    proc, url = start(folder, "--timeout", "60", "--workers", "1")
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        workers = [
            pid for pid in children if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 1, children
        answers: list[requests.Response] = []
        asking = threading.Thread(
            target=lambda: answers.append(requests.post(url + "query", data={"query": SLOW}, timeout=90))
        )
        asking.start()
        time.sleep(1.0)  # the slow query holds the worker now
        os.kill(int(workers[0]), signal.SIGKILL)
        asking.join(timeout=60)
        assert answers[0].status_code == 503
        assert (
            answers[0].text
            == "query stopped: its worker ended unexpectedly (exit code -9); a fresh one is started"
        )
        assert get(url, COUNT).status_code == 200  # a fresh worker answers
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ------------------------------------------------------------------------------------------
# 3. A new build is answered from at once, never mixed with the old


def test_workers_answer_from_a_new_build_once_it_is_in(tmp_path: Path):
    out = tmp_path / "out"
    pipeline.build([GOOD], out=out, formats=["nt"])
    proc, url = start(out, "--workers", "3")
    try:
        before = {get(url, COUNT).json()["results"]["bindings"][0]["n"]["value"] for _ in range(6)}
        rebuilt = pipeline.build([DATA / "sources" / "hf_daily_2024-10-25.json"], out=out, formats=["nt"])
        after = {get(url, COUNT).json()["results"]["bindings"][0]["n"]["value"] for _ in range(9)}
        assert len(before) == 1 and after == {str(rebuilt.triples)} and before != after
    finally:
        proc.terminate()
        proc.wait(timeout=10)
