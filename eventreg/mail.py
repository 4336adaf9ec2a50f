"""Outgoing e-mail through the outbox.

`enqueue` renders a whole message and stores it in the same transaction as the change that caused it;
a separate sender (`send_due`) delivers it later with retries, so a registration never fails and no
mail is lost because the mail server is down.
"""

import smtplib
from contextlib import nullcontext
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from eventreg.models import OutboxMessage, utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# A message being sent is "leased" for this long, so a second sender (cron and after-request) skips it.
LEASE = timedelta(minutes=5)


def build_message(*, sender, recipient, subject, template, context, attachments=(), inline_images=()):
    """An RFC 5322 message from templates/email/<template>.txt and .html.

    attachments: (filename, mimetype, bytes). inline_images: (content_id, filename, mimetype, bytes),
    referenced in the HTML as `cid:<content_id>`.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or "eventreg.local")
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    if inline_images:
        html_part = message.get_payload()[1]
        for content_id, filename, mimetype, data in inline_images:
            maintype, subtype = mimetype.split("/", 1)
            html_part.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{content_id}>",
                                  filename=filename, disposition="inline")
    for filename, mimetype, data in attachments:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def enqueue(session, *, kind, recipient, subject, template, context, registration=None,
            attachments=(), inline_images=(), dedupe_key=None, now=None, language=None):
    """Store a message for the sender; it goes out only if the surrounding transaction commits.

    Rendering needs an app context (templates, MAIL_SENDER); every caller, CLI included, has one.
    `language` (the registrant's choice) is used when the site offers it, else the default locale.
    """
    with mail_locale(language):
        message = build_message(
            sender=current_app.config["MAIL_SENDER"], recipient=recipient, subject=str(subject),
            template=template, context=context, attachments=attachments, inline_images=inline_images,
        )
    outbox = OutboxMessage(kind=kind, recipient=recipient, subject=str(subject)[:300], message=message.as_bytes(),
                           registration_id=registration.id if registration is not None else None,
                           dedupe_key=dedupe_key)
    if now is not None:
        outbox.created_at = outbox.next_attempt_at = now
    session.add(outbox)
    session.flush()
    return outbox


def mail_locale(language):
    """The locale an e-mail is written in: the registrant's language when the site has it.

    Without a request (CLI, sender) there is no browser to ask, so the locale must be forced anyway.
    """
    languages = current_app.config["LANGUAGES"]
    chosen = language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    return force_locale(chosen) if chosen else nullcontext()


def absolute_url(path):
    """A link for an e-mail: there is no request to take the host from, so PUBLIC_URL says it."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def backoff(attempts):
    """Wait before the next try: 1, 2, 4, 8... minutes, at most six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _smtp(config, smtp_factory):
    connection = (smtp_factory or smtplib.SMTP)(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30)
    if config.get("MAIL_USE_TLS"):
        connection.starttls()
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def _write_eml(outbox, directory):
    """Development without SMTP: the message lands as a file a developer can open in a mail client."""
    directory.mkdir(parents=True, exist_ok=True)
    # The time in the name keeps files from a fresh database (ids start again at 1) apart from older ones.
    path = directory / f"{utcnow():%Y%m%d-%H%M%S}-{outbox.id:06d}-{outbox.kind}.eml"
    path.write_bytes(outbox.message)
    current_app.logger.info("Mail to %s (%s) written to %s", outbox.recipient, outbox.subject, path)
    return path


def _claim(session, outbox_id, now):
    """Take one message for sending; False when another sender already has it."""
    claimed = session.execute(
        update(OutboxMessage.__table__)
        .where(OutboxMessage.__table__.c.id == outbox_id, OutboxMessage.__table__.c.sent_at.is_(None),
               OutboxMessage.__table__.c.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
    ).rowcount
    session.commit()
    return claimed == 1


def send_due(session, *, now=None, smtp_factory=None, limit=200):
    """Deliver the messages that are due; returns (sent, failed).

    Unlike a service this commits, once per message: a message that went out must be marked sent even
    if a later one fails, or a crash would send it twice. SMTP down: each message waits longer before
    its next try (backoff) and gives up after MAX_ATTEMPTS, keeping the last error for the organizer.
    """
    now = now or utcnow()
    config = current_app.config
    due = session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
               OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    session.commit()
    sent = failed = 0
    connection = None
    try:
        for outbox_id in due:
            if not _claim(session, outbox_id, now):
                continue
            outbox = session.get(OutboxMessage, outbox_id)
            try:
                if not config["MAIL_SERVER"]:
                    _write_eml(outbox, Path(current_app.instance_path) / "mail")
                else:
                    connection = connection or _smtp(config, smtp_factory)
                    parsed = message_from_bytes(outbox.message, policy=policy.SMTP)
                    connection.send_message(parsed, to_addrs=[outbox.recipient])
            except (OSError, smtplib.SMTPException) as error:
                outbox.attempts += 1
                outbox.last_error = f"{type(error).__name__}: {error}"[:2000]
                outbox.next_attempt_at = now + backoff(outbox.attempts)
                session.commit()
                failed += 1
                current_app.logger.warning("Mail %s to %s failed (attempt %s): %s", outbox.id, outbox.recipient,
                            outbox.attempts, outbox.last_error)
                connection = _close(connection)
                continue
            outbox.attempts += 1
            outbox.sent_at = now
            outbox.last_error = ""
            session.commit()
            sent += 1
    finally:
        _close(connection)
    return sent, failed


def _close(connection):
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return None
