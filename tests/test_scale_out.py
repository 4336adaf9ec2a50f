"""Two application servers behind Debian's nginx on one PostgreSQL and one Redis, driven through nginx only.

The servers run deploy/gunicorn.conf.py and nginx includes deploy/nginx/eventreg-proxy.conf, the files an
operator installs (bench/cluster.py). Every visitor comes from an address of its own on the loopback network
(127.0.x.y), as people behind their own networks do, so the per-address limits apply as in production.
"""

import asyncio
import itertools
import os
import re
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import psycopg
import pytest
import redis
from sqlalchemy import create_engine, text

from bench.cluster import Cluster, flask_command, free_port, nginx_binary, server_environment
from bench.database import add_seminar, add_user, insert_rows, registration_row, set_seats_taken
from bench.forms import csrf_token, fill, find_form
from bench.load import Client, HttpError
from bench.rush import person
from eventreg.models import Registration, utcnow
from eventreg.tickets import qr_payload
from tests.conftest import IN_CI, SmtpServer, _admin_url

# Each test sends hundreds of requests through two servers: more than the suite's usual time limit per test.
pytestmark = [pytest.mark.scale_out, pytest.mark.xdist_group("scale_out"), pytest.mark.timeout(900)]

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "scale-out-password-42"  # noqa: S105


def _missing():
    if nginx_binary() is None:
        return "nginx is not installed (apt-get install nginx)"
    if _admin_url() is None:
        return "PostgreSQL does not answer on 127.0.0.1:5432"
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return "Redis does not answer on 127.0.0.1:6379"
    return None


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    reason = _missing()
    if reason:
        if IN_CI:
            pytest.fail(f"CI is set but the scale-out test cannot run: {reason}")
        pytest.skip(reason)
    admin_url = _admin_url()
    name = f"eventreg_scale_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    server = SmtpServer()
    server.port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture(scope="module")
def cluster(database, smtp, tmp_path_factory):
    prefix = f"scale{uuid.uuid4().hex[:8]}"
    env = {"RATELIMIT_STORAGE_URI": REDIS_URL, "EVENTREG_RATELIMIT_KEY_PREFIX": prefix,
           "EVENTREG_MAIL_SERVER": "127.0.0.1", "EVENTREG_MAIL_PORT": str(smtp.port),
           "EVENTREG_PUBLIC_URL": "http://127.0.0.1"}
    workdir = tmp_path_factory.mktemp("cluster")
    flask_command(server_environment(database, env), "db", "upgrade")  # migrations before the code serves
    with Cluster(database, workdir, servers=2, workers=2, env=env) as running:
        yield running
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)
    store.close()


@pytest.fixture(scope="module")
def engine(database, cluster):
    engine = create_engine(database)
    yield engine
    engine.dispose()


def addresses():
    """A different loopback address for each visitor: 127.0.1.1, 127.0.1.2, ..."""
    for third, fourth in itertools.product(range(1, 255), range(1, 255)):
        yield f"127.0.{third}.{fourth}"


def client_from(address, base_url):
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=base_url, transport=transport, follow_redirects=False, timeout=90)


async def sign_up(base_url, slug, n, address):
    """What a browser does: GET the form (session cookie, CSRF token), POST it filled in.
    Returns ('ok' | an error label, the e-mail, the upstream that answered the POST)."""
    path = f"/s/{slug}/register"
    answers = person(n)
    client = Client(base_url, local_address=address)
    try:
        page = await client.get(path)
        if page.status != 200:
            return f"form_{page.status}", answers["email"], None
        form = find_form(page.text, "email")
        data = fill(form, {**answers, "csrf_token": csrf_token(page.text), "consent_data": True},
                    prefer=("general",))
        response = await client.post(form["action"] or path, form=data, cookies=page.cookies())
    except HttpError as error:
        return f"connection_{error}", answers["email"], None
    outcome = "ok" if response.status in (302, 303) else f"post_{response.status}"
    return outcome, answers["email"], response.header("x-upstream")


async def rush(base_url, slug, people, *, concurrency, on_progress=None):
    pending = iter(zip(people, addresses(), strict=False))
    results = []

    async def visitor():
        for n, address in pending:
            results.append(await sign_up(base_url, slug, n, address))
            if on_progress:
                on_progress(len(results))

    await asyncio.gather(*(visitor() for _ in range(concurrency)))
    return results


def statuses(engine, slug):
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT r.status, count(*) FROM registration r JOIN seminar s ON s.id = r.seminar_id "
            "WHERE s.slug = :slug GROUP BY r.status"), {"slug": slug}).all())


def new_seminar(engine, slug, *, capacity, starts_in=timedelta(days=7)):
    with engine.begin() as conn:
        seminar_id, categories = add_seminar(conn, slug, starts_at=utcnow() + starts_in, capacity=capacity)
    return seminar_id, categories


def served_lines(server, method, path_pattern):
    return [line for line in server.log().splitlines()
            if f'"method": "{method}"' in line and re.search(path_pattern, line)]


def test_a_signup_rush_through_nginx_fills_exactly_the_seats_on_both_servers(cluster, engine):
    new_seminar(engine, "scale-rush", capacity=200)

    results = asyncio.run(rush(cluster.url, "scale-rush", range(600), concurrency=24))

    assert Counter(outcome for outcome, _, _ in results) == {"ok": 600}
    assert statuses(engine, "scale-rush") == {"confirmed": 200, "waitlisted": 400}
    for server in cluster.servers:
        assert served_lines(server, "POST", r"/s/scale-rush/register"), f"{server.name} served no signup"


def test_the_outbox_sender_on_both_servers_at_once_sends_each_message_once(cluster, engine, smtp):
    new_seminar(engine, "scale-mail", capacity=60)
    results = asyncio.run(rush(cluster.url, "scale-mail", range(20_000, 20_150), concurrency=16))
    assert Counter(outcome for outcome, _, _ in results) == {"ok": 150}
    with engine.connect() as conn:
        queued = conn.execute(text("SELECT count(*) FROM outbox_message WHERE sent_at IS NULL")).scalar()
    assert queued >= 150
    already_received = len(smtp.messages)

    def send_until_empty():
        while "Sent 0 message" not in flask_command(cluster.env, "send-mail").stdout:
            pass

    async def both_at_once():
        await asyncio.gather(asyncio.to_thread(send_until_empty), asyncio.to_thread(send_until_empty))

    asyncio.run(both_at_once())

    with engine.connect() as conn:
        unsent = conn.execute(text("SELECT count(*) FROM outbox_message WHERE sent_at IS NULL")).scalar()
    assert unsent == 0
    recipients = Counter(rcpt for _, rcpts in smtp.envelopes[already_received:] for rcpt in rcpts)
    assert len(smtp.messages) - already_received == queued
    assert set(recipients.values()) == {1}, [r for r, n in recipients.items() if n > 1][:5]


def _login_page_and_post(client, email, password):
    async def attempt():
        page = await client.get("/login")
        return await client.post("/login", data={"email": email, "password": password,
                                                 "csrf_token": csrf_token(page.text)})
    return attempt()


def test_a_session_started_on_one_server_works_on_the_other(cluster):
    email = f"organizer-{uuid.uuid4().hex[:6]}@scale.example.org"
    flask_command(cluster.env, "create-user", email, "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    first, second = cluster.pinned

    async def journey():
        async with client_from("127.0.250.1", first) as on_first:
            logged_in = await _login_page_and_post(on_first, email, PASSWORD)
            assert logged_in.status_code == 302
            dashboard = await on_first.get(logged_in.headers["location"])
            assert dashboard.status_code == 200
            token = csrf_token(dashboard.text)
            # The same browser (cookies), now answered by the other server.
            async with client_from("127.0.250.1", second) as on_second:
                on_second.cookies = on_first.cookies
                page = await on_second.get(logged_in.headers["location"])
                logged_out = await on_second.post("/logout", data={"csrf_token": token})
                after = await on_second.get(logged_in.headers["location"])
        return dashboard, page, logged_out, after

    dashboard, page, logged_out, after = asyncio.run(journey())
    assert dashboard.headers["x-upstream"] == cluster.servers[0].address
    assert page.headers["x-upstream"] == cluster.servers[1].address
    assert page.status_code == 200 and 'action="/logout"' in page.text  # still logged in
    assert logged_out.status_code == 302  # the CSRF token made on the first server is good on the second
    assert after.status_code == 302 and "/login" in after.headers["location"]


def test_each_ticket_scanned_at_two_doors_on_different_servers_is_admitted_once(cluster, engine, database):
    seminar_id, categories = new_seminar(engine, "scale-door", capacity=None, starts_in=timedelta(minutes=5))
    now = utcnow()
    tokens = [f"scale{uuid.uuid4().hex}" for _ in range(400)]
    with engine.begin() as conn:
        insert_rows(conn, Registration.__table__, (
            registration_row(seminar_id, categories["general"], n, now=now, token=token)
            for n, token in enumerate(tokens)))
        set_seats_taken(conn, seminar_id)
    _, door_token = add_user(database, "staff", team_role="door")
    first, second = cluster.pinned

    async def scan(client, token):
        response = await client.post("/api/v1/seminars/scale-door/checkins",
                                     json={"code": qr_payload(token), "gate": "Door", "method": "api"})
        return response.json().get("status"), response.headers.get("x-upstream")

    async def doors():
        headers = {"Authorization": f"Bearer {door_token}"}
        queue = iter(tokens)
        answers = []
        async with httpx.AsyncClient(base_url=first, headers=headers, timeout=60) as door_1, \
                httpx.AsyncClient(base_url=second, headers=headers, timeout=60) as door_2:
            async def door_pair():
                for token in queue:
                    answers.extend(await asyncio.gather(scan(door_1, token), scan(door_2, token)))
            await asyncio.gather(*(door_pair() for _ in range(4)))  # 8 door clients: 4 on each server
        return answers

    answers = asyncio.run(doors())

    assert Counter(status for status, _ in answers) == {"checked_in": 400, "already_checked_in": 400}
    assert {upstream for _, upstream in answers} == {s.address for s in cluster.servers}
    with engine.connect() as conn:
        admitted = conn.execute(text("SELECT count(*) FROM registration WHERE seminar_id = :id "
                                     "AND checked_in_at IS NOT NULL"), {"id": seminar_id}).scalar()
    assert admitted == 400


def _failures_until_refused(base_urls, email, address, limit=30):
    """Failed log-ins, spread over `base_urls` in turn, until one is refused; returns how many were made."""
    async def run():
        clients = [client_from(address, url) for url in base_urls]
        try:
            for attempt in range(1, limit + 1):
                response = await _login_page_and_post(clients[attempt % len(clients)], email, "wrong-password-1")
                if response.status_code == 429:
                    return attempt
            return None
        finally:
            for client in clients:
                await client.aclose()
    return asyncio.run(run())


def test_the_login_limit_counts_attempts_across_both_servers(cluster):
    emails = [f"locked-{uuid.uuid4().hex[:6]}@scale.example.org" for _ in range(2)]
    for email in emails:
        flask_command(cluster.env, "create-user", email, "--role", "staff", "--password-stdin",
                      stdin=PASSWORD + "\n")

    on_one_server = _failures_until_refused(cluster.pinned[:1], emails[0], "127.0.251.1")
    across_both = _failures_until_refused(cluster.pinned, emails[1], "127.0.251.2")

    assert on_one_server is not None
    assert across_both == on_one_server


def test_a_server_stopped_in_the_middle_of_a_rush_loses_no_signup(cluster, engine):
    new_seminar(engine, "scale-restart", capacity=100)
    stopping = cluster.servers[1]
    stopped = {}

    def stop_once(done):
        if done >= 60 and not stopped:
            stopped["now"] = True
            stopped["code"] = asyncio.get_running_loop().run_in_executor(None, stopping.stop)

    async def rush_and_stop():
        results = await rush(cluster.url, "scale-restart", range(10_000, 10_300), concurrency=16,
                             on_progress=stop_once)
        return results, await stopped["code"]

    results, exit_code = asyncio.run(rush_and_stop())

    assert exit_code == 0  # gunicorn finished what it had in flight and stopped cleanly
    with engine.connect() as conn:
        stored = set(conn.execute(text(
            "SELECT r.email FROM registration r JOIN seminar s ON s.id = r.seminar_id "
            "WHERE s.slug = 'scale-restart'")).scalars())
    succeeded = {email for outcome, email, _ in results if outcome == "ok"}
    failed = {email for outcome, email, _ in results if outcome != "ok"}
    assert succeeded <= stored, "a signup that answered success was lost"
    assert not (failed & stored), "a signup that failed left a registration behind"
    assert len(succeeded) >= 280, Counter(outcome for outcome, _, _ in results)
    counts = statuses(engine, "scale-restart")
    assert counts.get("confirmed") == 100 and sum(counts.values()) == len(stored)
    # nginx passed a request on to the other server only where the first never received it (0 bytes sent to it:
    # the connection was refused), or where it was a GET: no signup was ever sent to two servers.
    resent = [line for line in cluster.access_log.read_text().splitlines()
              if not line.startswith(("GET ", "HEAD ")) and any(
                  sent != "0" for sent in line.split(" sent=")[1].split(", ")[:-1])]
    assert resent == []


def test_health_and_readiness_answer_through_the_proxy(cluster, tmp_path):
    server = cluster.servers[0]
    with httpx.Client(base_url=cluster.pinned[0], timeout=10) as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")
        client.get("/login")
    assert health.status_code == 200 and health.json() == {"status": "ok", "problems": []}
    assert ready.status_code == 200
    assert "@" not in health.text
    with psycopg.connect(cluster.env["DATABASE_URL"].replace("+psycopg", "")) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    assert served_lines(server, "GET", r"/login")  # the request log is there, one JSON line per request
