"""The OpenAPI description of seminars."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.config import DEFAULT_TIMEZONE, LANGUAGES
from eventreg.models import AGENDA_KINDS, QUESTION_KINDS, SEMINAR_STATUSES
from eventreg.seminars.services import MAX_CONFIRMATION_HOURS

_DATETIME = {"type": "string", "format": "date-time"}
_NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
_INPUT_DATETIME = {
    "type": ["string", "null"],
    "description": "ISO 8601. Without an offset (`2026-09-13T10:00`) it is read in the seminar's `timezone`.",
}
_JSON = "application/json"
_CODES = ", ".join(f"`{code}`" for code in LANGUAGES)
_TRANSLATIONS = {"$ref": "#/components/schemas/Translations"}


def _text_input(max_length=None, description=""):
    """A translatable field in a request: a string (the text in the default language) or texts by language."""
    text = {"type": "string", **({"maxLength": max_length} if max_length else {})}
    return {
        "description": "A string is the text in the seminar's default language (after this request); an object "
        "such as `{\"en\": \"…\", \"ru\": \"…\"}` sets the languages it names (an empty string removes one, "
        "languages not named keep their text). A language the site does not offer is refused (400 `invalid`, "
        "the field named in `fields`) rather than lost. " + description,
        "oneOf": [text, {"type": "object", "propertyNames": {"enum": list(LANGUAGES)}, "additionalProperties": text}],
    }
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
        "/seminars/{slug}/days": {
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {
                "summary": "Add a day to a seminar (it is then checked in once a day).",
                "operationId": "createSeminarDay",
                "description": "Within the seminar's start and end, one day per date.",
                "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("SeminarDayInput")}}},
                "responses": {
                    "201": _body("SeminarDay", "The new day."),
                    "400": ERROR_RESPONSES["400"],
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
                },
            },
        },
        "/seminars/{slug}/sessions": {
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {
                "summary": "Add a session to one of the seminar's days.",
                "operationId": "createSeminarSession",
                "requestBody": {"required": True, "content": {_JSON: {"schema": _ref("SeminarSessionInput")}}},
                "responses": {
                    "201": _body("SeminarSession", "The new session."),
                    "400": ERROR_RESPONSES["400"],
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
                },
            },
        },
    },
    schemas={
        "SeminarDayInput": {
            "type": "object",
            "required": ["starts_at", "ends_at"],
            "properties": {"starts_at": _INPUT_DATETIME, "ends_at": _INPUT_DATETIME},
        },
        "SeminarSessionInput": {
            "type": "object",
            "required": ["title", "day_id", "starts_at", "ends_at"],
            "description": "Within its day's hours.",
            "properties": {
                "title": _text_input(300, "Required in the default language."),
                "day_id": {"type": "integer", "description": "One of `days[].id` of GET /seminars/{slug}."},
                "starts_at": _INPUT_DATETIME,
                "ends_at": _INPUT_DATETIME,
                "room": {"type": "string", "maxLength": 200},
                "capacity": {"type": ["integer", "null"], "minimum": 0, "description": "null or absent: open to "
                             "everyone registered; a number: people choose a place (`session_ids`)."},
            },
        },
        "SeminarSummary": {
            "type": "object",
            "required": ["slug", "title", "status", "timezone", "starts_at", "ends_at", "capacity", "seats_left",
                         "registration_state", "url", "default_language", "translations"],
            "properties": {
                "slug": {"type": "string"},
                "default_language": {"type": "string", "enum": list(LANGUAGES),
                                     "description": "The language of the text fields (title, venue...): shown "
                                     "wherever a translation is missing."},
                "translations": {**_TRANSLATIONS, "description": "title, venue and address in every language "
                                 "written (the list); with description as well (one seminar)."},
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
        "Translations": {
            "type": "object",
            "description": "A text field in every language it is written in, the default language's included: "
            "`{\"title\": {\"en\": \"…\", \"ru\": \"…\"}}`. A language missing from a field reads the "
            "default language's text.",
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": list(LANGUAGES)},
                "additionalProperties": {"type": "string"},
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
                        "days": {"type": "array", "items": _ref("SeminarDay"),
                                 "description": "A seminar over several days: each day with its hours and "
                                 "sessions, in order; empty for a seminar checked in once."},
                        "questions": {"type": "array", "items": _ref("SeminarQuestion"),
                                      "description": "The signup form's own questions, in order: the visible "
                                      "ones; the seminar's team sees the hidden ones too."},
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
                "translations": {**_TRANSLATIONS, "description": "title and description in every language."},
                "speakers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            **{name: {"type": "string"} for name in
                               ("honorific", "name", "position", "affiliation", "bio")},
                            "translations": {**_TRANSLATIONS, "description": "name, position, affiliation and bio "
                                             "in every language (the honorific is the same in all)."},
                        },
                    },
                },
            },
        },
        "SeminarDay": {
            "type": "object",
            "required": ["id", "starts_at", "ends_at", "sessions"],
            "properties": {
                "id": {"type": "integer"},
                "starts_at": _DATETIME,
                "ends_at": _DATETIME,
                "sessions": {"type": "array", "items": _ref("SeminarSession")},
            },
        },
        "SeminarSession": {
            "type": "object",
            "required": ["id", "title", "translations", "room", "starts_at", "ends_at", "capacity", "places_left"],
            "properties": {
                "id": {"type": "integer", "description": "What `session_ids` names when registering."},
                "title": {"type": "string"},
                "translations": {**_TRANSLATIONS, "description": "The title in every language."},
                "room": {"type": "string"},
                "starts_at": _DATETIME,
                "ends_at": _DATETIME,
                "capacity": {"type": ["integer", "null"], "description": "null: open to everyone registered, no "
                             "place to choose."},
                "places_left": {"type": ["integer", "null"], "description": "null: no capacity."},
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
                "translations": {**_TRANSLATIONS, "description": "The label in every language."},
            },
        },
        "SeminarQuestion": {
            "type": "object",
            "required": ["key", "kind", "label", "help_text", "required", "choices", "categories", "hidden"],
            "properties": {
                "key": {"type": "string", "description": "The key of its answer in `answers`."},
                "kind": {"type": "string", "enum": list(QUESTION_KINDS)},
                "label": {"type": "string"},
                "help_text": {"type": "string"},
                "required": {"type": "boolean"},
                "choices": {"type": "array", "items": {"type": "object", "required": ["key", "label"], "properties": {
                    "key": {"type": "string"}, "label": {"type": "string"}}}},
                "min_value": {"type": ["integer", "null"]},
                "max_value": {"type": ["integer", "null"]},
                "categories": {"type": "array", "items": {"type": "string"},
                               "description": "Keys of the categories asked; empty: everyone."},
                "hidden": {"type": "boolean"},
                "translations": {"type": "object", "description": "Other languages: {\"label\": {\"ru\": ...}, "
                                 "\"help_text\": {...}, \"choices\": {\"ru\": {choice key: label}}}."},
            },
        },
        "SeminarInput": {
            "type": "object",
            "additionalProperties": False,
            "description": "Creating needs title, starts_at and ends_at; the slug is made from the title (its "
            "English one, if given) when absent. The same rules as the organizer's form: a title in the default "
            "language, ends_at after starts_at, registration_closes_at no later than ends_at, capacity not below "
            "the people already confirmed, slug free.",
            "properties": {
                "default_language": {
                    "type": "string",
                    "description": f"One of {_CODES}: the language of the text fields, shown wherever a translation "
                    "is missing. Changing it moves each text to its language (the programme's, speakers' and "
                    "categories' too; where these have no text in the new language they keep the old one). An "
                    "unknown code is ignored: the seminar keeps its language, a new one gets the site's default.",
                },
                "title": _text_input(300, "Required in the default language."),
                "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 120},
                "description": _text_input(20000),
                "organizer_name": {"type": "string"},
                "venue": _text_input(300),
                "address": _text_input(500),
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
