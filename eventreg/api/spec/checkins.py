"""The OpenAPI description of checkins."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.checkin.services import SCAN_METHODS
from eventreg.models import REGISTRATION_STATUSES, SCAN_RESULTS

_JSON = "application/json"


def _json_response(description, schema):
    return {"description": description, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/checkins": {
            "post": {
                "summary": "Check in the holder of a scanned ticket.",
                "description": "Every scan is answered with HTTP 200 and a `status`; only a malformed request or "
                "missing authorisation gets 4xx. Organizers and admins may check in outside the check-in window; "
                "staff get `outside_window`. The same ticket scanned at two doors at once gives one `checked_in` "
                "and one `already_checked_in`.",
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
                                   "description": "Why the attendance is corrected after the window closed."}}}}},
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
                "operationId": "getCheckInStats",
                "parameters": [_SLUG],
                "responses": {
                    "200": _json_response("The counts.", "CheckInStats"),
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
            },
        },
    },
)
