"""Rate limits: the table in eventreg/security.py really limits the views it names, in memory and in Redis."""

import logging
import os
import socket
import uuid

import pytest
import redis

from eventreg.extensions import limiter
from eventreg.security import RATE_LIMITS, by_account_and_address
from tests import factories
from tests.conftest import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def _from(address):
    return {"REMOTE_ADDR": address}


def _fresh_address():
    """An address no other test (or parallel run sharing the Redis) has used."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2] or 1}"


def _login(client, email, password, address):
    return client.post("/login", data={"email": email, "password": password}, environ_base=_from(address))


def test_every_rate_limited_endpoint_exists(app):
    missing = sorted(set(RATE_LIMITS) - set(app.view_functions))
    assert not missing, f"RATE_LIMITS names endpoints the app does not have: {missing}"


def test_login_attempts_from_one_address_are_limited(client):
    address = _fresh_address()
    answers = [_login(client, f"nobody{n}@example.kz", "wrong-password", address).status_code for n in range(11)]
    assert answers[:10] == [200] * 10
    assert answers[10] == 429
    other = _login(client, "nobody@example.kz", "wrong-password", _fresh_address())
    assert other.status_code == 200


def test_failed_logins_slow_down_one_account_from_one_address_but_never_lock_out_its_owner(client, session):
    user = factories.make_user(session, email="dana@example.kz")
    other = factories.make_user(session, email="erlan@example.kz")
    session.commit()
    guesser = _fresh_address()
    for _ in range(5):
        assert _login(client, "Dana@example.kz", "wrong-password", guesser).status_code == 200
    locked = _login(client, user.email, PASSWORD, guesser)
    assert locked.status_code == 429
    body = locked.get_data(as_text=True)
    assert "Too many failed log-in attempts for this account from your network" in body
    assert "Retry-After" in locked.headers
    assert _login(client, other.email, PASSWORD, guesser).status_code == 302
    # The owner, elsewhere, is not punished for the guesser's failures.
    assert _login(app_client := client.application.test_client(), user.email, PASSWORD,
                  _fresh_address()).status_code == 302
    assert app_client.get("/checkin/").status_code == 200


def test_the_wait_after_failed_logins_grows_with_the_failures():
    [per_account] = [rule for rule in RATE_LIMITS["auth.login"] if rule.key is by_account_and_address]
    assert per_account.limit == "5 per 15 minutes; 10 per hour; 20 per day"
    assert per_account.counts_when is not None


def test_successful_logins_do_not_count_towards_the_lockout(app, session):
    user = factories.make_user(session, email="aigerim@example.kz")
    session.commit()
    for _ in range(8):
        client = app.test_client()
        assert _login(client, user.email, PASSWORD, _fresh_address()).status_code == 302


def test_password_reset_mails_to_one_address_are_limited(client, session):
    factories.make_user(session, email="reset@example.kz")
    session.commit()
    answers = [
        client.post("/password/forgot", data={"email": "reset@example.kz"}, environ_base=_from(_fresh_address()))
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "already sent several e-mails" in answers[3].get_data(as_text=True)


def test_guessing_password_reset_links_from_one_address_is_limited(client):
    address = _fresh_address()
    answers = [client.get(f"/password/reset/guess{n}", environ_base=_from(address)).status_code for n in range(11)]
    assert answers[:10] == [404] * 10 and answers[10] == 429
    assert client.get("/password/reset/guess", environ_base=_from(_fresh_address())).status_code == 404


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_storage():
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail("CI is set but Redis does not answer on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return redis.Redis.from_url(REDIS_URL)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL}])
def test_limits_are_counted_in_redis_when_configured(client, redis_storage, app_config):
    address, run = _fresh_address(), uuid.uuid4().hex
    answers = [_login(client, f"{run}-{n}@example.kz", "wrong-password", address).status_code for n in range(11)]
    assert answers[-1] == 429 and answers[:10] == [200] * 10
    keys = [k.decode() for k in redis_storage.scan_iter(match=f"*{address}*")]
    assert keys, "the login counter for this address is not in Redis"
    redis_storage.delete(*keys, *redis_storage.scan_iter(match=f"*{run}*"))


def test_signups_from_one_address_are_limited(client, session):
    seminar = factories.make_seminar(session)
    session.commit()
    address = _fresh_address()
    answers = [client.post(f"/s/{seminar.slug}/register", data={"full_name": "x"}, environ_base=_from(address))
               for _ in range(61)]
    assert {a.status_code for a in answers[:60]} == {400}
    assert answers[60].status_code == 429
    assert client.post(f"/s/{seminar.slug}/register", data={}, environ_base=_from(_fresh_address())).status_code == 400


def test_ticket_resends_to_one_address_are_limited(client, session):
    seminar = factories.make_seminar(session)
    factories.make_registration(session, seminar, email="guest@example.kz")
    session.commit()
    answers = [client.post(f"/s/{seminar.slug}/resend", data={"email": "guest@example.kz"},
                           environ_base=_from(_fresh_address())) for _ in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "already sent several e-mails" in answers[3].get_data(as_text=True)


def test_guessing_ticket_links_is_limited_and_never_locks_out_a_valid_ticket_behind_the_same_nat(client, session):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    session.commit()
    address = _fresh_address()
    own = [client.get(f"/t/{registration.token}/", environ_base=_from(address)).status_code for _ in range(35)]
    assert set(own) == {200}
    guesses = [client.get(f"/t/{'A' * 23}{n % 10}/{page}", environ_base=_from(address)).status_code
               for n, page in zip(range(31), ["", "qr.svg", "ticket.pdf", "calendar.ics", "cancel"] * 7, strict=False)]
    assert set(guesses[:30]) == {404} and guesses[30] == 429
    blocked = client.get(f"/t/{'A' * 23}x/", environ_base=_from(address))
    assert blocked.status_code == 429 and "Too many unknown ticket links" in blocked.get_data(as_text=True)
    # The holders of real tickets behind the same address (a university's Wi-Fi) are never refused.
    for page in ("", "qr.svg", "calendar.ics"):
        assert client.get(f"/t/{registration.token}/{page}", environ_base=_from(address)).status_code == 200
    assert client.get(f"/t/{registration.token}/", environ_base=_from(_fresh_address())).status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"}])
def test_with_the_limit_storage_down_limits_fall_back_to_memory_and_a_warning_is_logged(client, app_config,
                                                                                          caplog, monkeypatch):
    # One Limiter object serves every app the suite makes; it warns when it finds its storage dead, once.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    address = _fresh_address()
    with caplog.at_level(logging.WARNING, logger="eventreg.ratelimit"):
        answers = [_login(client, f"someone{n}@example.kz", "wrong-password", address).status_code
                   for n in range(11)]
    assert answers[:10] == [200] * 10, "the site keeps working"
    assert answers[10] == 429, "and keeps limiting, in this worker's memory"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "eventreg.ratelimit"]
    assert warnings and "falling back to in-memory storage" in warnings[0].getMessage()


def test_a_door_that_floods_the_sync_is_slowed_down_per_account_not_per_hall(client, login, session):
    """Doors behind one hotel Wi-Fi share an address: the counter is the staff account's."""
    seminar = factories.make_seminar(session)
    session.commit()
    login("staff")
    url = f"/api/v1/seminars/{seminar.slug}/checkins/sync"
    answers = [client.post(url, json={"device": "device-one", "actions": []}).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
    assert client.post(url, json={"device": "device-one", "actions": []}).headers.get("Retry-After")
    colleague = factories.make_user(session, role="staff", email="door2@example.kz")
    factories.add_member(session, seminar, colleague, "door")
    session.commit()
    fresh = client.application.test_client()
    fresh.post("/login", data={"email": "door2@example.kz", "password": PASSWORD})
    assert fresh.post(url, json={"device": "device-two", "actions": []}).status_code == 200
