"""The OpenAPI description of reports."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.api.spec.registrations import ANSWERS_OUT
from eventreg.models import REGISTRATION_STATUSES, STUDY_LEVELS
from eventreg.reports import exports, services

_JSON = "application/json"
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_FILTERS = [
    {"name": "status", "in": "query", "required": False, "description": "Only registrations with this status.",
     "schema": {"type": "string", "enum": list(REGISTRATION_STATUSES)}},
    {"name": "category", "in": "query", "required": False, "description": "Only this category (its key).",
     "schema": {"type": "string"}},
]
_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": "string"}

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/registrations": {
            "get": {
                "summary": "The seminar's registrations, filtered and paginated (organizers and admins).",
                "description": "Every page read is recorded in the audit trail, like an export.",
                "operationId": "listRegistrations",
                "parameters": [_SLUG, *_FILTERS,
                               {"name": "page", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1, "maximum": services.MAX_PAGE,
                                           "default": 1}},
                               {"name": "per_page", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1, "maximum": services.MAX_PER_PAGE,
                                           "default": services.PER_PAGE}}],
                "responses": {
                    "200": {"description": "One page of registrations, ordered by name.",
                            "content": {_JSON: {"schema": {"$ref": "#/components/schemas/RegistrationPage"}}}},
                    **ERROR_RESPONSES,
                },
            }
        },
        "/seminars/{slug}/exports/{list}.{format}": {
            "get": {
                "summary": "Download a list: attendance, registrations (filterable), no-shows or a university's roll "
                "(its confirmed students and whether each came), as CSV, XLSX or PDF.",
                "description": "CSV is UTF-8 with a BOM, every field quoted; a quote goes before every character "
                "that could start a formula (at the start of a cell, or after a separator or line break in it). "
                "A PDF holds at most 5,000 rows (`too_long_for_pdf` beyond). Every export "
                "is recorded in the audit trail.",
                "operationId": "exportList",
                "parameters": [
                    _SLUG,
                    {"name": "list", "in": "path", "required": True,
                     "schema": {"type": "string", "enum": list(exports.LISTS)}},
                    {"name": "format", "in": "path", "required": True,
                     "schema": {"type": "string", "enum": list(exports.FORMATS)}},
                    *_FILTERS,
                    {"name": "sort", "in": "query", "required": False, "description": "Attendance list order.",
                     "schema": {"type": "string", "enum": list(exports.SORTS), "default": "name"}},
                    {"name": "sep", "in": "query", "required": False,
                     "description": "The CSV's separator: `semicolon` for Excel in Russian, Kazakh and other locales "
                     "whose decimal mark is a comma.",
                     "schema": {"type": "string", "enum": list(exports.SEPARATORS), "default": "comma"}},
                    {"name": "university", "in": "query", "required": False,
                     "description": "The university whose roll is asked for (required by `university-roll`), as its "
                     "students wrote it.",
                     "schema": {"type": "string", "maxLength": services.UNIVERSITY_MAX}},
                ],
                "responses": {
                    "200": {"description": "The file, as an attachment.", "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        exports.XLSX_MIMETYPE: {"schema": {"type": "string", "contentEncoding": "binary"}},
                        "application/pdf": {"schema": {"type": "string", "contentEncoding": "binary"}},
                    }},
                    **ERROR_RESPONSES,
                },
            }
        },
    },
    schemas={
        "RegistrationRow": {
            "type": "object",
            "required": ["id", "full_name", "email", "status", "category", "category_label", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "full_name": _TEXT, "email": _TEXT, "phone": _TEXT, "organization": _TEXT, "position": _TEXT,
                "category": {"type": "string", "description": "The category's key."},
                "category_label": _TEXT,
                "status": {"type": "string", "enum": list(REGISTRATION_STATUSES)},
                "source": _TEXT, "language": _TEXT, "university": _TEXT, "programme": _TEXT,
                "study_level": {"type": ["string", "null"], "enum": [*STUDY_LEVELS, None]},
                "study_year": {"type": ["integer", "null"]},
                "created_at": {"type": "string", "format": "date-time"},
                "confirmed_at": _TIME, "cancelled_at": _TIME, "checked_in_at": _TIME,
                "checked_in_gate": {"type": ["string", "null"]},
                "answers": {**ANSWERS_OUT, "description": "Every question of the seminar by its key, null when "
                            "unanswered: " + ANSWERS_OUT["description"]},
                "days": {
                    "type": "array",
                    "description": "Only for a seminar over several days: each day in order, with the person's "
                    "check-in that day (null: not checked in that day). `checked_in_at` above is the first arrival.",
                    "items": {"type": "object", "required": ["number", "date", "checked_in_at"],
                              "additionalProperties": False,
                              "properties": {"number": {"type": "integer", "minimum": 1},
                                             "date": {"type": "string", "format": "date",
                                                      "description": "In the seminar's time zone."},
                                             "checked_in_at": _TIME}},
                },
                "sessions": {
                    "type": "array",
                    "description": "Only for a seminar over several days: each session in order, with the "
                    "person's check-in there.",
                    "items": {"type": "object", "required": ["id", "title", "day", "has_place", "checked_in_at"],
                              "additionalProperties": False,
                              "properties": {"id": {"type": "integer"}, "title": _TEXT,
                                             "day": {"type": "integer", "minimum": 1,
                                                     "description": "The number of its day."},
                                             "has_place": {"type": ["boolean", "null"],
                                                           "description": "Holds a place in the session; null for a "
                                                           "session without a capacity (open to everyone "
                                                           "confirmed)."},
                                             "checked_in_at": _TIME}},
                },
            },
        },
        "RegistrationPage": {
            "type": "object",
            "required": ["items", "page", "per_page", "total", "pages"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/RegistrationRow"}},
                "page": {"type": "integer"}, "per_page": {"type": "integer"},
                "total": {"type": "integer"}, "pages": {"type": "integer"},
            },
        },
    },
)
