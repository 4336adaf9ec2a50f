"""The OpenAPI description of the door's search."""

from eventreg.api.spec.checkins import DAY_PARAMETERS
from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.checkin.services import SEARCH_LIMIT

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/search": {
            "get": {
                "summary": "Find people at the door by any spelling of their name, e-mail or organization.",
                "description": "Only while the seminar's check-in window is open (organizers and admins: at "
                "any time); at least 3 letters or one Chinese character; at most 10 people, confirmed first, "
                "then alphabetical in the request's language; e-mail addresses only as a masked hint. Every "
                "search is counted per account and hour, and limited per account (429 when exceeded). With `day` (or "
                "`session`) on a seminar of several days, `checked_in_at` and `gate` are those of that day.",
                "operationId": "searchPeopleAtTheDoor",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
                     "description": "Words in any order and script: `Aliya`, `Ибрагимов Жамаладен`, `wang fang`, "
                     "`王` (only the first 200 characters are read)."},
                    *DAY_PARAMETERS,
                ],
                "responses": {
                    "200": {"description": "The people found (perhaps none).", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/DoorSearchResult"}}}},
                    **ERROR_RESPONSES,
                },
            }
        },
    },
    schemas={
        "DoorSearchResult": {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "maxItems": SEARCH_LIMIT, "items": {
                "type": "object",
                "required": ["id", "full_name", "organization", "category", "email_hint", "status", "checked_in_at",
                             "gate"],
                "properties": {
                    "id": {"type": "integer", "description": "Check in with `registration_id`."},
                    "full_name": {"type": "string"},
                    "organization": {"type": "string"},
                    "category": {"type": "string"},
                    "email_hint": {"type": "string", "description": "Masked: `a•••@enu.kz`."},
                    "status": {"type": "string",
                               "enum": ["pending", "confirmed", "waitlisted", "cancelled", "rejected"]},
                    "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
                    "gate": {"type": ["string", "null"]},
                },
            }}},
        },
    },
)
