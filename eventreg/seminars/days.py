"""A seminar's days and sessions (issue #23 item 4): setting them up, and which day the door is at.

A day lies within the seminar's start and end, one per calendar date in the seminar's time zone; a session lies
within its day's hours. Removing a day or a session that people were checked in to (or hold places in) needs
the organizer to confirm what is lost, as removing an answered question does.
"""

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventreg.checkin.attendance import carry_over_check_ins, forget_attendance
from eventreg.models import Attendance, SeminarDay, SeminarSession, SessionPlace
from eventreg.seminars import content
from eventreg.seminars.services import (
    MAX_NUMBER,
    SeminarRefused,
    _Errors,
    _integer,
    _moment,
    _part_texts,
    _record,
    _text,
)

SESSION_TEXTS = {"title": (300, False)}
MAX_DAYS = 31  # a month of days is a course, not a seminar; more is a typing mistake


def day_of(seminar, day_id):
    """The seminar's day with this id, or None."""
    return next((day for day in seminar.days if day.id == day_id), None)


def session_of(seminar, session_id):
    """The seminar's session with this id, or None."""
    return next((part for part in seminar.sessions if part.id == session_id), None)


def day_at(seminar, now):
    """The day whose door is open at `now` (the door's choice when nobody picked one), or None."""
    return next((day for day in seminar.days if day.checkin_window()[0] <= now < day.checkin_window()[1]), None)


def _day_errors(seminar, starts, ends, day, errors):
    if starts is None or ends is None:
        return
    if ends <= starts:
        errors.add("ends_at", _l("The end must be after the start."))
        return
    if starts < seminar.starts_at or ends > seminar.ends_at:
        errors.add("starts_at", _l("A day must lie within the seminar's start and end; change those first."))
        return
    date = seminar.local(starts).date()
    if seminar.local(ends).date() != date and seminar.local(ends).time() != time(0):
        errors.add("ends_at", _l("A day ends on the date it starts."))
    others = [other for other in seminar.days if other is not day]
    if any(other.local_date == date for other in others):
        errors.add("starts_at", _l("This seminar already has a day on that date."))
    elif day is None and len(others) >= MAX_DAYS:
        errors.add("starts_at", _l("At most %(n)d days.", n=MAX_DAYS))
    if day is not None and any(not (starts <= part.starts_at and part.ends_at <= ends) for part in day.sessions):
        errors.add("starts_at", _l("A session of this day would fall outside its hours; change the session first."))


def save_day(session, seminar, data, day=None, *, by=None, now=None):
    """Add (day=None) or change a day: starts_at and ends_at (local or aware)."""
    errors = _Errors()
    starts = _moment(data, "starts_at", errors, seminar.zone, required=True)
    ends = _moment(data, "ends_at", errors, seminar.zone, required=True)
    _day_errors(seminar, starts, ends, day, errors)
    if errors:
        raise SeminarRefused("invalid", fields=dict(errors))
    new = day is None
    if new:
        day = SeminarDay(seminar=seminar)
        session.add(day)
    day.starts_at, day.ends_at = starts, ends
    session.flush()
    if new:
        carry_over_check_ins(session, day)
    session.expire(seminar, ["days", "has_days"])
    _record(session, by, "seminar_edit", seminar, now, day=day.id)
    return day


def make_days(session, seminar, *, by=None, now=None):
    """One day per date from the seminar's start to its end, each with the hours of the first day's start and
    the last day's end (09:00 to 18:00 for "9 December 09:00 to 11 December 18:00"). Only for a seminar without
    days, and only where those hours make sense (the end's time after the start's)."""
    if seminar.days:
        raise SeminarRefused("invalid", fields={"days": [_l("This seminar has days already.")]})
    first, last = seminar.local(seminar.starts_at), seminar.local(seminar.ends_at)
    dates = (last.date() - first.date()).days + 1
    if last.time() <= first.time() or dates > MAX_DAYS:
        raise SeminarRefused("invalid", fields={"days": [_l(
            "The seminar's end time is not after its start time, so its daily hours are unclear: add the days one "
            "by one.")]})
    for offset in range(dates):
        date = first.date().toordinal() + offset
        day_date = datetime.fromordinal(date).date()
        session.add(SeminarDay(
            seminar=seminar,
            starts_at=datetime.combine(day_date, first.time(), seminar.zone).astimezone(seminar.starts_at.tzinfo),
            ends_at=datetime.combine(day_date, last.time(), seminar.zone).astimezone(seminar.ends_at.tzinfo)))
    session.flush()
    for day in seminar.days:
        carry_over_check_ins(session, day)
    session.expire(seminar, ["days", "has_days"])
    _record(session, by, "seminar_edit", seminar, now, days=dates)
    return seminar.days


def _count(session, statement):
    return session.scalar(select(func.count()).select_from(statement.subquery()))


def day_losses(session, day):
    """What removing the day loses: {"check_ins": n, "places": n}."""
    return {
        "check_ins": _count(session, select(Attendance.id).where(Attendance.day_id == day.id)),
        "places": _count(session, select(SessionPlace.registration_id).join(SeminarSession)
                         .where(SeminarSession.day_id == day.id)),
    }


def session_losses(session, part):
    return {
        "check_ins": _count(session, select(Attendance.id).where(Attendance.session_id == part.id)),
        "places": _count(session, select(SessionPlace.registration_id).where(SessionPlace.session_id == part.id)),
    }


def _refuse_losses(losses, accepted):
    """Refused while more would be lost than the organizer was shown and accepted ({"check_ins": n, "places": n}):
    a check-in or a place taken since that page is not lost unseen."""
    accepted = accepted or {}
    if any(count > accepted.get(name, 0) for name, count in losses.items()):
        raise SeminarRefused("confirm_required", fields={"confirm": [_l(
            "%(check_ins)d check-ins and %(places)d places in sessions would be lost: confirm to delete.",
            **losses)]})


def delete_day(session, day, *, accepted=None, by=None, now=None):
    """Remove a day with its sessions; SeminarRefused("confirm_required") while it holds more check-ins or places
    than `accepted` (see `_refuse_losses`). Who was checked in that day has their first arrival worked out again
    from the other days."""
    losses = day_losses(session, day)
    _refuse_losses(losses, accepted)
    seminar = day.seminar
    forget_attendance(session, Attendance.day_id == day.id)
    session.delete(day)
    session.flush()
    session.expire(seminar, ["days", "has_days"])
    _record(session, by, "seminar_edit", seminar, now, day_deleted=str(day.local_date), **losses)


def _session_errors(seminar, data, errors, part):
    day = None
    day_id = data.get("day_id")
    if isinstance(day_id, str) and day_id.isdigit():
        day_id = int(day_id)
    day = day_of(seminar, day_id) if isinstance(day_id, int) else None
    if day is None:
        errors.add("day_id", _l("Choose one of this seminar's days."))
    starts = _moment(data, "starts_at", errors, seminar.zone, required=True)
    ends = _moment(data, "ends_at", errors, seminar.zone, required=True)
    if starts and ends and ends <= starts:
        errors.add("ends_at", _l("The end must be after the start."))
    elif day is not None and starts and ends and not (day.starts_at <= starts and ends <= day.ends_at):
        errors.add("starts_at", _l("A session must lie within its day's hours."))
    capacity = _integer(data, "capacity", errors, maximum=MAX_NUMBER)
    if part is not None and capacity is not None and capacity < part.places_taken:
        errors.add("capacity", _l("%(n)d people already have a place: the capacity cannot be lower.",
                                  n=part.places_taken))
    if part is not None and capacity is None and part.places_taken:
        errors.add("capacity", _l("%(n)d people already have a place: a session they chose keeps its capacity.",
                                  n=part.places_taken))
    return day, starts, ends, capacity


def save_session(session, seminar, data, part=None, *, by=None, now=None):
    """Add (part=None) or change a session: title (in the seminar's languages), room, day_id, starts_at,
    ends_at, capacity (empty: every confirmed registration may come, no place to take)."""
    errors = _Errors()
    translated = _part_texts(data, errors, part, seminar, SESSION_TEXTS, "title")
    room = _text(data, "room", errors, max_length=200)
    day, starts, ends, capacity = _session_errors(seminar, data, errors, part)
    if errors:
        raise SeminarRefused("invalid", fields=dict(errors))
    if part is None:
        part = SeminarSession(seminar_id=seminar.id, day=day)
        session.add(part)
    content.store(part, translated, seminar.default_language)
    part.day, part.room, part.starts_at, part.ends_at, part.capacity = day, room, starts, ends, capacity
    session.flush()
    session.expire(day, ["sessions"])
    _record(session, by, "seminar_edit", seminar, now, seminar_session=part.id)
    return part


def delete_session(session, part, *, accepted=None, by=None, now=None):
    """Remove a session; SeminarRefused("confirm_required") while it holds more check-ins or places than
    `accepted` (see `_refuse_losses`)."""
    losses = session_losses(session, part)
    _refuse_losses(losses, accepted)
    day, seminar = part.day, part.day.seminar
    forget_attendance(session, Attendance.session_id == part.id)
    session.delete(part)
    session.flush()
    session.expire(day, ["sessions"])
    _record(session, by, "seminar_edit", seminar, now, seminar_session_deleted=part.title, **losses)
