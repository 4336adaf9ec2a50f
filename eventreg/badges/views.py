"""The organizer's badge page and its PDFs (the door's walk-in badge is in eventreg/checkin/views.py)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from eventreg.auth.access import seminar_required
from eventreg.badges import bp, services
from eventreg.badges.document import LAYOUTS
from eventreg.badges.forms import BadgeForm
from eventreg.extensions import db


@bp.app_context_processor
def _badge_helpers():
    """The layouts, for every "Print badge" form (a registration's page, the door's walk-in page)."""
    return {"badge_layouts": LAYOUTS}


def _page(seminar, form, status=200):
    return render_template("badges/index.html", seminar=seminar, form=form,
                           categories=services.overview(db.session, seminar)), status


@bp.get("/organizer/s/<slug>/badges")
@seminar_required("badges")
def index(seminar):
    return _page(seminar, BadgeForm(seminar))


@bp.post("/organizer/s/<slug>/badges")
@seminar_required("badges")
def sheet(seminar):
    form = BadgeForm(seminar)
    if not form.validate_on_submit():
        return _page(seminar, form, 400)
    try:
        download = services.print_badges(
            db.session, seminar, category=form.category.data, not_printed=form.not_printed.data,
            layout=form.layout.data, with_latin=form.latin.data, user=current_user, locale=get_locale())
    except services.BadgeRefused as refusal:
        db.session.rollback()
        form.add_errors(refusal.fields)
        flash(services.refusal_message(refusal.code), "error")
        return _page(seminar, form, 400 if refusal.code == "invalid" else 200)
    db.session.commit()
    return download.as_response()


@bp.post("/organizer/s/<slug>/badges/<int:registration_id>")
@seminar_required("badges")
def one(seminar, registration_id):
    """One person's badge, from their registration's page."""
    try:
        download = services.print_badge(db.session, seminar, registration_id, layout=request.form.get("layout", ""),
                                        with_latin=bool(request.form.get("latin")), user=current_user)
    except services.BadgeRefused as refusal:
        db.session.rollback()
        if refusal.code == "not_found":
            abort(404)
        flash(services.refusal_message(refusal.code), "error")
        return redirect(url_for("registration.edit", slug=seminar.slug, registration_id=registration_id))
    db.session.commit()
    return download.as_response()
