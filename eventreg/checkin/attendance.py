"""Check-in on a seminar of several days: one `Attendance` row per person and day (and per session).

The INSERT ... SELECT ... ON CONFLICT DO NOTHING below is the only thing that admits anyone on such a seminar:
the partial unique indexes give two doors scanning one ticket on one day one row between them, whatever the
timing. The registration's `checked_in_at` follows as the person's first arrival on any day, so everything that
asks "did they come at all" (reports, the live view, "did not come", certificates for any day) reads one column.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import and_, bindparam, delete, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventreg.models import Attendance, Registration, SessionPlace, User, awaiting_email_confirmation

_registration = Registration.__table__
_attendance = Attendance.__table__
_place = SessionPlace.__table__
_checker = User.__table__

_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}
_COLUMNS = ["seminar_id", "registration_id", "day_id", "session_id", "checked_in_at", "gate", "method", "by_id"]


def _admission(dialect, *, needs_place):
    day, part, now, gate, method, by = (
        bindparam("day", type_=_attendance.c.day_id.type), bindparam("session", type_=_attendance.c.session_id.type),
        bindparam("now", type_=_attendance.c.checked_in_at.type), bindparam("gate", type_=_attendance.c.gate.type),
        bindparam("method", type_=_attendance.c.method.type), bindparam("by", type_=_attendance.c.by_id.type))
    conditions = [_registration.c.token == bindparam("ticket"), _registration.c.seminar_id == bindparam("seminar"),
                  _registration.c.status == "confirmed", ~awaiting_email_confirmation(_registration.c)]
    if needs_place:
        conditions.append(exists().where(_place.c.session_id == part, _place.c.registration_id == _registration.c.id))
    return (
        dialect.insert(_attendance)
        .from_select(_COLUMNS, select(_registration.c.seminar_id, _registration.c.id, day, part, now, gate, method,
                                      by).where(*conditions))
        .on_conflict_do_nothing()
        .returning(_attendance.c.registration_id)
    )


_ADMIT = {(name, needs_place): _admission(dialect, needs_place=needs_place)
          for name, dialect in _DIALECTS.items() for needs_place in (False, True)}
# A session's check-in also says the person was there that day.
_DAY_TOO = {name: dialect.insert(_attendance).on_conflict_do_nothing()
            for name, dialect in _DIALECTS.items()}
_FIRST_ARRIVAL = (
    update(_registration)
    .where(_registration.c.id == bindparam("registration"), _registration.c.checked_in_at.is_(None))
    .values(checked_in_at=bindparam("now"), checked_in_gate=bindparam("gate"), checked_in_method=bindparam("method"),
            checked_in_by_id=bindparam("by"), updated_at=bindparam("now"))
)


def admit(connection, scan, *, day_id, session_id=None, needs_place=False):
    """Check the ticket of `scan` (ticket, seminar, now, gate, method, by) in for the day or session: the
    registration's id, or None when it may not enter (not confirmed, no place in the session) or already did."""
    dialect = connection.dialect.name
    values = {**scan, "day": day_id, "session": session_id}
    registration_id = connection.execute(_ADMIT[dialect, needs_place], values).scalar()
    if registration_id is None:
        return None
    if session_id is not None:
        connection.execute(_DAY_TOO[dialect], {
            "seminar_id": scan["seminar"], "registration_id": registration_id, "day_id": day_id, "session_id": None,
            "checked_in_at": scan["now"], "gate": scan["gate"], "method": scan["method"], "by_id": scan["by"]})
    connection.execute(_FIRST_ARRIVAL, {**scan, "registration": registration_id})
    return registration_id


def which(columns, day_id, session_id=None):
    """The rows of the session `session_id`, or else the day's own check-in (no session): a condition on the
    columns of Attendance, OfflineAction or a table."""
    if session_id is not None:
        return columns.session_id == session_id
    return and_(columns.day_id == day_id, columns.session_id.is_(None))


def _row_condition(registration_id, day_id, session_id):
    return and_(_attendance.c.registration_id == registration_id, which(_attendance.c, day_id, session_id))


def of_registration(day, part):
    """Join condition from a registration to its check-in for the day, or for the session `part` if given."""
    return and_(Attendance.registration_id == Registration.id,
                which(Attendance, day.id if day is not None else None, part.id if part is not None else None))


def entry(connection, registration_id, *, day_id, session_id=None):
    """The person's check-in for that day or session as the door shows it (at, gate, method, by), or None."""
    return connection.execute(
        select(_attendance.c.checked_in_at, _attendance.c.gate, _attendance.c.method, _checker.c.name.label("by"))
        .outerjoin(_checker, _checker.c.id == _attendance.c.by_id)
        .where(_row_condition(registration_id, day_id, session_id))
    ).first()


def has_place(connection, registration_id, session_id):
    return connection.execute(select(literal(1)).where(
        _place.c.session_id == session_id, _place.c.registration_id == registration_id)).first() is not None


def remove(session, registration_id, *, day_id, session_id=None):
    """Take back a check-in for that day or session: True if there was one. The first arrival follows."""
    removed = session.execute(delete(_attendance).where(_row_condition(registration_id, day_id, session_id)))
    if removed.rowcount != 1:
        return False
    refresh_first_arrivals(session, [registration_id])
    return True


def forget_attendance(session, condition):
    """Delete the attendance rows matching `condition` (a day or session being removed) and work the first
    arrivals of their people out again."""
    registration_ids = list(session.scalars(select(Attendance.registration_id).where(condition).distinct()))
    session.execute(delete(Attendance).where(condition).execution_options(synchronize_session=False))
    refresh_first_arrivals(session, registration_ids)


def carry_over_check_ins(session, day):
    """A new day takes the check-ins made on its date while the seminar had no days (the organizer split it into
    days once people had come): those people were there that day, for its report and the every-day rule. Only
    people with no check-in on any day have such a check-in: it is their registration's own."""
    seminar = day.seminar
    midnight = datetime.combine(day.local_date, time(0), seminar.zone)
    session.execute(
        _DIALECTS[session.get_bind().dialect.name].insert(_attendance)
        .from_select(_COLUMNS, select(
            _registration.c.seminar_id, _registration.c.id, literal(day.id),
            literal(None, _attendance.c.session_id.type),
            _registration.c.checked_in_at, func.coalesce(_registration.c.checked_in_gate, ""),
            func.coalesce(_registration.c.checked_in_method, "manual"), _registration.c.checked_in_by_id,
        ).where(
            _registration.c.seminar_id == seminar.id,
            _registration.c.checked_in_at >= midnight, _registration.c.checked_in_at < midnight + timedelta(days=1),
            ~exists().where(_attendance.c.registration_id == _registration.c.id)))
        .on_conflict_do_nothing()
    )


def refresh_first_arrivals(session, registration_ids):
    """Each registration's `checked_in_at` (and gate, method, by) from its earliest remaining check-in on any day,
    or none."""
    for registration_id in registration_ids:
        earliest = session.execute(
            select(_attendance.c.checked_in_at, _attendance.c.gate, _attendance.c.method, _attendance.c.by_id)
            .where(_attendance.c.registration_id == registration_id)
            .order_by(_attendance.c.checked_in_at, _attendance.c.id).limit(1)
        ).first()
        session.execute(update(_registration).where(_registration.c.id == registration_id).values(
            checked_in_at=earliest.checked_in_at if earliest else None,
            checked_in_gate=earliest.gate if earliest else None,
            checked_in_method=earliest.method if earliest else None,
            checked_in_by_id=earliest.by_id if earliest else None))


def days_attended(session, registration_ids=None, *, seminar_id):
    """{registration id: number of days checked in} for the seminar's registrations (or only those given)."""
    query = (select(Attendance.registration_id, func.count(Attendance.id))
             .where(Attendance.seminar_id == seminar_id, Attendance.session_id.is_(None))
             .group_by(Attendance.registration_id))
    if registration_ids is not None:
        query = query.where(Attendance.registration_id.in_(registration_ids))
    return dict(session.execute(query).all())
