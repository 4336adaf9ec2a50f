"""The API's own endpoints; each feature adds its endpoints in a module of this package."""

from flask import jsonify, request
from flask_login import current_user

# Each feature's module registers its routes on `bp` when imported.
from eventreg.api import (  # noqa: F401
    bp,
    certificates,
    checkins,
    idempotency,  # after checkins (and so base): a key is claimed once CSRF has passed
    live,
    offline,
    registrations,
    reports,
    search,
    seminars,
    spec,
)
from eventreg.api.base import api_role_required


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(spec.build(request.script_root + "/api/v1"))


@bp.get("/me")
@api_role_required("staff")
def me():
    return jsonify(id=current_user.id, email=current_user.email, name=current_user.name, role=current_user.role)
