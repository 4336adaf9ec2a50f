"""Check-in rules at the door: one function decides every scan, the database decides the race.

`check_in` is the door's hot path (hundreds of scans a minute at several doors), so it speaks SQLAlchemy
Core with statements built once at import: a ticket that may enter costs one UPDATE ... RETURNING and one
scan-log INSERT, and only a refused scan reads the registration to say why.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventreg import audit
from eventreg.checkin import attendance
from eventreg.models import (
    Attendance,
    Category,
    CheckInEvent,
    CheckInWindowMixin,
    DoorSearchTally,
    Registration,
    Seminar,
    SeminarDay,
    User,
    awaiting_email_confirmation,
    is_row_id,
    search_matches,
    utcnow,
)
from eventreg.names import alphabetical, query_is_specific
from eventreg.refusals import Refused
from eventreg.registration import services as registration_services
from eventreg.seminars.days import day_at, day_of, session_of
from eventreg.tickets import token_from_scan

# What a scanning client may say it used (walk-ins and offline syncs have paths of their own).
SCAN_METHODS = ("camera", "keyboard", "manual", "api")
SEARCH_LIMIT = 10
MIN_SEARCH_LETTERS = 3  # or one Chinese character: a Chinese surname is one
MAX_QUERY = 200  # a name is at most 200 characters; more would only build a longer statement
_REFUSED_BY_STATUS = {"cancelled": "cancelled", "rejected": "rejected", "pending": "not_confirmed",
                      "waitlisted": "not_confirmed"}

_registration = Registration.__table__
_category = Category.__table__
_checker = User.__table__
_seminar = Seminar.__table__
_day = SeminarDay.__table__
_category_of_registration = _category.c.id == _registration.c.category_id

# The seminar as the door's API finds it: only what the door uses, in one Core query.
_DOOR_SEMINAR = select(
    _seminar.c.id, _seminar.c.slug, _seminar.c.title, _seminar.c.timezone, _seminar.c.status, _seminar.c.starts_at,
    _seminar.c.ends_at, _seminar.c.checkin_opens_minutes,
    select(_day.c.id).where(_day.c.seminar_id == _seminar.c.id).exists().label("has_days"),
)
_DOOR_SEMINAR_BY_SLUG = _DOOR_SEMINAR.where(_seminar.c.slug == bindparam("slug"), _seminar.c.status != "draft")
_DOOR_SEMINAR_BY_ID = _DOOR_SEMINAR.where(_seminar.c.id == bindparam("seminar"))

# The only statement that lets anyone in: two doors scanning one ticket at once get one row back between them.
_ADMIT = (
    update(_registration)
    .where(_registration.c.token == bindparam("ticket"), _registration.c.seminar_id == bindparam("seminar"),
           _registration.c.status == "confirmed", _registration.c.checked_in_at.is_(None),
           ~awaiting_email_confirmation(_registration.c))
    .values(checked_in_at=bindparam("now"), checked_in_gate=bindparam("gate"),
            checked_in_method=bindparam("method"), checked_in_by_id=bindparam("by"), updated_at=bindparam("now"))
    .returning(_registration.c.id, _registration.c.full_name, _registration.c.organization,
               select(_category.c.label).where(_category_of_registration).scalar_subquery().label("category"),
               select(_category.c.is_student).where(_category_of_registration).scalar_subquery()
               .label("category_is_student"))
)

_scan_log = CheckInEvent.__table__
_LOG = insert(_scan_log)

# PostgreSQL takes the admission and its log row in one statement: one round trip to the server per scan
# instead of two (SQLite has no data-modifying WITH, and no round trips to save).
_admitted = _ADMIT.cte("admitted")
_ADMIT_AND_LOG = select(_admitted).add_cte(
    insert(_scan_log).from_select(
        ["seminar_id", "registration_id", "at", "result", "gate", "method", "user_id", "code"],
        select(bindparam("seminar", type_=_scan_log.c.seminar_id.type), _admitted.c.id,
               bindparam("now", type_=_scan_log.c.at.type), literal("checked_in", _scan_log.c.result.type),
               bindparam("gate", type_=_scan_log.c.gate.type), bindparam("method", type_=_scan_log.c.method.type),
               bindparam("by", type_=_scan_log.c.user_id.type), bindparam("code", type_=_scan_log.c.code.type)),
    ).cte("logged")
)

# Who the ticket belongs to and how they stand, for a refused scan (and for undo's answer).
_DESCRIBE = (
    select(_registration.c.id, _registration.c.seminar_id, _registration.c.full_name, _registration.c.organization,
           _registration.c.status, _category.c.label.label("category"),
           _category.c.is_student.label("category_is_student"), _registration.c.checked_in_at,
           _registration.c.checked_in_gate, _registration.c.checked_in_method,
           _checker.c.name.label("checked_in_by"),
           awaiting_email_confirmation(_registration.c).label("awaits_email_confirmation"))
    .join_from(_registration, _category, _category_of_registration)
    .outerjoin(_checker, _checker.c.id == _registration.c.checked_in_by_id)
)
_DESCRIBE_BY_TOKEN = _DESCRIBE.where(_registration.c.token == bindparam("ticket"))
_DESCRIBE_BY_ID = _DESCRIBE.where(_registration.c.id == bindparam("registration"))

class CheckInRefused(Refused):
    """An undo that cannot happen: `not_checked_in` (nothing to undo), `not_found` (not this seminar),
    `window_closed` (the door's time is over) or `reason_required` (an organizer's later correction); or a
    walk-in outside the window (`outside_window`); or, on a seminar of several days, `day_required` (an
    organizer's correction names no day) and `not_found` for a day or session of another seminar; or a door
    naming a day or session by an id that is none of this seminar's (`unknown_day`, `unknown_session`)."""


@dataclass(frozen=True)
class Attendee:
    """What the door shows about a registration: read by one Core statement, not loaded as an ORM object."""

    id: int
    seminar_id: int
    full_name: str
    organization: str
    status: str
    category: str
    category_is_student: bool
    checked_in_at: datetime | None
    checked_in_gate: str | None
    checked_in_method: str | None
    checked_in_by: str | None  # the staff member's name
    awaits_email_confirmation: bool = False  # the seminar asked and the address is not confirmed: no ticket yet


@dataclass(frozen=True)
class DoorSeminar(CheckInWindowMixin):
    """A published seminar as the door sees it; `check_in`, `undo_check_in` and `stats` take it or a Seminar."""

    id: int
    slug: str
    title: str
    timezone: str
    status: str
    starts_at: datetime
    ends_at: datetime
    checkin_opens_minutes: int
    has_days: bool = False


@dataclass
class CheckInResult:
    """What the door shows: `status` is one of SCAN_RESULTS (never "undone"); `attendee` is None only
    for unknown codes; `other_seminar` is the seminar a wrong ticket belongs to."""

    status: str
    attendee: Attendee | None = None
    other_seminar: DoorSeminar | None = None

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


def door_seminar(session, slug):
    """The seminar at `slug` for the door's API, or None (unknown or still a draft)."""
    row = session.execute(_DOOR_SEMINAR_BY_SLUG, {"slug": slug}).first()
    return DoorSeminar(**row._mapping) if row is not None else None


def window_is_open(seminar, now):
    opens, closes = seminar.checkin_window()
    return opens <= now < closes


def _as_logged(code):
    """What the scan log keeps of what was scanned: its column holds 200 characters."""
    return (code or "")[:200]


def _log(connection, seminar, result, *, attendee, gate, method, by_id, code, now, day_id=None, session_id=None):
    connection.execute(_LOG, {
        "seminar_id": seminar.id, "registration_id": attendee.id if attendee is not None else None, "at": now,
        "result": result, "gate": gate, "method": method, "user_id": by_id, "code": _as_logged(code),
        "day_id": day_id, "session_id": session_id,
    })


def _describe(connection, statement, **params):
    row = connection.execute(statement, params).first()
    return Attendee(**row._mapping) if row is not None else None


def _classify(seminar, attendee, window_open, *, has_place=True):
    """The refusal for this attendee, or None when the door may let them in (`attendee.checked_in_at`: their
    check-in for what the door checks in, the seminar or one of its days or sessions)."""
    if attendee.seminar_id != seminar.id:
        return "wrong_seminar"
    if attendee.status != "confirmed":
        return _REFUSED_BY_STATUS[attendee.status]
    if attendee.awaits_email_confirmation:
        return "email_not_confirmed"
    if attendee.checked_in_at is not None:
        return "already_checked_in"
    if not has_place:
        return "not_in_session"
    if not window_open:
        return "outside_window"
    return None


def check_in(session, seminar, code, *, gate, by, method, now=None, override_window=False, day=None, part=None):
    """Let the holder of `code` (a scanned payload, ticket URL or typed token) into `seminar`.

    Exactly once: the conditional UPDATE is the only thing that admits anyone, so two doors scanning the
    same ticket at the same instant get one "checked_in" and one "already_checked_in". Every attempt is
    logged, refused ones included. Executes on the session's connection; the caller commits.
    A seminar of several days admits once per day, on `day` (or at the session `part`; by default the day
    whose door is open now): see `_check_in_on_day`.
    """
    now = now or utcnow()
    scan = {"ticket": token_from_scan(code), "seminar": seminar.id, "now": now, "gate": (gate or "").strip()[:60],
            "method": method, "by": by.id if by is not None else None, "code": _as_logged(code)}
    if seminar.has_days:
        return _check_in_on_day(session, seminar, scan, by=by, override_window=override_window, day=day, part=part)
    connection = session.connection()
    window_open = override_window or window_is_open(seminar, now)
    admitted = _admit(connection, scan) if scan["ticket"] and window_open else None
    if admitted is not None:
        attendee = Attendee(**admitted._mapping, seminar_id=seminar.id, status="confirmed", checked_in_at=now,
                            checked_in_gate=scan["gate"], checked_in_method=method,
                            checked_in_by=by.name if by is not None else None)
        result = CheckInResult("checked_in", attendee)
    else:
        result = _refusal(connection, seminar, scan["ticket"], now, window_open)
    if admitted is None or connection.dialect.name != "postgresql":
        _log(connection, seminar, result.status, attendee=None if result.other_seminar else result.attendee,
             gate=scan["gate"], method=method, by_id=scan["by"], code=code, now=now)
    return result


def _admit(connection, scan):
    """The admitted registration's row, or None. PostgreSQL writes the scan log's row in the same statement."""
    if connection.dialect.name == "postgresql":
        return connection.execute(_ADMIT_AND_LOG, scan).first()
    return connection.execute(_ADMIT, scan).first()


def _refusal(connection, seminar, token, now, window_open):
    """Why a scan was not admitted: the registration is read to say so (unknown, wrong seminar, already in...)."""
    attendee = _describe(connection, _DESCRIBE_BY_TOKEN, ticket=token) if token else None
    if attendee is None:
        return CheckInResult("unknown_code")
    # A ticket that could have entered but did not: another door won the race a moment ago.
    status = _classify(seminar, attendee, window_open) or "already_checked_in"
    if status != "wrong_seminar":
        return CheckInResult(status, attendee)
    other = connection.execute(_DOOR_SEMINAR_BY_ID, {"seminar": attendee.seminar_id}).one()
    return CheckInResult(status, attendee, DoorSeminar(**other._mapping))


def _seminar_with_days(session, seminar):
    """The ORM seminar (its days and sessions) behind the door's lighter view of it."""
    return seminar if isinstance(seminar, Seminar) else session.get(Seminar, seminar.id)


def door_day(session, seminar, day_id=None, session_id=None, *, now=None):
    """The day and session a door checks in for, from the ids it sent: (day, part). Nothing named: the day whose
    door is open now on a seminar of several days, else (None, None) without a query (the hot path).
    CheckInRefused("unknown_day") or ("unknown_session") for an id that is none of this seminar's, or a session
    of another day than the one named."""
    if day_id is None and session_id is None:
        if not seminar.has_days:
            return None, None
        return day_at(_seminar_with_days(session, seminar), now or utcnow()), None
    seminar = _seminar_with_days(session, seminar)
    part = session_of(seminar, session_id) if session_id is not None else None
    if session_id is not None and part is None:
        raise CheckInRefused("unknown_session")
    day = day_of(seminar, day_id) if day_id is not None else part.day
    if day is None:
        raise CheckInRefused("unknown_day")
    if part is not None and part.day_id != day.id:
        raise CheckInRefused("unknown_session")
    return day, part


def _day_and_session(seminar, day, part, now):
    """The day (and session) a check-in or undo is for: the session's day, the given day, or the day whose door
    is open now (None when no door is open). CheckInRefused("not_found") for another seminar's day or session."""
    if part is not None:
        if part.seminar_id != seminar.id:
            raise CheckInRefused("not_found")
        return part.day, part
    if day is not None:
        if day.seminar_id != seminar.id:
            raise CheckInRefused("not_found")
        return day, None
    return day_at(seminar, now), None


def _check_in_on_day(session, seminar, scan, *, by, override_window, day, part):
    """`check_in` on a seminar of several days: once per day and once per session (see eventreg/checkin/
    attendance.py). Outside every day's door, and with no day named, the answer is "outside_window"."""
    seminar = _seminar_with_days(session, seminar)
    now = scan["now"]
    day, part = _day_and_session(seminar, day, part, now)
    if day is None and override_window:
        raise CheckInRefused("day_required")
    window_open = day is not None and (override_window or day.checkin_window()[0] <= now < day.checkin_window()[1])
    connection = session.connection()
    part_id = part.id if part is not None else None
    admitted = None
    if scan["ticket"] and window_open:
        admitted = attendance.admit(connection, scan, day_id=day.id, session_id=part_id,
                                    needs_place=part is not None and part.needs_place)
    if admitted is not None:
        attendee = _describe(connection, _DESCRIBE_BY_ID, registration=admitted)
        result = CheckInResult("checked_in", replace(
            attendee, checked_in_at=now, checked_in_gate=scan["gate"], checked_in_method=scan["method"],
            checked_in_by=by.name if by is not None else None))
    else:
        result = _refusal_on_day(connection, seminar, scan["ticket"], window_open, day, part)
    _log(connection, seminar, result.status, attendee=None if result.other_seminar else result.attendee,
         gate=scan["gate"], method=scan["method"], by_id=scan["by"], code=scan["code"], now=now,
         day_id=day.id if day is not None else None, session_id=part_id)
    return result


def _as_on_day(connection, attendee, day, part):
    """The attendee with the check-in of that day or session in place of their first arrival."""
    row = attendance.entry(connection, attendee.id, day_id=day.id, session_id=part.id if part else None)
    if row is None:
        return replace(attendee, checked_in_at=None, checked_in_gate=None, checked_in_method=None,
                       checked_in_by=None)
    return replace(attendee, checked_in_at=row.checked_in_at, checked_in_gate=row.gate, checked_in_method=row.method,
                   checked_in_by=row.by)


def _refusal_on_day(connection, seminar, token, window_open, day, part):
    attendee = _describe(connection, _DESCRIBE_BY_TOKEN, ticket=token) if token else None
    if attendee is None:
        return CheckInResult("unknown_code")
    if attendee.seminar_id != seminar.id:
        other = connection.execute(_DOOR_SEMINAR_BY_ID, {"seminar": attendee.seminar_id}).one()
        return CheckInResult("wrong_seminar", attendee, DoorSeminar(**other._mapping))
    if day is not None:
        attendee = _as_on_day(connection, attendee, day, part)
    place = part is None or not part.needs_place or attendance.has_place(connection, attendee.id, part.id)
    return CheckInResult(_classify(seminar, attendee, window_open, has_place=place) or "already_checked_in", attendee)


def walk_in(session, seminar, data, *, gate, by, now=None, override_window=False, day=None, part=None):
    """Register someone who turned up without a ticket and check them in, in one transaction.

    Only with a free seat (no waiting list at the door): RegistrationRefused("full") otherwise, and the
    same data rules as online. Registration may have closed already; the check-in window still applies
    (on a seminar of several days, the window of the day the door checks in for).
    """
    now = now or utcnow()
    if not override_window and not door_is_open(session, seminar, now, day=day, part=part):
        raise CheckInRefused("outside_window")
    registration = registration_services.register(session, seminar, data, source="walk_in", now=now, by=by,
                                                  waitlist=False, ignore_window=True)
    return check_in(session, seminar, registration.token, gate=gate, by=by, method="walk_in", now=now,
                    override_window=override_window, day=day, part=part)


def door_is_open(session, seminar, now, *, day=None, part=None):
    """Whether the door lets people in now: the seminar's window, or on a seminar of several days the window of
    the day checked in for (by default the day whose door is open now)."""
    if not seminar.has_days:
        return window_is_open(seminar, now)
    day, _part = _day_and_session(_seminar_with_days(session, seminar), day, part, now)
    return day is not None and window_is_open(day, now)


def registration_of(session, seminar, registration_id):
    """A registration of this seminar, or None."""
    if not is_row_id(registration_id):
        return None
    registration = session.get(Registration, registration_id)
    return registration if registration is not None and registration.seminar_id == seminar.id else None


def undo_check_in(session, seminar, registration, *, by, gate, reason="", may_correct=False, now=None, day=None,
                  part=None):
    """Take back a check-in (a wrong person let in, a mis-tap): the entry is cleared and the undo logged.

    At the door only while the check-in window is open: afterwards the attendance list is a record (proof of
    attendance for a student), so only an organizer may correct it, with a `reason`, in the audit log
    (`window_closed`, `reason_required` otherwise). Returns the attendee as the door now sees them.
    On a seminar of several days, the check-in of `day` or of the session `part` (by default: today's)."""
    now = now or utcnow()
    if registration.seminar_id != seminar.id:
        raise CheckInRefused("not_found")
    if door_is_open(session, seminar, now, day=day, part=part):
        return _undo(session, seminar, registration, by=by, gate=gate, now=now, day=day, part=part)
    if not may_correct:
        raise CheckInRefused("window_closed")
    return correct_attendance(session, seminar, registration, attended=False, by=by, reason=reason, now=now,
                              day=day, part=part)


def correct_attendance(session, seminar, registration, *, attended, by, reason, now=None, day=None, part=None):
    """An organizer's correction of the attendance record, at any time: `attended` True checks the person in
    (the scanner failed, they signed the paper sheet), False takes the check-in back. Needs a `reason`
    (`reason_required`), kept in the audit log; refused as the door would refuse (`already_checked_in`,
    `not_confirmed`...) or `not_checked_in`. On a seminar of several days it corrects one day or session, which
    must be named (`day_required`)."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())[:500]
    if registration.seminar_id != seminar.id:
        raise CheckInRefused("not_found")
    if not reason:
        raise CheckInRefused("reason_required")
    if seminar.has_days and day is None and part is None:
        raise CheckInRefused("day_required")
    if attended:
        result = check_in(session, seminar, registration.token, gate="", by=by, method="manual", now=now,
                          override_window=True, day=day, part=part)
        if not result.accepted:
            raise CheckInRefused(result.status)
        attendee, change = result.attendee, "checked_in"
    else:
        attendee = _undo(session, seminar, registration, by=by, gate="", now=now, day=day, part=part)
        change = "check_in_undone"
    details = {"change": change, "reason": reason}
    if part is not None:
        details["session"] = part.id
    elif day is not None:
        details["day"] = day.id
    audit.record(session, user=by, action="attendance_corrected", seminar=seminar, registration=registration,
                 details=details, now=now)
    return attendee


def _undo(session, seminar, registration, *, by, gate, now, day=None, part=None):
    day_id = session_id = None
    if seminar.has_days:
        day, part = _day_and_session(_seminar_with_days(session, seminar), day, part, now)
        if day is None:
            raise CheckInRefused("not_checked_in")
        day_id, session_id = day.id, part.id if part is not None else None
        undone = attendance.remove(session, registration.id, day_id=day_id, session_id=session_id)
    else:
        undone = session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.checked_in_at.is_not(None))
            .values(checked_in_at=None, checked_in_gate=None, checked_in_method=None, checked_in_by_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
    if not undone:
        raise CheckInRefused("not_checked_in")
    connection = session.connection()
    attendee = _describe(connection, _DESCRIBE_BY_ID, registration=registration.id)
    if day_id is not None:
        attendee = _as_on_day(connection, attendee, day, part)
    _log(connection, seminar, "undone", attendee=attendee, gate=(gate or "")[:60], method="manual",
         by_id=by.id if by is not None else None, code=registration.token, now=now, day_id=day_id,
         session_id=session_id)
    return attendee


def stats(session, seminar, *, day=None, part=None):
    """Live counts for the door: confirmed and checked in, overall and per category (one GROUP BY). On a
    seminar of several days, checked in on `day` or at the session `part` when one is given (else: arrived on
    any day)."""
    confirmed = func.count(Registration.id)
    checked_in = func.count(Attendance.id if day is not None or part is not None else Registration.checked_in_at)
    query = (select(Category.key, Category.label, Category.is_student, confirmed, checked_in)
             .outerjoin(Registration, and_(Registration.category_id == Category.id,
                                           Registration.status == "confirmed")))
    if day is not None or part is not None:
        query = query.outerjoin(Attendance, attendance.of_registration(day, part))
    rows = session.execute(
        query
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


class SearchRefused(Refused):
    """A door search that is not answered: `outside_window` (the door is closed, so nobody needs to be found)
    or `too_short` (a query that would list half the room)."""


@dataclass(frozen=True)
class Found:
    """A person as the door's search shows them: enough to pick the right one, never their e-mail address."""

    id: int
    full_name: str
    organization: str
    category: str
    email_hint: str
    status: str
    checked_in_at: datetime | None
    checked_in_gate: str | None


def email_hint(email):
    """'aliya@enu.kz' as 'a•••@enu.kz': tells two namesakes apart without handing out the address."""
    local, _at, domain = (email or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""


def _count_search(session, seminar, by, now):
    """One more search by this account for this seminar this hour (one upsert: two searches at once both count)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    upsert = _UPSERT[session.get_bind().dialect.name]
    session.execute(upsert.values(user_id=by.id, seminar_id=seminar.id, hour=hour, searches=1))


_UPSERT = {
    name: dialect.insert(DoorSearchTally.__table__).on_conflict_do_update(
        index_elements=["user_id", "seminar_id", "hour"],
        set_={"searches": DoorSearchTally.__table__.c.searches + 1})
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def search(session, seminar, query, *, by, locale, now=None, override_window=False, day=None, part=None):
    """People of this seminar by any spelling of their name, e-mail or organization (eventreg/names.py), for the
    door: at most SEARCH_LIMIT, confirmed people first, then in the alphabet of `locale`.

    Not a way to copy the list (issue #27): only while check-in is open (organizers: `override_window`),
    only for a specific query, never with e-mail addresses; every search is counted per account and hour.
    Every status is listed (the door must see that someone cancelled). With a `day` (or session `part`) of a
    seminar of several days, the check-in shown is the one for that day or session, not the first arrival.
    """
    now = now or utcnow()
    query = (query or "")[:MAX_QUERY]
    _count_search(session, seminar, by, now)
    if not override_window and not window_is_open(seminar, now):
        raise SearchRefused("outside_window")
    if not query_is_specific(query, min_letters=MIN_SEARCH_LETTERS):
        raise SearchRefused("too_short")
    confirmed_first = case((Registration.status == "confirmed", 0), else_=1)
    checked_in_at, gate = Registration.checked_in_at, Registration.checked_in_gate
    if day is not None or part is not None:
        checked_in_at, gate = Attendance.checked_in_at, Attendance.gate
    statement = (
        select(Registration.id, Registration.full_name, Registration.organization, Category.label,
               Registration.email, Registration.status, checked_in_at, gate)
        .join(Category, Category.id == Registration.category_id)
        .where(Registration.seminar_id == seminar.id, search_matches(Registration.search_text, query))
        .order_by(confirmed_first, *alphabetical(Registration.name_sort_key, locale), Registration.id)
        .limit(SEARCH_LIMIT)
    )
    if day is not None or part is not None:
        statement = statement.outerjoin(Attendance, attendance.of_registration(day, part))
    rows = session.execute(statement).all()
    return [Found(id=r.id, full_name=r.full_name, organization=r.organization, category=r.label,
                  email_hint=email_hint(r.email), status=r.status, checked_in_at=r[6], checked_in_gate=r[7])
            for r in rows]
