"""The offline door on a seminar of several days: what its roster adds, and the sync of its queue
(eventreg/checkin/offline.py builds the roster and applies the batch).

The roster carries the days, their sessions and each person's check-ins per day and session. Each queued action
says which day (and session) the door checked in for; the check-in is then an `Attendance` row
(eventreg/checkin/attendance.py), and the rules of a seminar without days hold per person and day (and per
session): the earliest admission by device time is the check-in, a later one a conflict, one the server would
refuse not valid. The same ticket admitted on two days is two check-ins, not a conflict.
"""

from sqlalchemy import select, update

from eventreg.checkin import attendance
from eventreg.models import Attendance, OfflineAction, SeminarSession, SessionPlace
from eventreg.seminars.content import localized
from eventreg.seminars.day_names import day_number
from eventreg.seminars.days import day_at, day_of, session_of

# The displaced online check-in of a ticket an offline door admitted earlier is kept under this device id.
SERVER_DEVICE = "server"


def roster_day(day):
    """A day as the offline door's roster carries it: its number, door hours and sessions."""
    opens, closes = day.checkin_window()
    return {"id": day.id, "number": day_number(day), "checkin_opens_at": opens.isoformat(),
            "checkin_closes_at": closes.isoformat(),
            "sessions": [{"id": part.id, "title": localized(part, "title"), "starts_at": part.starts_at.isoformat(),
                          "ends_at": part.ends_at.isoformat(), "needs_place": part.needs_place}
                         for part in day.sessions]}


def add_attendance(session, seminar, entries):
    """Each entry ({registration id: entry}) gets `days` ({day id: when}), `sessions` ({session id: when}) and
    `places` ([session id]): two queries for the whole seminar."""
    for entry in entries.values():
        entry.update(days={}, sessions={}, places=[])
    for registration_id, day_id, session_id, at in session.execute(
            select(Attendance.registration_id, Attendance.day_id, Attendance.session_id, Attendance.checked_in_at)
            .where(Attendance.seminar_id == seminar.id)):
        which, key = ("sessions", session_id) if session_id is not None else ("days", day_id)
        entries[registration_id][which][str(key)] = at.isoformat()
    for registration_id, session_id in session.execute(
            select(SessionPlace.registration_id, SessionPlace.session_id)
            .join(SeminarSession, SeminarSession.id == SessionPlace.session_id)
            .where(SeminarSession.seminar_id == seminar.id).order_by(SessionPlace.session_id)):
        entries[registration_id]["places"].append(session_id)


def place(seminar, action, at):
    """(day, part, refusal) of a queued action: the day and session it names (by default the day whose door was
    open at the device's time), or a refusal: `unknown_day`, `unknown_session` (a day or session removed since
    the door's roster), `outside_window` (no day named, none open then)."""
    part = session_of(seminar, action.session) if action.session is not None else None
    if action.session is not None and part is None:
        return None, None, "unknown_session"
    if action.day is not None:
        day = day_of(seminar, action.day)
        if day is None:
            return None, None, "unknown_day"
        if part is not None and part.day_id != day.id:
            return None, None, "unknown_session"
    else:
        day = part.day if part is not None else day_at(seminar, at)
    if day is None:
        return None, None, "outside_window"
    return day, part, None


def ids(day, part):
    return (day.id if day is not None else None), (part.id if part is not None else None)


def refusal(session, registration, day, part, at, override_window):
    """Why the door should not have admitted this confirmed person on `day` (or at `part`), as online: no place
    in a session that needs one, or outside the day's door hours; None when it may."""
    if part is not None and part.needs_place and not attendance.has_place(session.connection(), registration.id,
                                                                          part.id):
        return "not_in_session"
    opens, closes = day.checkin_window()
    if not override_window and not opens <= at < closes:
        return "outside_window"
    return None


def entry(session, registration_id, day_id, session_id):
    """The person's check-in (an Attendance row) for that day or session, or None."""
    return session.scalar(select(Attendance).where(Attendance.registration_id == registration_id,
                                                   attendance.which(Attendance, day_id, session_id)))


def admit(session, seminar, registration, row, existing, by, now):
    """`row`, an offline admission for its day or session, becomes the check-in: a new Attendance row, or the
    `existing` (later) one moved to its time, that admission becoming a conflict. An online scan that got in
    between the reading and now makes `row` the conflict."""
    at, by_id = row.device_at, by.id if by is not None else None
    if existing is not None:
        _displace(session, seminar, registration, row, existing, now)
        existing.checked_in_at, existing.gate, existing.method, existing.by_id = at, row.gate, "offline", by_id
    else:
        scan = {"ticket": registration.token, "seminar": seminar.id, "now": at, "gate": row.gate,
                "method": "offline", "by": by_id}
        if attendance.admit(session.connection(), scan, day_id=row.day_id, session_id=row.session_id) is None:
            row.outcome = "conflict"
    session.flush()
    attendance.refresh_first_arrivals(session, [registration.id])


def _displace(session, seminar, registration, row, existing, now):
    """The admission `row` replaces becomes a conflict: an offline one in its own row, an online one in a row
    of the server's."""
    winner = session.scalar(select(OfflineAction).where(
        OfflineAction.registration_id == registration.id, OfflineAction.outcome == "admitted",
        OfflineAction.id != row.id, attendance.which(OfflineAction, row.day_id, row.session_id)))
    if winner is not None:
        winner.outcome = "conflict"
        return
    which = f"s{row.session_id}" if row.session_id is not None else f"d{row.day_id}"
    session.add(OfflineAction(
        seminar_id=seminar.id, device_id=SERVER_DEVICE, kind="check_in", registration_id=registration.id,
        nonce=f"r{registration.id}-{which}-{int(existing.checked_in_at.timestamp() * 1000)}",
        device_at=existing.checked_in_at, received_at=now, gate=existing.gate or "", user_id=existing.by_id,
        outcome="conflict", day_id=row.day_id, session_id=row.session_id))


def promote_next(session, registration, undone):
    """After the undone admission `undone`: the next admission of the ticket for that day or session (a
    conflict) becomes its check-in, or there is none for that day or session any more."""
    following = session.scalar(
        select(OfflineAction).where(OfflineAction.registration_id == registration.id,
                                    OfflineAction.outcome == "conflict",
                                    attendance.which(OfflineAction, undone.day_id, undone.session_id))
        .order_by(OfflineAction.device_at, OfflineAction.id).limit(1))
    if following is None:
        attendance.remove(session, registration.id, day_id=undone.day_id, session_id=undone.session_id)
        return
    following.outcome = "admitted"
    session.execute(update(Attendance).where(Attendance.registration_id == registration.id,
                                             attendance.which(Attendance, undone.day_id, undone.session_id))
                    .values(checked_in_at=following.device_at, gate=following.gate, method="offline",
                            by_id=following.user_id).execution_options(synchronize_session=False))
    attendance.refresh_first_arrivals(session, [registration.id])


def first_admission(session, conflict_row):
    """The check-in a conflict on a day or session is listed against: (gate, at) of its Attendance row, or None."""
    row = entry(session, conflict_row.registration_id, conflict_row.day_id, conflict_row.session_id)
    return (row.gate or "", row.checked_in_at) if row is not None else None
