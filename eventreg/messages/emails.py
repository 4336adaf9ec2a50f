"""An organizer's message as each attendee receives it: written by the sender just before it goes out, from the
message and the registration as they are then, in the attendee's language for the fixed parts (greeting, the
seminar's details, the unsubscribe line). The organizer's subject and text go as written, placeholders filled in
for the one person the copy is for, so nobody's message holds anybody else's name or address.
"""

import re

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape
from sqlalchemy.orm import object_session

from eventreg import mail
from eventreg.certificates import services as certificates
from eventreg.formatting import datetime_in
from eventreg.models import SeminarMessage

KIND = "seminar_message"
PLACEHOLDERS = ("name", "seminar", "date", "ticket_link", "certificate_link")
# {word}: a placeholder; any other brace is text.
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A web address in the organizer's text, made a link in the HTML part; trailing punctuation stays text.
_ADDRESS = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]"


def unknown_placeholders(text):
    """The {words} in `text` that are no placeholder, in order of appearance, each once."""
    return list(dict.fromkeys(name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS))


def fill(text, values):
    """`text` with each known placeholder replaced by its value for one person."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def as_html(text):
    """The organizer's plain text for the HTML part: escaped (no markup of theirs gets in), paragraphs at blank
    lines, line breaks kept, web addresses made links."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
    return Markup("").join(Markup('<p style="font-size:16px;">{}</p>\n').format(_linked(p)) for p in paragraphs)


def _linked(paragraph):
    parts, last = [], 0
    for match in _ADDRESS.finditer(paragraph):
        address = match.group(0).rstrip(_TRAILING)
        parts += [_broken(paragraph[last:match.start()]), Markup('<a href="{0}">{0}</a>').format(address)]
        last = match.start() + len(address)
    parts.append(_broken(paragraph[last:]))
    return Markup("").join(parts)


def _broken(text):
    return Markup("<br>\n").join(escape(line) for line in text.split("\n"))


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="unsubscribe")


def unsubscribe_path(registration):
    """The one-click unsubscribe link's path (the `messages.unsubscribe` route): the registration's id, signed.
    It does not expire: an old message's link must still work (RFC 8058)."""
    return f"/unsubscribe/{_serializer().dumps(registration.id)}"


def registration_id_of(token):
    """The registration an unsubscribe link names, or None for a link that was not ours."""
    try:
        registration_id = _serializer().loads(token)
    except BadSignature:
        return None
    return registration_id if isinstance(registration_id, int) else None


def placeholder_values(registration):
    """What each placeholder says for this person, in the current locale (the person's, when sending).
    {certificate_link} is empty for someone without a valid certificate."""
    seminar = registration.seminar
    certificate = certificates.valid_certificate(object_session(registration), registration)
    return {
        "name": registration.full_name,
        "seminar": seminar.title,
        "date": datetime_in(seminar.starts_at, seminar, "full"),
        "ticket_link": mail.absolute_url(f"/t/{registration.token}/?lang={registration.language}"),
        "certificate_link": mail.absolute_url(f"/t/{registration.token}/certificate.pdf") if certificate else "",
    }


def content(subject, body, registration, *, essential=False):
    """The message for one person (call it in their locale: `mail.mail_locale`). An `essential` one offers no
    unsubscribing, which would not keep it away."""
    values = placeholder_values(registration)
    text = fill(body, values)
    context = {"registration": registration, "seminar": registration.seminar, "body_text": text,
               "body_html": as_html(text), "unsubscribe_url": None}
    headers = ()
    if not essential:
        unsubscribe_url = mail.absolute_url(unsubscribe_path(registration)) + f"?lang={registration.language}"
        context["unsubscribe_url"] = unsubscribe_url
        # RFC 8058: mail clients offer their own unsubscribe button, which POSTs to the link without opening it.
        headers = (("List-Unsubscribe", f"<{unsubscribe_url}>"),
                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return mail.Content(KIND, context, subject=fill(subject, values), headers=headers)


def preview(subject, body, registration, *, essential=False):
    """(subject, plain text) exactly as this person would receive them."""
    with mail.mail_locale(registration.language):
        message = content(subject, body, registration, essential=essential)
        return mail.one_line(message.subject), render_template(f"email/{KIND}.txt", **message.context)


@mail.renders(KIND, with_outbox=True, throttled=True)
def render(registration, kind, now, *, outbox):
    """A copy of the organizer's message `outbox` names, for its registration."""
    message = object_session(registration).get(SeminarMessage, outbox.seminar_message_id)
    if message is None:
        raise LookupError(f"seminar message {outbox.seminar_message_id} is gone")
    return content(message.subject, message.body, registration, essential=message.essential)
