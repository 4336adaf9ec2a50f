"""The benchmarks in a tiny configuration (a few requests each) on both databases, so they cannot rot.

These run the real harness (gunicorn, the load generator, the ceiling app, the seeding) and check what
each benchmark itself checks: every request answered as expected, the right rows in the database.
No test here asserts a time.
"""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from bench import instructions, phone
from bench.__main__ import main
from bench.cluster import nginx_binary
from bench.database import Scratch, engine_for
from bench.door import seed
from bench.results import Row
from bench.runner import BENCHMARKS, DEFAULT, add_estimates, machine_speed, run
from bench.server import ROOT
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


def test_pdf_makes_tickets_certificates_badge_sheets_and_lists_with_eventreg_and_the_ceiling():
    results = run(["pdf"], TINY, None, quiet=True)
    pdf = results["pdf"]
    assert pdf["ticket"]["tickets"] == TINY.pdf_tickets
    assert all(pdf["ticket"][f"{name}_ms"] > 0 for name in ("ceiling", "cyrillic", "chinese", "korean"))
    assert pdf["certificate"]["certificates"] == pdf["badge_sheet"]["sheets"] == TINY.pdf_tickets
    # Every side made the same one page: a certificate with its logo and QR code, a sheet with 8 QR codes.
    certificate, sheet = {"pages": 1, "images": 2}, {"pages": 1, "images": 8}
    assert pdf["certificate"]["made"] == {name: certificate for name in ("ceiling", "cyrillic", "chinese")}
    assert pdf["badge_sheet"]["made"] == {name: sheet for name in ("ceiling", "badges")}
    judged = {row.measure: row for row in results["rows"] if row.target == "≤ 3 × ceiling"}
    assert {"certificate ms, cyrillic name", "certificate ms, chinese name",
            "badge sheet ms a page, 8 badges, mixed scripts"} <= set(judged)
    assert all(row.ok in (True, False) and row.peer.endswith("× ceiling") for row in judged.values())
    small, large = TINY.pdf_list_rows
    assert pdf["list"]["rows"] == small and pdf["list"]["pages"] >= 1 and pdf["list"]["ceiling_pages"] >= 1
    assert set(pdf["memory"]) == {small, large}
    assert pdf["memory"][large]["pages"] >= pdf["memory"][small]["pages"] >= 1
    assert pdf["memory"][small]["peak_kb"] > 0


def test_phone_walks_the_signup_the_door_and_the_ticket_on_a_slow_network():
    if not os.path.exists(phone.CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{phone.CHROMIUM} is missing; CI is set, so the phone benchmark must run")
        pytest.skip(f"{phone.CHROMIUM} is missing (apt-get install chromium)")
    figures = run(["phone"], TINY, None, quiet=True)["phone"]
    assert figures["door"]["first"]["status"] == "checked_in"
    assert figures["door"]["repeat"]["status"] == "already_checked_in"
    for journey, visits in figures.items():
        assert set(visits) == ({"first"} if journey == "ticket" else {"first", "repeat"})
        assert all(visit["seconds"] > 0 for visit in visits.values())
    assert figures["signup"]["first"]["bytes"] > figures["signup"]["repeat"]["bytes"]
    assert figures["door"]["first"]["bytes"] > figures["door"]["repeat"]["bytes"]


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


def test_instructions_are_opt_in():
    assert "instructions" in BENCHMARKS and "instructions" not in DEFAULT


@pytest.mark.parametrize("target", ["eventreg", "ceiling"])
def test_instruction_counting_child_checks_in_every_ticket_it_is_given(bench_database, tmp_path, target):
    """What runs under callgrind, run here without it: warm-up and scans, each answered "checked in"."""
    scratch = Scratch(bench_database, tmp_path)
    try:
        url, _, staff_token = seed(scratch, "instructions", 6)
        child = subprocess.run([sys.executable, "-m", "bench.instructions", target, url, staff_token, "2", "3"],
                               cwd=ROOT, capture_output=True, text=True, check=False)
        assert child.returncode == 0, child.stderr[-2000:]
        engine = engine_for(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM registration WHERE checked_in_at IS NOT NULL")).scalar() == 5
        engine.dispose()
    finally:
        scratch.close()


def test_instruction_count_is_read_from_callgrinds_summary():
    summary = "==4242== Events    : Ir\n==4242== Collected : 123456789\n==4242==\n==4242== I   refs:      123,456,789\n"
    assert instructions.collected(summary) == 123_456_789
    with pytest.raises(RuntimeError):
        instructions.collected("valgrind: command not found")


def test_scale_out_runs_the_rush_and_the_door_through_nginx_with_one_and_two_servers(postgres_url):
    if nginx_binary() is None:
        pytest.skip("nginx is not installed")
    figures = run(["scaleout"], TINY, postgres_url, quiet=True)["scaleout"]
    for servers in (1, 2):
        assert figures[servers]["signups"]["errors"] == 0
        assert figures[servers]["rush_outcome_ok"]
        assert figures[servers]["check_ins"]["errors"] == 0
    assert len(figures[2]["requests_per_server"]) == 2
