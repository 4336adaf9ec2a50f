"""The outbox and its sender: real SMTP (aiosmtpd), retries while the server is down, .eml files in development."""

import io
import re
import smtplib
from datetime import timedelta
from pathlib import Path

import zxingcpp
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select

from eventreg import mail, tickets
from eventreg.models import OutboxMessage, utcnow
from eventreg.registration import services
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
    reminders = [m for m in smtp_server.messages if m["Subject"].startswith("Tomorrow")]
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
