"""The offline door's API: the roster a door keeps for when the network fails, and the sync of its queue."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.api import bp
from eventreg.api.base import ApiError, api_seminar_required
from eventreg.auth.permissions import request_may
from eventreg.checkin import offline
from eventreg.extensions import db
from eventreg.models import utcnow
from eventreg.seminars.queries import seminar_or_404


def _door_seminar(slug):
    """A draft has no door."""
    return seminar_or_404(db.session, slug, public=True)


@bp.get("/seminars/<slug>/roster")
@api_seminar_required("check_in", load=_door_seminar)
def door_roster(seminar):
    return jsonify(offline.roster(db.session, seminar, utcnow()))


@bp.post("/seminars/<slug>/checkins/sync")
@api_seminar_required("check_in", load=_door_seminar)
def sync_check_ins(seminar):
    if (request.content_length or 0) > offline.MAX_BATCH_BYTES:
        raise ApiError("too_large", _("The batch is too large: send at most %(n)d actions at a time.",
                                      n=offline.MAX_ACTIONS), 413)
    try:
        device, actions = offline.read_batch(request.get_json(silent=True))
    except offline.BatchRefused as refusal:
        status = 413 if refusal.code == "too_large" else 400
        raise ApiError(refusal.code, _("The batch was not applied: nothing of it was written."), status,
                       fields=refusal.fields) from refusal
    user = current_user._get_current_object()
    results = offline.apply_batch(db.session, seminar, device, actions, by=user, now=utcnow(),
                                  override_window=request_may("registrations"))
    db.session.commit()
    return jsonify({"results": results, "checked_in": offline.checked_in_count(db.session, seminar)})
