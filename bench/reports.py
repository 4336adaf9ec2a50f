"""Reports: the organizer's summary page and the door's stats API for a large seminar.

A seminar with 50,000 registrations (46,000 confirmed, 2,500 waitlisted, 1,500 cancelled, over seven
categories, signed up over 30 days) and 40,000 check-ins spread over the morning at four doors, each
with its scan-log row, plus refused scans. Through gunicorn over HTTP, one request at a time: the summary
page with an organizer's session cookie (logged in through the login form), the stats API with a staff
bearer token. Reported: the median (and the slowest) of 20 requests each, after one warm-up request.
"""

import time
from datetime import timedelta

from sqlalchemy import select

from bench.database import (
    CATEGORIES,
    PASSWORD,
    add_check_in_events,
    add_seminar,
    add_user,
    analyze,
    engine_for,
    insert_rows,
    registration_row,
    set_seats_taken,
)
from bench.forms import log_in
from bench.load import Client, call, ms, percentile
from bench.results import Row
from eventreg.models import Registration, utcnow

SLUG = "report"
GATES = ("Door 1", "Door 2", "Door 3", "Door 4")
METHODS = ("camera", "camera", "camera", "keyboard", "manual")


def status_of(n, total):
    """Per 50,000: 2,500 waitlisted, 1,500 cancelled, the rest confirmed, spread evenly."""
    share = n * 100 // max(total, 1) % 100
    return "waitlisted" if share < 5 else "cancelled" if share < 8 else "confirmed"


def seed(conn, slug, registrations, check_ins, *, starts_at, now):
    """A seminar with `registrations` people of whom `check_ins` confirmed ones entered; returns its id."""
    seminar_id, categories = add_seminar(conn, slug, starts_at=starts_at, status="closed")
    keys = [key for key, _, _ in CATEGORIES]
    signup_span = timedelta(days=30) / max(registrations, 1)
    arrival_span = timedelta(hours=2) / max(check_ins, 1)
    entered = 0

    def rows():
        nonlocal entered
        for n in range(registrations):
            key = keys[n % len(keys)]
            status = status_of(n, registrations)
            arrived = status == "confirmed" and entered < check_ins
            row = registration_row(
                seminar_id, categories[key], n, is_student=key == "student", status=status, now=now,
                created_at=starts_at - timedelta(days=31) + n * signup_span,
                checked_in_at=starts_at - timedelta(minutes=60) + entered * arrival_span if arrived else None,
                gate=GATES[n % len(GATES)] if arrived else None,
                method=METHODS[n % len(METHODS)] if arrived else None,
            )
            entered += arrived
            yield row

    insert_rows(conn, Registration.__table__, rows())
    set_seats_taken(conn, seminar_id)
    table = Registration.__table__
    arrivals = conn.execute(
        select(table.c.id, table.c.checked_in_at, table.c.checked_in_gate, table.c.checked_in_method)
        .where(table.c.seminar_id == seminar_id, table.c.checked_in_at.is_not(None))
    ).all()
    add_check_in_events(conn, seminar_id, arrivals)
    return seminar_id, entered


def run(ctx):
    sizes = ctx.sizes
    url = ctx.scratch.create("reports")
    engine = engine_for(url)
    now = utcnow()
    with engine.begin() as conn:
        _, entered = seed(conn, SLUG, sizes.report_registrations, sizes.report_check_ins,
                          starts_at=now - timedelta(days=1), now=now)
    analyze(engine)
    engine.dispose()
    organizer, _ = add_user(url, "organizer", team_role="owner", with_token=False)
    _, staff_token = add_user(url, "staff", team_role="door")
    ctx.log(f"reports: {sizes.report_registrations:,} registrations, {entered:,} check-ins")
    figures = {"registrations": sizes.report_registrations, "check_ins": entered, "method": "gunicorn over HTTP"}
    with ctx.server("wsgi:app", url) as server:
        client = Client(server.base_url)
        cookies = call(log_in(client, organizer, PASSWORD))
        figures["summary"] = _time(client, f"/reports/s/{SLUG}/", sizes.report_requests, cookies=cookies)
        figures["stats"] = _time(client, f"/api/v1/seminars/{SLUG}/stats", sizes.report_requests,
                                 headers={"Authorization": f"Bearer {staff_token}"})
    ctx.log(f"reports: summary median {figures['summary']['median_ms']} ms, "
            f"stats median {figures['stats']['median_ms']} ms")
    return figures, rows(figures)


def _time(client, path, count, **kwargs):
    """Median and slowest of `count` sequential GETs, after one warm-up GET."""
    warm = call(client.get(path, **kwargs))
    if warm.status != 200:
        raise RuntimeError(f"GET {path} answered {warm.status}")
    durations, errors = [], 0
    for _ in range(count):
        began = time.perf_counter()
        response = call(client.get(path, **kwargs))
        durations.append(time.perf_counter() - began)
        errors += response.status != 200
    return {"requests": count, "median_ms": ms(percentile(durations, 50)), "max_ms": ms(max(durations)),
            "errors": errors, "bytes": len(warm.body)}


def rows(figures):
    size = f"{figures['registrations']:,} registrations"
    summary, stats = figures["summary"], figures["stats"]
    return [
        Row("reports", f"summary page median ms ({size})", summary["median_ms"], target="< 300",
            ok=summary["median_ms"] < 300 and summary["errors"] == 0, peer=f"slowest {summary['max_ms']} ms",
            scales="time"),
        Row("reports", f"stats API median ms ({size})", stats["median_ms"], ok=None if not stats["errors"] else False,
            peer=f"slowest {stats['max_ms']} ms"),
    ]
