"""Places in sessions with a capacity (a workshop on day 2): the one rule that hands them out.

A place is taken by a conditional UPDATE of the session's counter, as a seminar's seat is, so the last place
goes to one person however many ask at once. Places belong to active registrations: cancelling or rejecting one
gives its places back.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update

from eventreg import audit
from eventreg.models import ACTIVE_STATUSES, Registration, SeminarSession, SessionPlace, is_row_id, utcnow
from eventreg.refusals import Refused

_sessions = SeminarSession.__table__
_places = SessionPlace.__table__
_TAKE = (update(_sessions)
         .where(_sessions.c.id == bindparam("session"),
                _sessions.c.capacity.is_(None) | (_sessions.c.places_taken < _sessions.c.capacity))
         .values(places_taken=_sessions.c.places_taken + 1))
_GIVE_BACK = update(_sessions).where(_sessions.c.id == bindparam("session")).values(
    places_taken=_sessions.c.places_taken - 1)


class PlaceRefused(Refused):
    """Places that cannot be had: `invalid` (not sessions of this seminar that take places), `session_full`
    (which ones, in `fields`), `not_active` (a cancelled registration keeps no places), or `ended` (the attendee's
    own change after the seminar)."""


def choosable(seminar):
    """The sessions of the seminar that people choose a place in."""
    if not seminar.has_days:  # read with the seminar's row: a seminar without days asks nothing more
        return []
    return [part for part in seminar.sessions if part.needs_place]


def clean_choice(seminar, raw):
    """The sessions `raw` names (ids, or digits as a form sends them), or ({}, errors) under "session_ids"."""
    chosen, wrong = [], False
    by_id = {part.id: part for part in choosable(seminar)}
    for value in raw or []:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not is_row_id(value) or value not in by_id:
            wrong = True
        elif by_id[value] not in chosen:
            chosen.append(by_id[value])
    if wrong or not isinstance(raw or [], list | tuple):
        return [], {"session_ids": [_l("Choose among this seminar's sessions.")]}
    return chosen, {}


def held(session, registration):
    """The ids of the sessions the registration has a place in."""
    return set(session.scalars(select(SessionPlace.session_id)
                               .where(SessionPlace.registration_id == registration.id)))


def held_sessions(session, registration):
    """The sessions the registration has a place in, in the seminar's order (none on a seminar without days)."""
    if not registration.seminar.has_days:
        return []
    ids = held(session, registration)
    return [part for part in registration.seminar.sessions if part.id in ids]


def choose(session, registration, sessions, *, by=None, now=None):
    """Make the registration's places exactly `sessions` (from `clean_choice`): new ones taken, dropped ones given
    back, all or nothing. PlaceRefused("session_full") names the sessions that had no place left; the caller rolls
    back (nothing of the choice stays)."""
    now = now or utcnow()
    if registration.status not in ACTIVE_STATUSES:
        raise PlaceRefused("not_active")
    before = held(session, registration)
    wanted = {part.id for part in sessions}
    full = []
    for part in sessions:
        if part.id in before:
            continue
        if session.execute(_TAKE, {"session": part.id}).rowcount != 1:
            full.append(part)
            continue
        session.add(SessionPlace(session_id=part.id, registration_id=registration.id, created_at=now))
    if full:
        raise PlaceRefused("session_full", {"session_ids": [
            _l("No place is left in %(session)s.", session=part.title) for part in full]})
    dropped = before - wanted
    for session_id in dropped:
        _give_back(session, registration.id, session_id)
    session.flush()
    for part in sessions:
        session.expire(part, ["places_taken"])
    if by is not None and (wanted != before):
        audit.record(session, user=by, action="registration_edited", seminar=registration.seminar,
                     registration=registration, details={"sessions": sorted(wanted)}, now=now)
    return sessions


def choose_own(session, registration, raw, *, now=None):
    """The attendee changes their places on their ticket page: `raw` as the form sends it (see `clean_choice`),
    while the seminar has not ended (`ended`); then as `choose`."""
    now = now or utcnow()
    if registration.seminar.ends_at <= now:
        raise PlaceRefused("ended")
    sessions, errors = clean_choice(registration.seminar, raw)
    if errors:
        raise PlaceRefused("invalid", errors)
    return choose(session, registration, sessions, now=now)


def holders(session, part):
    """The registrations with a place in the session, in the order they took it."""
    return session.scalars(select(Registration).join(SessionPlace, SessionPlace.registration_id == Registration.id)
                           .where(SessionPlace.session_id == part.id)
                           .order_by(SessionPlace.created_at, Registration.id)).all()


def _give_back(session, registration_id, session_id):
    removed = session.execute(delete(_places).where(_places.c.session_id == session_id,
                                                    _places.c.registration_id == registration_id)).rowcount
    if removed:
        session.execute(_GIVE_BACK, {"session": session_id})


def give_back_all(session, registration):
    """A registration that stops being active (cancelled, rejected) frees its places."""
    for session_id in held(session, registration):
        _give_back(session, registration.id, session_id)
