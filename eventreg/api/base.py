"""What every API endpoint shares: authorisation, CSRF for cookie sessions, JSON errors and bodies."""

from functools import wraps

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.api import bp
from eventreg.auth.access import via_api_token
from eventreg.extensions import csrf

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

csrf.exempt(bp)


class ApiError(Exception):
    """An API refusal: answered as {"error": code, "message": ..., "fields": {...}} with `status`."""

    def __init__(self, code, message, status=400, fields=None, **extra):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields
        self.extra = extra


@bp.errorhandler(ApiError)
def _api_error(error):
    body = {"error": error.code, "message": str(error.message)}
    if error.fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in error.fields.items()}
    body.update(error.extra)
    return jsonify(body), error.status


@bp.before_request
def _csrf_for_cookie_sessions():
    """A bearer token cannot be sent by a foreign page; a cookie can, so cookie writes need CSRF."""
    if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    current_user.is_authenticated  # noqa: B018  (loads the bearer token, if any)
    if via_api_token():
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        # A token was sent but is unknown or revoked: the answer is about the token, not a CSRF 400.
        raise ApiError("unauthorized", _("Log in or send a valid API token."), 401)
    csrf.protect()


def _authorised(user, role):
    """`user` if they may act as `role`: else 401 (no valid token or session) or 403 (a lower role)."""
    if not user.is_authenticated:
        raise ApiError("unauthorized", _("Log in or send a valid API token."), 401)
    if not user.has_role(role):
        raise ApiError("forbidden", _("Your role does not allow this."), 403)
    return user


def api_role_required(role):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            _authorised(current_user, role)
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def api_seminar_required(action, *, load=None):
    """API endpoints of one seminar: as `auth.access.seminar_required`, answered in JSON (401, 404, 403)."""
    from eventreg.auth.permissions import seminar_access
    from eventreg.extensions import db
    from eventreg.seminars.queries import seminar_or_404

    def unauthenticated():
        raise ApiError("unauthorized", _("Log in or send a valid API token."), 401)

    return seminar_access(action, load=load or (lambda slug: seminar_or_404(db.session, slug)),
                          unauthenticated=unauthenticated)


def json_body():
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("invalid_json", _("The request body must be a JSON object."))
    return data


def form_errors(form):
    """WTForms errors as the API's `fields` map."""
    return {name: list(messages) for name, messages in form.errors.items()}
