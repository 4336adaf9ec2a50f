"""The door's API: scan a ticket, undo a check-in, read the live counts (for the seminar's team: door members'
tokens may do exactly this)."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.api import bp
from eventreg.api.base import ApiError, api_seminar_required, json_body
from eventreg.auth.permissions import request_may
from eventreg.checkin import services
from eventreg.extensions import db
from eventreg.formatting import datetime_in, time_in
from eventreg.models import utcnow
from eventreg.seminars.content import localized
from eventreg.seminars.day_names import day_number


def _door_seminar(slug):
    """The door's light view of the seminar (a draft has no door): all a scan needs, in one prebuilt query."""
    seminar = services.door_seminar(db.session, slug)
    if seminar is None:
        raise ApiError("not_found", _("No such seminar."), 404)
    return seminar


def door_required(action):
    return api_seminar_required(action, load=_door_seminar)


def _attendee_json(attendee):
    return {
        "id": attendee.id,
        "full_name": attendee.full_name,
        "category": attendee.category,
        "category_is_student": attendee.category_is_student,
        "organization": attendee.organization,
        "checked_in_at": attendee.checked_in_at.isoformat() if attendee.checked_in_at else None,
        "checked_in_by": attendee.checked_in_by,
        "gate": attendee.checked_in_gate,
        "status": attendee.status,
    }


def _words(result, seminar, day=None, part=None):
    """The headline and the detail line the door shows, in the staff member's language (`day`, `part`: what a
    door of a seminar of several days checked in for)."""
    attendee = result.attendee
    status = result.status
    if status == "checked_in":
        return _("Welcome"), attendee.full_name
    if status == "already_checked_in":
        detail = _("at %(time)s", time=time_in(attendee.checked_in_at, seminar))
        if attendee.checked_in_by:
            detail += " " + _("by %(name)s", name=attendee.checked_in_by)
        if attendee.checked_in_gate:
            detail += ", " + attendee.checked_in_gate
        return _("Already checked in"), detail
    if status == "wrong_seminar":
        return _("Ticket for another seminar"), result.other_seminar.title
    if status == "cancelled":
        return _("Registration cancelled"), attendee.full_name
    if status == "rejected":
        return _("Registration rejected"), attendee.full_name
    if status == "not_confirmed":
        if attendee.status == "waitlisted":
            return _("On the waiting list — not confirmed"), attendee.full_name
        return _("Awaiting approval"), attendee.full_name
    if status == "email_not_confirmed":
        return _("E-mail not confirmed"), _("Ask them to follow the link in their e-mail, then scan again.")
    if status == "not_in_session":
        return _("No place in this session"), _("%(name)s has no place in “%(session)s”.",
                                                 name=attendee.full_name, session=localized(part, "title"))
    if status == "outside_window":
        opens, closes = day.checkin_window() if day is not None else seminar.checkin_window()
        if utcnow() < opens:
            return _("Check-in is not open yet"), _("It opens at %(when)s.", when=datetime_in(opens, seminar))
        if day is not None and utcnow() < seminar.ends_at:
            return _("Check-in has closed"), _("Day %(n)d is over.", n=day_number(day))
        if seminar.has_days and utcnow() < closes:
            return _("Check-in is not open now"), _("No day of this seminar is open at this time.")
        return _("Check-in has closed"), _("The seminar has ended.")
    return _("Unknown code"), _("This is not a ticket of this system.")


def _result_json(result, seminar, day=None, part=None):
    title, message = _words(result, seminar, day, part)
    body = {"status": result.status, "title": title, "message": message}
    if result.attendee is not None:
        body["registration"] = _attendee_json(result.attendee)
    if result.other_seminar is not None:
        body["seminar_title"] = result.other_seminar.title
    return body | _day_json(day, part)


def _day_json(day, part):
    """Which day and session of a seminar of several days an answer is for (nothing for other seminars)."""
    body = {}
    if day is not None:
        body["day"] = {"id": day.id, "number": day_number(day)}
    if part is not None:
        body["session"] = {"id": part.id, "title": localized(part, "title")}
    return body


_DAY_REFUSALS = {
    "unknown_day": ("day", lambda: _("This seminar has no such day.")),
    "unknown_session": ("session", lambda: _("This seminar has no such session on that day.")),
    "day_required": ("day", lambda: _("No day of this seminar is open now: say which day (`day`).")),
}


def _picked_id(value, name):
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError("invalid", _("The request has invalid fields."),
                       fields={name: [_("A whole number is required.")]})
    return value


def _door_day(seminar, data):
    """The day and session the door checks in for (`day`, `session` ids in `data`), as `services.door_day`."""
    day_id, session_id = _picked_id(data.get("day"), "day"), _picked_id(data.get("session"), "session")
    try:
        return services.door_day(db.session, seminar, day_id, session_id)
    except services.CheckInRefused as refusal:
        raise _day_error(refusal) from refusal


def _day_error(refusal):
    field, message = _DAY_REFUSALS[refusal.code]
    return ApiError(refusal.code, message(), 400, fields={field: [message()]})


def _query_id(name):
    """An id from the query string (`?day=12`), or None."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 18:
        raise ApiError("invalid", _("The request has invalid fields."),
                       fields={name: [_("A whole number is required.")]})
    return int(value)


def query_door_day(seminar):
    """`_door_day` for GET requests: `?day=` and `?session=` (the stats, the door's search)."""
    try:
        return services.door_day(db.session, seminar, _query_id("day"), _query_id("session"))
    except services.CheckInRefused as refusal:
        raise _day_error(refusal) from refusal


def _text(data, name, max_length, *, required=False):
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise ApiError("invalid", _("The request has invalid fields."),
                       fields={name: [_("A text of at most %(n)d characters is required.", n=max_length)]})
    return value


def _picked_person(seminar, registration_id):
    if not isinstance(registration_id, int) or isinstance(registration_id, bool):
        raise ApiError("invalid", _("The request has invalid fields."),
                       fields={"registration_id": [_("A registration number is required.")]})
    registration = services.registration_of(db.session, seminar, registration_id)
    if registration is None:
        raise ApiError("not_found", _("No such registration in this seminar."), 404)
    return registration


@bp.post("/seminars/<slug>/checkins")
@door_required("check_in")
def create_check_in(seminar):
    data = json_body()
    gate = _text(data, "gate", 60)
    method = data.get("method", "api")
    if method not in services.SCAN_METHODS:
        raise ApiError("invalid", _("The request has invalid fields."),
                       fields={"method": [_("One of: %(choices)s.", choices=", ".join(services.SCAN_METHODS))]})
    code = _scanned_code(data, seminar)
    day, part = _door_day(seminar, data)
    try:
        result = services.check_in(db.session, seminar, code, gate=gate, by=current_user, method=method,
                                   override_window=request_may("edit"), day=day, part=part)
    except services.CheckInRefused as refusal:
        db.session.rollback()
        raise _day_error(refusal) from refusal
    db.session.commit()
    return jsonify(_result_json(result, seminar, day, part))


def _scanned_code(data, seminar):
    """What was scanned or typed, or the ticket of the person picked from the door's search."""
    if "registration_id" in data and "code" not in data:
        return _picked_person(seminar, data["registration_id"]).token
    return _text(data, "code", 500, required=True)


_UNDO_REFUSALS = {
    "not_checked_in": (lambda: _("This person is not checked in."), 409),
    "window_closed": (lambda: _("Check-in for this seminar has closed: only an organizer can correct the "
                                "attendance now, with a reason."), 403),
    "reason_required": (lambda: _("Say why the attendance is corrected after the seminar (`reason`)."), 400),
}


@bp.delete("/seminars/<slug>/checkins/<int:registration_id>")
@door_required("check_in")
def undo_check_in(seminar, registration_id):
    data = request.get_json(silent=True) if request.content_length else {}
    data = data if isinstance(data, dict) else {}
    gate, reason = _text(data, "gate", 60), _text(data, "reason", 500)
    registration = services.registration_of(db.session, seminar, registration_id)
    if registration is None:
        raise ApiError("not_found", _("No such registration in this seminar."), 404)
    day, part = _door_day(seminar, data)
    try:
        attendee = services.undo_check_in(db.session, seminar, registration, by=current_user, gate=gate,
                                          reason=reason, may_correct=request_may("registrations"), day=day,
                                          part=part)
    except services.CheckInRefused as refusal:
        db.session.rollback()
        if refusal.code in _DAY_REFUSALS:
            raise _day_error(refusal) from refusal
        message, status = _UNDO_REFUSALS.get(refusal.code, _UNDO_REFUSALS["not_checked_in"])
        raise ApiError(refusal.code, message(), status) from refusal
    body = {"status": "undone", "title": _("Check-in undone"), "message": attendee.full_name,
            "registration": _attendee_json(attendee)} | _day_json(day, part)
    db.session.commit()
    return jsonify(body)


@bp.get("/seminars/<slug>/stats")
@door_required("see_counts")
def check_in_stats(seminar):
    """Checked in overall; with `?day=` (or `?session=`) on a seminar of several days, for that day or session."""
    day, part = query_door_day(seminar) if request.args.get("day") or request.args.get("session") else (None, None)
    return jsonify(services.stats(db.session, seminar, day=day, part=part) | _day_json(day, part))
