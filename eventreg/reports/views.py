"""The organizer's summary page and the downloads (lists, sign-in sheet, summary PDF)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.auth.access import role_required
from eventreg.checkin import offline
from eventreg.extensions import db
from eventreg.models import REGISTRATION_STATUSES
from eventreg.reports import bp, exports, services
from eventreg.seminars import queries


def _seminar(slug):
    return queries.seminar_or_404(db.session, slug)


@bp.get("/s/<slug>/")
@role_required("organizer")
def summary(slug):
    seminar = _seminar(slug)
    return render_template("reports/summary.html", seminar=seminar, report=services.summary(db.session, seminar),
                           statuses=REGISTRATION_STATUSES, status_labels=exports.STATUS_LABELS,
                           **offline.problems_context(db.session, seminar))


@bp.get("/s/<slug>/<list_name>.<fmt>")
@role_required("organizer")
def export(slug, list_name, fmt):
    seminar = _seminar(slug)
    try:
        download = services.export_list(
            db.session, seminar, list_name, fmt, user=current_user, locale=get_locale(),
            status=request.args.get("status"),
            category=request.args.get("category"), sort=request.args.get("sort"),
            separator=request.args.get("sep") or exports.separator_for(get_locale()),
        )
    except services.ReportRefused as refusal:
        if refusal.code in ("unknown_list", "unknown_format"):
            abort(404)
        return _refused(refusal, slug)
    db.session.commit()
    return download.as_response()


def _refused(refusal, slug):
    if refusal.code == "too_long_for_pdf":
        flash(_("That list is too long to print (more than %(rows)s people): download it as CSV or XLSX.",
                rows=services.PDF_MAX_ROWS), "error")
    else:
        flash(_("That filter does not exist for this seminar; nothing was exported."), "error")
    return redirect(url_for("reports.summary", slug=slug))


@bp.get("/s/<slug>/signin-sheet.pdf")
@role_required("organizer")
def signin_sheet(slug):
    try:
        download = services.signin_sheet(db.session, _seminar(slug), user=current_user, locale=get_locale())
    except services.ReportRefused as refusal:
        return _refused(refusal, slug)
    db.session.commit()
    return download.as_response()


@bp.get("/s/<slug>/summary.pdf")
@role_required("organizer")
def summary_pdf(slug):
    download = services.summary_pdf(db.session, _seminar(slug), user=current_user)
    db.session.commit()
    return download.as_response()
