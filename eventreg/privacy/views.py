"""The organizer's erasure pages and the administrator's audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.auth.access import role_required, seminar_required
from eventreg.extensions import db
from eventreg.models import Registration, utcnow
from eventreg.privacy import bp
from eventreg.privacy import services as privacy


@bp.get("/organizer/s/<slug>/privacy")
@seminar_required("erase")
def seminar_page(seminar):
    query = request.args.get("q", "").strip()[:200]
    return render_template(
        "privacy/seminar.html", seminar=seminar, query=query,
        matches=privacy.find_registrations(db.session, seminar, query) if query else [],
        remaining=privacy.personal_data_count(db.session, seminar), is_over=privacy.is_over(seminar, utcnow()),
    )


@bp.post("/organizer/s/<slug>/registrations/<int:registration_id>/anonymise")
@seminar_required("erase")
def anonymise(seminar, registration_id):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.seminar_id != seminar.id:
        abort(404)
    privacy.anonymise_registration(db.session, registration, by=current_user)
    db.session.commit()
    flash(_("The personal data of registration #%(id)s is erased.", id=registration.id), "success")
    return redirect(url_for("privacy.seminar_page", slug=seminar.slug))


@bp.post("/organizer/s/<slug>/erase")
@seminar_required("erase")
def erase_seminar(seminar):
    try:
        count = privacy.erase_seminar_personal_data(db.session, seminar, by=current_user)
    except privacy.ErasureRefused:
        db.session.rollback()
        flash(_("The seminar has not ended yet: its registrants may still come to the door."), "error")
    else:
        db.session.commit()
        flash(_("The personal data of %(n)s registrations is erased; the figures stay.", n=count), "success")
    return redirect(url_for("privacy.seminar_page", slug=seminar.slug))


@bp.get("/admin/audit")
@role_required("admin")
def audit_log():
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    entries, titles, has_more = privacy.audit_entries(db.session, page=page)
    return render_template("privacy/audit_log.html", entries=entries, titles=titles, page=page, has_more=has_more,
                           door_searches=privacy.door_search_tallies(db.session) if page == 1 else [])
