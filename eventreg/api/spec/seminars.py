"""The OpenAPI description of seminars."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.config import DEFAULT_TIMEZONE
from eventreg.models import AGENDA_KINDS, SEMINAR_STATUSES
from eventreg.seminars.services import MAX_CONFIRMATION_HOURS

_DATETIME = {"type": "string", "format": "date-time"}
_NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
_INPUT_DATETIME = {
    "type": ["string", "null"],
    "description": "ISO 8601. Without an offset (`2026-09-13T10:00`) it is read in the seminar's `timezone`.",
}
_JSON = "application/json"
_CONFIRMATION_HOURS = {
    "type": ["integer", "null"], "minimum": 1, "maximum": MAX_CONFIRMATION_HOURS,
    "description": "null: addresses are not confirmed. Else a public signup's seat (or place) is held this many "
    "hours until the person follows the link e-mailed to them, and freed if they do not.",
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name, description):
    return {"description": description, "content": {_JSON: {"schema": _ref(name)}}}


_CONFLICT = {"$ref": "#/components/responses/Conflict"}

FRAGMENT = dict(
    paths={
        "/seminars": {
            "get": {
                "summary": "Seminars, soonest first (drafts only for their teams).",
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
                    "400": ERROR_RESPONSES["400"],
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
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
                    "404": ERROR_RESPONSES["404"],
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
                    "400": ERROR_RESPONSES["400"],
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
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
                "status": {"type": "string", "enum": list(SEMINAR_STATUSES)},
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
                        "email_confirmation_hours": _CONFIRMATION_HOURS,
                        "agenda": {"type": "array", "items": _ref("AgendaItem")},
                        "categories": {"type": "array", "items": _ref("SeminarCategory"),
                                       "description": "Public categories; the seminar's team sees all."},
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
                "kind": {"type": "string", "enum": list(AGENDA_KINDS)},
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
                "timezone": {"type": "string", "default": DEFAULT_TIMEZONE},
                "starts_at": _INPUT_DATETIME,
                "ends_at": _INPUT_DATETIME,
                "registration_opens_at": _INPUT_DATETIME,
                "registration_closes_at": _INPUT_DATETIME,
                "capacity": {"type": ["integer", "null"], "minimum": 0},
                "requires_approval": {"type": "boolean"},
                "waitlist_enabled": {"type": "boolean"},
                "contact_email": {"type": "string"},
                "email_confirmation_hours": _CONFIRMATION_HOURS,
                "status": {"type": "string", "enum": list(SEMINAR_STATUSES)},
            },
        },
    },
)
