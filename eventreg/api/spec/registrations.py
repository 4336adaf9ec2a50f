"""The OpenAPI description of registrations."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.models import STUDY_LEVELS

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
            },
        },
    },
)
