"""The organizer's summary page and the downloads (lists, sign-in sheet, summary PDF)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventreg.auth.access import role_required
from eventreg.extensions import db
from eventreg.models import REGISTRATION_STATUSES, Seminar
from eventreg.reports import bp, exports, services


def _seminar(slug):
    return db.first_or_404(select(Seminar).where(Seminar.slug == slug))


@bp.get("/s/<slug>/")
@role_required("organizer")
def summary(slug):
    seminar = _seminar(slug)
    return render_template("reports/summary.html", seminar=seminar, report=services.summary(db.session, seminar),
                           statuses=REGISTRATION_STATUSES, status_labels=exports.STATUS_LABELS)


@bp.get("/s/<slug>/<list_name>.<fmt>")
@role_required("organizer")
def export(slug, list_name, fmt):
    seminar = _seminar(slug)
    try:
        download = services.export_list(
            db.session, seminar, list_name, fmt, user=current_user, status=request.args.get("status"),
            category=request.args.get("category"), sort=request.args.get("sort"),
        )
    except services.ReportRefused as refusal:
        if refusal.code in ("unknown_list", "unknown_format"):
            abort(404)
        flash(_("That filter does not exist for this seminar; nothing was exported."), "error")
        return redirect(url_for("reports.summary", slug=slug))
    db.session.commit()
    return download.as_response()


@bp.get("/s/<slug>/signin-sheet.pdf")
@role_required("organizer")
def signin_sheet(slug):
    download = services.signin_sheet(db.session, _seminar(slug), user=current_user)
    db.session.commit()
    return download.as_response()


@bp.get("/s/<slug>/summary.pdf")
@role_required("organizer")
def summary_pdf(slug):
    download = services.summary_pdf(db.session, _seminar(slug), user=current_user)
    db.session.commit()
    return download.as_response()
