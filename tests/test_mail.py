"""The outbox and its sender: real SMTP (aiosmtpd), retries while the server is down, .eml files in development."""

import io
import re
import smtplib
import sqlite3
from contextlib import closing
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventreg import mail, tickets
from eventreg.models import OutboxMessage, Registration, utcnow
from eventreg.privacy import services as privacy
from eventreg.registration import emails, services
from tests.factories import category, make_registration, make_seminar


def _register(session, seminar, key="student", **extra):
    data = {"full_name": "Аружан Сәрсенбаева", "email": "Aruzhan@Example.kz", "consent_data": True,
            "category_id": category(seminar, key).id, "university": "Nazarbayev University",
            "programme": "Economics", "study_level": "master", "study_year": "1", **extra}
    registration = services.register(session, seminar, data)
    session.commit()
    return registration


def _attachment(message, filename):
    for part in message.walk():
        if part.get_filename() == filename and part.get_content_disposition() == "attachment":
            return part.get_payload(decode=True)
    raise AssertionError(f"no attachment {filename}")


def test_the_confirmation_arrives_with_a_qr_that_decodes_to_the_ticket(app, session, client, smtp_server):
    seminar = make_seminar(session, title="Digital Silk Road")
    registration = _register(session, seminar)
    assert mail.send_due(session) == (1, 0)

    [message] = smtp_server.messages
    assert message["To"] == "aruzhan@example.kz"
    assert "Digital Silk Road" in message["Subject"]
    png = _attachment(message, "ticket-qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [code.text for code in decoded] == [f"ER1:{registration.token}"]
    inline = [p for p in message.walk() if p.get("Content-ID") == "<ticket-qr>"]
    assert inline and 'src="cid:ticket-qr"' in message.get_body(("html",)).get_content()
    calendar = Calendar.from_ical(_attachment(message, "seminar.ics"))
    [event] = calendar.walk("VEVENT")
    assert event["SUMMARY"] == "Digital Silk Road"
    assert event.decoded("DTSTART") == seminar.starts_at

    text = message.get_body(("plain",)).get_content()
    link = re.search(r"http://localhost(/t/[\w-]+/)", text).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Аружан Сәрсенбаева" in page.get_data(as_text=True)


def test_the_calendar_attachment_says_its_charset_so_a_russian_title_reads_in_russian(session, smtp_server):
    """A text attachment without a charset is US-ASCII to a mail client (RFC 2046): the title would read as
    question marks or mojibake."""
    _register(session, make_seminar(session, title="Цифровой Шёлковый путь"))
    mail.send_due(session)
    [message] = smtp_server.messages
    [part] = [p for p in message.iter_attachments() if p.get_filename() == "seminar.ics"]
    assert part.get_content_charset() == "utf-8"
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event["SUMMARY"] == "Цифровой Шёлковый путь"


def test_a_waitlisted_person_gets_no_ticket_qr(session, smtp_server):
    seminar = make_seminar(session, capacity=0)
    _register(session, seminar, key="general")
    mail.send_due(session)
    [message] = smtp_server.messages
    assert "waiting list" in message["Subject"]
    assert not [p for p in message.walk() if p.get_filename() == "ticket-qr.png"]


def test_smtp_down_the_registration_stands_and_the_mail_goes_out_later(app, session, smtp_server):
    seminar = make_seminar(session)
    app.config["MAIL_PORT"] = 1  # nothing listens there
    registration = _register(session, seminar)
    assert registration.status == "confirmed"
    now = utcnow()
    assert mail.send_due(session, now=now) == (0, 1)
    outbox = session.scalars(select(OutboxMessage)).one()
    assert outbox.sent_at is None and outbox.attempts == 1 and outbox.last_error
    # Not due again straight away: it backs off.
    assert mail.send_due(session, now=now + timedelta(seconds=10)) == (0, 0)
    app.config["MAIL_PORT"] = smtp_server.port
    assert mail.send_due(session, now=now + mail.backoff(1)) == (1, 0)
    assert len(smtp_server.messages) == 1
    session.refresh(outbox)
    assert outbox.sent_at is not None
    # Sent once, never twice.
    assert mail.send_due(session, now=now + timedelta(days=1)) == (0, 0)


def test_backoff_grows_and_has_a_ceiling():
    waits = [mail.backoff(n) for n in range(1, 12)]
    assert waits == sorted(waits)
    assert waits[0] == timedelta(minutes=1) and waits[-1] == mail.LONGEST_WAIT


def test_a_refusing_server_counts_as_a_failed_attempt(app, session):
    class Refusing:
        def __init__(self, *args, **kwargs):
            pass

        def send_message(self, *args, **kwargs):
            raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no")})

        def quit(self):
            pass

    app.config.update(MAIL_SERVER="smtp.invalid")
    seminar = make_seminar(session)
    _register(session, seminar)
    assert mail.send_due(session, smtp_factory=Refusing) == (0, 1)
    assert "SMTPRecipientsRefused" in session.scalars(select(OutboxMessage)).one().last_error


def test_without_smtp_messages_become_eml_files(app, session):
    seminar = make_seminar(session, title="Digital Silk Road")
    _register(session, seminar)
    assert mail.send_due(session) == (1, 0)
    files = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(files) == 1 and files[0].name.endswith("-000001-confirmation.eml")
    assert b"Digital Silk Road" in files[0].read_bytes()


def test_the_outbox_drains_after_a_request_when_configured(app, session, client, smtp_server):
    app.config["MAIL_SEND_AFTER_REQUEST"] = True
    seminar = make_seminar(session)
    session.commit()
    response = client.post(f"/s/{seminar.slug}/register", data={
        "full_name": "Ерлан Қасымов", "email": "erlan@example.kz", "category_id": category(seminar, "general").id,
        "language": "en", "consent_data": "y"})
    assert response.status_code == 302
    response.close()
    assert [m["To"] for m in smtp_server.messages] == ["erlan@example.kz"]


def test_send_mail_command(app, session, runner, smtp_server):
    seminar = make_seminar(session)
    _register(session, seminar)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert len(smtp_server.messages) == 1


def test_send_reminders_twice_sends_one_reminder_each(app, session, runner, smtp_server):
    seminar = make_seminar(session, title="Tomorrow's seminar", starts_at=utcnow() + timedelta(hours=12))
    first = make_registration(session, seminar)
    second = make_registration(session, seminar)
    session.commit()
    for _ in range(2):
        result = runner.invoke(args=["send-reminders"])
        assert result.exit_code == 0, result.output
    reminders = [m for m in smtp_server.messages if m["Subject"].startswith("Reminder")]
    assert sorted(m["To"] for m in reminders) == sorted([first.email, second.email])
    assert tickets.qr_payload(first.token) in [
        zxingcpp.read_barcodes(Image.open(io.BytesIO(_attachment(m, "ticket-qr.png"))))[0].text for m in reminders]


def test_the_sender_gives_up_after_the_last_attempt_and_keeps_the_error(app, session):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    seminar = make_seminar(session)
    _register(session, seminar)
    now = utcnow()
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        assert mail.send_due(session, now=now) == (0, 1)
        now += mail.backoff(attempt)
    assert mail.send_due(session, now=now + timedelta(days=30)) == (0, 0)
    outbox = session.scalars(select(OutboxMessage)).one()
    assert outbox.attempts == mail.MAX_ATTEMPTS and outbox.sent_at is None and outbox.last_error


# -- written by the sender just before sending, from the rows as they are then ------------------------------------


def _plain(message):
    return message.get_body(("plain",)).get_content()


def test_the_e_mail_shows_the_seminar_as_it_is_when_it_is_sent(session, smtp_server):
    seminar = make_seminar(session, venue="Old Hall")
    _register(session, seminar)
    seminar.venue = "Congress Hall"
    session.commit()
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert "Congress Hall" in _plain(message) and "Old Hall" not in _plain(message)


def test_a_retry_sends_the_message_written_for_the_first_attempt(app, session, smtp_server):
    seminar = make_seminar(session, venue="Old Hall")
    _register(session, seminar)
    app.config["MAIL_PORT"] = 1  # nothing listens there
    now = utcnow()
    assert mail.send_due(session, now=now) == (0, 1)
    first = message_from_bytes(session.scalars(select(OutboxMessage.message)).one(), policy=policy.default)
    seminar.venue = "Congress Hall"
    session.commit()
    app.config["MAIL_PORT"] = smtp_server.port
    assert mail.send_due(session, now=now + mail.backoff(1)) == (1, 0)
    [message] = smtp_server.messages
    assert message["Message-ID"] == first["Message-ID"]
    assert "Old Hall" in _plain(message)


def test_a_message_that_cannot_be_written_is_retried_and_holds_up_no_other(session, smtp_server, monkeypatch):
    seminar = make_seminar(session, capacity=1)
    _register(session, seminar, key="general", email="first@example.kz")
    _register(session, seminar, key="general", email="second@example.kz")

    def broken_calendar(*args, **kwargs):
        raise ValueError("no calendar today")

    monkeypatch.setattr(emails, "ticket_calendar", broken_calendar)
    now = utcnow()
    assert mail.send_due(session, now=now) == (1, 1)
    assert [m["To"] for m in smtp_server.messages] == ["second@example.kz"]
    failed = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "confirmation")).one()
    assert failed.sent_at is None and failed.attempts == 1 and "no calendar today" in failed.last_error
    monkeypatch.undo()
    assert mail.send_due(session, now=now + mail.backoff(1)) == (1, 0)
    assert [m["To"] for m in smtp_server.messages] == ["second@example.kz", "first@example.kz"]


def test_a_ticket_cancelled_before_its_confirmation_went_out_is_not_in_it(session, smtp_server):
    seminar = make_seminar(session)
    registration = _register(session, seminar)
    services.cancel_registration(session, registration, by=None)
    session.commit()
    assert mail.send_due(session) == (2, 0)
    confirmation, cancellation = smtp_server.messages
    assert confirmation["Subject"].startswith("Your ticket") and cancellation["Subject"].startswith("Registration c")
    assert not [p for p in confirmation.walk() if p.get_filename() in ("ticket-qr.png", "seminar.ics")]
    for part in (confirmation.get_body(("plain",)), confirmation.get_body(("html",))):
        text = part.get_content()
        assert "no longer confirmed" in text and "attached" not in text and "at the entrance" not in text
        assert f"/t/{registration.token}/" in text


def test_an_erased_registration_gets_no_mail(session, smtp_server):
    seminar = make_seminar(session)
    registration = _register(session, seminar)
    privacy.anonymise_registration(session, registration, by=None)
    session.commit()
    assert mail.send_due(session) == (0, 0)
    assert smtp_server.messages == []


def test_a_message_an_erasure_left_behind_does_not_go_out_with_blanks(session, smtp_server):
    seminar = make_seminar(session)
    registration = _register(session, seminar)
    registration.full_name = ""
    registration.anonymised_at = utcnow()  # erased without privacy.py, which deletes the queued mail too
    session.commit()
    assert mail.send_due(session) == (0, 1)
    assert smtp_server.messages == []
    assert "erased" in session.scalars(select(OutboxMessage)).one().last_error


def test_the_database_refuses_a_message_with_nothing_to_write_it_from(session):
    session.add(OutboxMessage(kind="confirmation", recipient="someone@example.org", subject="Your ticket"))
    with pytest.raises(IntegrityError):
        session.flush()


def _seat_update_elsewhere(url, seminar_id):
    """What a signup does first (the seat UPDATE), from another connection that waits at most 0.2 s for a lock."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.2, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE seminar SET seats_taken = seats_taken WHERE id = ?", (seminar_id,))
            conn.execute("COMMIT")
    else:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            conn.execute("SET lock_timeout = '200ms'")
            conn.execute("UPDATE seminar SET seats_taken = seats_taken WHERE id = %s", (seminar_id,))


def test_signups_go_on_while_the_sender_writes_a_message(app, session, smtp_server, monkeypatch):
    """The sender writes a message holding no lock (on SQLite: not the database's one write lock), so a rush
    of signups does not wait for the e-mails being written."""
    seminar = make_seminar(session)
    _register(session, seminar)
    url, seminar_id = app.config["SQLALCHEMY_DATABASE_URI"], seminar.id
    seat_taken = []

    def calendar_during_a_signup(*args, **kwargs):
        _seat_update_elsewhere(url, seminar_id)
        seat_taken.append(True)
        return calendar(*args, **kwargs)

    calendar = emails.ticket_calendar
    monkeypatch.setattr(emails, "ticket_calendar", calendar_during_a_signup)
    assert mail.send_due(session) == (1, 0)
    assert seat_taken == [True]
    assert _attachment(smtp_server.messages[0], "seminar.ics")


def test_a_signup_writes_what_to_send_and_renders_nothing_in_its_transaction(app, session, client, smtp_server,
                                                                            monkeypatch):
    """Issue #26, item 2: the confirmation's templates, QR code and .ics are made by the sender, never inside the
    signup's transaction (which holds the seat). With every renderer broken the signup through the public form still
    goes through, and its outbox row holds what to send and no message; the sender then writes it."""
    seminar = make_seminar(session)
    session.commit()

    def broken(*args, **kwargs):
        raise AssertionError("rendered inside the signup")

    for module, name in ((mail, "render"), (tickets, "qr_png"), (emails, "ticket_calendar")):
        monkeypatch.setattr(module, name, broken)
    response = client.post(f"/s/{seminar.slug}/register", data={
        "full_name": "Ли Вэй", "email": "li.wei@example.cn", "category_id": str(category(seminar, "general").id),
        "language": "en", "consent_data": "y"})
    assert response.status_code == 302
    queued = session.scalars(select(OutboxMessage)).one()
    assert (queued.kind, queued.recipient, queued.message) == ("confirmation", "li.wei@example.cn", None)
    assert session.get(Registration, queued.registration_id).status == "confirmed"
    monkeypatch.undo()
    assert mail.send_due(session) == (1, 0)
    assert _attachment(smtp_server.messages[0], "seminar.ics")
