"""The organizer's summary page and the downloads (lists, sign-in sheet, summary PDF)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.auth.access import seminar_required
from eventreg.auth.permissions import can, request_may
from eventreg.checkin import offline
from eventreg.extensions import db
from eventreg.models import REGISTRATION_STATUSES
from eventreg.reports import bp, exports, services


@bp.get("/s/<slug>/")
@seminar_required("see_report")
def summary(seminar):
    report = services.summary(db.session, seminar, rolls=request_may("export"), locale=get_locale())
    return render_template("reports/summary.html", seminar=seminar, report=report,
                           statuses=REGISTRATION_STATUSES, status_labels=exports.STATUS_LABELS,
                           # The offline door's problems name people: not for a viewer of the figures.
                           **(offline.problems_context(db.session, seminar)
                              if can(current_user, "registrations", seminar) else {}))


@bp.get("/s/<slug>/<list_name>.<fmt>")
@seminar_required("export")
def export(seminar, list_name, fmt):
    try:
        download = services.export_list(
            db.session, seminar, list_name, fmt, user=current_user, locale=get_locale(),
            status=request.args.get("status"),
            category=request.args.get("category"), sort=request.args.get("sort"),
            separator=request.args.get("sep") or exports.separator_for(get_locale()),
            university=request.args.get("university"),
        )
    except services.ReportRefused as refusal:
        if refusal.code in ("unknown_list", "unknown_format"):
            abort(404)
        return _refused(refusal, seminar)
    db.session.commit()
    return download.as_response()


def _refused(refusal, seminar):
    if refusal.code == "too_long_for_pdf":
        flash(_("That list is too long to print (more than %(rows)s people): download it as CSV or XLSX.",
                rows=services.PDF_MAX_ROWS), "error")
    else:
        flash(_("That filter does not exist for this seminar; nothing was exported."), "error")
    return redirect(url_for("reports.summary", slug=seminar.slug))


@bp.get("/s/<slug>/signin-sheet.pdf")
@seminar_required("export")
def signin_sheet(seminar):
    try:
        download = services.signin_sheet(db.session, seminar, user=current_user, locale=get_locale())
    except services.ReportRefused as refusal:
        return _refused(refusal, seminar)
    db.session.commit()
    return download.as_response()


@bp.get("/s/<slug>/summary.pdf")
@seminar_required("see_report")
def summary_pdf(seminar):
    download = services.summary_pdf(db.session, seminar, user=current_user)
    db.session.commit()
    return download.as_response()
