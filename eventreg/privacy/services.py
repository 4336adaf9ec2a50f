"""Erasing personal data: one registration on request, or every registrant of a seminar once it is over.

What identifies a person is blanked; what the reports count stays (status, category, timestamps, the
check-in, and the student and organization breakdowns as anonymous counts: `reports/erased.py`), so the
figures of a past seminar do not change when its people are forgotten. `purge_expired` is the retention the
consent text promises (cron: `flask purge-expired`). Callers commit; every erasure leaves an audit entry in
the same transaction.
"""

from datetime import timedelta

from sqlalchemy import delete, exists, func, select

from eventreg import audit
from eventreg.certificates.services import forget_holder
from eventreg.models import (
    AuditEntry,
    DoorSearchTally,
    OutboxMessage,
    Registration,
    Seminar,
    User,
    new_ticket_token,
    search_matches,
    utcnow,
)
from eventreg.questions.answers import erase_personal_answers
from eventreg.refusals import Refused
from eventreg.reports.erased import keep_figures

# Blanked on erasure. Student fields included: with a small group, university and year can name a person.
PERSONAL_TEXT_FIELDS = ("full_name", "phone", "organization", "position", "university", "programme")
PERSONAL_OPTIONAL_FIELDS = ("study_level", "study_year")


class ErasureRefused(Refused):
    """`code`: not_over (the seminar has not ended yet; its people may still come to the door)."""


def _erased_email(registration):
    # The database allows one active registration per e-mail and seminar, so a blank would collide;
    # a per-row value in the reserved .invalid domain (RFC 2606) identifies no one and is never mailed.
    return f"anonymised-{registration.id}@example.invalid"


def _blank(session, registration, now):
    keep_figures(session, registration)
    for name in PERSONAL_TEXT_FIELDS:
        setattr(registration, name, "")
    for name in PERSONAL_OPTIONAL_FIELDS:
        setattr(registration, name, None)
    registration.email = _erased_email(registration)
    # The old ticket link would still open the (now empty) ticket; a new random token closes it.
    registration.token = new_ticket_token()
    registration.anonymised_at = now
    forget_holder(session, registration)
    erase_personal_answers(session, registration)
    # Queued and sent e-mails hold the name and address in their rendered text.
    session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id == registration.id))


def anonymise_registration(session, registration, *, by, now=None):
    """Erase one person's data (on their request, at any time). Erasing twice changes nothing."""
    if registration.anonymised_at is not None:
        return registration
    now = now or utcnow()
    _blank(session, registration, now)
    audit.record(session, user=by, action="registration_anonymised", seminar=registration.seminar,
                 registration=registration, now=now)
    session.flush()
    return registration


def is_over(seminar, now):
    return seminar.status == "cancelled" or seminar.ends_at <= now


def personal_data_count(session, seminar):
    """How many registrations of the seminar still hold personal data."""
    return session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.seminar_id == seminar.id, Registration.anonymised_at.is_(None))
    )


def erase_seminar_personal_data(session, seminar, *, by, now=None, reason=None):
    """Erase the personal data of every registrant of a seminar that has ended (or was cancelled).

    Returns how many registrations were erased; one audit entry records the whole erasure."""
    now = now or utcnow()
    if not is_over(seminar, now):
        raise ErasureRefused("not_over")
    registrations = session.scalars(
        select(Registration).where(Registration.seminar_id == seminar.id, Registration.anonymised_at.is_(None))
    ).all()
    for registration in registrations:
        _blank(session, registration, now)
    audit.record(session, user=by, action="seminar_personal_data_erased", seminar=seminar,
                 details={"registrations": len(registrations), **(reason or {})}, now=now)
    session.flush()
    return len(registrations)


def purge_expired(session, *, days, now=None):
    """Erase the personal data of every seminar that ended (or was cancelled and would have ended) more than
    `days` days before `now`: the retention the signup's consent text promises. Run daily from cron.

    Returns [(seminar, erased count)] for the seminars that still held personal data; each gets its audit
    entry (no account: the retention did it)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    seminars = session.scalars(
        select(Seminar).where(Seminar.ends_at <= cutoff, exists().where(
            Registration.seminar_id == Seminar.id, Registration.anonymised_at.is_(None)))
        .order_by(Seminar.ends_at, Seminar.id)
    ).all()
    done = []
    for seminar in seminars:
        count = erase_seminar_personal_data(session, seminar, by=None, now=now,
                                            reason={"retention_days": days})
        done.append((seminar, count))
    return done


def find_registrations(session, seminar, text, *, limit=20):
    """Registrations of the seminar whose name, e-mail or organization contain `text` (for erasure requests)."""
    matches = search_matches(Registration.search_text, text)
    if matches is None:
        return []
    return session.scalars(
        select(Registration)
        .where(Registration.seminar_id == seminar.id, Registration.anonymised_at.is_(None), matches)
        .order_by(Registration.created_at).limit(limit)
    ).all()


def door_search_tallies(session, *, limit=50):
    """The latest hours of door searches, busiest accounts first within an hour: (hour, user, seminar title,
    searches). A volunteer finds a few people an hour; hundreds in one hour is someone copying the list."""
    return session.execute(
        select(DoorSearchTally.hour, User, Seminar.title, DoorSearchTally.searches)
        .join(User, User.id == DoorSearchTally.user_id).join(Seminar, Seminar.id == DoorSearchTally.seminar_id)
        .order_by(DoorSearchTally.hour.desc(), DoorSearchTally.searches.desc(), DoorSearchTally.id).limit(limit)
    ).all()


def audit_entries(session, *, page, per_page=50, seminar=None):
    """The audit log (of one seminar, for its owner), newest first, one page at a time: (entries, seminar titles
    by id, has_more)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if seminar is not None:
        query = query.where(AuditEntry.seminar_id == seminar.id)
    rows = session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    entries = rows[:per_page]
    seminar_ids = {e.seminar_id for e in entries if e.seminar_id is not None}
    titles = dict(session.execute(select(Seminar.id, Seminar.title).where(Seminar.id.in_(seminar_ids))).all())
    return entries, titles, len(rows) > per_page
