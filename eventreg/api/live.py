"""The live view's snapshot, polled every few seconds by the organizer's tablet (static/js/live.js).

Answered with an ETag: a poll that sends it back with If-None-Match while nothing changed gets 304 and no body.
"""

from flask import jsonify, request

from eventreg.api import bp
from eventreg.api.base import api_seminar_required
from eventreg.auth.permissions import request_may
from eventreg.extensions import db
from eventreg.live import services


@bp.get("/seminars/<slug>/live")
@api_seminar_required("see_counts")
def live_state(seminar):
    response = jsonify(services.snapshot(db.session, seminar, with_names=request_may("live")))
    response.add_etag()
    return response.make_conditional(request)
