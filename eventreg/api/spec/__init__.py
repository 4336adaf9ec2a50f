"""The OpenAPI 3.1 document, assembled from one fragment per feature (kept out of the route modules)."""

import copy

from eventreg.api.spec import certificates, checkins, live, me, offline, registrations, reports, search, seminars

FRAGMENTS = (certificates.FRAGMENT, checkins.FRAGMENT, live.FRAGMENT, me.FRAGMENT, offline.FRAGMENT,
             registrations.FRAGMENT, reports.FRAGMENT, search.FRAGMENT, seminars.FRAGMENT)

_COMMON_SCHEMAS = {
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


def _merged():
    paths, schemas = {}, dict(_COMMON_SCHEMAS)
    for fragment in FRAGMENTS:
        for path, operations in fragment.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
        schemas.update(fragment.get("schemas", {}))
    return paths, schemas


def _error_response(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


WRITE_METHODS = ("post", "put", "patch", "delete")
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,100}$"},
    "description": "Any 1 to 100 printable ASCII characters, unique per intended change (a UUID will do). Sent "
    "again with the same request after a lost answer, it returns the first answer (with the header "
    "`Idempotent-Replayed: true`) instead of making the change twice. Kept for a day, per caller. The same key "
    "on another request: 422 `idempotency_key_reused`; while the first request is still being answered: 409 "
    "`idempotency_key_in_use`; a malformed key: 400 `invalid_idempotency_key`.",
}


def _with_idempotency_keys(paths):
    """Every write accepts the key (eventreg/api/idempotency.py claims it before any view runs)."""
    for operations in paths.values():
        for method in WRITE_METHODS:
            if method in operations:
                operation = operations[method]
                operation["parameters"] = [*operation.get("parameters", []),
                                           {"$ref": "#/components/parameters/IdempotencyKey"}]
                operation["responses"].setdefault("422", _error_response("The Idempotency-Key was used for "
                                                                         "another request."))
                operation["responses"].setdefault("409", {"$ref": "#/components/responses/Conflict"})
                operation["responses"].setdefault("400", {"$ref": "#/components/responses/BadRequest"})
    return paths


def build(server_url="/api/v1"):
    paths, schemas = copy.deepcopy(_merged())
    paths = _with_idempotency_keys(paths)
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
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": schemas,
            "parameters": {"IdempotencyKey": IDEMPOTENCY_KEY},
            "responses": {
                "BadRequest": _error_response("Malformed request or invalid fields."),
                "Unauthorized": _error_response("No valid session or API token."),
                "Forbidden": _error_response("The role of the caller does not allow this."),
                "NotFound": _error_response("No such resource."),
                "Conflict": _error_response("The request conflicts with the current state."),
            },
        },
    }
