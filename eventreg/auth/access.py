"""Who may do what: the one role decorator for pages, and how a session or an API token becomes a user."""

from functools import wraps

from flask import abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.extensions import db
from eventreg.models import User


def init_login(login_manager):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id):
        """The session holds "id:version"; a changed password or a deactivation ends old sessions."""
        user_pk, _, version = user_id.partition(":")
        if not user_pk.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_pk))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(req):
        """`Authorization: Bearer <token>` on the API: scanners and integrations have no session."""
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, plain = header.partition(" ")
        if scheme.lower() != "bearer" or not plain.strip():
            return None
        from eventreg.auth.services import user_for_api_token

        view = current_app.view_functions.get(req.endpoint)
        remembered = getattr(view, "checks_token_holder", False) and not g.get("token_read_afresh", False)
        holder = user_for_api_token(db.session, plain.strip(), remembered=remembered)
        g.via_api_token = holder is not None
        return holder


def role_required(role):
    """Pages for staff accounts: anonymous users go to the login page, lower roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from eventreg.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def checks_token_holder(view):
    """For an API view whose writing statement checks its user against the token's row (HOLDER_AS_SEEN, and
    HolderChanged otherwise): its bearer token may then be taken from this worker's memory, without a query."""
    view.checks_token_holder = True
    return view


def reload_user():
    """The request's user read again, a bearer token from the database and not from memory: after
    HolderChanged, or before a read that no statement of a `checks_token_holder` view checks."""
    g.token_read_afresh = True
    g.pop("_login_user", None)  # where Flask-Login keeps the request's user; the next use loads it again
    return current_user._get_current_object()


def via_api_token():
    """True when this request was authenticated by a bearer token (no cookie, so no CSRF to check)."""
    return g.get("via_api_token", False) and request.path.startswith("/api/")
