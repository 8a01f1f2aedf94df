"""Faults a user meets, injected for real: a dead or silent API host, a captive portal, a
killed build, a read-only or full output folder, huge or mistyped queries (issue 17).

Everything runs through the real CLI or the real HTTP client; waits are bounded (short
timeouts, local sockets) and rate-limit waits use an injected clock, never real sleeps.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from rdflib import Graph
from typer.testing import CliRunner
from werkzeug import Request, Response

from kg.ask import results as kg_results
from kg.ask.query import load_store, resolve_query
from kg.ask.results import MAX_TABLE_ROWS
from kg.cli import app
from kg.enrich import EnrichOptions, arxiv, enrich_papers, s2
from kg.enrich import session as sess
from kg.enrich.session import Client, Health, Limiter, cache_info, make_session
from kg.export import rdf
from tests import test_enrich
from tests.conftest import DATA, ROOT
from tests.fake_apis import Fault, World, serve, small_world
from tests.test_enrich import PAGES, papers

world = test_enrich.world  # the fake arXiv and Semantic Scholar APIs, as a fixture here too

runner = CliRunner()
GOOD = DATA / "pages" / "line_layout.txt"  # a one-page corpus, for exports to keep
PORTAL = "<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>Log in</body></html>"


def enrichment(text: str) -> dict[str, dict[str, int]]:
    """The enrichment table of a build's summary: {source: {outcome: papers, "requests": n}}."""
    found = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        if len(cells) == 7 and cells[0] in ("arxiv", "s2"):
            outcomes = ("matched", "not found", "rate-limited", "failed", "not asked", "requests")
            found[cells[0]] = dict(zip(outcomes, map(int, cells[1:]), strict=True))
    return found


def counts(matched: int = 0, not_found: int = 0, failed: int = 0, not_asked: int = 0, requests: int = 0):
    """A row of the enrichment table (no source rate-limited here)."""
    return {
        "matched": matched,
        "not found": not_found,
        "rate-limited": 0,
        "failed": failed,
        "not asked": not_asked,
        "requests": requests,
    }


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning: ")]


@pytest.fixture
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real clients, without the APIs' rate-limit intervals (a local server needs none)."""
    monkeypatch.setattr(arxiv, "INTERVAL", 0.0)
    monkeypatch.setattr(s2, "INTERVAL_KEYLESS", 0.0)
    monkeypatch.setattr(s2, "INTERVAL_KEY", 0.0)


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections (the kernel completes them) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def build(tmp_path: Path, *args: str, inputs: tuple[str, ...] = ()) -> object:
    return runner.invoke(
        app,
        ["build", *inputs, "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "c.sqlite"), *args],
    )


# ------------------------------------------------------------------------------------------
# 2. A dead network is noticed and skipped, not waited on paper by paper


def test_unreachable_host_is_given_up_after_three_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_waits: None
):
    arxiv_port, s2_port = closed_port(), closed_port()
    monkeypatch.setenv("KG_ARXIV_API", f"http://127.0.0.1:{arxiv_port}/api/query")
    monkeypatch.setenv("KG_S2_API", f"http://127.0.0.1:{s2_port}/graph/v1")
    result = build(tmp_path, "-e", "arxiv", "-e", "s2")  # the 475-paper sample
    assert result.exit_code == 0, result.output
    # Three failed requests per host, then the rest of the 475 papers are not asked.
    assert enrichment(result.stdout) == {
        "arxiv": counts(failed=30, not_asked=445, requests=3),
        "s2": counts(failed=3, not_asked=472, requests=3),
    }
    assert "not asked: arxiv (network down); s2 (network down)" in result.stdout
    assert warnings(result.stderr) == [
        f"Warning: arXiv: 127.0.0.1:{arxiv_port} (connection refused, 3 requests in a row) is unreachable: "
        "30 papers failed, 445 not asked. Check the connection, or build with --offline to use only "
        "cached answers.",
        f"Warning: Semantic Scholar: 127.0.0.1:{s2_port} (connection refused, 3 requests in a row) is "
        "unreachable: 3 papers failed, 472 not asked. Check the connection, or build with --offline to "
        "use only cached answers.",
    ]


def test_one_host_down_is_down_for_every_source_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_waits: None
):
    port = closed_port()
    monkeypatch.setenv("KG_ARXIV_API", f"http://127.0.0.1:{port}/arxiv")
    monkeypatch.setenv("KG_S2_API", f"http://127.0.0.1:{port}/s2")
    result = build(tmp_path, "-e", "arxiv", "-e", "s2")
    assert enrichment(result.stdout)["s2"] == counts(not_asked=475)


def test_server_that_never_answers_costs_three_read_timeouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_waits: None, silent_server: str
):
    monkeypatch.setattr(sess, "READ_TIMEOUT", 0.2)
    monkeypatch.setenv("KG_S2_API", silent_server)
    # With s2 alone, arXiv's title search comes first (to find ids cheaply): here it refuses.
    monkeypatch.setenv("KG_ARXIV_API", f"http://127.0.0.1:{closed_port()}/api/query")
    result = build(tmp_path, "-e", "s2")
    assert enrichment(result.stdout)["s2"] == counts(failed=3, not_asked=472, requests=3)
    assert warnings(result.stderr)[1].startswith(
        f"Warning: Semantic Scholar: {silent_server[7:]} (no answer within 0.2 s, 3 requests in a row) "
        "is unreachable"
    )


def test_enrich_timeout_bounds_the_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_waits: None, silent_server: str
):
    # The read timeout stays 15 s: the deadline shortens the one request it interrupts.
    monkeypatch.setenv("KG_ARXIV_API", silent_server + "/arxiv")
    monkeypatch.setenv("KG_S2_API", silent_server + "/s2")
    result = build(tmp_path, "-e", "arxiv", "-e", "s2", "--enrich-timeout", "0.5")
    assert result.exit_code == 0, result.output
    assert enrichment(result.stdout) == {
        "arxiv": counts(failed=10, not_asked=465, requests=1),
        "s2": counts(not_asked=475),
    }
    assert "not asked: arxiv (time limit); s2 (time limit)" in result.stdout
    assert (
        "Warning: Semantic Scholar: stopped at the time limit (--enrich-timeout): 475 papers not asked."
        in (warnings(result.stderr))
    )


def test_deadline_is_never_slept_past(world: World, tmp_path: Path):
    """Rate-limit waits on an injected clock: a wait that would end after the deadline is
    not taken, and the papers left are "not asked"."""
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    health = Health(deadline=5.0, clock=lambda: now[0])
    session = make_session(tmp_path / "c.sqlite")
    clients = {
        name: Client(session, Limiter(3.0, clock=lambda: now[0], sleep=sleep), sleep=sleep, health=health)
        for name in ("arxiv", "s2")
    }
    world.faults["arxiv-search"] = [Fault(400, '{"error": "bad query"}')]  # so every title goes to S2
    _, report = enrich_papers(papers(), ["s2"], session=session, clients=clients)
    # Matches at t=0 and t=3; the third would start at t=6, after the deadline, and so would
    # the batch call for the one paper matched.
    assert slept == [3.0] and world.calls == {"arxiv-search": 1, "s2-match": 2}
    counts = report.counts["s2"]
    assert (counts["matched"], counts["not_found"], counts["not_asked"]) == (0, 1, 2)
    assert report.not_asked_reason["s2"] == "time limit"


def test_connect_and_read_timeouts_are_separate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    seen = []

    def send(request, **kwargs):
        seen.append(kwargs["timeout"])
        raise sess.requests.ConnectTimeout()

    session = make_session(tmp_path / "c.sqlite")
    monkeypatch.setattr(session, "send", send)
    client = Client(session, Limiter(0), retries=0)
    with pytest.raises(sess.NetworkError, match=r"no connection within 3\.05 s"):
        client.fetch("GET", "http://127.0.0.1:1/x", s2.read_match)
    assert seen == [(sess.CONNECT_TIMEOUT, sess.READ_TIMEOUT)] and sess.CONNECT_TIMEOUT < sess.READ_TIMEOUT


# ------------------------------------------------------------------------------------------
# 3. Only real answers are cached


def portal(request: Request) -> Response:
    return Response(PORTAL, 200, content_type="text/html")


def test_captive_portal_page_is_never_cached(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_waits: None
):
    httpserver.expect_request(re.compile(".*")).respond_with_handler(portal)
    monkeypatch.setenv("KG_ARXIV_API", httpserver.url_for("/arxiv"))
    monkeypatch.setenv("KG_S2_API", httpserver.url_for("/s2"))
    first = build(tmp_path, "-e", "arxiv", "-e", "s2", inputs=(str(PAGES),))
    assert first.exit_code == 0, first.output
    assert cache_info(tmp_path / "c.sqlite").answers == 0
    # Both APIs are on the one local host here: three bad answers in a row give it up.
    reason = (
        f"localhost:{httpserver.port} (not Semantic Scholar's JSON (title match) but an HTML page "
        "(a captive portal or a proxy's login or error page?), 3 requests in a row) is unreachable"
    )
    assert [line.split(". Check")[0] for line in warnings(first.stderr)] == [
        f"Warning: arXiv: {reason}: 3 papers failed",
        f"Warning: Semantic Scholar: {reason}: 2 papers failed, 1 not asked",
    ]
    # Once past the portal, the next build asks again and gets the real answers.
    httpserver.clear()
    apis = serve(small_world(), httpserver, monkeypatch)
    second = build(tmp_path, "-e", "arxiv", "-e", "s2", inputs=(str(PAGES),))
    assert enrichment(second.stdout) == {
        "arxiv": counts(matched=2, not_found=1, requests=1),
        "s2": counts(matched=2, not_found=1, requests=2),
    }
    assert cache_info(tmp_path / "c.sqlite").answers == sum(apis.calls.values())


def test_a_portal_page_cached_by_an_older_kg_is_dropped_and_asked_again(
    httpserver: HTTPServer, tmp_path: Path
):
    url = httpserver.url_for("/arxiv")
    params = {"search_query": 'ti:"Attention Is All You Need"', "start": 0, "max_results": 3}
    httpserver.expect_oneshot_request("/arxiv").respond_with_handler(portal)
    session = make_session(tmp_path / "c.sqlite")
    # What kg did before answers were checked: requests-cache stored any 200.
    assert session.get(url, params=params).text == PORTAL
    assert cache_info(tmp_path / "c.sqlite").answers == 1
    apis = small_world()
    httpserver.expect_request("/arxiv").respond_with_handler(apis.handle)
    client = Client(session, Limiter(0))
    records = client.fetch("GET", url, arxiv.read_feed, params=params)
    assert [r.arxiv_id for r in records] == ["1706.03762"] and client.sent == 1
    again = Client(session, Limiter(0)).fetch("GET", url, arxiv.read_feed, params=params)
    assert again == records and apis.calls == {"arxiv-search": 1}  # now served from the cache


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (PORTAL, "text/html", 200),
        ('{"message": "Forbidden"}', "application/json", 200),  # JSON, but not the API's shape
        ("", "application/json", 200),
        ("<html>gone</html>", "text/html", 404),  # a 404 that is not the API's error object
    ],
)
def test_json_apis_store_only_their_own_shape(
    httpserver: HTTPServer, tmp_path: Path, body: str, content_type: str, status: int
):
    httpserver.expect_request("/s2/paper/search/match").respond_with_data(
        body, status=status, content_type=content_type
    )
    session = make_session(tmp_path / "c.sqlite")
    client = Client(session, Limiter(0))
    with pytest.raises(sess.BadAnswer):
        client.fetch(
            "GET", httpserver.url_for("/s2/paper/search/match"), s2.read_match, params={"query": "x"}
        )
    assert cache_info(tmp_path / "c.sqlite").answers == 0


def test_refresh_asks_again_and_offline_asks_nothing(world: World, tmp_path: Path):
    args = ("-e", "arxiv", "-e", "s2")
    first = enrichment(build(tmp_path, *args, inputs=(str(PAGES),)).stdout)
    assert first["arxiv"] == counts(matched=2, not_found=1, requests=1)
    sent = sum(world.calls.values())
    warm = enrichment(build(tmp_path, *args, inputs=(str(PAGES),)).stdout)
    assert warm["arxiv"] == counts(matched=2, not_found=1, requests=0)
    assert sum(world.calls.values()) == sent
    refreshed = build(tmp_path, *args, "--refresh", inputs=(str(PAGES),))
    assert enrichment(refreshed.stdout)["arxiv"] == counts(matched=2, not_found=1, requests=1)
    assert sum(world.calls.values()) == 2 * sent
    # The plan knows that --refresh sends everything again.
    assert "Plan: arXiv: 1 request (1 title search)" in refreshed.stderr
    both = build(tmp_path, *args, "--refresh", "--offline", inputs=(str(PAGES),))
    assert (both.exit_code, both.stderr) == (2, "Error: --offline and --refresh exclude each other\n")


def test_enrich_options_reach_the_clients(world: World, tmp_path: Path):
    session = make_session(tmp_path / "c.sqlite")
    enrich_papers(papers(), ["arxiv"], session=session)
    _, report = enrich_papers(papers(), ["arxiv"], session=session, options=EnrichOptions(refresh=True))
    assert report.counts["arxiv"]["requests"] == 1 and world.calls == {"arxiv-search": 2}


def test_cache_info_and_clear(world: World, tmp_path: Path):
    cache = tmp_path / "c.sqlite"
    build(tmp_path, "-e", "arxiv", "-e", "s2", inputs=(str(PAGES),))
    stored = sum(world.calls.values())
    info = runner.invoke(app, ["cache", "info", "--cache", str(cache)])
    assert info.exit_code == 0
    lines = dict(line.split(maxsplit=1) for line in info.stdout.splitlines())
    assert list(lines) == ["file", "size", "answers", "newest"]
    assert lines["file"] == str(cache) and lines["answers"].startswith(f"{stored} (0 expired")
    cleared = runner.invoke(app, ["cache", "clear", "--cache", str(cache)])
    assert cleared.exit_code == 0 and cleared.stdout.startswith(f"removed {cache} ({stored} answers, ")
    assert not cache.exists()
    again = runner.invoke(app, ["cache", "info", "--cache", str(cache)])
    assert again.stdout == f"no cache yet at {cache}\n"


def test_cache_info_on_a_file_that_is_not_a_cache(tmp_path: Path):
    other = tmp_path / "notes.sqlite"
    other.write_text("not a database at all, just text" * 10)
    result = runner.invoke(app, ["cache", "info", "--cache", str(other)])
    assert result.exit_code == 3
    assert result.stderr == f"Error: {other}: cannot read the HTTP cache (file is not a database)\n"


# ------------------------------------------------------------------------------------------
# 4. Temp files: removed on SIGTERM, and a killed build's ones at the next build

# Runs the real `kg` entry point with one change: when the build makes its HTML page (the
# graph files are staged by then), the process sends itself the signal named in argv[1].
_SIGNAL_DURING_WRITE = """
import os, signal, sys
from kg import cli
from kg import pipeline
SIGNAL = getattr(signal, sys.argv[1])
def render_html(graph, options=None):
    os.kill(os.getpid(), SIGNAL)
    return "partial"
pipeline.render_html = render_html
sys.argv = ["kg", *sys.argv[2:]]
cli.main()
"""


def signalled_build(signal_name: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            _SIGNAL_DURING_WRITE,
            signal_name,
            "build",
            str(GOOD),
            "--out",
            str(out),
            "-q",
            "-f",
            "ttl",
            "-f",
            "nt",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def hidden(folder: Path) -> list[str]:
    """Hidden files but `.kg` (kg's store and lock, see kg.export.commit)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".kg")


def contents(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (the store is a folder) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sigterm_during_the_write_removes_staged_files(tmp_path: Path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(GOOD), "--out", str(out), "-q"]).exit_code == 0
    before = contents(out)
    done = signalled_build("SIGTERM", out)
    assert done.returncode == 143, done.stderr
    assert done.stderr == f"Stopped: terminated (SIGTERM); nothing was written, {out} is as it was.\n"
    assert contents(out) == before


def test_next_build_removes_what_a_killed_build_left(tmp_path: Path):
    out = tmp_path / "out"
    killed = signalled_build("SIGKILL", out)
    assert killed.returncode == -9
    left = hidden(out)
    assert len(left) == 5 and all(
        re.fullmatch(r"\.(graph\.(ttl|nt|html)|vocab\.ttl|oxigraph)\.kg-\w{8}\.tmp", n) for n in left
    )
    (out / ".graph.nt.ibbk41ra.tmp").write_text("left by kg before staged files were locked")
    (out / ".notes.tmp").write_text("not kg's")
    # A concurrent build holds its staged file locked: it must be left alone.
    live = out / ".graph.jsonld.kg-live0001.tmp"
    with live.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = runner.invoke(app, ["build", str(GOOD), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
        assert hidden(out) == [".graph.jsonld.kg-live0001.tmp", ".notes.tmp"]
    assert re.fullmatch(
        rf"Warning: removed 6 temporary files \([\d.]+ MB\) that an interrupted build left in {re.escape(str(out))}\n",
        result.stderr,
    )


# ------------------------------------------------------------------------------------------
# 5. OS errors are one line, and earlier exports stay


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount a small tmpfs (root only; skipped otherwise, with the reason)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a full or read-only file system needs root")
    mounted: list[Path] = []

    def mount(size: str, name: str = "fs") -> Path:
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


def test_read_only_output_folder_is_one_line_and_keeps_exports(tmp_path: Path, mount_tmpfs):
    out = mount_tmpfs("4m")
    assert runner.invoke(app, ["build", str(GOOD), "--out", str(out), "-q"]).exit_code == 0
    before = contents(out)
    subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
    result = runner.invoke(app, ["build", "--out", str(out), "-q"])
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {out}: cannot write: read-only file system (earlier exports are unchanged)\n",
    )
    assert contents(out) == before
    inside = runner.invoke(app, ["build", "--out", str(out / "new"), "-q"])
    assert inside.stderr == f"Error: {out / 'new'}: cannot create output directory (read-only file system)\n"


@pytest.mark.parametrize("serializer_processes", [False, True])
def test_full_disk_is_one_line_and_keeps_exports(
    tmp_path: Path, mount_tmpfs, monkeypatch: pytest.MonkeyPatch, serializer_processes: bool
):
    out = mount_tmpfs("1m")  # room for a one-page build, not for the 2.8 MB Turtle of the sample
    assert runner.invoke(app, ["build", str(GOOD), "--out", str(out), "-q"]).exit_code == 0
    # A large build writes through serializer processes: their full disk reads the same.
    monkeypatch.setattr(rdf, "SERIALIZER_MIN_EDGES", 0 if serializer_processes else 10**12)
    before = contents(out)
    result = runner.invoke(app, ["build", "--out", str(out), "-q"])
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {out}: cannot write: no space left on device (earlier exports are unchanged)\n",
    )
    assert contents(out) == before and not hidden(out)  # no staged file left either


def test_path_too_long_is_one_line(tmp_path: Path):
    out = tmp_path / ("x" * 300)
    result = runner.invoke(app, ["build", str(GOOD), "--out", str(out), "-q"])
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {out}: cannot create output directory (file name too long)\n",
    )


def test_permission_denied_is_one_line(tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root writes through permission bits (the read-only and full file systems are tested)")
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    result = runner.invoke(app, ["build", str(GOOD), "--out", str(out), "-q"])
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: {out}: cannot write: permission denied (earlier exports are unchanged)\n",
    )


# ------------------------------------------------------------------------------------------
# 6. A huge result in the table format; 7. query usability


def query(*args: str):
    return runner.invoke(app, ["query", *args])


def test_table_shows_capped_rows_and_says_how_many_are_left(seed_ttl: Path, monkeypatch: pytest.MonkeyPatch):
    triples = len(load_store([seed_ttl]))
    result = query("SELECT ?p WHERE { ?s ?p ?o }", "-d", str(seed_ttl))
    assert result.exit_code == 0
    body = [line for line in result.stdout.splitlines() if line.startswith("│ ")]
    # one line a row: every row is one prefixed name in its cell
    assert len(body) == MAX_TABLE_ROWS and all(re.fullmatch(r"│ [a-z]+:\w+ *│", line) for line in body)
    assert result.stderr == (
        f"Note: {triples - MAX_TABLE_ROWS:,} more rows not shown (the table shows {MAX_TABLE_ROWS}); "
        "--format csv, tsv or json gives every row, --max-rows more of them here.\n"
    )
    monkeypatch.setattr(kg_results, "_COUNT_AT_MOST", 1000)  # counting the rest stops somewhere
    few = query("SELECT ?s WHERE { ?s ?p ?o }", "-d", str(seed_ttl), "--max-rows", "2")
    assert few.stderr.startswith("Note: over 1,000 more rows not shown (the table shows 2);")
    every = query("SELECT ?s WHERE { ?s ?p ?o }", "-d", str(seed_ttl), "-f", "tsv")
    assert len(every.stdout.splitlines()) == triples + 1 and every.stderr == ""


def test_label_and_title_params_match_in_any_case(seed_ttl: Path):
    def papers(*params: str) -> set[str]:
        out = query("papers-for-concept", "-d", str(seed_ttl), "-f", "csv", *params)
        assert out.exit_code == 0 and out.stderr == ""
        return {line.split(",")[0] for line in out.stdout.splitlines()[1:]}

    assert (
        papers("-p", "label=llm") == papers("-p", "label=LLM") == papers("-p", "label=Large Language Model")
    )
    assert len(papers("-p", "label=llm")) > 10
    exact = query(
        "similar-papers",
        "-d",
        str(seed_ttl),
        "-f",
        "csv",
        "-p",
        "title=Scaling Laws for Speculative Decoding",
    )
    lower = query(
        "similar-papers",
        "-d",
        str(seed_ttl),
        "-f",
        "csv",
        "-p",
        "title=scaling laws for speculative decoding",
    )
    strip = lambda text: [line.split(",", 1)[1] for line in text.splitlines()[1:]]  # noqa: E731
    assert strip(exact.stdout) == strip(lower.stdout) and len(strip(exact.stdout)) >= 3


def test_bundled_params_say_they_ignore_case():
    for name, param in [("papers-for-concept", "label"), ("similar-papers", "title")]:
        chosen = resolve_query(name)
        assert "in any case" in chosen.params[param] and chosen.values[param]


@pytest.mark.parametrize(
    ("name", "param", "note"),
    [
        (
            "papers-for-concept",
            "label=lmmm",
            "--param label='lmmm' matches no skos:prefLabel|skos:altLabel in the data (in any case); "
            "close matches: 'LMM', 'LMMs', 'LM'",
        ),
        (
            "similar-papers",
            "title=scaling laws for speculative",
            "--param title='scaling laws for speculative' matches no dcterms:title in the data (in any case); "
            "close matches: 'Scaling Laws for Speculative Decoding', 'Scaling Laws for Neural Machine Translation'",
        ),
        (
            "papers-for-concept",
            "label=zzzzqqq",
            "--param label='zzzzqqq' matches no skos:prefLabel|skos:altLabel "
            "in the data (in any case); nothing close either",
        ),
    ],
)
def test_unmatched_param_says_so_with_close_matches(seed_ttl: Path, name: str, param: str, note: str):
    result = query(name, "-d", str(seed_ttl), "-f", "csv", "-p", param)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1  # the header only
    assert result.stderr == f"Note: {note}\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["-p", "label=LLM", "-p", "label=LMM"],
            "--param label is given twice ('LLM' and 'LMM'); give it once",
        ),
        (["-p", "lable=LLM"], "query 'papers-for-concept' has no parameter lable; its parameters: label"),
        (["-p", "label"], "--param expects name=value, got 'label'"),
    ],
)
def test_param_mistakes_are_usage_errors(seed_ttl: Path, args: list[str], error: str):
    result = query("papers-for-concept", "-d", str(seed_ttl), *args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {error}\n")


CONSTRUCT = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c skos:prefLabel ?l } LIMIT 3"


@pytest.mark.parametrize(
    ("sparql", "fmt", "error"),
    [
        (
            CONSTRUCT,
            "csv",
            "--format csv is for SELECT and ASK answers; this query gives a graph (CONSTRUCT or DESCRIBE): "
            "use --format ttl, nt, jsonld (table prints Turtle)",
        ),
        (
            "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
            "nt",
            "--format nt is for CONSTRUCT and DESCRIBE graphs; this query gives rows (SELECT): "
            "use --format table, json, csv, tsv",
        ),
        (
            "ASK { ?s ?p ?o }",
            "ttl",
            "--format ttl is for CONSTRUCT and DESCRIBE graphs; this query gives true or false (ASK): "
            "use --format table, json, csv, tsv",
        ),
    ],
)
def test_format_that_does_not_fit_the_query_is_an_error(seed_ttl: Path, sparql: str, fmt: str, error: str):
    result = query(sparql, "-d", str(seed_ttl), "-f", fmt)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {error}\n")


def test_formats_that_fit(seed_ttl: Path):
    nt = query(CONSTRUCT, "-d", str(seed_ttl), "-f", "nt")
    assert nt.exit_code == 0 and len(Graph().parse(data=nt.stdout, format="nt")) == 3
    ask = query("ASK { ?p a schema:Movie }", "-d", str(seed_ttl), "-f", "json")
    assert (ask.exit_code, json.loads(ask.stdout)) == (1, {"head": {}, "boolean": False})


@pytest.mark.parametrize(
    ("sparql", "error"),
    [
        (  # an undefined prefix on line 3, named and placed in the user's own text
            "SELECT ?p WHERE {\n  ?p a schema:ScholarlyArticle ;\n     dc:title ?t .\n}",
            "unknown prefix 'dc:' at line 3, column 6; declare it (PREFIX dc: <…>) or use a predeclared one: "
            "schema, dcterms, skos, foaf, cito, prov, owl, rdf, rdfs, xsd, kg",
        ),
        (  # the parser stops at the end (5:1, past the blank lines); the text ends on line 3
            "SELECT ?p WHERE {\n  ?p a schema:ScholarlyArticle\n\n\n",
            "the query ends too early (line 2, column 31): '{' not closed",
        ),
        (
            "SELCT ?p WHERE { ?p ?q ?r }",
            "a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE, not 'SELCT' (line 1, column 1)",
        ),
        (
            "SELECT ?p WHERE { ?p ?q ?r } LIMIT ten",
            "unexpected 'ten' at line 1, column 36; expected HAVING, OFFSET, OPTIONAL, VALUES, a number",
        ),
        (
            "SELECT ?p WHERE { ?p ?q ?r } ORDER ?p",
            "the parser stopped at the end (line 1, column 38) expecting BY",
        ),
        (
            "SELECT (COUNT(?p) AS ?n) ?p WHERE { ?p ?q ?r }",
            "the SELECT contains a variable that is unbound (line 1, column 47)",
        ),
        ("SELECT ?p WHERE { <http://a b> ?q ?r }", "invalid IRI (line 1, column 19)"),
    ],
)
def test_parser_errors_are_words_at_the_users_line_and_column(seed_ttl: Path, sparql: str, error: str):
    result = query(sparql, "-d", str(seed_ttl))
    assert (result.exit_code, result.stderr) == (2, f"Error: SPARQL syntax error in inline: {error}\n")


# ------------------------------------------------------------------------------------------
# 8. Fast start: the quick commands import none of the build's machinery

_MODULES_AFTER = """
import sys
sys.argv = ["kg", *sys.argv[1:]]
from kg.cli import main
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""
HEAVY = {"numpy", "scipy", "networkx", "rdflib", "requests", "requests_cache", "simplemma", "pyvis"}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["build", "--help"],
        ["query", "top-concepts", "-f", "csv"],
        ["view", "--no-open"],
    ],
)
def test_quick_commands_import_nothing_heavy(seed_build, tmp_path: Path, args: list[str]):
    out = tmp_path / "exports"
    out.mkdir()
    for path in seed_build.outputs:
        (out / path.name).write_bytes(path.read_bytes())
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "KG_CACHE_DIR": str(tmp_path / "cache")},
        timeout=60,
    )
    modules = set(done.stderr.splitlines()[-1].split())
    assert done.stdout, done.stderr
    assert not modules & HEAVY, sorted(modules & HEAVY)


def test_light_prefixes_are_the_rdf_modules_namespaces():
    from kg.export import rdf
    from kg.export.namespaces import PREFIXES

    assert str(rdf.DCTERMS) == PREFIXES["dcterms"] and str(rdf.SKOS) == PREFIXES["skos"]
    assert str(rdf.FOAF) == PREFIXES["foaf"] and str(rdf.OWL) == PREFIXES["owl"]
    assert str(rdf.PROV) == PREFIXES["prov"] and str(rdf.RDF) == PREFIXES["rdf"]
    assert str(rdf.XSD) == PREFIXES["xsd"] and rdf.PREFIXES is PREFIXES


# ------------------------------------------------------------------------------------------
# 9. Help that reads at 80 columns


@pytest.mark.parametrize(
    "command",
    [[], ["build"], ["query"], ["view"], ["stats"], ["cache"], ["cache", "info"], ["cache", "clear"]],
)
def test_help_has_no_type_noise_and_fits_80_columns(command: list[str]):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not re.search(r"<(bool|int|str|list|path|float)", result.stdout), result.stdout
    for line in lines:  # no option name cut short
        assert not re.search(r"--[\w-]+…", line), line


def test_build_options_are_grouped_in_panels():
    text = runner.invoke(app, ["build", "--help"], env={"COLUMNS": "80"}).stdout
    panels = re.findall(r"╭─ (\w+) ─", text)
    assert panels == ["Arguments", "Options", "Inputs", "Output", "Concepts", "Enrichment", "View"]
    enrichment = text[text.index("╭─ Enrichment") : text.index("╭─ View")]
    for option in ["--enrich ", "--cache ", "--offline ", "--refresh ", "--enrich-timeout "]:
        assert option in enrichment
