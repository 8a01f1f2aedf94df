"""`kg fetch hf` against a local server answering like `GET /api/daily_papers`.

The real client runs (cached session, limiter, retries); only the host differs, through
KG_HF_API as a user would point kg at a mirror.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from kg.ask.query import load_store, select
from kg.cli import app
from kg.enrich import fetch, hf
from kg.enrich.session import Client, Limiter, make_session
from kg.errors import ConfigError, KgError
from tests.conftest import DATA

runner = CliRunner()
DAY = json.loads((DATA / "sources" / "hf_daily_2024-10-25.json").read_text())


class Api:
    """Serves Daily Papers lists by date, week or month, paged with `limit` and `p` like the API."""

    def __init__(self) -> None:
        self.lists: dict[tuple[str, str], list[dict]] = {
            ("date", "2024-10-25"): DAY,
            ("date", "2024-10-26"): [],  # a Saturday: nothing listed
            ("week", "2024-W43"): DAY + DAY[:1],  # the API can repeat an item across pages
            ("month", "2024-10"): DAY,
        }
        self.asked: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.asked.append(args)
        for kind in ("date", "week", "month"):
            if kind in args:
                items = self.lists.get((kind, args[kind]))
                break
        else:
            items = None
        if items is None:
            body = {"error": "Invalid date"}
            return Response(json.dumps(body), status=400, content_type="application/json")
        limit, page = int(args.get("limit", 50)), int(args.get("p", 0))
        return Response(json.dumps(items[page * limit : (page + 1) * limit]), content_type="application/json")


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Api:
    served = Api()
    httpserver.expect_request("/api/daily_papers").respond_with_handler(served)
    monkeypatch.setenv("KG_HF_API", httpserver.url_for("/api"))
    monkeypatch.setattr(hf, "INTERVAL", 0.0)  # a local server needs no polite waits
    return served


def fetch_cli(*args: str):
    return runner.invoke(app, ["fetch", "hf", *args])


def test_fetch_saves_the_api_answer_and_a_second_run_sends_nothing(api: Api, tmp_path: Path):
    out, cache = tmp_path / "papers", tmp_path / "http.sqlite"
    first = fetch_cli("--date", "2024-10-25", "--out", str(out), "--cache", str(cache))
    assert first.exit_code == 0, first.output
    saved = out / "hf-daily-2024-10-25.json"
    assert json.loads(saved.read_text()) == DAY  # the API's items, as it gave them
    assert f"wrote {saved} (3 papers)" in first.stdout
    assert "1 request sent" in first.stdout
    assert len(api.asked) == 1 and api.asked[0] == {"date": "2024-10-25", "limit": "100", "p": "0"}
    before = saved.read_bytes()

    second = fetch_cli("--date", "2024-10-25", "--out", str(out), "--cache", str(cache))
    assert second.exit_code == 0, second.output
    assert len(api.asked) == 1  # the server saw nothing new
    assert "0 requests sent" in second.stdout
    assert saved.read_bytes() == before


def test_what_fetch_saved_builds_offline(api: Api, tmp_path: Path):
    out = tmp_path / "papers"
    assert (
        fetch_cli("--date", "2024-10-25", "--out", str(out), "--cache", str(tmp_path / "c.sqlite")).exit_code
        == 0
    )
    built = runner.invoke(app, ["build", str(out), "--out", str(tmp_path / "exports"), "-q"])
    assert built.exit_code == 0, built.output
    rows = select(
        load_store([tmp_path / "exports" / "graph.ttl"]),
        """PREFIX kg: <https://w3id.org/kg/vocab#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?id ?up ?listed WHERE {
          ?p kg:arxivId ?id ; kg:upvotes ?up ; prov:wasDerivedFrom ?s . ?s kg:listingDate ?listed
        } ORDER BY ?id""",
    )
    assert [(r["id"], r["up"], r["listed"]) for r in rows] == [
        ("1706.03762", "97", "2024-10-25"),
        ("2109.00859", "12", "2024-10-25"),
        ("2304.02643", "41", "2024-10-25"),
    ]


def test_pages_are_followed_and_repeats_kept_once(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(hf, "PAGE_SIZE", 2)
    result = fetch_cli("--week", "2024-W43", "--out", str(tmp_path), "--cache", str(tmp_path / "c.sqlite"))
    assert result.exit_code == 0, result.output
    # 4 items (one repeated) in pages of 2: p=2 comes back short (empty), which ends the list.
    assert [a["p"] for a in api.asked] == ["0", "1", "2"]
    saved = json.loads((tmp_path / "hf-week-2024-W43.json").read_text())
    assert [item["paper"]["id"] for item in saved] == [item["paper"]["id"] for item in DAY]


def test_a_range_writes_a_file_a_day_and_notes_empty_days(api: Api, tmp_path: Path):
    result = fetch_cli(
        "--from",
        "2024-10-25",
        "--to",
        "2024-10-26",
        "--out",
        str(tmp_path),
        "--cache",
        str(tmp_path / "c.sqlite"),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["hf-daily-2024-10-25.json"]
    assert "Note: no papers listed for date 2024-10-26; no file written" in result.stderr


def test_an_api_error_is_one_line_and_writes_nothing(api: Api, tmp_path: Path):
    out = tmp_path / "papers"
    result = fetch_cli(
        "--date",
        "2024-10-25",
        "--date",
        "2023-01-01",
        "--out",
        str(out),
        "--cache",
        str(tmp_path / "c.sqlite"),
    )
    assert result.exit_code == 3
    assert result.stderr == "Error: cannot fetch date 2023-01-01: HTTP 400\n"
    assert not out.exists() or not any(out.iterdir())


def test_offline_without_a_cached_answer_is_an_error(api: Api, tmp_path: Path):
    result = fetch_cli(
        "--month", "2024-10", "--out", str(tmp_path), "--cache", str(tmp_path / "c.sqlite"), "--offline"
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: cannot fetch month 2024-10: not cached (offline): ")
    assert api.asked == []


def test_429_retry_after_is_honoured(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KG_HF_API", httpserver.url_for("/api"))
    httpserver.expect_ordered_request("/api/daily_papers").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "12"}
    )
    httpserver.expect_ordered_request("/api/daily_papers").respond_with_json(DAY)
    slept: list[float] = []
    session = make_session(tmp_path / "c.sqlite")
    client = Client(session, Limiter(0), sleep=slept.append)
    result = fetch.fetch_hf(
        [fetch.Period("date", "2024-10-25")], tmp_path / "out", session=session, client=client
    )
    assert slept == [12.0] and result.requests == 2
    assert json.loads((tmp_path / "out" / "hf-daily-2024-10-25.json").read_text()) == DAY


def test_a_list_still_open_today_expires_within_hours(api: Api, tmp_path: Path):
    today = datetime.now(timezone.utc).date()
    api.lists[("date", today.isoformat())] = DAY
    session = make_session(tmp_path / "c.sqlite")
    wanted = fetch.periods(dates=[today.isoformat(), "2024-10-25"])
    assert [p.still_open for p in wanted] == [False, True]
    fetch.fetch_hf(wanted, tmp_path / "out", session=session)
    expiry = {r.url.split("date=")[1][:10]: r.expires for r in session.cache.responses.values()}
    soon = datetime.now(timezone.utc) + timedelta(hours=2)
    assert expiry[today.isoformat()].replace(tzinfo=timezone.utc) < soon
    assert expiry["2024-10-25"].replace(tzinfo=timezone.utc) > soon + timedelta(days=7)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "name what to fetch: --date, --week, --month, or --from and --to"),
        ({"dates": ["2024-13-01"]}, "--date expects a date like 2024-10-25, got '2024-13-01'"),
        ({"dates": ["2024-11-02"]}, "2024-11-02 is in the future (today is 2024-11-01 UTC)"),
        ({"weeks": ["2024-43"]}, "--week expects an ISO week like 2024-W43, got '2024-43'"),
        ({"weeks": ["2024-W45"]}, "week 2024-W45 has not begun (today is 2024-11-01 UTC)"),
        ({"months": ["2024-1"]}, "--month expects a month like 2024-10, got '2024-1'"),
        ({"start": "2024-10-01"}, "a date range needs both --from and --to"),
        ({"start": "2024-10-02", "end": "2024-10-01"}, "--to 2024-10-01 is before --from 2024-10-02"),
        (
            {"start": "2022-01-01", "end": "2024-10-01"},
            "the range holds 1005 days; fetch at most 366 at once",
        ),
    ],
)
def test_bad_periods_are_named(options: dict, message: str):
    with pytest.raises(ConfigError) as err:
        fetch.periods(**options, today=date(2024, 11, 1))
    assert str(err.value) == message


def test_bad_period_on_the_cli_is_a_usage_error(tmp_path: Path):
    result = fetch_cli("--week", "2024-W60", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == "Error: --week expects an ISO week like 2024-W60, got '2024-W60'\n".replace(
        "like 2024-W60", "like 2024-W43"
    )


def test_an_answer_that_is_not_a_list_is_refused(httpserver: HTTPServer, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KG_HF_API", httpserver.url_for("/api"))
    httpserver.expect_request("/api/daily_papers").respond_with_json({"papers": DAY})
    session = make_session(tmp_path / "c.sqlite")
    with pytest.raises(
        KgError, match=r"^cannot fetch date 2024-10-25: Hugging Face API: answer is not a list"
    ):
        fetch.fetch_hf(
            [fetch.Period("date", "2024-10-25")],
            tmp_path / "out",
            session=session,
            client=Client(session, Limiter(0)),
        )
