"""The OpenAPI description of me."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.models import ROLES

FRAGMENT = dict(
    paths={
        "/me": {
            "get": {
                "summary": "The caller's account (checks a token).",
                "operationId": "getMe",
                "responses": {
                    "200": {
                        "description": "The authenticated user.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}},
                    },
                    "401": ERROR_RESPONSES["401"],
                },
            }
        },
    },
    schemas={
        "Me": {
            "type": "object",
            "required": ["id", "email", "name", "role"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "name": {"type": "string"},
                "role": {"type": "string", "enum": list(ROLES)},
            },
        }
    },
)
