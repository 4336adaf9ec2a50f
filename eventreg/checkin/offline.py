"""The offline door on the server: the roster a door downloads, and the sync of what it did without network.

A door that loses the network keeps deciding on its own (static/js/door-offline.js) and queues each action
with its device id, a nonce and the device's clock. `apply_batch` replays a queue exactly once: the
(device, nonce) pair is unique in the database, so a batch sent twice, or two copies at once, changes nothing
the second time. The earliest admission of a ticket by device time is its check-in; every later one is kept as
a conflict the organizer sees ("admitted twice while offline"), and an admission the server would have refused
(the ticket was cancelled meanwhile) as "admitted offline, not valid". On a seminar of several days the same
holds per day and per session: each action says which it was for, and the check-in is an `Attendance` row
(eventreg/checkin/attendance.py).
"""

import hashlib
import re
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventreg import tickets
from eventreg.checkin import offline_days
from eventreg.checkin.offline_days import SERVER_DEVICE
from eventreg.models import (
    Category,
    CheckInEvent,
    OfflineAction,
    Registration,
    User,
    awaiting_email_confirmation,
    is_row_id,
)
from eventreg.refusals import Refused
from eventreg.registration import services as registration_services
from eventreg.seminars import days

MAX_ACTIONS = 500  # a door's queue after ~40 minutes of a busy offline door; more is not one door's batch
MAX_BATCH_BYTES = 256 * 1024
ROSTER_FRESH_SECONDS = 600  # the door warns when its roster is older
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_REFUSED_BY_STATUS = {"cancelled": "cancelled", "rejected": "rejected", "pending": "not_confirmed",
                      "waitlisted": "not_confirmed"}


class BatchRefused(Refused):
    """A batch that is not applied at all: `code` (invalid, too_large) and, for invalid, which fields."""


def token_hash(token):
    """What the roster carries instead of a token: SHA-256, hex. Tokens hold 144 random bits, so the hash
    cannot be turned back into a ticket."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def roster(session, seminar, now):
    """What a door of `seminar` stores to decide and greet without network: no token, e-mail or phone. On a
    seminar of several days, also its days and sessions, and per person their check-ins on each day and at each
    session and the sessions they hold a place in."""
    opens, closes = seminar.checkin_window()
    rows = session.execute(
        select(Registration.id, Registration.token, Registration.full_name, Category.label, Category.is_student,
               Registration.status, Registration.checked_in_at, Registration.checked_in_gate,
               awaiting_email_confirmation(Registration).label("awaits_email_confirmation"))
        .join(Category, Category.id == Registration.category_id)
        .where(Registration.seminar_id == seminar.id)
        .order_by(Registration.id)
    ).all()
    entries = [
        {"hash": token_hash(row.token), "name": row.full_name, "category": row.label, "is_student": row.is_student,
         "status": row.status, "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
         "gate": row.checked_in_gate or "", "email_confirmed": not row.awaits_email_confirmation}
        for row in rows
    ]
    if seminar.has_days:
        offline_days.add_attendance(session, seminar, {row.id: entry for row, entry in zip(rows, entries, strict=True)})
    return {
        "seminar": {"id": seminar.id, "slug": seminar.slug, "title": seminar.title, "timezone": seminar.timezone,
                    "checkin_opens_at": opens.isoformat(), "checkin_closes_at": closes.isoformat()},
        "days": [offline_days.roster_day(day) for day in seminar.days] if seminar.has_days else [],
        "generated_at": now.isoformat(),
        "keys": [{"id": tickets.key_id(key), "public_key": urlsafe_b64encode(key.public_key).decode("ascii")}
                 for key in tickets.verifying_keys(session, seminar)],
        "entries": entries,
    }


# ---- reading a batch ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    nonce: str
    kind: str
    at: datetime
    gate: str
    code: str
    undoes: str
    person: dict
    day: int | None = None  # the day and session the door checked in for (a seminar of several days)
    session: int | None = None


# What a queued walk-in may carry: the walk-in form's fields (eventreg/checkin/forms.py), as typed.
WALK_IN_FIELDS = ("full_name", "email", "organization", "category_id", "university", "programme", "study_level",
                  "study_year")


def _device_time(value):
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _action(item, index, errors):
    """One queued action checked field by field; problems go to `errors` under `actions.<index>.<field>`."""
    where = f"actions.{index}"
    if not isinstance(item, dict):
        errors[where] = [_l("An object is required.")]
        return None
    nonce, kind, at = item.get("nonce"), item.get("kind"), _device_time(item.get("at"))
    gate, code, undoes = item.get("gate", ""), item.get("code", ""), item.get("undoes", "")
    person = item.get("person", {})
    if not isinstance(nonce, str) or not _ID.match(nonce):
        errors[f"{where}.nonce"] = [_l("8 to 64 letters, digits, '-' or '_'.")]
    if kind not in ("check_in", "undo", "walk_in"):
        errors[f"{where}.kind"] = [_l("One of: check_in, undo, walk_in.")]
    if at is None:
        errors[f"{where}.at"] = [_l("An ISO 8601 time with its offset.")]
    if not isinstance(gate, str) or len(gate) > 60:
        errors[f"{where}.gate"] = [_l("A text of at most 60 characters.")]
    if kind == "check_in" and (not isinstance(code, str) or not code.strip() or len(code) > 500):
        errors[f"{where}.code"] = [_l("The scanned code (at most 500 characters) is required.")]
    if kind == "undo" and (not isinstance(undoes, str) or not _ID.match(undoes)):
        errors[f"{where}.undoes"] = [_l("The nonce of the queued check-in to undo is required.")]
    if kind == "walk_in" and not _person_ok(person):
        errors[f"{where}.person"] = [_l("The walk-in form's fields, each a text of at most 300 characters.")]
    for name in ("day", "session"):
        if item.get(name) is not None and not is_row_id(item.get(name)):
            errors[f"{where}.{name}"] = [_l("An id (a whole number), or nothing.")]
    if any(name.startswith(where) for name in errors):
        return None
    return Action(nonce, kind, at, gate.strip(), code.strip() if kind == "check_in" else "", undoes,
                  person if kind == "walk_in" else {}, item.get("day"), item.get("session"))


def _person_ok(person):
    return (isinstance(person, dict) and set(person) <= set(WALK_IN_FIELDS)
            and all(isinstance(v, str) and len(v) <= 300 for v in person.values()))


def read_batch(data):
    """(device id, actions) from a sync request's JSON, or BatchRefused: nothing of a bad batch is applied."""
    if not isinstance(data, dict):
        raise BatchRefused("invalid", {"body": [_l("A JSON object is required.")]})
    device, items = data.get("device"), data.get("actions")
    errors = {}
    if not isinstance(device, str) or not _ID.match(device) or device == SERVER_DEVICE:
        errors["device"] = [_l("8 to 64 letters, digits, '-' or '_'.")]
    if not isinstance(items, list):
        errors["actions"] = [_l("A list of actions is required.")]
        raise BatchRefused("invalid", errors)
    if len(items) > MAX_ACTIONS:
        raise BatchRefused("too_large", {"actions": [_l("At most %(n)d actions in one batch.", n=MAX_ACTIONS)]})
    actions = [_action(item, index, errors) for index, item in enumerate(items)]
    nonces = [a.nonce for a in actions if a is not None]
    if len(set(nonces)) != len(nonces):
        errors["actions"] = [_l("Each action needs its own nonce.")]
    if errors:
        raise BatchRefused("invalid", errors)
    return device, actions


# ---- applying it ------------------------------------------------------------------------------------------------
def apply_batch(session, seminar, device, actions, *, by, now, override_window=False):
    """Apply a door's queued actions once each; returns {nonce: outcome} for every action of the batch (an
    action already applied answers with what it got then). Flushes; the caller commits."""
    results = {}
    # Device time order: the earliest admission in the batch is met first; undos follow what they undo.
    for action in sorted(actions, key=lambda a: (a.at, a.kind == "undo")):
        at = min(action.at, now)  # a clock running ahead does not admit anyone "in the future"
        if action.kind == "check_in":
            results[action.nonce] = _check_in(session, seminar, device, action, at, by, now, override_window)
        elif action.kind == "walk_in":
            results[action.nonce] = _walk_in(session, seminar, device, action, at, by, now)
        else:
            results[action.nonce] = _undo(session, seminar, device, action, at, by, now)
    return results


def _recorded(session, device, nonce):
    return session.scalar(select(OfflineAction).where(OfflineAction.device_id == device,
                                                      OfflineAction.nonce == nonce))


def _record(session, row):
    """Insert the action's row in a savepoint: False if this (device, nonce) is already there (a batch sent
    again, or the same one racing in another request), and then nothing of it is applied."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def _answer(row):
    return {"outcome": row.outcome, "reason": row.reason, "registration_id": row.registration_id}


def _log(session, seminar, registration, result, *, at, gate, by, code, row=None):
    session.add(CheckInEvent(seminar_id=seminar.id, registration_id=registration.id if registration else None,
                             at=at, result=result, gate=gate, method="offline", user_id=by.id if by else None,
                             code=(code or "")[:200], day_id=row.day_id if row else None,
                             session_id=row.session_id if row else None))


def _locked_registration(session, token):
    """The ticket's registration, its row locked (PostgreSQL) so that two syncs of one ticket queue up."""
    if token is None:
        return None
    return session.scalar(select(Registration).where(Registration.token == token).with_for_update()
                          .execution_options(populate_existing=True))


def _refusal(seminar, registration, at, override_window):
    """Why the server would refuse the ticket at `at`, or None (on a seminar of several days, the window is the
    day's: see offline_days.refusal)."""
    if registration is None:
        return "unknown_code"
    if registration.seminar_id != seminar.id:
        return "wrong_seminar"
    if registration.status != "confirmed":
        return _REFUSED_BY_STATUS[registration.status]
    if registration.awaits_email_confirmation:
        return "email_not_confirmed"
    opens, closes = seminar.checkin_window()
    if not override_window and not opens <= at < closes:
        return "outside_window"
    return None


def _check_in(session, seminar, device, action, at, by, now, override_window):
    if (done := _recorded(session, device, action.nonce)) is not None:
        return _answer(done)
    registration = _locked_registration(session, tickets.token_from_scan(action.code))
    row = OfflineAction(seminar_id=seminar.id, device_id=device, nonce=action.nonce, kind="check_in",
                        registration_id=registration.id if registration else None, device_at=at, received_at=now,
                        gate=action.gate[:60], user_id=by.id if by else None, outcome="admitted")
    if seminar.has_days:
        day, part, problem = offline_days.place(seminar, action, at)
        row.day_id, row.session_id = offline_days.ids(day, part)
        refusal = (_refusal(seminar, registration, at, override_window=True) or problem
                   or offline_days.refusal(session, registration, day, part, at, override_window))
    else:
        refusal = _refusal(seminar, registration, at, override_window)
    if refusal is not None:
        row.outcome, row.reason = "not_valid", refusal
        if registration is not None and registration.seminar_id != seminar.id:
            row.registration_id = None  # another seminar's person is not this seminar's to show
        if not _record(session, row):
            return _answer(_recorded(session, device, action.nonce))
        _log(session, seminar, None if row.registration_id is None else registration, refusal, at=at,
             gate=row.gate, by=by, code=action.code, row=row)
        session.flush()
        return _answer(row)
    if seminar.has_days:
        existing = offline_days.entry(session, registration.id, row.day_id, row.session_id)
        checked_in_at = existing.checked_in_at if existing is not None else None
    else:
        existing, checked_in_at = None, registration.checked_in_at
    earlier = checked_in_at is not None and at < checked_in_at
    if checked_in_at is not None and not earlier:
        row.outcome = "conflict"
    if not _record(session, row):
        return _answer(_recorded(session, device, action.nonce))
    if row.outcome == "admitted" and seminar.has_days:
        offline_days.admit(session, seminar, registration, row, existing, by, now)
    elif row.outcome == "admitted":
        if earlier:
            _displace(session, seminar, registration, row, now)
        _admit(registration, at, row.gate, by)
    _log(session, seminar, registration, "checked_in" if row.outcome == "admitted" else "already_checked_in",
         at=at, gate=row.gate, by=by, code=action.code, row=row)
    session.flush()
    return _answer(row)


def _walk_in(session, seminar, device, action, at, by, now):
    """Someone registered at an offline door: registered now by the same rules as online (a free seat, no
    waiting list, one registration per e-mail) and checked in at the device's time; refused as not valid."""
    if (done := _recorded(session, device, action.nonce)) is not None:
        return _answer(done)
    row = OfflineAction(seminar_id=seminar.id, device_id=device, nonce=action.nonce, kind="walk_in", device_at=at,
                        received_at=now, gate=action.gate[:60], user_id=by.id if by else None, outcome="admitted")
    problem = None
    if seminar.has_days:
        day, part, problem = offline_days.place(seminar, action, at)
        row.day_id, row.session_id = offline_days.ids(day, part)
        if problem is None and part is not None and part.needs_place:
            problem = "not_in_session"  # someone just registered holds no place in a session that needs one
    if problem is not None:
        row.outcome, row.reason = "not_valid", problem
    if not _record(session, row):
        return _answer(_recorded(session, device, action.nonce))
    if problem is not None:
        session.flush()
        return _answer(row)
    try:
        with session.begin_nested():
            registration = registration_services.register(session, seminar, action.person, source="walk_in",
                                                          now=now, by=by, waitlist=False, ignore_window=True)
    except registration_services.RegistrationRefused as refusal:
        row.outcome, row.reason = "not_valid", refusal.code[:30]
        session.flush()
        return _answer(row)
    row.registration_id = registration.id
    if seminar.has_days:
        offline_days.admit(session, seminar, registration, row, None, by, now)
    else:
        _admit(registration, at, row.gate, by)
    _log(session, seminar, registration, "checked_in", at=at, gate=row.gate, by=by, code="", row=row)
    session.flush()
    return _answer(row)


def _admit(registration, at, gate, by):
    registration.checked_in_at = at
    registration.checked_in_gate = gate
    registration.checked_in_method = "offline"
    registration.checked_in_by_id = by.id if by else None


def _displace(session, seminar, registration, row, now):
    """`row`, an earlier offline admission, takes the check-in: the admission it replaces becomes a conflict
    (an offline one in its own row; an online one in a row of the server's)."""
    winner = session.scalar(select(OfflineAction).where(OfflineAction.registration_id == registration.id,
                                                        OfflineAction.outcome == "admitted",
                                                        OfflineAction.id != row.id))
    if winner is not None:
        winner.outcome = "conflict"
        return
    session.add(OfflineAction(
        seminar_id=seminar.id, device_id=SERVER_DEVICE, kind="check_in", registration_id=registration.id,
        nonce=f"r{registration.id}-{int(registration.checked_in_at.timestamp() * 1000)}",
        device_at=registration.checked_in_at, received_at=now, gate=registration.checked_in_gate or "",
        user_id=registration.checked_in_by_id, outcome="conflict"))


def _undo(session, seminar, device, action, at, by, now):
    if (done := _recorded(session, device, action.undoes)) is None or done.seminar_id != seminar.id:
        target = None
    else:
        target = done
    if (answered := _recorded(session, device, action.nonce)) is not None:
        return _answer(answered)
    registration = (_locked_registration_by_id(session, target.registration_id)
                    if target is not None and target.registration_id else None)
    applies = target is not None and target.outcome in ("admitted", "conflict")
    row = OfflineAction(seminar_id=seminar.id, device_id=device, nonce=action.nonce, kind="undo",
                        registration_id=target.registration_id if target else None, device_at=at, received_at=now,
                        gate=action.gate[:60], user_id=by.id if by else None,
                        outcome="undone" if applies else "ignored", undoes=action.undoes,
                        day_id=target.day_id if target else None, session_id=target.session_id if target else None)
    if not _record(session, row):
        return _answer(_recorded(session, device, action.nonce))
    if applies:
        was_admitted = target.outcome == "admitted"
        target.outcome = "undone"
        if was_admitted and registration is not None:
            if target.day_id is not None:
                offline_days.promote_next(session, registration, target)
            else:
                _promote_next(session, registration)
            _log(session, seminar, registration, "undone", at=at, gate=row.gate, by=by, code="", row=row)
    session.flush()
    return _answer(row)


def _locked_registration_by_id(session, registration_id):
    return session.scalar(select(Registration).where(Registration.id == registration_id).with_for_update()
                          .execution_options(populate_existing=True))


def _promote_next(session, registration):
    """After an undone admission: the next admission of the ticket (a conflict) becomes its check-in, or the
    ticket is not checked in any more."""
    following = session.scalar(select(OfflineAction).where(OfflineAction.registration_id == registration.id,
                                                           OfflineAction.outcome == "conflict")
                               .order_by(OfflineAction.device_at, OfflineAction.id).limit(1))
    if following is None:
        registration.checked_in_at = registration.checked_in_gate = None
        registration.checked_in_method = registration.checked_in_by_id = None
        return
    following.outcome = "admitted"
    _admit(registration, following.device_at, following.gate, following.user)


def checked_in_count(session, seminar):
    """How many are checked in now, all doors together: the door shows it after a sync."""
    return session.scalar(select(func.count(Registration.id)).where(Registration.seminar_id == seminar.id,
                                                                    Registration.checked_in_at.is_not(None)))


# ---- what the organizer sees ------------------------------------------------------------------------------------
REASON_LABELS = {
    "cancelled": _l("cancelled"),
    "rejected": _l("rejected"),
    "not_confirmed": _l("not confirmed"),
    "email_not_confirmed": _l("e-mail address not confirmed"),
    "wrong_seminar": _l("a ticket for another seminar"),
    "unknown_code": _l("unknown code"),
    "outside_window": _l("outside the check-in time"),
    "full": _l("a walk-in, but no seat was free"),
    "duplicate_email": _l("a walk-in already registered"),
    "invalid": _l("a walk-in whose details were incomplete"),
    "wrong_category": _l("a walk-in without a category of this seminar"),
    "cancelled_seminar": _l("the seminar was cancelled"),
    "not_in_session": _l("no place in the session"),
    "unknown_day": _l("a day removed since"),
    "unknown_session": _l("a session removed since"),
}
@dataclass(frozen=True)
class Admission:
    gate: str
    at: datetime


@dataclass(frozen=True)
class Conflict:
    """A ticket admitted more than once while doors were offline: each admission, earliest (the check-in)
    first."""

    registration: Registration
    admissions: list
    day: object = None  # the SeminarDay (and SeminarSession) it happened on, for a seminar of several days
    part: object = None


@dataclass(frozen=True)
class NotValid:
    """An offline admission the server would have refused: who (if known), where, when, and why."""

    registration: Registration | None
    gate: str
    at: datetime
    reason: str
    by: User | None
    walk_in: bool


def offline_problems(session, seminar):
    """(conflicts, not valid admissions) of the seminar's offline doors, for the door page and the report."""
    rows = session.scalars(
        select(OfflineAction)
        .options(joinedload(OfflineAction.registration), joinedload(OfflineAction.user))
        .where(OfflineAction.seminar_id == seminar.id, OfflineAction.kind.in_(("check_in", "walk_in")),
               OfflineAction.outcome.in_(("conflict", "not_valid")))
        .order_by(OfflineAction.device_at, OfflineAction.id)
    ).all()
    conflicts = {}
    for row in rows:
        if row.outcome == "conflict" and row.registration is not None:
            # One ticket on two days is two check-ins: conflicts are per person and day (and session).
            key = (row.registration_id, row.day_id, row.session_id)
            conflicts.setdefault(key, (row, []))[1].append(Admission(row.gate, row.device_at))
    listed = []
    for row, others in conflicts.values():
        registration = row.registration
        if row.day_id is not None:
            found = offline_days.first_admission(session, row)
            first = [Admission(*found)] if found else []
        else:
            first = ([Admission(registration.checked_in_gate or "", registration.checked_in_at)]
                     if registration.checked_in_at else [])
        listed.append(Conflict(registration, sorted(first + others, key=lambda a: a.at),
                               days.day_of(seminar, row.day_id), days.session_of(seminar, row.session_id)))
    not_valid = [NotValid(row.registration, row.gate, row.device_at, row.reason, row.user, row.kind == "walk_in")
                 for row in rows if row.outcome == "not_valid"]
    return listed, not_valid


def problems_context(session, seminar):
    """The template context of checkin/_offline_problems.html."""
    conflicts, not_valid = offline_problems(session, seminar)
    return {"offline_conflicts": conflicts, "offline_not_valid": not_valid, "offline_reasons": REASON_LABELS}
