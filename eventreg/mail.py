"""Outgoing e-mail through the outbox.

`enqueue` renders a whole message and stores it in the same transaction as the change that caused it;
a separate sender (`send_due`) delivers it later with retries, so a registration never fails and no
mail is lost because the mail server is down.
"""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template

from eventreg.models import OutboxMessage


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
            attachments=(), inline_images=(), dedupe_key=None, now=None):
    """Store a message for the sender; it goes out only if the surrounding transaction commits.

    Rendering needs an app context (templates, MAIL_SENDER); every caller, CLI included, has one.
    """
    message = build_message(
        sender=current_app.config["MAIL_SENDER"], recipient=recipient, subject=subject, template=template,
        context=context, attachments=attachments, inline_images=inline_images,
    )
    outbox = OutboxMessage(kind=kind, recipient=recipient, subject=subject, message=message.as_bytes(),
                           registration_id=registration.id if registration is not None else None,
                           dedupe_key=dedupe_key)
    if now is not None:
        outbox.created_at = outbox.next_attempt_at = now
    session.add(outbox)
    session.flush()
    return outbox
