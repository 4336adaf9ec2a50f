"""Door throughput: concurrent scanners POSTing distinct valid tickets to the check-in API.

20,000 confirmed registrations in one seminar whose check-in window is open; 8 and then 32 clients,
each POSTing `{"code": "ER1:<token>", "gate": ..., "method": "api"}` with a staff bearer token to
/api/v1/seminars/<slug>/checkins, every code used once, for a fixed duration (or until the codes run
out). The same load then goes to the ceiling app (bench/ceiling.py) under the same gunicorn, and the
ratio eventreg ÷ ceiling is the figure that holds on any machine. Check-ins are reset between runs.
"""

import itertools
import json
import resource
from datetime import timedelta

from sqlalchemy import event, text

from bench.database import add_seminar, add_user, analyze, engine_for, insert_rows, registration_row, set_seats_taken
from bench.load import run_load
from bench.results import Row
from bench.server import SECRET_KEY, cpu_seconds
from eventreg import create_app
from eventreg.extensions import db
from eventreg.models import Registration, new_ticket_token, utcnow
from eventreg.tickets import qr_payload

SLUG = "door"
PEER = "pretix 33–47/s, p99 ≈ 1 s"
WARM_UP_CODES = 100


def seed(scratch, name, registrations):
    """A database `name` holding `registrations` confirmed registrations in one seminar whose check-in window is
    open, and a staff member: (its URL, the tickets' tokens in id order, the staff member's API token)."""
    url = scratch.create(name)
    engine = engine_for(url)
    tokens = [new_ticket_token() for _ in range(registrations)]
    now = utcnow()
    with engine.begin() as conn:
        seminar_id, categories = add_seminar(conn, SLUG, starts_at=now + timedelta(minutes=30),
                                             capacity=registrations)
        insert_rows(conn, Registration.__table__, (
            registration_row(seminar_id, categories["general"], n, now=now, token=token)
            for n, token in enumerate(tokens)
        ))
        set_seats_taken(conn, seminar_id)
    analyze(engine)
    engine.dispose()
    return url, tokens, add_user(url, "staff", team_role="door")[1]


def run(ctx):
    sizes = ctx.sizes
    url, tokens, staff_token = seed(ctx.scratch, "door", sizes.door_registrations)
    engine = engine_for(url)
    ctx.log(f"door: {len(tokens):,} confirmed registrations in one seminar")
    sql = sql_per_check_in(ctx, url, staff_token, tokens[:2])
    reset_check_ins(engine)

    targets = {
        "eventreg": ("wsgi:app", f"/api/v1/seminars/{SLUG}/checkins", {"Authorization": f"Bearer {staff_token}"},
                     _eventreg_outcome),
        "ceiling": ("bench.ceiling:app", "/checkins", {}, _ceiling_outcome),
    }
    figures = {"sql_per_check_in": sql}
    for name, (app_spec, path, headers, outcome) in targets.items():
        with ctx.server(app_spec, url) as server:
            figures[name] = {}
            _drive(ctx, server, path, headers, outcome, tokens[:WARM_UP_CODES], clients=min(sizes.door_clients))
            for clients in sizes.door_clients:
                reset_check_ins(engine)
                workers = server.worker_pids()
                server_cpu, own_cpu = cpu_seconds(workers), _own_cpu()
                result = _drive(ctx, server, path, headers, outcome, tokens, clients=clients,
                                seconds=sizes.door_seconds)
                server_cpu, own_cpu = cpu_seconds(workers) - server_cpu, _own_cpu() - own_cpu
                recorded = _checked_in(engine)
                figures[name][clients] = {
                    **result.as_dict(), "recorded_check_ins": recorded,
                    "server_cpu_ms_per_request": round(1000 * server_cpu / max(result.requests, 1), 2),
                    "generator_cpu_ms_per_request": round(1000 * own_cpu / max(result.requests, 1), 2),
                }
                if recorded != result.ok:
                    figures[name][clients]["errors"] += abs(recorded - result.ok)
                    figures[name][clients]["error_kinds"]["recorded_differs"] = recorded - result.ok
                ctx.log(f"door: {name} at {clients} clients: {result.rate:,.0f}/s, "
                        f"p99 {figures[name][clients]['p99_ms']} ms, {figures[name][clients]['errors']} errors")
            if name == "ceiling":
                hello = run_load(server.base_url, _hello, itertools.repeat(0), clients=max(sizes.door_clients),
                                 duration=sizes.hello_seconds)
                figures["hello_world"] = hello.as_dict()
    reset_check_ins(engine)
    engine.dispose()
    return figures, rows(figures, sizes)


def sql_per_check_in(ctx, url, staff_token, tokens):
    """Statements and transactions of one check-in, counted in-process through the test client.

    The second of two: the first also records the token's use (written at most once a minute).
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False},
                     instance_path=str(ctx.workdir / "instance"))
    with app.app_context():
        engine = db.engine
    statements, transactions = [], []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *args: statements.append(statement))
    event.listen(engine, "begin", lambda conn: transactions.append(1))
    client = app.test_client()
    for token in tokens:
        statements.clear()
        transactions.clear()
        response = client.post(f"/api/v1/seminars/{SLUG}/checkins",
                               json={"code": qr_payload(token), "gate": "Door 1", "method": "api"},
                               headers={"Authorization": f"Bearer {staff_token}"})
        if response.status_code != 200 or response.get_json().get("status") != "checked_in":
            raise RuntimeError(f"a check-in through the test client answered {response.status_code}")
    engine.dispose()
    return {"statements": sum(not s.startswith("BEGIN") for s in statements), "transactions": len(transactions)}


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _drive(ctx, server, path, headers, outcome, tokens, *, clients, seconds=30.0):
    async def send(client, token):
        response = await client.post(path, json={"code": qr_payload(token), "gate": "Door 1", "method": "api"},
                                     headers=headers)
        return outcome(response)

    return run_load(server.base_url, send, tokens, clients=clients, duration=seconds)


def _eventreg_outcome(response):
    if response.status != 200:
        return f"http_{response.status}"
    status = json.loads(response.body).get("status")
    return None if status == "checked_in" else status


def _ceiling_outcome(response):
    return None if response.status == 201 else f"http_{response.status}"


async def _hello(client, _):
    response = await client.get("/")
    return None if response.status == 200 else f"http_{response.status}"


def reset_check_ins(engine):
    """Every ticket unused again, the scan log empty, and the tables tidy for the next run."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM check_in_event"))
        conn.execute(text("UPDATE registration SET checked_in_at = NULL, checked_in_gate = NULL, "
                          "checked_in_method = NULL, checked_in_by_id = NULL WHERE checked_in_at IS NOT NULL"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE registration, check_in_event"))


def _checked_in(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM registration WHERE checked_in_at IS NOT NULL")).scalar()


def _queueing_floor(clients, per_second):
    """Little's law: with every client always waiting for an answer, the mean latency is clients ÷ rate."""
    if not per_second:
        return ""
    return f"mean at this rate ≥ {1000 * clients / per_second:.0f} ms (clients ÷ rate)"


def rows(figures, sizes):
    """Targets are ratios to the ceiling measured in the same run, at every concurrency: a target the bare
    UPDATE itself cannot meet on a loaded machine would judge the machine, not the code."""
    high = max(sizes.door_clients)
    out = []
    for clients in sizes.door_clients:
        ours, ceiling = figures["eventreg"][clients], figures["ceiling"][clients]
        ratio = ours["per_second"] / ceiling["per_second"] if ceiling["per_second"] else None
        p99_limit = 2 * ceiling["p99_ms"] if ceiling["p99_ms"] is not None else None
        at = f"{clients} clients"
        out += [
            Row("door", f"check-ins/s, {at}", ours["per_second"], peer=PEER if clients == high else ""),
            Row("door", f"latency median / p99 ms, {at}", f"{ours['median_ms']} / {ours['p99_ms']}",
                target="p99 ≤ 2 × ceiling's",
                ok=None not in (ours["p99_ms"], p99_limit) and ours["p99_ms"] <= p99_limit,
                peer=_queueing_floor(clients, ours["per_second"])),
            Row("door", f"errors, {at}", ours["errors"], target="0", ok=ours["errors"] == 0),
            Row("door", f"server CPU ms per check-in, {at}", ours["server_cpu_ms_per_request"],
                peer=f"ceiling {ceiling['server_cpu_ms_per_request']} ms; pretix ~63 ms"),
            Row("door", f"ceiling check-ins/s, {at}", ceiling["per_second"],
                peer=f"p99 {ceiling['p99_ms']} ms; ~3,300/s measured by the issue"),
            Row("door", f"eventreg ÷ ceiling, {at}", None if ratio is None else round(ratio, 2),
                target="≥ 0.5", ok=ratio is not None and ratio >= 0.5),
        ]
    sql = figures["sql_per_check_in"]
    out.append(Row("door", "SQL statements / transactions per check-in", f"{sql['statements']} / {sql['transactions']}",
                   peer="pretix ~24 queries; ceiling 1 / 1"))
    out.append(Row("door", f"hello-world req/s (framework alone), {high} clients",
                   figures["hello_world"]["per_second"], peer="~5,300/s measured by the issue"))
    return out
