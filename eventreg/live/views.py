"""The live view's page: the state at load, kept current by static/js/live.js polling the API's snapshot."""

from flask import render_template

from eventreg.auth.access import seminar_required
from eventreg.auth.permissions import request_may
from eventreg.extensions import db
from eventreg.live import bp, services


@bp.get("/organizer/s/<slug>/live")
@seminar_required("see_counts")
def show(seminar):
    """Every member of the team may watch the figures; names only with the `live` action."""
    state = services.snapshot(db.session, seminar, with_names=request_may("live"))
    return render_template("live/show.html", seminar=seminar, state=state,
                           chart=services.arrivals_chart(seminar, state), chart_title=services.chart_title(),
                           start_label=services.start_label(seminar))
