"""The seminar API: what the public pages show, and creating/changing seminars with organizer tokens.

Writes go through the same service functions as the organizer's forms, so the rules and the messages
are the same; `SeminarRefused` becomes {"error", "message", "fields"} with 400 (invalid) or 409 (conflict).

Content in several languages: each text field is returned as before (the text in the seminar's
`default_language`) and again in `translations`, {field: {language: text}} with every language written.
A write takes a text field as a string (the default language's text) or as such an object.
"""

from flask import jsonify, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.api import bp
from eventreg.api.base import ApiError, api_role_required, api_seminar_required, json_body
from eventreg.auth import permissions
from eventreg.extensions import db
from eventreg.models import utcnow
from eventreg.seminars import content, days, queries, services
from eventreg.seminars.services import SeminarRefused

MESSAGES = {
    "invalid": (_l("Some fields are not valid; see `fields`."), 400),
    "slug_taken": (_l("Another seminar already uses this slug."), 409),
    "cancelled": (_l("This seminar is cancelled; it cannot be changed any more."), 409),
    "bad_transition": (_l("The seminar cannot move to that status from its current one."), 409),
}


def _moment(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


SUMMARY_TEXTS = ("title", "venue", "address")


def _translations(obj, seminar, fields=None):
    return content.all_texts(obj, seminar.default_language, fields)


def _seminar_json(seminar, *, now, full):
    body = {
        "slug": seminar.slug,
        "title": seminar.title,
        "status": seminar.status,
        "organizer_name": seminar.organizer_name,
        "venue": seminar.venue,
        "address": seminar.address,
        "timezone": seminar.timezone,
        "starts_at": _moment(seminar.starts_at),
        "ends_at": _moment(seminar.ends_at),
        "starts_at_local": seminar.local(seminar.starts_at).isoformat(),
        "ends_at_local": seminar.local(seminar.ends_at).isoformat(),
        "capacity": seminar.capacity,
        "seats_left": seminar.seats_left,
        "registration_state": seminar.registration_state(now),
        "registration_opens_at": _moment(seminar.registration_opens_at),
        "registration_closes_at": _moment(seminar.registration_closes_at),
        "url": url_for("seminars.show", slug=seminar.slug, _external=True),
        "default_language": seminar.default_language,
        "translations": _translations(seminar, seminar, None if full else SUMMARY_TEXTS),
    }
    if full:
        organizer = queries.on_team(db.session, current_user, seminar)
        body.update(
            description=seminar.description,
            contact_email=seminar.contact_email,
            requires_approval=seminar.requires_approval,
            waitlist_enabled=seminar.waitlist_enabled,
            email_confirmation_hours=seminar.email_confirmation_hours,
            agenda=[
                {
                    "starts_at": _moment(item.starts_at),
                    "ends_at": _moment(item.ends_at),
                    "title": item.title,
                    "kind": item.kind,
                    "description": item.description,
                    "translations": _translations(item, seminar),
                    "speakers": [
                        {"honorific": s.honorific, "name": s.name, "position": s.position,
                         "affiliation": s.affiliation, "bio": s.bio, "translations": _translations(s, seminar)}
                        for s in item.speakers
                    ],
                }
                for item in seminar.agenda_items
            ],
            categories=[
                {"key": c.key, "label": c.label, "quota": c.quota, "seats_left": c.seats_left,
                 "is_student": c.is_student, "is_public": c.is_public, "translations": _translations(c, seminar)}
                for c in seminar.categories
                if c.is_public or organizer
            ],
            questions=[_question_json(q) for q in seminar.questions if not q.hidden or organizer],
            days=[_day_json(day, seminar) for day in seminar.days],
        )
    return body


def _day_json(day, seminar):
    return {"id": day.id, "starts_at": _moment(day.starts_at), "ends_at": _moment(day.ends_at),
            "sessions": [_session_json(part, seminar) for part in day.sessions]}


def _session_json(part, seminar):
    return {"id": part.id, "title": part.title, "translations": _translations(part, seminar, ("title",)),
            "room": part.room, "starts_at": _moment(part.starts_at), "ends_at": _moment(part.ends_at),
            "capacity": part.capacity, "places_left": part.places_left}


def _question_json(question):
    return {
        "key": question.key, "kind": question.kind, "label": question.label, "help_text": question.help_text,
        "required": question.required, "choices": question.choices or [], "min_value": question.min_value,
        "max_value": question.max_value, "categories": [category.key for category in question.categories],
        "hidden": question.hidden, "translations": question.translations or {},
    }


def _refused(refusal):
    message, status = MESSAGES.get(refusal.code, (_l("The request was refused."), 409))
    return ApiError(refusal.code, message, status, fields=refusal.fields or None)


@bp.get("/seminars")
def list_seminars():
    now = utcnow()
    seminars = queries.listed_seminars(db.session, viewer=current_user)
    return jsonify(seminars=[_seminar_json(s, now=now, full=False) for s in seminars])


@bp.get("/seminars/<slug>")
def get_seminar(slug):
    seminar = queries.visible_seminar(db.session, slug, viewer=current_user)
    return jsonify(_seminar_json(seminar, now=utcnow(), full=True))


@bp.post("/seminars")
@api_role_required("organizer")
def create_seminar():
    if not permissions.may_create_seminars(current_user):
        raise ApiError("forbidden", _l("A token for one seminar or one role cannot create seminars."), 403)
    now = utcnow()
    try:
        seminar = services.create_seminar(db.session, json_body(), by=current_user, now=now)
    except SeminarRefused as refusal:
        db.session.rollback()
        raise _refused(refusal) from None
    db.session.commit()
    response = jsonify(_seminar_json(seminar, now=now, full=True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_seminar", slug=seminar.slug)
    return response


@bp.patch("/seminars/<slug>")
@api_seminar_required("edit")
def update_seminar(seminar):
    now = utcnow()
    try:
        services.update_seminar(db.session, seminar, json_body(), by=current_user, now=now)
    except SeminarRefused as refusal:
        db.session.rollback()
        raise _refused(refusal) from None
    db.session.commit()
    return jsonify(_seminar_json(seminar, now=now, full=True))




def _created(seminar, save, as_json):
    """A day or a session added through the same service as the days page."""
    try:
        thing = save(db.session, seminar, json_body(), by=current_user, now=utcnow())
    except SeminarRefused as refusal:
        db.session.rollback()
        raise _refused(refusal) from None
    db.session.commit()
    return jsonify(as_json(thing, seminar)), 201


@bp.post("/seminars/<slug>/days")
@api_seminar_required("edit")
def create_day(seminar):
    return _created(seminar, days.save_day, _day_json)


@bp.post("/seminars/<slug>/sessions")
@api_seminar_required("edit")
def create_session(seminar):
    return _created(seminar, days.save_session, _session_json)
