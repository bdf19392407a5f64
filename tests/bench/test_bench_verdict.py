"""bench/bench_report.verdict: a benchmark run that saw a 429 or a 5xx fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.loopback import serving

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch):
    """The bench helpers as the benchmarks import them (bench/ on the path, bare names)."""
    monkeypatch.syspath_prepend(str(BENCH))
    import bench_load
    import bench_report

    bench_report.verdict("reset")  # start from an empty tally
    return bench_load, bench_report


def _app(answers: list[int]) -> Flask:
    app = Flask("answers")
    calls = iter(answers)

    @app.get("/step")
    def step():
        return "", next(calls, 200)

    return app


def test_a_run_with_429_and_5xx_answers_fails_with_counts(bench, capsys):
    bench_load, bench_report = bench
    with serving(_app([429, 200, 503, 429, 500])) as base:
        result = bench_load.run_python(bench_load.Target(f"{base}/step"), 1, 0.3)
    assert result.requests > 5
    assert bench_report.verdict("demo_bench") == 1
    err = capsys.readouterr().err
    assert "demo_bench: FAILED" in err
    assert "2 x 429 and 2 x 5xx" in err
    assert f"of {result.requests:,} responses" in err


def test_a_clean_run_passes_and_the_tally_starts_again(bench, capsys):
    bench_load, bench_report = bench
    bench_report.record_statuses("refused", {429: 1})
    assert bench_report.verdict("first") == 1
    with serving(_app([])) as base:
        bench_load.run_python(bench_load.Target(f"{base}/step"), 2, 0.2)
    assert bench_report.verdict("second") == 0
    assert "second: no 429 and no 5xx in" in capsys.readouterr().out


def test_wrk_counts_are_checked_too(bench):
    _, bench_report = bench
    line = {"requests": 900, "s429": 0, "s5xx": 3}
    bench_report.record_wrk("POST /tp-api/orders/create at 32", line)
    assert bench_report.rejections() == [
        "POST /tp-api/orders/create at 32: 0 x 429 and 3 x 5xx of 900 responses"
    ]
    assert bench_report.verdict("wrk_bench") == 1


def test_steps_are_named_after_the_database_they_measured(bench, capsys):
    _, bench_report = bench
    for db in ("sqlite", "postgres"):
        bench_report.section(db)
        bench_report.record_statuses("GET /api/v1/orders at 16", {200: 50, 429: 7})
    assert bench_report.rejections() == [
        "sqlite: GET /api/v1/orders at 16: 7 x 429 and 0 x 5xx of 57 responses",
        "postgres: GET /api/v1/orders at 16: 7 x 429 and 0 x 5xx of 57 responses",
    ]
    assert bench_report.verdict("named") == 1
