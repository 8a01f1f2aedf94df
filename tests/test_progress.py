"""Progress: every stage of a build tells its work from 0 to its total; the CLI draws it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kg import parallel, pipeline
from kg.cli import app
from kg.cli.common import progress_bar
from kg.export import rdf
from tests.conftest import DATA

STAGES = ["read", "normalise", "links", "concepts", "similar papers", "graph", "RDF", "store", "map"]
PAGE = DATA / "pages" / "line_layout.txt"


def _recorded(**options) -> tuple[pipeline.BuildResult, list[tuple[str, int, int]], list[str]]:
    calls: list[tuple[str, int, int]] = []
    ended: list[str] = []
    result = pipeline.build(
        progress=lambda stage, done, total: calls.append((stage, done, total)),
        on_stage=lambda stage, seconds: ended.append(stage),
        **options,
    )
    return result, calls, ended


def _check_stages(calls: list[tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    by_stage: dict[str, list[tuple[int, int]]] = {}
    for stage, done, total in calls:
        by_stage.setdefault(stage, []).append((done, total))
    assert list(by_stage) == STAGES  # each stage once, in pipeline order
    for stage, seen in by_stage.items():
        assert seen[0][0] == 0, stage  # it starts at nothing done...
        assert seen[-1][0] == seen[-1][1] > 0, stage  # ...and ends at its total
        assert all(0 <= d <= t for d, t in seen), stage
        assert [d / t for d, t in seen] == sorted(d / t for d, t in seen), stage  # never back
    return by_stage


def test_every_stage_reports_from_nothing_to_its_total(tmp_path: Path):
    result, calls, ended = _recorded(out=tmp_path, jobs=1)
    by_stage = _check_stages(calls)
    papers = len(result.papers)
    for stage in ("links", "similar papers"):
        assert by_stage[stage][-1] == (papers, papers)
    assert by_stage["concepts"][-1][1] > papers  # the papers read, then the steps after
    assert ended == list(result.timings)
    assert set(result.timings) >= {"ingest", "extract", "concepts", "similar", "graph", "rdf", "html"}


def test_workers_and_serializer_processes_report_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if not parallel.can_fork():
        pytest.skip("needs the fork start method")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAPERS", 1)
    monkeypatch.setattr(rdf, "SERIALIZER_MIN_EDGES", 0)
    _, calls, _ = _recorded(inputs=[PAGE], out=tmp_path, jobs=2)
    by_stage = _check_stages(calls)
    # The store's total holds one step more than the nodes: its process finishing.
    assert by_stage["store"][-1][1] == by_stage["RDF"][-1][1] + 1


def _advancing(count: int):
    def job() -> int:
        for _ in range(count):
            parallel.advance()
        return count

    return job


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_count_their_work_for_the_caller(workers: int):
    if workers > 1 and not parallel.can_fork():
        pytest.skip("needs the fork start method")
    seen: list[int] = []
    results = parallel.run_jobs(
        [_advancing(n) for n in (3, 5, 7)], parallel=workers > 1, workers=workers, progress=seen.append
    )
    assert results == [3, 5, 7]
    assert seen[-1] == 15  # counted in the workers, summed here
    assert seen == sorted(seen)
    parallel.advance()  # outside run_jobs it counts nothing and fails nothing


def _drawn(quiet: bool, terminal: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=100)
    with progress_bar(quiet, console) as progress:
        progress("concepts", 5, 10)
        progress("RDF", 0, 40)
        progress("RDF", 30, 40)
    return out.getvalue()


def test_the_bar_shows_each_stage_with_its_count_on_a_terminal():
    text = _drawn(quiet=False, terminal=True)
    assert "concepts" in text and "5/10" in text
    assert "RDF" in text and "30/40" in text


@pytest.mark.parametrize("quiet, terminal", [(True, True), (False, False)])
def test_no_bar_when_quiet_or_not_on_a_terminal(quiet: bool, terminal: bool):
    assert _drawn(quiet, terminal) == ""


def test_verbose_prints_stage_times_and_the_summary_lists_them(tmp_path: Path):
    result = CliRunner().invoke(app, ["build", str(PAGE), "--out", str(tmp_path), "-v"])
    assert result.exit_code == 0, result.output
    for name in (
        "reading",
        "text normalised",
        "links",
        "concepts",
        "similar papers",
        "graph",
        "RDF and store",
        "map",
    ):
        assert f"\n{name}: " in "\n" + result.stderr, name
        assert f"│   {name} " in result.stdout, name
    quiet = CliRunner().invoke(app, ["build", str(PAGE), "--out", str(tmp_path), "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and "concepts:" not in quiet.stderr
