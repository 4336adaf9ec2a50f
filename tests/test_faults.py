"""Faults: a failure half-way through a multi-step write leaves nothing behind, and a database connection
killed under a request fails that request cleanly while the next one succeeds."""

from email import message_from_bytes, policy

import psycopg
import pytest
from sqlalchemy import func, select

from eventreg import audit, mail
from eventreg.auth import services as auth_services
from eventreg.checkin import services as checkin_services
from eventreg.extensions import db
from eventreg.models import (
    AuditEntry,
    Category,
    CheckInEvent,
    OutboxMessage,
    PasswordResetToken,
    Registration,
    Seminar,
    User,
    utcnow,
)
from eventreg.privacy import services as privacy
from eventreg.registration import services as registration_services
from tests import factories
from tests.conftest import PASSWORD


class Injected(Exception):
    """The fault a test injects; nothing in the application catches it on purpose."""


def _raise(*args, **kwargs):
    raise Injected


def _after(original):
    """Do the real step (so its write reaches the database), then fail."""

    def step(*args, **kwargs):
        original(*args, **kwargs)
        db.session.flush()
        raise Injected

    return step


def snapshot(session):
    """Everything a half-finished write could leave behind, read fresh from the database."""
    session.expire_all()
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "registrations": sorted(session.execute(
            select(Registration.id, Registration.status, Registration.full_name, Registration.checked_in_at)
        ).all()),
        "seminar_seats": sorted(session.execute(select(Seminar.id, Seminar.seats_taken)).all()),
        "category_seats": sorted(session.execute(select(Category.id, Category.seats_taken)).all()),
        "outbox": count(OutboxMessage),
        "audit": count(AuditEntry),
        "check_in_events": count(CheckInEvent),
        "reset_tokens": sorted(session.execute(select(PasswordResetToken.id, PasswordResetToken.used_at)).all()),
        "passwords": sorted(session.execute(select(User.id, User.password_hash, User.session_version)).all()),
    }


def _person(seminar, email="new@example.kz"):
    return {"full_name": "Marat Nurlanov", "email": email, "category_id": factories.category(seminar, "general").id,
            "consent_data": True, "language": "en"}


def test_registration_fails_after_taking_the_seat_and_leaves_nothing(app, session, monkeypatch):
    seminar = factories.make_seminar(session, capacity=5)
    session.commit()
    before = snapshot(session)
    monkeypatch.setattr(mail, "enqueue", _raise)
    with pytest.raises(Injected):
        registration_services.register(session, seminar, _person(seminar))
    session.rollback()
    assert snapshot(session) == before


def test_cancellation_fails_after_freeing_the_seat_and_promoting_nobody(app, session, monkeypatch):
    seminar = factories.make_seminar(session, capacity=1)
    organizer = factories.make_user(session, role="organizer")
    seated = factories.make_registration(session, seminar)
    factories.make_registration(session, seminar, status="waitlisted")
    session.commit()
    before = snapshot(session)
    monkeypatch.setattr(audit, "record", _after(audit.record))
    with pytest.raises(Injected):
        registration_services.cancel_registration(session, seated, by=organizer)
    session.rollback()
    assert snapshot(session) == before


def test_walk_in_fails_after_registering_and_leaves_no_one_registered(app, session, monkeypatch):
    seminar = factories.make_seminar(session, starts_at=utcnow())
    staff = factories.make_user(session)
    session.commit()
    before = snapshot(session)
    monkeypatch.setattr(checkin_services, "check_in", _raise)
    with pytest.raises(Injected):
        checkin_services.walk_in(session, seminar, _person(seminar), gate="Door 1", by=staff)
    session.rollback()
    assert snapshot(session) == before


def test_password_reset_fails_after_setting_the_password_and_changes_nothing(app, session, monkeypatch):
    user = factories.make_user(session, email="reset@example.kz")
    session.commit()
    with app.test_request_context():
        auth_services.request_password_reset(session, user.email, link_for=lambda token: token)
    session.commit()
    token = mail_token(session)
    before = snapshot(session)
    monkeypatch.setattr(audit, "record", _raise)
    with pytest.raises(Injected):
        auth_services.reset_password_with_token(session, token, "a-brand-new-password")
    session.rollback()
    assert snapshot(session) == before


def test_seminar_erasure_fails_at_the_audit_entry_and_erases_no_one(app, session, monkeypatch):
    seminar = factories.make_seminar(session, status="cancelled")
    for _ in range(3):
        factories.make_registration(session, seminar)
    session.commit()
    before = snapshot(session)
    monkeypatch.setattr(audit, "record", _raise)
    with pytest.raises(Injected):
        privacy.erase_seminar_personal_data(session, seminar, by=None)
    session.rollback()
    assert snapshot(session) == before


def mail_token(session):
    """The plain token in the reset e-mail (the link maker above makes the link the bare token)."""
    message = message_from_bytes(session.scalar(select(OutboxMessage.message)), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return next(line.strip() for line in text.splitlines() if len(line.strip()) == 43 and " " not in line.strip())


def test_a_failing_page_answers_500_and_writes_nothing(client, session, monkeypatch):
    factories.make_user(session, email="someone@example.kz")
    session.commit()
    before = snapshot(session)
    monkeypatch.setattr(mail, "enqueue", _raise)
    response = client.post("/password/forgot", data={"email": "someone@example.kz"})
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert snapshot(session) == before
    monkeypatch.undo()
    assert client.post("/password/forgot", data={"email": "someone@example.kz"}).status_code == 302


def test_a_failing_api_write_answers_500_json_and_writes_nothing(client, session, api_token, monkeypatch):
    seminar = factories.make_seminar(session, starts_at=utcnow())
    registration = factories.make_registration(session, seminar)
    session.commit()
    token = api_token("staff")
    before = snapshot(session)
    # After the whole check-in (the admission and its log row, one statement or two), before the commit.
    monkeypatch.setattr(checkin_services, "check_in", _after(checkin_services.check_in))
    response = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": registration.token},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500 and response.get_json()["error"] == "internal_error"
    assert snapshot(session) == before


# -- the database connection drops ---------------------------------------------------------------------------------


@pytest.fixture
def postgres(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        pytest.skip("a SQLite file has no server connection to drop; this fault exists on PostgreSQL only")
    return url.replace("postgresql+psycopg://", "postgresql://")


def kill_app_connections(url):
    """Terminate every connection to the test database but this one, as a restart or a failover would, and
    wait (up to 5 s each) until their server processes are gone."""
    with psycopg.connect(url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    return killed


def test_connections_killed_between_requests_are_replaced(client, postgres):
    assert client.get("/healthz").status_code == 200
    db.session.remove()
    assert kill_app_connections(postgres) >= 1
    assert client.get("/healthz").status_code == 200  # the pool saw it closed and opened another


def test_connection_killed_in_the_middle_of_a_write(client, session, postgres, monkeypatch):
    user = factories.make_user(session, email="midway@example.kz")
    session.commit()
    user_id = user.id
    with client.application.test_request_context():
        auth_services.request_password_reset(session, user.email, link_for=lambda token: token)
    session.commit()
    token = mail_token(session)
    before = snapshot(session)
    db.session.remove()
    real_record = audit.record

    def record_after_the_connection_died(*args, **kwargs):
        kill_app_connections(postgres)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", record_after_the_connection_died)
    response = client.post(f"/password/reset/{token}", data={"password": "new-password-123",
                                                             "confirm": "new-password-123"})
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)
    monkeypatch.undo()
    db.session.remove()
    assert client.get("/healthz").status_code == 200
    assert snapshot(session) == before
    session.expire_all()
    assert session.get(User, user_id).check_password(PASSWORD)
    assert client.get(f"/password/reset/{token}").status_code == 200  # the link still works: nothing was used


# -- through the public signup page ------------------------------------------------------------------------------


def _signup_form(seminar, email):
    return {"full_name": "Ли Вэй 李伟", "email": email, "phone": "+7 701 234 5678", "organization": "Tsinghua",
            "position": "Researcher", "category_id": str(factories.category(seminar, "general").id),
            "language": "en", "consent_data": "y"}


def test_a_signup_that_fails_after_taking_the_seat_leaves_nothing(client, session, monkeypatch):
    seminar = factories.make_seminar(session, capacity=2)
    session.commit()
    before = snapshot(session)
    monkeypatch.setattr(mail, "enqueue", _raise)
    response = client.post(f"/s/{seminar.slug}/register", data=_signup_form(seminar, "a@example.kz"))
    assert response.status_code == 500 and "Nothing was changed" in response.get_data(as_text=True)
    assert snapshot(session) == before
    monkeypatch.undo()
    assert client.post(f"/s/{seminar.slug}/register", data=_signup_form(seminar, "a@example.kz")).status_code == 302


def test_connection_killed_in_the_middle_of_a_signup(client, session, postgres, monkeypatch):
    seminar = factories.make_seminar(session, capacity=2)
    session.commit()
    slug = seminar.slug
    form = _signup_form(seminar, "b@example.kz")
    before = snapshot(session)
    db.session.remove()
    real_enqueue = mail.enqueue

    def enqueue_after_the_connection_died(*args, **kwargs):
        kill_app_connections(postgres)  # the seat is taken and the row inserted, not yet committed
        return real_enqueue(*args, **kwargs)

    monkeypatch.setattr(mail, "enqueue", enqueue_after_the_connection_died)
    assert client.post(f"/s/{slug}/register", data=form).status_code == 500
    monkeypatch.undo()
    db.session.remove()
    assert snapshot(session) == before
    assert client.post(f"/s/{slug}/register", data=form).status_code == 302
    session.expire_all()
    assert session.scalar(select(Seminar.seats_taken).where(Seminar.slug == slug)) == 1


# -- the mail server is down for an hour -------------------------------------------------------------------------


def _closed_port():
    """A port nothing listens on: connecting is refused at once, as with a stopped mail server."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_smtp_down_for_an_hour_loses_and_duplicates_nothing(app, client, session, smtp_server):
    from datetime import timedelta

    seminar = factories.make_seminar(session, capacity=3)
    session.commit()
    app.config["MAIL_PORT"] = _closed_port()
    start = utcnow()
    emails = [f"guest{n}@example.kz" for n in range(5)]
    for email in emails:  # three get seats, two the waiting list: every signup succeeds
        assert client.post(f"/s/{seminar.slug}/register", data=_signup_form(seminar, email)).status_code == 302
    queued = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued == len(emails)

    for minute in range(0, 60):  # the sender runs every minute; every attempt fails
        sent, _failed = mail.send_due(session, now=start + timedelta(minutes=minute))
        assert sent == 0
    assert smtp_server.messages == []
    assert session.scalar(select(func.min(OutboxMessage.attempts))) >= 5

    app.config["MAIL_PORT"] = smtp_server.port  # back after an hour
    delivered = sum(mail.send_due(session, now=start + timedelta(minutes=minute))[0] for minute in range(60, 180))
    assert delivered == queued
    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted(emails)
    assert len({m["Message-ID"] for m in smtp_server.messages}) == queued
    assert mail.send_due(session, now=start + timedelta(days=1)) == (0, 0)
    assert len(smtp_server.messages) == queued
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) == 0
