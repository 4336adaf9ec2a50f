"""Registering people through the API (organizer and admin tokens): a partner's system, a kiosk, a script.

The same `register` service as the public form and the organizer's page: the same seats, quotas,
waiting list, duplicate rule and e-mails. A refusal answers its code: 400 for field errors, 404 for an
unknown seminar, 409 for `full`, `closed`, `duplicate_email`...
"""

from flask import jsonify, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from eventreg.api import bp
from eventreg.api.base import ApiError, api_seminar_required, json_body
from eventreg.extensions import db
from eventreg.models import Category
from eventreg.questions.answers import api_value
from eventreg.registration import places, services
from eventreg.registration.services import RegistrationRefused

MESSAGES = {
    "invalid": (_l("Some fields are not valid; see `fields`."), 400),
    "wrong_category": (_l("The category does not belong to this seminar."), 400),
    "full": (_l("The seminar or the category is full."), 409),
    "closed": (_l("Registration for this seminar is closed."), 409),
    "not_open": (_l("Registration for this seminar has not opened yet."), 409),
    "cancelled_seminar": (_l("This seminar has been cancelled."), 409),
    "duplicate_email": (_l("This e-mail address already has an active registration for this seminar."), 409),
}
FIELDS = ("full_name", "email", "phone", "organization", "position", "language", "consent_data",
          "consent_photos", "university", "programme", "study_level", "study_year")


def _registrant_data(seminar, body):
    """The body as the registration rules take it (model field names; the category by key or id; the answers to
    the seminar's questions by question key)."""
    data = {**{name: body.get(name) for name in FIELDS if name in body}, "category_id": _category_id(seminar, body),
            "answers": body.get("answers")}
    if "session_ids" in body:
        data["session_ids"] = body["session_ids"]
    return data


def _category_id(seminar, body):
    """`category` (the key, as in the seminar API) or `category_id`."""
    if "category" in body:
        key = body.get("category")
        found = db.session.scalar(select(Category.id).where(Category.seminar_id == seminar.id, Category.key == key))
        return found if found is not None else -1
    return body.get("category_id")


@bp.post("/seminars/<slug>/registrations")
@api_seminar_required("registrations")
def create_registration(seminar):
    body = json_body()
    try:
        registration = services.register(
            db.session, seminar, _registrant_data(seminar, body), source="api", by=current_user,
            waitlist=body.get("waitlist", True) is not False, ignore_window=bool(body.get("ignore_window")),
        )
    except RegistrationRefused as refusal:
        db.session.rollback()
        message, status = MESSAGES.get(refusal.code, (refusal.code, 409))
        raise ApiError(refusal.code, message, status, fields=refusal.fields or None) from None
    db.session.commit()
    return jsonify(
        id=registration.id,
        status=registration.status,
        email=registration.email,
        category=registration.category.key,
        ticket_url=url_for("registration.ticket", token=registration.token, _external=True),
        answers=_answers_json(registration),
        session_ids=sorted(places.held(db.session, registration)),
    ), 201


def _answers_json(registration):
    """The answers as stored, by question key (only the answered questions)."""
    questions = {question.id: question for question in registration.seminar.questions}
    return {questions[answer.question_id].key: api_value(questions[answer.question_id], answer.value)
            for answer in registration.answers}


