"""The OpenAPI 3.1 document, assembled from the parts each API module registers with `document`."""

import copy

_paths = {}
_schemas = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code, e.g. `full` or `unknown_code`."},
            "message": {"type": "string", "description": "A translated, human-readable explanation."},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}

ERROR_RESPONSES = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def document(paths=None, schemas=None):
    """Called by an API module at import: its paths and component schemas join the document."""
    for path, operations in (paths or {}).items():
        _paths.setdefault(path, {}).update(operations)
    _schemas.update(schemas or {})


def _error_response(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def build(server_url="/api/v1"):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "eventreg API",
            "version": "1.0.0",
            "description": "Seminars, registrations, door check-in and reports. Authenticate with "
            "`Authorization: Bearer <token>` (tokens are created on the profile page or with "
            "`flask --app eventreg create-token`), or with a login session plus the `X-CSRFToken` header "
            "for writes.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": copy.deepcopy(dict(sorted(_paths.items()))),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": copy.deepcopy(_schemas),
            "responses": {
                "BadRequest": _error_response("Malformed request or invalid fields."),
                "Unauthorized": _error_response("No valid session or API token."),
                "Forbidden": _error_response("The role of the caller does not allow this."),
                "NotFound": _error_response("No such resource."),
                "Conflict": _error_response("The request conflicts with the current state."),
            },
        },
    }
