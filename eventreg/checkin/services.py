"""Check-in rules at the door: one function decides every scan, the database decides the race."""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from eventreg.models import Category, CheckInEvent, Registration, Seminar, search_key, utcnow
from eventreg.registration import services as registration_services
from eventreg.tickets import token_from_scan

SEARCH_LIMIT = 25
MIN_SEARCH_LENGTH = 2
_REFUSED_BY_STATUS = {"cancelled": "cancelled", "rejected": "rejected", "pending": "not_confirmed",
                      "waitlisted": "not_confirmed"}


class CheckInRefused(Exception):
    """An undo that cannot happen: `not_checked_in` (nothing to undo) or `not_found` (not this seminar)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass
class CheckInResult:
    """What the door shows: `status` is one of SCAN_RESULTS (never "undone"); `registration` is None only
    for unknown codes; `other_seminar` is the seminar a wrong ticket belongs to."""

    status: str
    registration: Registration | None = None
    other_seminar: Seminar | None = None

    @property
    def accepted(self):
        return self.status == "checked_in"


def seminars_at_the_door(session, now):
    """Published seminars whose check-in window is open now or opens within a day (for staff to pick)."""
    candidates = session.scalars(
        select(Seminar).where(Seminar.status.in_(("published", "closed")), Seminar.ends_at > now)
        .order_by(Seminar.starts_at)
    ).all()
    return [s for s in candidates if (s.checkin_window()[0] - now).total_seconds() < 24 * 3600]


def window_is_open(seminar, now):
    opens, closes = seminar.checkin_window()
    return opens <= now < closes


def _log(session, seminar, result, *, registration, gate, method, by, code, now):
    session.add(CheckInEvent(
        seminar_id=seminar.id, registration_id=registration.id if registration is not None else None,
        at=now, result=result, gate=gate or "", method=method, user_id=by.id if by is not None else None,
        code=(code or "")[:200],
    ))


def _load_by_token(session, token):
    """The registration, its category and whoever checked it in: one query (the hot path)."""
    return session.scalar(
        select(Registration)
        .options(joinedload(Registration.category), joinedload(Registration.checked_in_by))
        .where(Registration.token == token)
        .execution_options(populate_existing=True)
    )


def _classify(seminar, registration, now, override_window):
    """The refusal for this registration, or None when the door may let them in."""
    if registration.seminar_id != seminar.id:
        return "wrong_seminar"
    if registration.status != "confirmed":
        return _REFUSED_BY_STATUS[registration.status]
    if registration.checked_in_at is not None:
        return "already_checked_in"
    if not override_window and not window_is_open(seminar, now):
        return "outside_window"
    return None


def check_in(session, seminar, code, *, gate, by, method, now=None, override_window=False):
    """Let the holder of `code` (a scanned payload, ticket URL or typed token) into `seminar`.

    Exactly once: the conditional UPDATE is the only thing that admits anyone, so two doors scanning the
    same ticket at the same instant get one "checked_in" and one "already_checked_in". Every attempt is
    logged, refused ones included. Flushes nothing itself beyond the UPDATE; the caller commits.
    """
    now = now or utcnow()
    gate = (gate or "").strip()[:60]
    token = token_from_scan(code)
    registration = _load_by_token(session, token) if token else None
    if registration is None:
        _log(session, seminar, "unknown_code", registration=None, gate=gate, method=method, by=by, code=code,
             now=now)
        return CheckInResult("unknown_code")

    refusal = _classify(seminar, registration, now, override_window)
    if refusal is None:
        admitted = session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.checked_in_at.is_(None),
                   Registration.status == "confirmed")
            .values(checked_in_at=now, checked_in_gate=gate, checked_in_method=method,
                    checked_in_by_id=by.id if by is not None else None)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if admitted:
            for name, value in (("checked_in_at", now), ("checked_in_gate", gate), ("checked_in_method", method),
                                ("checked_in_by_id", by.id if by is not None else None), ("checked_in_by", by)):
                set_committed_value(registration, name, value)
        else:
            # Another door won the race (or the registration changed meanwhile): say what it is now.
            registration = _load_by_token(session, token)
            refusal = _classify(seminar, registration, now, True) or "already_checked_in"

    status = refusal or "checked_in"
    other = session.get(Seminar, registration.seminar_id) if status == "wrong_seminar" else None
    _log(session, seminar, status, registration=None if other is not None else registration, gate=gate,
         method=method, by=by, code=code, now=now)
    return CheckInResult(status, registration, other)


def walk_in(session, seminar, data, *, gate, by, now=None, override_window=False):
    """Register someone who turned up without a ticket and check them in, in one transaction.

    Only with a free seat (no waiting list at the door): RegistrationRefused("full") otherwise, and the
    same data rules as online. Registration may have closed already; the check-in window still applies.
    """
    now = now or utcnow()
    if not override_window and not window_is_open(seminar, now):
        raise CheckInRefused("outside_window")
    registration = registration_services.register(session, seminar, data, source="walk_in", now=now, by=by,
                                                  waitlist=False, ignore_window=True)
    return check_in(session, seminar, registration.token, gate=gate, by=by, method="walk_in", now=now,
                    override_window=override_window)


def registration_of(session, seminar, registration_id):
    """A registration of this seminar (with its category), or None."""
    registration = session.scalar(
        select(Registration).options(joinedload(Registration.category), joinedload(Registration.checked_in_by))
        .where(Registration.id == registration_id)
    )
    return registration if registration is not None and registration.seminar_id == seminar.id else None


def undo_check_in(session, seminar, registration, *, by, gate, now=None):
    """Take back a check-in (a wrong person let in, a mis-tap): the entry is cleared and the undo logged."""
    now = now or utcnow()
    if registration.seminar_id != seminar.id:
        raise CheckInRefused("not_found")
    undone = session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_not(None))
        .values(checked_in_at=None, checked_in_gate=None, checked_in_method=None, checked_in_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not undone:
        raise CheckInRefused("not_checked_in")
    for name in ("checked_in_at", "checked_in_gate", "checked_in_method", "checked_in_by_id", "checked_in_by"):
        set_committed_value(registration, name, None)
    _log(session, seminar, "undone", registration=registration, gate=(gate or "")[:60], method="manual", by=by,
         code=registration.token, now=now)
    return registration


def stats(session, seminar):
    """Live counts for the door: confirmed and checked in, overall and per category (one GROUP BY)."""
    confirmed = func.count(Registration.id)
    checked_in = func.count(Registration.checked_in_at)
    rows = session.execute(
        select(Category.key, Category.label, Category.is_student, confirmed, checked_in)
        .outerjoin(Registration, and_(Registration.category_id == Category.id, Registration.status == "confirmed"))
        .where(Category.seminar_id == seminar.id)
        .group_by(Category.id, Category.key, Category.label, Category.is_student, Category.position)
        .order_by(Category.position, Category.id)
    ).all()
    categories = [
        {"key": key, "label": label, "is_student": is_student, "confirmed": c, "checked_in": ci}
        for key, label, is_student, c, ci in rows
    ]
    return {
        "confirmed": sum(c["confirmed"] for c in categories),
        "checked_in": sum(c["checked_in"] for c in categories),
        "categories": categories,
    }


def _like_pattern(text):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session, seminar, query, *, limit=SEARCH_LIMIT):
    """People of this seminar by part of their name, e-mail or organization, whatever the case or accents.

    Every status is listed (the door must see that someone cancelled); confirmed people first.
    """
    key = search_key(query or "")
    if len(key) < MIN_SEARCH_LENGTH:
        return []
    confirmed_first = case((Registration.status == "confirmed", 0), else_=1)
    return session.scalars(
        select(Registration)
        .options(joinedload(Registration.category), joinedload(Registration.checked_in_by))
        .where(Registration.seminar_id == seminar.id,
               Registration.search_text.like(_like_pattern(key), escape="\\"))
        .order_by(confirmed_first, Registration.full_name, Registration.id)
        .limit(limit)
    ).all()
