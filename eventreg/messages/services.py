"""Messages to a seminar's attendees (issue #23): who a message is for (a segment, or the people ticked on the
list), what it says, its preview for one person, and its sending through the outbox, one copy per person.

Nobody who unsubscribed is in a segment (the count says how many are left out); nobody gets two copies of one
message (one per address, and a dedupe key per copy); each copy is queued with the message, in its transaction.
"""

from dataclasses import asdict, dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update

from eventreg import audit, mail
from eventreg.messages import emails
from eventreg.models import (
    MAX_ID,
    REGISTRATION_STATUSES,
    Certificate,
    OutboxMessage,
    Registration,
    SeminarMessage,
    utcnow,
)
from eventreg.refusals import Refused
from eventreg.registration import organizer
from eventreg.security import has_control_characters

MAX_SUBJECT = 200
MAX_BODY = 20000
# The people one can tick on the list at most (as for a bulk action), and how many a preview offers to choose from.
MAX_CHOSEN = 2000
PREVIEW_CHOICES = 100


class MessageRefused(Refused):
    """Nothing sent: `code` says why (invalid, nobody, count_changed, not_this_seminar, too_many); `fields` the
    problems per form field, `audience` who the segment holds now."""

    def __init__(self, code, *, fields=None, audience=None):
        super().__init__(code, fields)
        self.audience = audience


@dataclass(frozen=True)
class Segment:
    """Who a message is for: the criteria of `organizer.filtered` (a new criterion, such as the answer to a choice
    question, is one field here and one clause there), or the ids of the people ticked on the list."""

    status: str = ""
    category_key: str = ""
    attendance: str = ""
    university: str = ""
    q: str = ""
    ids: tuple = ()

    def criteria(self):
        return {name: value for name, value in asdict(self).items() if name != "ids"}

    def as_json(self):
        """What the message and the audit log keep: the criteria given, or the ids."""
        if self.ids:
            return {"ids": list(self.ids)}
        return {name: value for name, value in self.criteria().items() if value}


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    segment: Segment
    essential: bool = False  # a change to the seminar: unsubscribing does not keep it away


@dataclass
class Audience:
    """The registration ids a message goes to (one per address), and who the segment held but leaves out."""

    ids: list = field(default_factory=list)
    unsubscribed: int = 0
    without_address: int = 0

    @property
    def count(self):
        return len(self.ids)


@dataclass
class Preview:
    audience: Audience
    recipient: Registration
    choices: list  # (id, name, e-mail) of the people one may preview it for
    subject: str
    text: str
    # With {certificate_link}: how many of the audience hold a certificate (the others get an empty link); else None.
    with_certificate: int | None


def check_draft(draft):
    """MessageRefused("invalid") with a message per field: an empty subject or text, a line break in the subject,
    an unknown placeholder, too long."""
    fields = {}
    for name, text, limit in (("subject", draft.subject, MAX_SUBJECT), ("body", draft.body, MAX_BODY)):
        problem = _text_problem(name, text, limit)
        if problem:
            fields[name] = [problem]
    if fields:
        raise MessageRefused("invalid", fields=fields)


def _text_problem(name, text, limit):
    if not text.strip():
        return _l("Write a subject.") if name == "subject" else _l("Write the message.")
    if len(text) > limit:
        return _l("At most %(max)d characters (now %(num)d).", max=limit, num=len(text))
    if has_control_characters(text, multiline=name == "body"):
        return _l("The subject is one line.") if name == "subject" else _l("The text holds control characters.")
    unknown = emails.unknown_placeholders(text)
    if unknown:
        return _l("Unknown placeholder: %(unknown)s. The placeholders are %(known)s.",
                  unknown=", ".join(f"{{{name}}}" for name in unknown),
                  known=", ".join(f"{{{name}}}" for name in emails.PLACEHOLDERS))
    return None


def _check_segment(session, seminar, segment):
    attendance = [value for value, _label in organizer.attendance_choices(seminar)]
    for name, allowed in (("status", REGISTRATION_STATUSES), ("attendance", attendance)):
        if getattr(segment, name) not in ("", *allowed):
            raise MessageRefused("invalid", fields={name: [_l("Not a valid choice.")]})
    if len(segment.ids) > MAX_CHOSEN:
        raise MessageRefused("too_many")
    if not all(0 < i <= MAX_ID for i in segment.ids):
        raise MessageRefused("not_this_seminar")
    if segment.ids:
        found = session.scalar(select(func.count()).where(Registration.seminar_id == seminar.id,
                                                          Registration.id.in_(segment.ids)))
        if found != len(set(segment.ids)):
            raise MessageRefused("not_this_seminar")


def audience(session, seminar, segment, *, essential=False):
    """Who a message to `segment` goes to now: one registration per address (the latest), not erased, with an
    address, nobody who unsubscribed (from any of their registrations of the seminar) unless the message is
    `essential`."""
    _check_segment(session, seminar, segment)
    query = organizer.filtered(seminar, **segment.criteria()).where(Registration.anonymised_at.is_(None))
    if segment.ids:
        query = query.where(Registration.id.in_(segment.ids))
    rows = session.execute(query.with_only_columns(Registration.id, Registration.email, Registration.unsubscribed_at)
                           .order_by(Registration.id)).all()
    unsubscribed = set() if essential else _unsubscribed_addresses(session, seminar,
                                                                   {email for _, email, _ in rows if email})
    latest = {email: registration_id for registration_id, email, _ in rows if email and email not in unsubscribed}
    return Audience(ids=sorted(latest.values()), unsubscribed=len(unsubscribed),
                    without_address=sum(1 for _, email, _ in rows if not email))


def _unsubscribed_addresses(session, seminar, addresses):
    """The addresses among `addresses` that unsubscribed through any registration of this seminar."""
    marked = session.scalars(select(Registration.email).where(Registration.seminar_id == seminar.id,
                                                              Registration.unsubscribed_at.is_not(None))).all()
    return addresses & set(marked)


def _audience_or_refuse(session, seminar, draft):
    people = audience(session, seminar, draft.segment, essential=draft.essential)
    if not people.ids:
        raise MessageRefused("nobody", audience=people)
    return people


def preview(session, seminar, draft, *, recipient_id=None):
    """The message as one person of its audience would receive it (`recipient_id`, else the first), with the count;
    refused like `send_message` (nothing is written)."""
    check_draft(draft)
    people = _audience_or_refuse(session, seminar, draft)
    chosen = recipient_id if recipient_id in people.ids else people.ids[0]
    recipient = session.get(Registration, chosen)
    subject, text = emails.preview(draft.subject, draft.body, recipient, essential=draft.essential)
    return Preview(people, recipient, _choices(session, people.ids[:PREVIEW_CHOICES]), subject, text,
                   _with_certificate(session, seminar, people, draft))


def _choices(session, ids):
    return session.execute(select(Registration.id, Registration.full_name, Registration.email)
                           .where(Registration.id.in_(ids)).order_by(Registration.id)).all()


def _with_certificate(session, seminar, people, draft):
    if "{certificate_link}" not in draft.subject + draft.body:
        return None
    holders = session.scalars(select(Certificate.registration_id).where(Certificate.seminar_id == seminar.id,
                                                                        Certificate.revoked_at.is_(None))).all()
    return len(set(holders) & set(people.ids))


def send_message(session, seminar, draft, *, by, expected=None, now=None):
    """Queue one copy of the message for each person of its audience, record it and audit it. `expected`: the count
    the organizer confirmed; a different count now is refused ("count_changed"), so nobody unexpected is written to."""
    now = now or utcnow()
    check_draft(draft)
    people = _audience_or_refuse(session, seminar, draft)
    if expected is not None and expected != people.count:
        raise MessageRefused("count_changed", audience=people)
    message = SeminarMessage(seminar_id=seminar.id, subject=draft.subject, body=draft.body,
                             segment=draft.segment.as_json(), author_id=getattr(by, "id", None), created_at=now,
                             recipient_count=people.count, essential=draft.essential)
    session.add(message)
    session.flush()
    _queue_copies(session, message, people.ids, now)
    audit.record(session, user=by, action="message_sent", seminar=seminar, now=now, details={
        "message": message.id, "segment": _audit_segment(draft.segment), "count": people.count,
        "unsubscribed_left_out": people.unsubscribed, "essential": draft.essential})
    return message


def _queue_copies(session, message, ids, now):
    """One outbox row per person, rendered by the sender (`emails.render`); the dedupe key makes two impossible."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for registration in session.scalars(select(Registration).where(Registration.id.in_(chunk))):
            outbox = mail.prepare(kind=emails.KIND, recipient=registration.email, subject=message.subject,
                                  registration=registration, language=registration.language, now=now,
                                  dedupe_key=f"{emails.KIND}:{message.id}:{registration.id}")
            outbox.seminar_message_id = message.id
            session.add(outbox)
    session.flush()


def _audit_segment(segment):
    """The segment for the audit log: the criteria, or how many people were ticked (their ids are on the message)."""
    return {"selected": len(segment.ids)} if segment.ids else segment.as_json()


def universities(session, seminar):
    """The universities the seminar's students named, as they wrote them: the choices of a segment."""
    return session.scalars(select(Registration.university).distinct()
                           .where(Registration.seminar_id == seminar.id, Registration.university != "",
                                  Registration.anonymised_at.is_(None))
                           .order_by(Registration.university)).all()


@dataclass
class Sent:
    message: SeminarMessage
    sent: int
    waiting: int
    failed: int

    @property
    def withdrawn(self):
        """Copies no longer in the outbox: the person unsubscribed or was erased before theirs went out."""
        return max(self.message.recipient_count - self.sent - self.waiting - self.failed, 0)


def history(session, seminar):
    """The seminar's messages, newest first, each with how many copies went out, wait (or are retried), failed."""
    gave_up = OutboxMessage.attempts >= mail.MAX_ATTEMPTS
    unsent = OutboxMessage.sent_at.is_(None)
    rows = session.execute(
        select(SeminarMessage, func.count(OutboxMessage.sent_at),
               func.count(case((unsent & ~gave_up, OutboxMessage.id))),
               func.count(case((unsent & gave_up, OutboxMessage.id))))
        .outerjoin(OutboxMessage, OutboxMessage.seminar_message_id == SeminarMessage.id)
        .where(SeminarMessage.seminar_id == seminar.id)
        .group_by(SeminarMessage.id).order_by(SeminarMessage.created_at.desc(), SeminarMessage.id.desc())
    ).all()
    return [Sent(*row) for row in rows]


def unsubscribe(session, registration, *, now=None):
    """No more organizers' messages for this person: marked once (the first time is kept), and the copies still
    waiting in the outbox withdrawn. Tickets, news of changes to the seminar and the organizer's essential messages
    still go."""
    session.execute(update(Registration).where(Registration.id == registration.id,
                                               Registration.unsubscribed_at.is_(None))
                    .values(unsubscribed_at=now or utcnow()))
    session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id == registration.id,
                                                OutboxMessage.seminar_message_id.in_(
                                                    select(SeminarMessage.id).where(SeminarMessage.essential.is_(False))),
                                                OutboxMessage.sent_at.is_(None)))
    session.refresh(registration)
