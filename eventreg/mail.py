"""Outgoing e-mail through the outbox.

A message is queued (`enqueue`) in the same transaction as the change that caused it, and a separate
sender (`send_due`) delivers it later with retries, so a registration never fails and no mail is lost
because the mail server is down.

What is queued is *what to send*: kind, recipient, subject, language and, for a registrant's e-mail, the
registration. The sender renders the whole message (templates, MIME parts, the ticket's QR code and .ics)
just before sending, from the registration and seminar as they are then, and stores it on the row, so a
retry sends the identical message. Rendering inside the signup was two thirds of its time, spent while the
seat UPDATE held the seminar's row (PostgreSQL) or the database (SQLite): every signup of a seminar waited
behind it (benchmark issue #9). A message that cannot be rendered later, a password reset with a one-time
token stored nowhere else, is rendered at once; both go through `render` and the same sender.
"""

import smtplib
from contextlib import nullcontext
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_babel import force_locale
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from eventreg.database import reading
from eventreg.extensions import db
from eventreg.models import OutboxMessage, Registration, utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# A message being sent is "leased" for this long, so a second sender (cron and after-request) skips it.
LEASE = timedelta(minutes=5)
# MAIL_BULK_PER_MINUTE counts the throttled kinds sent within this window.
THROTTLE_WINDOW = timedelta(minutes=1)


class Content(NamedTuple):
    """A message's body: templates/email/<template>.txt and .html rendered with `context`.

    attachments: (filename, mimetype, bytes). inline_images: (content_id, filename, mimetype, bytes),
    referenced in the HTML as `cid:<content_id>`.
    """

    template: str
    context: dict
    attachments: tuple = ()
    inline_images: tuple = ()
    # Written at sending from the data as it is then (a seminar's corrected title); None: the row's own subject.
    subject: str | None = None
    # More header fields, (name, value): e.g. List-Unsubscribe.
    headers: tuple = ()


class _Ready(NamedTuple):
    """A claimed message with its finished bytes, read before sending so no transaction stays open meanwhile."""

    id: int
    kind: str
    recipient: str
    subject: str
    message: bytes


# kind -> renderer(registration, kind, now) -> Content, for the kinds the sender renders from a registration.
_renderers = {}
# Kinds whose renderer also takes the outbox row (`outbox=`), and kinds sent at most MAIL_BULK_PER_MINUTE a minute.
_with_outbox = set()
_throttled = set()


def renders(*kinds, with_outbox=False, throttled=False):
    """Register the decorated function as the way the sender writes e-mails of these kinds.

    The feature that owns the e-mails registers them, so this module needs to know none of them. `with_outbox`:
    the renderer needs more than the registration (which organizer's message a copy is). `throttled`: many of
    them go at once (a message to a whole segment), so they go out at most MAIL_BULK_PER_MINUTE a minute, after
    every other kind, and a big one neither trips the SMTP provider's limit nor holds up a ticket.
    """

    def register(renderer):
        for kind in kinds:
            _renderers[kind] = renderer
            if with_outbox:
                _with_outbox.add(kind)
            if throttled:
                _throttled.add(kind)
        return renderer

    return register


def build_message(*, sender, recipient, subject, template, context, attachments=(), inline_images=(), headers=()):
    """An RFC 5322 message from templates/email/<template>.txt and .html (see `Content` for the rest)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or "eventreg.local")
    for name, value in headers:
        message[name] = value
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
        # Text without a charset is US-ASCII to a mail client (RFC 2046): a Kazakh calendar would read as mojibake.
        params = {"charset": "utf-8"} if maintype == "text" else {}
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)
    return message


def enqueue(session, *, kind, recipient, subject, registration=None, content=None, language=None,
            dedupe_key=None, now=None):
    """Store a message for the sender; it goes out only if the surrounding transaction commits.

    Without `content` the sender renders it just before sending, from `kind` (see `renders`) and the
    registration; with `content` it is rendered now, for what cannot wait (a one-time link that is not kept).
    `language` (the registrant's choice) is used when the site offers it, else the default locale; a lazy
    `subject` is translated into it.
    """
    outbox = prepare(kind=kind, recipient=recipient, subject=subject, registration=registration, content=content,
                     language=language, dedupe_key=dedupe_key, now=now)
    session.add(outbox)
    session.flush()
    return outbox


def prepare(*, kind, recipient, subject, registration=None, content=None, language=None, dedupe_key=None,
            now=None):
    """The outbox row `enqueue` stores, not yet in any session (see `enqueue`)."""
    if content is None and (registration is None or kind not in _renderers):
        raise ValueError(f"the sender cannot render {kind!r} later: give its content or a registration")
    with mail_locale(language):
        subject = str(subject)[:300]
    outbox = OutboxMessage(kind=kind, recipient=recipient, subject=subject, language=language,
                           registration_id=registration.id if registration is not None else None,
                           dedupe_key=dedupe_key)
    if content is not None:
        outbox.message = render(outbox, content)
    if now is not None:
        outbox.created_at = outbox.next_attempt_at = now
    return outbox


def render(outbox, content):
    """The finished message for an outbox row: its recipient and subject around `content`, in its language.

    Rendering needs an app context (templates, MAIL_SENDER); every caller, CLI included, has one.
    """
    fields = content._asdict()
    subject = fields.pop("subject") or outbox.subject
    with mail_locale(outbox.language):
        message = build_message(sender=current_app.config["MAIL_SENDER"], recipient=outbox.recipient,
                                subject=one_line(str(subject)), **fields)
    return message.as_bytes()


def one_line(text):
    """A header value on one line: a line break in a header would end it (and, unchecked, start another)."""
    return " ".join(text.split())[:300]


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


def _claim(session, outbox_id, now, per_minute):
    """Take one message for sending; False when another sender already has it, or when it is of a throttled kind
    and the minute's allowance is used up (checked in the same statement, so two senders share one allowance)."""
    table = OutboxMessage.__table__
    allowed = or_(table.c.kind.not_in(sorted(_throttled)), _sent_in_window(now).scalar_subquery() < per_minute)
    claimed = session.execute(
        update(table)
        .where(table.c.id == outbox_id, table.c.sent_at.is_(None), table.c.next_attempt_at <= now, allowed)
        .values(next_attempt_at=now + LEASE)
    ).rowcount
    session.commit()
    return claimed == 1


def _sent_in_window(now):
    """SELECT how many messages of throttled kinds went out within the last THROTTLE_WINDOW before `now`."""
    recent = OutboxMessage.__table__.alias("recent")
    return select(func.count()).select_from(recent).where(recent.c.kind.in_(sorted(_throttled)),
                                                          recent.c.sent_at > now - THROTTLE_WINDOW)


def _due(session, now, limit, per_minute):
    """The ids to try now, in order: every other kind first, then the throttled kinds the minute still allows."""
    waiting = (select(OutboxMessage.id)
               .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
                      OutboxMessage.attempts < MAX_ATTEMPTS)
               .order_by(OutboxMessage.id))
    throttled = OutboxMessage.kind.in_(sorted(_throttled))
    due = list(session.scalars(waiting.where(~throttled).limit(limit)))
    room = min(limit - len(due), per_minute - session.scalar(_sent_in_window(now)))
    if room > 0:
        due += session.scalars(waiting.where(throttled).limit(room))
    session.commit()
    return due


def send_due(session, *, now=None, smtp_factory=None, limit=200):
    """Deliver the messages that are due; returns (sent, failed).

    Unlike a service this commits, once per message: a message that went out must be marked sent even
    if a later one fails, or a crash would send it twice. SMTP down: each message waits longer before
    its next try (backoff) and gives up after MAX_ATTEMPTS, keeping the last error for the organizer.
    A message that cannot be rendered counts as a failed attempt the same way, and the others go on.
    Throttled kinds (see `renders`) go after the others, at most MAIL_BULK_PER_MINUTE in any minute.
    """
    now = now or utcnow()
    config = current_app.config
    per_minute = int(config["MAIL_BULK_PER_MINUTE"])
    due = _due(session, now, limit, per_minute)
    sent = failed = 0
    connection = None
    try:
        for outbox_id in due:
            if not _claim(session, outbox_id, now, per_minute):
                continue
            try:
                ready = _ready(session, outbox_id, now)
            except Exception as error:  # a bad template or row must not stop the other messages
                session.rollback()
                current_app.logger.exception("Mail %s could not be rendered", outbox_id)
                _finish(session, outbox_id, now, error)
                failed += 1
                continue
            if ready is None:  # erased (privacy.py) since it was queued
                continue
            try:
                if not config["MAIL_SERVER"]:
                    _write_eml(ready, Path(current_app.instance_path) / "mail")
                else:
                    connection = connection or _smtp(config, smtp_factory)
                    parsed = message_from_bytes(ready.message, policy=policy.SMTP)
                    connection.send_message(parsed, to_addrs=[ready.recipient])
            except (OSError, smtplib.SMTPException) as error:
                _finish(session, outbox_id, now, error)
                failed += 1
                connection = _close(connection)
                continue
            _finish(session, outbox_id, now)
            sent += 1
    finally:
        _close(connection)
    return sent, failed


def _ready(session, outbox_id, now):
    """The claimed message with its finished bytes, rendered now if it was queued as what to send; None if
    it is gone.

    Read and rendered in a read-only transaction, so on SQLite rendering holds no write lock and signups
    go on meanwhile; the bytes are stored before sending, so a retry sends the identical message.
    """
    with reading(session):
        outbox = session.get(OutboxMessage, outbox_id)
        if outbox is None:
            return None
        stored = outbox.message
        message, subject = ((stored, outbox.subject) if stored is not None
                            else _render_from_registration(session, outbox, now))
        ready = _Ready(outbox.id, outbox.kind, outbox.recipient, subject, message)
    if stored is None:
        table = OutboxMessage.__table__
        kept = session.execute(
            update(table).where(table.c.id == outbox_id, table.c.message.is_(None))
            .values(message=message, subject=subject[:300])
        ).rowcount
        session.commit()
        if kept != 1:
            return None
    return ready


def _render_from_registration(session, outbox, now):
    """The message and the subject it carries, written from the registration and seminar as they are now."""
    registration = session.get(Registration, outbox.registration_id)
    # Erasure deletes the registration's queued mail; should one survive, it must not go out with blanks.
    if registration is None or registration.anonymised_at is not None:
        raise LookupError(f"registration {outbox.registration_id} is gone or erased")
    extra = {"outbox": outbox} if outbox.kind in _with_outbox else {}
    with mail_locale(outbox.language):  # the subject, written now, in the registrant's language
        content = _renderers[outbox.kind](registration, outbox.kind, now, **extra)
    return render(outbox, content), one_line(str(content.subject or outbox.subject))


def retry_unrendered(session, registration_ids, *, now=None):
    """Try again soon the unsent messages of these registrations that could not be rendered (e.g. the
    seminar's data was wrong and has just been corrected), however often they failed: `registration_ids`
    is a SELECT of ids."""
    table = OutboxMessage.__table__
    session.execute(
        update(table)
        .where(table.c.sent_at.is_(None), table.c.message.is_(None), table.c.attempts > 0,
               table.c.registration_id.in_(registration_ids))
        .values(attempts=0, next_attempt_at=now or utcnow())
    )


def _finish(session, outbox_id, now, error=None):
    """Count one attempt: sent, or failed with the error kept and the next try pushed back."""
    # FOR UPDATE: an erasure deleting the row waits for this, or has already made it None.
    outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if outbox is None:
        session.rollback()
        return
    outbox.attempts += 1
    if error is None:
        outbox.sent_at = now
        outbox.last_error = ""
    else:
        outbox.last_error = f"{type(error).__name__}: {error}"[:2000]
        outbox.next_attempt_at = now + backoff(outbox.attempts)
        current_app.logger.warning("Mail %s to %s failed (attempt %s): %s", outbox.id, outbox.recipient,
                                   outbox.attempts, outbox.last_error)
    session.commit()


def _close(connection):
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return None


def init_app(app):
    """MAIL_SEND_AFTER_REQUEST (development): drain the outbox once each response has gone out, in a session of
    its own, so a developer sees the e-mail at once without running `send-mail`."""

    @app.after_request
    def send_after_the_response(response):
        if app.config.get("MAIL_SEND_AFTER_REQUEST") and request.endpoint != "static":
            response.call_on_close(lambda: _drain(app))
        return response


def _drain(app):
    with app.app_context(), Session(db.engine) as own_session:
        send_due(own_session)
