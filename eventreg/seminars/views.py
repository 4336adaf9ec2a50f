"""Public seminar pages and the organizer's seminar management."""

from flask import render_template
from flask_login import current_user

from eventreg.auth.access import role_required
from eventreg.extensions import db
from eventreg.models import utcnow
from eventreg.seminars import bp, services


@bp.get("/")
def index():
    now = utcnow()
    return render_template(
        "seminars/index.html",
        upcoming=services.upcoming_public(db.session, now),
        past=services.past_public(db.session, now),
        now=now,
    )


@bp.get("/organizer/")
@role_required("organizer")
def dashboard():
    return render_template("seminars/dashboard.html", rows=services.dashboard_rows(db.session, utcnow()))


@bp.get("/s/<slug>/")
def show(slug):
    seminar = services.visible_seminar(db.session, slug, viewer=current_user)
    return render_template("seminars/show.html", seminar=seminar, now=utcnow())
