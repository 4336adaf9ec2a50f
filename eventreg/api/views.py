"""The API's own endpoints; each feature adds its endpoints in a module of this package."""

from flask import jsonify, request
from flask_login import current_user

# Each feature's module registers its routes on `bp` when imported.
from eventreg.api import bp, checkins, openapi, registrations, reports, seminars  # noqa: F401
from eventreg.api.base import api_role_required

openapi.document(
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
                    "401": openapi.ERROR_RESPONSES["401"],
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
                "role": {"type": "string", "enum": ["staff", "organizer", "admin"]},
            },
        }
    },
)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.build(request.script_root + "/api/v1"))


@bp.get("/me")
@api_role_required("staff")
def me():
    return jsonify(id=current_user.id, email=current_user.email, name=current_user.name, role=current_user.role)
