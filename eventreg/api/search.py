"""The door's search as JSON, for scanner apps: the same rule as the scanner page (checkin.services.search)."""

from flask import jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.api import bp
from eventreg.api.base import ApiError
from eventreg.api.checkins import door_required, query_door_day
from eventreg.auth.permissions import request_may
from eventreg.checkin import services
from eventreg.extensions import db

_REFUSALS = {
    "outside_window": (403, lambda: _("Search is open only while check-in is open for this seminar.")),
    "too_short": (400, lambda: _("Type at least three letters (or one Chinese character).")),
}


@bp.get("/seminars/<slug>/search")
@door_required("check_in")
def search_people(seminar):
    """With `?day=` (or `?session=`) on a seminar of several days, each person's check-in for that day or session."""
    day, part = query_door_day(seminar) if request.args.get("day") or request.args.get("session") else (None, None)
    try:
        found = services.search(db.session, seminar, request.args.get("q", ""), by=current_user,
                                locale=get_locale(), override_window=request_may("registrations"), day=day,
                                part=part)
    except services.SearchRefused as refusal:
        db.session.commit()  # the refused search is counted too
        status, message = _REFUSALS[refusal.code]
        raise ApiError(refusal.code, message(), status) from refusal
    db.session.commit()
    return jsonify(items=[{
        "id": person.id, "full_name": person.full_name, "organization": person.organization,
        "category": person.category, "email_hint": person.email_hint, "status": person.status,
        "checked_in_at": person.checked_in_at.isoformat() if person.checked_in_at else None,
        "gate": person.checked_in_gate,
    } for person in found])
