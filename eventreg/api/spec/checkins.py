"""The OpenAPI description of checkins."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.checkin.services import SCAN_METHODS
from eventreg.models import REGISTRATION_STATUSES, SCAN_RESULTS

_JSON = "application/json"


def _json_response(description, schema):
    return {"description": description, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_DAY_DOC = ("On a seminar of several days: the day checked in for (an id of the seminar's days; by default the "
            "day whose door is open now). An id of no day of this seminar gets 400 `unknown_day`.")
_SESSION_DOC = ("On a seminar of several days: the session checked in for (its day is implied). An id of no "
                "session of this seminar (or of another day than `day`) gets 400 `unknown_session`.")
DAY_PARAMETERS = [
    {"name": "day", "in": "query", "required": False, "schema": {"type": "integer"}, "description": _DAY_DOC},
    {"name": "session", "in": "query", "required": False, "schema": {"type": "integer"},
     "description": _SESSION_DOC},
]
_DAY_PROPERTIES = {
    "day": {"type": "object", "required": ["id", "number"], "description": "The day it was for (a seminar of "
            "several days only).", "properties": {"id": {"type": "integer"}, "number": {
                "type": "integer", "description": "1 for the seminar's first day."}}},
    "session": {"type": "object", "required": ["id", "title"], "description": "The session it was for, if any.",
                "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}},
}

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/checkins": {
            "post": {
                "summary": "Check in the holder of a scanned ticket.",
                "description": "Every scan is answered with HTTP 200 and a `status`; only a malformed request or "
                "missing authorisation gets 4xx. Organizers and admins may check in outside the check-in window; "
                "staff get `outside_window`. The same ticket scanned at two doors at once gives one `checked_in` "
                "and one `already_checked_in`. A seminar of several days admits once per day and once per "
                "session (`day`, `session`); a session with places admits only those with a place "
                "(`not_in_session`).",
                "operationId": "createCheckIn",
                "parameters": [_SLUG],
                "requestBody": {
                    "required": True,
                    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/CheckInRequest"}}},
                },
                "responses": {
                    "200": _json_response("The outcome of the scan.", "CheckInResult"),
                    **ERROR_RESPONSES,
                },
            }
        },
        "/seminars/{slug}/checkins/{registration_id}": {
            "delete": {
                "summary": "Undo a check-in (recorded in the scan log, not deleted).",
                "operationId": "undoCheckIn",
                "description": "While the check-in window is open. Afterwards only an organizer may correct the "
                "attendance, with a `reason` (recorded in the audit log); a door account gets 403 "
                "`window_closed`.",
                "parameters": [_SLUG, {"name": "registration_id", "in": "path", "required": True,
                                       "schema": {"type": "integer"}}],
                "requestBody": {
                    "required": False,
                    "content": {_JSON: {"schema": {"type": "object", "properties": {
                        "gate": {"type": "string", "maxLength": 60},
                        "reason": {"type": "string", "maxLength": 500,
                                   "description": "Why the attendance is corrected after the window closed."},
                        "day": {"type": "integer", "description": _DAY_DOC},
                        "session": {"type": "integer", "description": _SESSION_DOC}}}}},
                },
                "responses": {
                    "200": _json_response("The check-in was undone.", "CheckInResult"),
                    **ERROR_RESPONSES,
                    "409": {"$ref": "#/components/responses/Conflict"},
                },
            }
        },
        "/seminars/{slug}/stats": {
            "get": {
                "summary": "Live counts at the door: confirmed and checked in, overall and per category.",
                "description": "On a seminar of several days, `checked_in` counts arrivals on any day; with "
                "`day` (or `session`), those checked in for that day (or session).",
                "operationId": "getCheckInStats",
                "parameters": [_SLUG, *DAY_PARAMETERS],
                "responses": {
                    "200": _json_response("The counts.", "CheckInStats"),
                    "400": ERROR_RESPONSES["400"],
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
                },
            }
        },
    },
    schemas={
        "CheckInRequest": {
            "type": "object",
            "description": "Either `code` (what was scanned or typed) or `registration_id` (a person picked "
            "from the door's search).",
            "anyOf": [{"required": ["code"]}, {"required": ["registration_id"]}],
            "properties": {
                "code": {"type": "string", "maxLength": 500,
                         "description": "What the scanner read: `ER1:<token>`, a ticket URL or a bare token."},
                "registration_id": {"type": "integer"},
                "gate": {"type": "string", "maxLength": 60, "description": "The door, e.g. `Door 1`."},
                "method": {"type": "string", "enum": list(SCAN_METHODS), "default": "api"},
                "day": {"type": "integer", "description": _DAY_DOC},
                "session": {"type": "integer", "description": _SESSION_DOC},
            },
        },
        "CheckInRegistration": {
            "type": "object",
            "required": ["id", "full_name", "category", "category_is_student", "organization", "checked_in_at",
                         "checked_in_by", "gate", "status"],
            "properties": {
                "id": {"type": "integer"},
                "full_name": {"type": "string"},
                "category": {"type": "string", "description": "The category's label."},
                "category_is_student": {"type": "boolean"},
                "organization": {"type": "string"},
                "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
                "checked_in_by": {"type": ["string", "null"], "description": "The staff member's name."},
                "gate": {"type": ["string", "null"]},
                "status": {"type": "string",
                           "enum": list(REGISTRATION_STATUSES)},
            },
        },
        "CheckInResult": {
            "type": "object",
            "required": ["status", "title", "message"],
            "properties": {
                "status": {"type": "string", "enum": list(SCAN_RESULTS)},
                "title": {"type": "string", "description": "A translated headline for the door's screen."},
                "message": {"type": "string", "description": "A translated detail line."},
                "registration": {"$ref": "#/components/schemas/CheckInRegistration"},
                "seminar_title": {"type": "string", "description": "For `wrong_seminar`: the ticket's seminar."},
                **_DAY_PROPERTIES,
            },
        },
        "CheckInStats": {
            "type": "object",
            "required": ["confirmed", "checked_in", "categories"],
            "properties": {
                "confirmed": {"type": "integer"},
                "checked_in": {"type": "integer"},
                "categories": {"type": "array", "items": {
                    "type": "object",
                    "required": ["key", "label", "is_student", "confirmed", "checked_in"],
                    "properties": {
                        "key": {"type": "string"},
                        "label": {"type": "string"},
                        "is_student": {"type": "boolean"},
                        "confirmed": {"type": "integer"},
                        "checked_in": {"type": "integer"},
                    },
                }},
                **_DAY_PROPERTIES,
            },
        },
    },
)
