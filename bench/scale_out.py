"""Scale-out: the signup rush and the door through nginx, with one application server and then two.

Both run on this machine, each server with the deployment's worker count, behind the nginx and proxy
settings of deploy/ (bench/cluster.py), on PostgreSQL (several servers on one SQLite file is not a
deployment anyone should run). Rate limits are off: every request comes from 127.0.0.1.
On a machine with few cores the second server adds processes, not CPUs: the figure says what it adds here.
"""

import json
import os
from collections import Counter
from datetime import timedelta

from sqlalchemy import text

from bench import door
from bench.cluster import Cluster, nginx_binary
from bench.database import add_seminar, engine_for
from bench.load import run_load
from bench.results import Row
from bench.rush import signup_sender
from eventreg.models import utcnow
from eventreg.tickets import qr_payload

RUSH_SLUG = "scaleout-rush"


def run(ctx):
    missing = "needs PostgreSQL (DATABASE_URL)" if ctx.kind != "postgresql" else (
        "needs nginx (apt-get install nginx)" if nginx_binary() is None else None)
    if missing:
        ctx.log(f"scaleout: not run, {missing}")
        return {"not_run": missing}, [Row("scaleout", "servers behind nginx", "not run", target=missing)]
    figures = {"cores": os.cpu_count(), "workers_per_server": ctx.sizes.workers}
    for servers in (1, 2):
        figures[servers] = _measure(ctx, servers)
    return figures, rows(figures)


def _measure(ctx, servers):
    sizes = ctx.sizes
    url, tokens, staff_token = door.seed(ctx.scratch, f"scaleout{servers}", sizes.scale_tickets)
    engine = engine_for(url)
    with engine.begin() as conn:
        add_seminar(conn, RUSH_SLUG, starts_at=utcnow() + timedelta(days=7), capacity=sizes.rush_seats)
    workdir = ctx.workdir / f"cluster-{servers}"
    workdir.mkdir()
    with Cluster(url, workdir, servers=servers, workers=sizes.workers,
                 env={"EVENTREG_RATELIMIT_ENABLED": "false", "EVENTREG_LOG_REQUESTS": "false"}) as cluster:
        refusals = []
        signups = run_load(cluster.url, signup_sender(cluster.url, RUSH_SLUG, refusals), range(sizes.rush_signups),
                           clients=sizes.rush_clients, duration=600.0)
        headers = {"Authorization": f"Bearer {staff_token}"}

        async def scan(client, token):
            response = await client.post(f"/api/v1/seminars/{door.SLUG}/checkins", headers=headers,
                                         json={"code": qr_payload(token), "gate": "Door 1", "method": "api"})
            if response.status != 200:
                return f"http_{response.status}"
            status = json.loads(response.body).get("status")
            return None if status == "checked_in" else status

        scans = run_load(cluster.url, scan, tokens, clients=max(sizes.door_clients), duration=sizes.door_seconds)
        served = Counter(cluster.final_upstream(line) for line in cluster.access_log.read_text().splitlines())
    with engine.connect() as conn:
        outcome = dict(conn.execute(text(
            "SELECT r.status, count(*) FROM registration r JOIN seminar s ON s.id = r.seminar_id "
            "WHERE s.slug = :slug GROUP BY r.status"), {"slug": RUSH_SLUG}).all())
    engine.dispose()
    expected = {"confirmed": min(sizes.rush_seats, sizes.rush_signups),
                "waitlisted": max(sizes.rush_signups - sizes.rush_seats, 0)}
    result = {"signups": signups.as_dict(), "check_ins": scans.as_dict(), "requests_per_server": dict(served),
              "rush_outcome": outcome, "rush_outcome_ok": {k: v for k, v in outcome.items() if v} == expected}
    ctx.log(f"scaleout: {servers} server(s): {signups.rate:,.1f} signups/s, {scans.rate:,.0f} check-ins/s")
    return result


def rows(figures):
    one, two = figures[1], figures[2]
    cores = f"{figures['cores']} cores, {figures['workers_per_server']} workers a server"
    out = []
    for key, label in (("signups", "signups/s"), ("check_ins", "check-ins/s")):
        first, second = one[key]["per_second"], two[key]["per_second"]
        out.append(Row("scaleout", f"{label}, 1 server", first, peer=cores, scales="rate"))
        out.append(Row("scaleout", f"{label}, 2 servers", second, scales="rate"))
        out.append(Row("scaleout", f"{label}, 2 servers ÷ 1", round(second / first, 2) if first else None,
                       peer="on 2 cores the CPUs, not the servers, are the limit"))
    errors = sum(figures[n][key]["errors"] for n in (1, 2) for key in ("signups", "check_ins"))
    exact = one["rush_outcome_ok"] and two["rush_outcome_ok"]
    out.append(Row("scaleout", "errors; rush outcome exact", f"{errors}; {'yes' if exact else 'no'}",
                   target="0; yes", ok=errors == 0 and exact))
    return out
