"""Exports: the full registration list as CSV and XLSX, 100,000 rows against 1,000 rows.

Each download runs in a fresh gunicorn with one worker (so the worker that serves it is known and has
served nothing else but the organizer's login). Its peak memory is reset to the current RSS right
before the download (`/proc/<pid>/clear_refs`), and the growth reported is VmHWM after the download
minus VmRSS before it. Streaming means the growth does not depend on the number of rows: the target is
growth(100,000 rows) ≤ 2 × growth(1,000 rows). Rows/s is rows over the whole download, as the organizer
waits for it (sent through /reports/s/<slug>/registrations.<fmt> with an organizer's session).
"""

import time
from datetime import timedelta

from bench.database import PASSWORD, add_user, analyze, engine_for
from bench.forms import log_in
from bench.load import Client, call
from bench.reports import seed
from bench.results import Row
from bench.server import memory_status, reset_peak
from eventreg.models import utcnow

FORMATS = ("csv", "xlsx")


def run(ctx):
    sizes = ctx.sizes
    url = ctx.scratch.create("exports")
    engine = engine_for(url)
    now = utcnow()
    with engine.begin() as conn:
        for rows_wanted in sizes.export_rows:
            seed(conn, f"export-{rows_wanted}", rows_wanted, rows_wanted // 2, starts_at=now - timedelta(days=1),
                 now=now)
    analyze(engine)
    engine.dispose()
    organizer, _ = add_user(url, "organizer", team_role="owner", with_token=False)
    ctx.log(f"exports: seminars of {' and '.join(f'{n:,}' for n in sizes.export_rows)} registrations")
    figures = {}
    for fmt in FORMATS:
        figures[fmt] = {}
        for rows_wanted in sizes.export_rows:
            figures[fmt][rows_wanted] = _download(ctx, url, organizer, f"export-{rows_wanted}", fmt, rows_wanted)
            got = figures[fmt][rows_wanted]
            ctx.log(f"exports: {fmt} {rows_wanted:,} rows: {got['rows_per_second']:,.0f} rows/s, "
                    f"memory growth {got['growth_kb']:,} kB")
    return figures, rows(figures, sizes)


def _download(ctx, url, organizer, slug, fmt, rows_wanted):
    with ctx.server("wsgi:app", url, workers=1) as server:
        client = Client(server.base_url)
        cookies = call(log_in(client, organizer, PASSWORD))
        (worker,) = server.worker_pids()
        peak_reset = reset_peak(worker)
        before = memory_status(worker)
        began = time.perf_counter()
        response = call(client.get(f"/reports/s/{slug}/registrations.{fmt}", cookies=cookies))
        seconds = time.perf_counter() - began
        after = memory_status(worker)
    if response.status != 200:
        raise RuntimeError(f"the {fmt} export of {slug} answered {response.status}")
    baseline = before["VmRSS"] if peak_reset else before["VmHWM"]
    figures = {
        "rows": rows_wanted,
        "bytes": len(response.body),
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows_wanted / seconds, 1),
        "rss_before_kb": before["VmRSS"],
        "peak_after_kb": after["VmHWM"],
        "growth_kb": max(after["VmHWM"] - baseline, 0),
        "peak_reset": peak_reset,
        "streamed": response.header("content-length") is None,
    }
    if fmt == "csv":
        figures["data_lines"] = response.body.count(b"\n") - 1
    return figures


def rows(figures, sizes):
    small, large = sizes.export_rows
    out = []
    for fmt in FORMATS:
        s, big = figures[fmt][small], figures[fmt][large]
        ratio = big["growth_kb"] / max(s["growth_kb"], 1)
        csv = fmt == "csv"
        out += [
            Row("exports", f"{fmt} rows/s, {large:,} rows", big["rows_per_second"],
                target="≥ 50,000" if csv else "", ok=big["rows_per_second"] >= 50_000 if csv else None,
                peer=f"{s['rows_per_second']:,.0f} rows/s at {small:,} rows", scales="rate"),
            Row("exports", f"{fmt} memory growth MB, {large:,} vs {small:,} rows",
                f"{big['growth_kb'] / 1024:.1f} vs {s['growth_kb'] / 1024:.1f}", target="≤ 2×",
                ok=ratio <= 2, peer=f"ratio {ratio:.2f}"),
        ]
    return out
