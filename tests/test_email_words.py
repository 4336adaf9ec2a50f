"""What the e-mails tell people, read through a real SMTP server: no promise of a QR code that is not there,
"today" or "tomorrow" as it really is, no reminder to someone already inside, and a layout that fits a phone
with calendar links beside the .ics."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from eventreg import mail
from eventreg.models import utcnow
from eventreg.registration import services
from tests.factories import category, make_registration, make_seminar


def _register(session, seminar, key="general"):
    registration = services.register(session, seminar, {
        "full_name": "Dana Nurlanovna", "email": "dana@example.kz", "consent_data": True,
        "category_id": category(seminar, key).id})
    session.commit()
    return registration


def _bodies(message):
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_the_waiting_list_email_promises_no_qr_code(session, smtp_server):
    seminar = make_seminar(session, capacity=0)
    _register(session, seminar)
    mail.send_due(session)
    [message] = smtp_server.messages
    text, html = _bodies(message)
    assert "QR code at the entrance" not in text and "Show this code" not in html
    assert "the QR ticket appears there once your seat is confirmed" in text
    assert "Open your registration" in html and "Open your ticket" not in html


def _remind(session, smtp_server, seminar, now):
    assert services.send_reminders(session, now=now) >= 1
    session.commit()
    mail.send_due(session, now=now)
    return smtp_server.messages[-1]


def test_a_reminder_for_later_today_says_today(session, smtp_server):
    # 14:00 in Astana (UTC+5); the hourly run at 08:00 local reminds.
    starts = (utcnow() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    seminar = make_seminar(session, starts_at=starts)
    make_registration(session, seminar)
    session.commit()
    message = _remind(session, smtp_server, seminar, starts - timedelta(hours=6))
    text, html = _bodies(message)
    assert "Tomorrow" not in message["Subject"]
    assert "the seminar is today, at 14:00" in text and "the seminar is today, at 14:00" in html
    assert "tomorrow" not in text.lower()


def test_a_reminder_for_the_next_day_says_tomorrow(session, smtp_server):
    starts = (utcnow() + timedelta(days=3)).replace(hour=5, minute=0, second=0, microsecond=0)  # 10:00 local
    seminar = make_seminar(session, starts_at=starts)
    make_registration(session, seminar)
    session.commit()
    text, _ = _bodies(_remind(session, smtp_server, seminar, starts - timedelta(hours=20)))
    assert "the seminar is tomorrow, at 10:00" in text


def test_nobody_already_checked_in_is_reminded(session):
    starts = utcnow() + timedelta(hours=1)
    seminar = make_seminar(session, starts_at=starts)
    inside = make_registration(session, seminar)
    inside.checked_in_at = utcnow()
    waiting = make_registration(session, seminar)
    session.commit()
    assert services.send_reminders(session) == 1
    session.commit()
    assert waiting.reminder_sent_at is not None and inside.reminder_sent_at is None


def test_the_ticket_email_fits_a_phone_and_offers_calendar_links(session, smtp_server):
    seminar = make_seminar(session, title="Digital Silk Road", venue="Hilton Astana", address="Sauran 46")
    registration = _register(session, seminar)
    mail.send_due(session)
    [message] = smtp_server.messages
    text, html = _bodies(message)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'width="600"' not in html and "max-width:600px" in html
    assert "font-size:16px" in html
    button = re.search(r'<a href="([^"]+)" style="display:block;padding:14px[^"]*font-size:18px[^"]*">Open your ticket',
                       html)
    assert button and button.group(1).endswith(f"/t/{registration.token}/?lang=en")  # the e-mail's language
    google = re.search(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert query["text"] == ["Digital Silk Road"] and query["location"] == ["Hilton Astana, Sauran 46"]
    start = seminar.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert query["dates"] == [f"{start}/{seminar.ends_at.strftime('%Y%m%dT%H%M%SZ')}"]
    outlook = re.search(r'href="(https://outlook\.live\.com/calendar/0/deeplink/compose\?[^"]+)"', html).group(1)
    assert parse_qs(urlsplit(outlook.replace("&amp;", "&")).query)["subject"] == ["Digital Silk Road"]
    assert f"/t/{registration.token}/calendar.ics" in html
    assert "Add to Google Calendar: https://calendar.google.com/" in text
    assert [p.get_filename() for p in message.iter_attachments()] == ["ticket-qr.png", "seminar.ics"]
