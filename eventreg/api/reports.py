"""Reports by API: the paginated registration list and the exports, for organizer and admin tokens only
(a door's staff token must never carry bulk personal data away)."""

from flask import jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.api import bp
from eventreg.api.base import ApiError, api_seminar_required
from eventreg.extensions import db
from eventreg.questions.answers import api_value
from eventreg.reports import days as seminar_days
from eventreg.reports import exports, services


def _moment(value):
    return value.isoformat() if value else None


def _days_json(row, seminar):
    """A seminar over several days: the person's check-in on each day and at each session (and place held)."""
    numbers = {day.id: number for number, day in seminar_days.numbered(seminar)}
    values = row._mapping
    return {
        "days": [{"number": numbers[day.id], "date": day.local_date.isoformat(),
                  "checked_in_at": _moment(values[seminar_days.day_field(day)])} for day in seminar.days],
        "sessions": [{"id": part.id, "title": seminar_days.session_title(part), "day": numbers[part.day_id],
                      "has_place": bool(values[seminar_days.place_field(part)]) if part.needs_place else None,
                      "checked_in_at": _moment(values[seminar_days.session_field(part)])}
                     for part in seminar.sessions],
    }


def _row_json(row, questions, seminar):
    return {
        "id": row.id, "full_name": row.full_name, "email": row.email, "phone": row.phone,
        "organization": row.organization, "position": row.position, "category": row.category_key,
        "category_label": row.category, "status": row.status, "source": row.source, "language": row.language,
        "university": row.university, "programme": row.programme, "study_level": row.study_level,
        "study_year": row.study_year, "created_at": row.created_at.isoformat(),
        "confirmed_at": _moment(row.confirmed_at), "cancelled_at": _moment(row.cancelled_at),
        "checked_in_at": _moment(row.checked_in_at), "checked_in_gate": row.checked_in_gate,
        "answers": {question.key: api_value(question, row._mapping[exports.answer_field(question)])
                    for question in questions},
        **(_days_json(row, seminar) if seminar.has_days else {}),
    }


def _refused(refusal):
    if refusal.code in ("unknown_list", "unknown_format"):
        return ApiError("not_found", _("No such export."), 404)
    if refusal.code == "too_long_for_pdf":
        return ApiError(refusal.code, _("Too many rows for a PDF: ask for CSV or XLSX."), 400)
    return ApiError(refusal.code, _("Check the filters."), 400, fields=refusal.fields)


def _number(name, default):
    value = request.args.get(name, "")
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise ApiError("invalid_filter", _("Check the filters."), 400, fields={name: [_("A whole number.")]})
    return int(value)


@bp.get("/seminars/<slug>/registrations")
@api_seminar_required("registrations")
def list_registrations(seminar):
    try:
        page = services.registration_page(
            db.session, seminar, user=current_user, locale=get_locale(), status=request.args.get("status"),
            category=request.args.get("category"), page=_number("page", 1),
            per_page=_number("per_page", services.PER_PAGE),
        )
    except services.ReportRefused as refusal:
        raise _refused(refusal) from refusal
    db.session.commit()
    return jsonify(items=[_row_json(row, page.questions, seminar) for row in page.items], page=page.page,
                   per_page=page.per_page, total=page.total, pages=page.pages)


@bp.get("/seminars/<slug>/exports/<list_name>.<fmt>")
@api_seminar_required("export")
def export_list(seminar, list_name, fmt):
    try:
        download = services.export_list(
            db.session, seminar, list_name, fmt, user=current_user, locale=get_locale(),
            status=request.args.get("status"),
            category=request.args.get("category"), sort=request.args.get("sort"),
            separator=request.args.get("sep") or "comma", university=request.args.get("university"),
        )
    except services.ReportRefused as refusal:
        raise _refused(refusal) from refusal
    db.session.commit()
    return download.as_response()
