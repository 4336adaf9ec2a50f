"""The seminar API: what the public pages show, and creating/changing seminars with organizer tokens.

Writes go through the same service functions as the organizer's forms, so the rules and the messages
are the same; `SeminarRefused` becomes {"error", "message", "fields"} with 400 (invalid) or 409 (conflict).
"""

from flask import jsonify, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.api import bp, openapi
from eventreg.api.base import ApiError, api_role_required, json_body
from eventreg.extensions import db
from eventreg.models import utcnow
from eventreg.seminars import queries, services
from eventreg.seminars.services import SeminarRefused

MESSAGES = {
    "invalid": (_l("Some fields are not valid; see `fields`."), 400),
    "slug_taken": (_l("Another seminar already uses this slug."), 409),
    "cancelled": (_l("This seminar is cancelled; it cannot be changed any more."), 409),
    "bad_transition": (_l("The seminar cannot move to that status from its current one."), 409),
}


def _moment(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


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
    }
    if full:
        organizer = queries.may_see_drafts(current_user)
        body.update(
            description=seminar.description,
            contact_email=seminar.contact_email,
            requires_approval=seminar.requires_approval,
            waitlist_enabled=seminar.waitlist_enabled,
            agenda=[
                {
                    "starts_at": _moment(item.starts_at),
                    "ends_at": _moment(item.ends_at),
                    "title": item.title,
                    "kind": item.kind,
                    "description": item.description,
                    "speakers": [
                        {"honorific": s.honorific, "name": s.name, "position": s.position,
                         "affiliation": s.affiliation, "bio": s.bio}
                        for s in item.speakers
                    ],
                }
                for item in seminar.agenda_items
            ],
            categories=[
                {"key": c.key, "label": c.label, "quota": c.quota, "seats_left": c.seats_left,
                 "is_student": c.is_student, "is_public": c.is_public}
                for c in seminar.categories
                if c.is_public or organizer
            ],
        )
    return body


def _refused(refusal):
    message, status = MESSAGES.get(refusal.code, (_l("The request was refused."), 409))
    return ApiError(refusal.code, message, status, fields=refusal.fields or None)


@bp.get("/seminars")
def list_seminars():
    now = utcnow()
    seminars = queries.listed_seminars(db.session, include_drafts=queries.may_see_drafts(current_user))
    return jsonify(seminars=[_seminar_json(s, now=now, full=False) for s in seminars])


@bp.get("/seminars/<slug>")
def get_seminar(slug):
    seminar = queries.visible_seminar(db.session, slug, viewer=current_user)
    return jsonify(_seminar_json(seminar, now=utcnow(), full=True))


@bp.post("/seminars")
@api_role_required("organizer")
def create_seminar():
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
@api_role_required("organizer")
def update_seminar(slug):
    now = utcnow()
    seminar = queries.seminar_or_404(db.session, slug)
    try:
        services.update_seminar(db.session, seminar, json_body(), by=current_user, now=now)
    except SeminarRefused as refusal:
        db.session.rollback()
        raise _refused(refusal) from None
    db.session.commit()
    return jsonify(_seminar_json(seminar, now=now, full=True))


_DATETIME = {"type": "string", "format": "date-time"}
_NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
_INPUT_DATETIME = {
    "type": ["string", "null"],
    "description": "ISO 8601. Without an offset (`2026-09-13T10:00`) it is read in the seminar's `timezone`.",
}
_JSON = "application/json"


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name, description):
    return {"description": description, "content": {_JSON: {"schema": _ref(name)}}}


_CONFLICT = {"$ref": "#/components/responses/Conflict"}

openapi.document(
    paths={
        "/seminars": {
            "get": {
                "summary": "Seminars, soonest first (drafts only for organizers).",
                "operationId": "listSeminars",
                "security": [{}, {"bearerAuth": []}, {"sessionCookie": []}],
                "responses": {"200": _body("SeminarList", "The seminars the caller may see.")},
            },
            "post": {
                "summary": "Create a seminar (a draft unless `status` says otherwise).",
                "operationId": "createSeminar",
                "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("SeminarInput")}}},
                "responses": {
                    "201": _body("SeminarDetail", "The new seminar."),
                    "400": openapi.ERROR_RESPONSES["400"],
                    "401": openapi.ERROR_RESPONSES["401"],
                    "403": openapi.ERROR_RESPONSES["403"],
                    "409": _CONFLICT,
                },
            },
        },
        "/seminars/{slug}": {
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "summary": "One seminar with its programme and categories.",
                "operationId": "getSeminar",
                "security": [{}, {"bearerAuth": []}, {"sessionCookie": []}],
                "responses": {
                    "200": _body("SeminarDetail", "The seminar."),
                    "404": openapi.ERROR_RESPONSES["404"],
                },
            },
            "patch": {
                "summary": "Change some fields of a seminar (or its status: publish, close, cancel).",
                "operationId": "updateSeminar",
                "description": "Only the fields sent change. Cancelling (`\"status\": \"cancelled\"`) e-mails "
                "every active registrant.",
                "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("SeminarInput")}}},
                "responses": {
                    "200": _body("SeminarDetail", "The changed seminar."),
                    "400": openapi.ERROR_RESPONSES["400"],
                    "401": openapi.ERROR_RESPONSES["401"],
                    "403": openapi.ERROR_RESPONSES["403"],
                    "404": openapi.ERROR_RESPONSES["404"],
                    "409": _CONFLICT,
                },
            },
        },
    },
    schemas={
        "SeminarSummary": {
            "type": "object",
            "required": ["slug", "title", "status", "timezone", "starts_at", "ends_at", "capacity", "seats_left",
                         "registration_state", "url"],
            "properties": {
                "slug": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "string", "enum": ["draft", "published", "closed", "cancelled"]},
                "organizer_name": {"type": "string"},
                "venue": {"type": "string"},
                "address": {"type": "string"},
                "timezone": {"type": "string", "description": "IANA zone, e.g. Asia/Almaty."},
                "starts_at": {**_DATETIME, "description": "UTC."},
                "ends_at": {**_DATETIME, "description": "UTC."},
                "starts_at_local": {**_DATETIME, "description": "The same moment in the seminar's zone."},
                "ends_at_local": _DATETIME,
                "capacity": {"type": ["integer", "null"], "description": "null: unlimited."},
                "seats_left": {"type": ["integer", "null"], "description": "null: unlimited."},
                "registration_state": {"type": "string",
                                       "enum": ["not_open", "open", "waitlist", "full", "closed", "cancelled"]},
                "registration_opens_at": _NULLABLE_DATETIME,
                "registration_closes_at": _NULLABLE_DATETIME,
                "url": {"type": "string", "description": "The public page."},
            },
        },
        "SeminarList": {
            "type": "object",
            "required": ["seminars"],
            "properties": {"seminars": {"type": "array", "items": _ref("SeminarSummary")}},
        },
        "SeminarDetail": {
            "allOf": [
                _ref("SeminarSummary"),
                {
                    "type": "object",
                    "required": ["description", "agenda", "categories"],
                    "properties": {
                        "description": {"type": "string", "description": "Plain text; blank lines separate "
                                        "paragraphs."},
                        "contact_email": {"type": "string"},
                        "requires_approval": {"type": "boolean"},
                        "waitlist_enabled": {"type": "boolean"},
                        "agenda": {"type": "array", "items": _ref("AgendaItem")},
                        "categories": {"type": "array", "items": _ref("SeminarCategory"),
                                       "description": "Public categories; organizers see all."},
                    },
                },
            ]
        },
        "AgendaItem": {
            "type": "object",
            "required": ["starts_at", "title", "kind", "speakers"],
            "properties": {
                "starts_at": _DATETIME,
                "ends_at": _NULLABLE_DATETIME,
                "title": {"type": "string"},
                "kind": {"type": "string", "enum": ["welcome", "talk", "panel", "break", "qa"]},
                "description": {"type": "string"},
                "speakers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {name: {"type": "string"} for name in
                                       ("honorific", "name", "position", "affiliation", "bio")},
                    },
                },
            },
        },
        "SeminarCategory": {
            "type": "object",
            "required": ["key", "label", "quota", "seats_left", "is_student"],
            "properties": {
                "key": {"type": "string"},
                "label": {"type": "string"},
                "quota": {"type": ["integer", "null"]},
                "seats_left": {"type": ["integer", "null"]},
                "is_student": {"type": "boolean", "description": "Asks for university, programme, level, year."},
                "is_public": {"type": "boolean"},
            },
        },
        "SeminarInput": {
            "type": "object",
            "additionalProperties": False,
            "description": "Creating needs title, starts_at and ends_at; the slug is made from the title when "
            "absent. The same rules as the organizer's form: ends_at after starts_at, registration_closes_at "
            "no later than ends_at, capacity not below the people already confirmed, slug free.",
            "properties": {
                "title": {"type": "string", "maxLength": 300},
                "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 120},
                "description": {"type": "string"},
                "organizer_name": {"type": "string"},
                "venue": {"type": "string"},
                "address": {"type": "string"},
                "timezone": {"type": "string", "default": "Asia/Almaty"},
                "starts_at": _INPUT_DATETIME,
                "ends_at": _INPUT_DATETIME,
                "registration_opens_at": _INPUT_DATETIME,
                "registration_closes_at": _INPUT_DATETIME,
                "capacity": {"type": ["integer", "null"], "minimum": 0},
                "requires_approval": {"type": "boolean"},
                "waitlist_enabled": {"type": "boolean"},
                "contact_email": {"type": "string"},
                "status": {"type": "string", "enum": ["draft", "published", "closed", "cancelled"]},
            },
        },
    },
)
