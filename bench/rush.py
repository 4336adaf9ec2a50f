"""Registration rush: many people sign up through the public form at the same moment.

1,000 different people, 32 at a time, each doing what a browser does: GET the signup form (a session
cookie and a CSRF token come with it), then POST the filled form with that cookie and token, for a
seminar with 300 seats. Afterwards the database must hold exactly 300 confirmed and 700 waitlisted
registrations, and no request may have failed. The latency reported is the POST's (the form GET is
reading, not registering); signups/s counts whole signups, GET included.
"""

import string
import time
from datetime import timedelta

from sqlalchemy import text

from bench.database import add_seminar, engine_for
from bench.forms import csrf_token, fill, find_form
from bench.load import Client, call, run_load
from bench.results import Row
from bench.server import cpu_seconds
from eventreg.models import utcnow

SLUG = "rush"
PEER = "pretix 12–21 orders/s"


def person(n):
    """A name of letters only (the form refuses digits in names), and a unique e-mail."""
    letters = ""
    while True:
        n, rest = divmod(n, 26)
        letters = string.ascii_lowercase[rest] + letters
        if n == 0:
            break
    return {"full_name": f"Rush {letters.capitalize()} Participant", "email": f"rush.{letters}@example.org",
            "phone": "+7 701 234 5678", "organization": "Astana International University",
            "position": "Researcher"}


def signup_sender(base_url, slug, refusals):
    """`send(client, n)` for run_load: person n GETs the signup form and POSTs it filled in, with the cookie and
    CSRF token the GET gave, as a browser does. The first refused page is kept in `refusals`."""
    path = f"/s/{slug}/register"
    first = call(Client(base_url).get(path))
    if first.status != 200:
        raise RuntimeError(f"GET {path} answered {first.status}")
    form = find_form(first.text, "email")
    action = form["action"] or path

    async def send(client, n):
        page = await client.get(path)
        if page.status != 200:
            return f"form_get_http_{page.status}", 0.0
        answers = {**person(n), "csrf_token": csrf_token(page.text), "consent_data": True}
        # This page's own form: its hidden one-time key makes each signup a new one.
        data = fill(find_form(page.text, "email"), answers, prefer=("general",))
        began = time.perf_counter()
        response = await client.post(action, form=data, cookies=page.cookies())
        latency = time.perf_counter() - began
        if response.status in (302, 303):
            return None, latency
        if len(refusals) < 1:
            refusals.append(response.text)
        return f"http_{response.status}", latency

    return send


def run(ctx):
    sizes = ctx.sizes
    url = ctx.scratch.create("rush")
    engine = engine_for(url)
    with engine.begin() as conn:
        seminar_id, _ = add_seminar(conn, SLUG, starts_at=utcnow() + timedelta(days=7), capacity=sizes.rush_seats)
    with ctx.server("wsgi:app", url) as server:
        refusals = []
        send = signup_sender(server.base_url, SLUG, refusals)

        workers = server.worker_pids()
        server_cpu = cpu_seconds(workers)
        result = run_load(server.base_url, send, range(sizes.rush_signups), clients=sizes.rush_clients,
                          duration=600.0)
        server_cpu = cpu_seconds(workers) - server_cpu
    if refusals:
        saved = ctx.workdir / "rush-refused.html"
        saved.write_text(refusals[0])
        ctx.log(f"rush: a signup was refused; the page is in {saved}")
    with engine.connect() as conn:
        counts = dict(conn.execute(text(
            "SELECT status, count(*) FROM registration WHERE seminar_id = :id GROUP BY status"), {"id": seminar_id}
        ).all())
    engine.dispose()
    expected = {"confirmed": min(sizes.rush_seats, sizes.rush_signups),
                "waitlisted": max(sizes.rush_signups - sizes.rush_seats, 0)}
    figures = {**result.as_dict(), "signups": sizes.rush_signups, "seats": sizes.rush_seats,
               "server_cpu_ms_per_signup": round(1000 * server_cpu / max(result.requests, 1), 2),
               "outcome": counts, "expected": expected,
               "outcome_ok": {k: v for k, v in counts.items() if v} == expected}
    ctx.log(f"rush: {result.rate:,.0f} signups/s, p99 {figures['p99_ms']} ms, outcome {counts}")
    return figures, rows(figures)


def rows(figures):
    outcome = ", ".join(f"{figures['outcome'].get(k, 0)} {k}" for k in ("confirmed", "waitlisted"))
    expected = ", ".join(f"{v} {k}" for k, v in figures["expected"].items())
    return [
        Row("rush", f"signups/s, {figures['clients']} clients", figures["per_second"], target="≥ 150",
            ok=figures["per_second"] >= 150, peer=PEER, scales="rate"),
        Row("rush", "POST latency median / p99 ms", f"{figures['median_ms']} / {figures['p99_ms']}"),
        Row("rush", "server CPU ms per signup (form GET + POST)", figures["server_cpu_ms_per_signup"]),
        Row("rush", "errors", figures["errors"], target="0", ok=figures["errors"] == 0),
        Row("rush", "outcome", outcome, target=expected, ok=figures["outcome_ok"]),
    ]
