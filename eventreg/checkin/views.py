"""The door: choose a seminar, scan tickets, search people, register walk-ins."""

from flask import render_template

from eventreg.auth.access import role_required
from eventreg.checkin import bp, services
from eventreg.extensions import db
from eventreg.models import utcnow


@bp.get("/")
@role_required("staff")
def index():
    now = utcnow()
    return render_template("checkin/index.html", seminars=services.seminars_at_the_door(db.session, now), now=now)
