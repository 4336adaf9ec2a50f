"""The benchmarks in a tiny configuration (a few requests each) on both databases, so they cannot rot.

These run the real harness (gunicorn, the load generator, the ceiling app, the seeding) and check what
each benchmark itself checks: every request answered as expected, the right rows in the database.
No test here asserts a time.
"""

import json

import pytest

from bench.__main__ import main
from bench.results import Row
from bench.runner import add_estimates, machine_speed, run
from bench.settings import TINY


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_database(request):
    """None for SQLite files in a temporary folder, or a throwaway PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_url")


def test_door_checks_in_every_code_once_on_eventreg_and_the_ceiling(bench_database):
    results = run(["door"], TINY, bench_database, quiet=True)
    for target in ("eventreg", "ceiling"):
        for clients in TINY.door_clients:
            figures = results["door"][target][clients]
            assert figures["errors"] == 0, figures
            assert figures["requests"] == TINY.door_registrations
            assert figures["recorded_check_ins"] == TINY.door_registrations
    assert results["door"]["hello_world"]["errors"] == 0
    assert {row.measure for row in results["rows"]} >= {"eventreg ÷ ceiling, 4 clients", "errors, 4 clients"}


def test_rush_fills_the_seats_and_waitlists_the_rest(bench_database):
    rush = run(["rush"], TINY, bench_database, quiet=True)["rush"]
    assert rush["errors"] == 0, rush
    assert rush["outcome"] == {"confirmed": TINY.rush_seats, "waitlisted": TINY.rush_signups - TINY.rush_seats}
    assert rush["outcome_ok"]


def test_reports_answer_the_summary_page_and_the_stats_api(bench_database):
    reports = run(["reports"], TINY, bench_database, quiet=True)["reports"]
    assert reports["check_ins"] == TINY.report_check_ins
    for page in ("summary", "stats"):
        assert reports[page]["errors"] == 0
        assert reports[page]["requests"] == TINY.report_requests


def test_exports_download_every_row_and_measure_the_worker(bench_database):
    exports = run(["exports"], TINY, bench_database, quiet=True)["exports"]
    for rows in TINY.export_rows:
        assert exports["csv"][rows]["data_lines"] == rows
        for fmt in ("csv", "xlsx"):
            assert exports[fmt][rows]["peak_after_kb"] > 0
            assert exports[fmt][rows]["growth_kb"] >= 0


def test_qr_draws_each_kind_cold_and_cached():
    qr = run(["qr"], TINY, None, quiet=True)["qr"]
    assert set(qr) == {"png", "svg"}
    assert all(f["images"] == TINY.qr_images for f in qr.values())


def test_the_command_prints_the_table_and_writes_the_json(tmp_path, capsys):
    output = tmp_path / "results.json"
    assert main(["--quick", "--only", "qr", "--output", str(output)]) == 0
    assert "PNG images/s cold / cached" in capsys.readouterr().out
    written = json.loads(output.read_text())
    assert written["mode"] == "quick"
    assert written["database"]["kind"] == "sqlite"
    assert written["machine"]["cores"] >= 1
    assert [row["benchmark"] for row in written["table"]] == ["qr", "qr"]


def test_figures_that_move_with_the_machine_are_also_read_at_the_issues_machine_speed():
    """The issue's absolute targets are for its machine: the table adds what a figure would be there, scaled by
    the hello-world, beside the measured figure and its verdict."""
    rows = [Row("rush", "signups/s", 100.0, target="≥ 150", ok=False, scales="rate"),
            Row("reports", "summary page median ms", 400.0, target="< 300", ok=False, peer="slowest 500 ms",
                scales="time"),
            Row("door", "eventreg ÷ ceiling", 0.6)]
    speed = machine_speed({"door": {"hello_world": {"per_second": 2650.0}}})
    assert speed == 0.5
    add_estimates(rows, speed)
    assert rows[0].peer == "≈ 200 at the issue's machine speed (× 2.0)"
    assert rows[1].peer == "slowest 500 ms; ≈ 200 ms at the issue's machine speed (× 2.0)"
    assert rows[2].peer == "" and [row.ok for row in rows] == [False, False, None]
    assert machine_speed({"rush": {}}) is None
