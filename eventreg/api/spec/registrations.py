"""The OpenAPI description of registrations."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.models import STUDY_LEVELS

# One answer to one of the seminar's questions (GET /seminars/{slug} lists them with their keys and choices).
ANSWER = {"type": ["string", "number", "boolean", "array", "null"], "items": {"type": "string"}}
ANSWERS_OUT = {
    "type": "object", "additionalProperties": ANSWER,
    "description": "By question key: text, a date (YYYY-MM-DD), a choice's key, a list of choice keys, true for a "
    "ticked box, a number.",
}

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/registrations": {
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {
                "summary": "Register one person (organizer or admin).",
                "operationId": "createRegistration",
                "description": "Confirmed while seats remain in the seminar and the category's quota, else "
                "waitlisted (or 409 `full` with `\"waitlist\": false` or when the seminar has no waiting list). "
                "The person receives the same e-mail as after the public form.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/RegistrationInput"}}}},
                "responses": {
                    "201": {"description": "The registration.", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/RegistrationCreated"}}}},
                    "400": ERROR_RESPONSES["400"],
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
                    "409": {"$ref": "#/components/responses/Conflict"},
                },
            },
        },
    },
    schemas={
        "RegistrationInput": {
            "type": "object",
            "required": ["full_name", "email"],
            "properties": {
                "full_name": {"type": "string", "minLength": 2, "maxLength": 200},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "category": {"type": "string", "description": "The category key, e.g. `student`."},
                "category_id": {"type": "integer", "description": "Alternative to `category`."},
                "phone": {"type": "string"},
                "organization": {"type": "string", "maxLength": 300},
                "position": {"type": "string", "maxLength": 300},
                "language": {"type": "string", "enum": ["en", "ru", "kk", "zh"]},
                "consent_data": {"type": "boolean"},
                "consent_photos": {"type": "boolean"},
                "university": {"type": "string", "description": "Required for a student category."},
                "programme": {"type": "string", "description": "Required for a student category."},
                "study_level": {"type": "string", "enum": list(STUDY_LEVELS)},
                "study_year": {"type": "integer", "minimum": 1, "maximum": 10},
                "answers": {
                    "type": "object", "additionalProperties": ANSWER,
                    "description": "Answers to the seminar's questions by question key, checked as on the signup "
                    "form: a choice by its key (several as a list), a ticked box as true, a date as YYYY-MM-DD, a "
                    "number within the question's range. A required question asked of the person's category must "
                    "be answered; answers to questions not asked of that category are ignored; an unknown key is "
                    "refused. Problems come back in `fields` as `answers.<key>`.",
                },
                "session_ids": {
                    "type": "array", "items": {"type": "integer"},
                    "description": "Places in the seminar's sessions with a capacity (`days[].sessions[].id` of "
                    "GET /seminars/{slug}), all or none: a full one refuses the registration (400 `invalid`, "
                    "`fields.session_ids`).",
                },
                "waitlist": {"type": "boolean", "default": True,
                             "description": "false: refuse with `full` instead of waitlisting."},
                "ignore_window": {"type": "boolean", "default": False,
                                  "description": "Register even outside the registration window."},
            },
        },
        "RegistrationCreated": {
            "type": "object",
            "required": ["id", "status", "email", "category", "ticket_url"],
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": ["confirmed", "waitlisted", "pending"]},
                "email": {"type": "string", "description": "As stored: lower case."},
                "category": {"type": "string"},
                "ticket_url": {"type": "string", "description": "The ticket page; the token in it is the key."},
                "answers": {**ANSWERS_OUT, "description": "The answers kept, by question key."},
                "session_ids": {"type": "array", "items": {"type": "integer"},
                                "description": "The sessions the person has a place in."},
            },
        },
    },
)
