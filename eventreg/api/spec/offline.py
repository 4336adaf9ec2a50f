"""The OpenAPI description of the offline door: its roster and the sync of its queue."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.checkin import offline

_JSON = "application/json"
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


FRAGMENT = dict(
    paths={
        "/seminars/{slug}/roster": {
            "get": {
                "summary": "What an offline door needs to decide and greet: hashed tickets, names, categories.",
                "description": "A hash (SHA-256, hex) of each ticket token, never the token; no e-mail or phone. "
                "`keys` are the Ed25519 public keys that verify the seminar's signed `ER2:` codes.",
                "operationId": "getDoorRoster",
                "parameters": [_SLUG],
                "responses": {
                    "200": {"description": "The roster.", "content": {_JSON: {"schema": _ref("DoorRoster")}}},
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
                },
            }
        },
        "/seminars/{slug}/checkins/sync": {
            "post": {
                "summary": "Apply what a door did while offline, exactly once.",
                "description": "Each action is applied once per (`device`, `nonce`): the same batch sent again "
                "changes nothing and gets the same outcomes. The earliest admission of a ticket by device time is "
                "its check-in; a later one is recorded as a `conflict`; one the server would have refused (e.g. "
                "the ticket was cancelled meanwhile) as `not_valid`. A queued walk-in is registered by the "
                "online rules (a free seat, one registration per e-mail) and checked in, or `not_valid`. A "
                "malformed batch gets 400 and nothing of it is applied; more than 500 actions or 256 KiB get 413. On a "
                "seminar of several days all of this holds per day and per session (`day`, `session`).",
                "operationId": "syncOfflineCheckIns",
                "parameters": [_SLUG],
                "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("SyncBatch")}}},
                "responses": {
                    "200": {"description": "The outcome of every action of the batch.",
                            "content": {_JSON: {"schema": _ref("SyncResult")}}},
                    **ERROR_RESPONSES,
                    "413": {"description": "The batch is too large.",
                            "content": {_JSON: {"schema": _ref("Error")}}},
                },
            }
        },
    },
    schemas={
        "DoorRoster": {
            "type": "object",
            "required": ["seminar", "days", "generated_at", "keys", "entries"],
            "properties": {
                "days": {"type": "array", "description": "A seminar of several days: its days, first first "
                         "(empty for a seminar without days). Each day admits a ticket once, in its own hours.",
                         "items": {
                             "type": "object",
                             "required": ["id", "number", "checkin_opens_at", "checkin_closes_at", "sessions"],
                             "properties": {
                                 "id": {"type": "integer"}, "number": {"type": "integer"},
                                 "checkin_opens_at": {"type": "string", "format": "date-time"},
                                 "checkin_closes_at": {"type": "string", "format": "date-time"},
                                 "sessions": {"type": "array", "items": {
                                     "type": "object",
                                     "required": ["id", "title", "starts_at", "ends_at", "needs_place"],
                                     "properties": {
                                         "id": {"type": "integer"}, "title": {"type": "string"},
                                         "starts_at": {"type": "string", "format": "date-time"},
                                         "ends_at": {"type": "string", "format": "date-time"},
                                         "needs_place": {"type": "boolean", "description": "Only those holding "
                                                         "a place (`places`) are let in."}}}}}}},
                "seminar": {"type": "object", "required": ["id", "slug", "title", "timezone", "checkin_opens_at",
                                                           "checkin_closes_at"],
                            "properties": {"id": {"type": "integer"}, "slug": {"type": "string"},
                                           "title": {"type": "string"}, "timezone": {"type": "string"},
                                           "checkin_opens_at": {"type": "string", "format": "date-time"},
                                           "checkin_closes_at": {"type": "string", "format": "date-time"}}},
                "generated_at": {"type": "string", "format": "date-time"},
                "keys": {"type": "array", "items": {
                    "type": "object", "required": ["id", "public_key"],
                    "properties": {"id": {"type": "integer"},
                                   "public_key": {"type": "string", "description": "32 bytes, base64url."}}}},
                "entries": {"type": "array", "items": {
                    "type": "object",
                    "required": ["hash", "name", "category", "is_student", "status", "checked_in_at", "gate",
                                 "email_confirmed"],
                    "properties": {
                        "hash": {"type": "string", "description": "SHA-256 of the ticket token, hex."},
                        "name": {"type": "string"},
                        "category": {"type": "string"},
                        "is_student": {"type": "boolean"},
                        "status": {"type": "string",
                                   "enum": ["pending", "confirmed", "waitlisted", "cancelled", "rejected"]},
                        "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
                        "gate": {"type": "string"},
                        "email_confirmed": {"type": "boolean", "description": "false: the seminar asked this "
                                            "person to confirm their address, and they have not yet; no entry."},
                        "days": {"type": "object", "description": "A seminar of several days: when the person "
                                 "was checked in on each day, by day id.",
                                 "additionalProperties": {"type": "string", "format": "date-time"}},
                        "sessions": {"type": "object", "description": "Likewise at each session, by session id.",
                                     "additionalProperties": {"type": "string", "format": "date-time"}},
                        "places": {"type": "array", "items": {"type": "integer"},
                                   "description": "The sessions the person holds a place in."},
                    }}},
            },
        },
        "SyncBatch": {
            "type": "object",
            "required": ["device", "actions"],
            "properties": {
                "device": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                           "description": "The door device's id, made once and kept on the device."},
                "actions": {"type": "array", "maxItems": offline.MAX_ACTIONS, "items": {
                    "type": "object",
                    "required": ["nonce", "kind", "at"],
                    "properties": {
                        "nonce": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                        "kind": {"type": "string", "enum": ["check_in", "undo", "walk_in"]},
                        "at": {"type": "string", "format": "date-time", "description": "The device's clock."},
                        "gate": {"type": "string", "maxLength": 60},
                        "code": {"type": "string", "maxLength": 500, "description": "For check_in: what was "
                                 "scanned (`ER2:`, `ER1:`, a ticket URL or a token)."},
                        "undoes": {"type": "string", "description": "For undo: the nonce of the check-in."},
                        "day": {"type": ["integer", "null"], "description": "A seminar of several days: the "
                                "day the door checked in for (by default the day open at `at`). Each day admits "
                                "a ticket once; an id of a day removed since is `not_valid` (`unknown_day`)."},
                        "session": {"type": ["integer", "null"], "description": "The session checked in for, "
                                    "if any (`not_in_session` without a place in one that needs it)."},
                        "person": {"type": "object", "description": "For walk_in: the walk-in form's fields "
                                   "(full_name, email, organization, category_id, university, programme, "
                                   "study_level, study_year), as typed.",
                                   "additionalProperties": {"type": "string", "maxLength": 300}},
                    },
                }},
            },
        },
        "SyncResult": {
            "type": "object",
            "required": ["results", "checked_in"],
            "properties": {
                "checked_in": {"type": "integer", "description": "Checked in now, all doors together."},
                "results": {"type": "object", "additionalProperties": {
                    "type": "object", "required": ["outcome", "reason", "registration_id"],
                    "properties": {
                        "outcome": {"type": "string",
                                    "enum": ["admitted", "conflict", "not_valid", "undone", "ignored"]},
                        "reason": {"type": "string", "description": "For not_valid: the refusal's code."},
                        "registration_id": {"type": ["integer", "null"]},
                    }}},
            },
        },
    },
)
