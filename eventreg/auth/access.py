"""Who may do what: the one role decorator for pages, and how a session or an API token becomes a user."""

from functools import wraps

from flask import abort, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from eventreg.extensions import db

# What each refused account change says, on the account pages and when an invitation makes an account.
ACCOUNT_REFUSALS = {
    "email_taken": _l("An account with this e-mail already exists."),
    "password_too_short": _l("The password is too short."),
    "password_is_email": _l("The password must not be or contain the account's e-mail address."),
    "password_repetitive": _l("The password repeats a few characters or runs in sequence (like 1234567890): "
                              "choose one that is harder to guess."),
    "password_common": _l("This is one of the commonest passwords, tried first by anyone guessing: choose "
                          "another."),
    "bad_role": _l("Unknown role."),
    "last_admin": _l("This is the last active administrator; make someone else an administrator first."),
    "not_on_team": _l("You are not on this seminar's team."),
    "role_too_high": _l("This role allows more than you may do on this seminar."),
    "expiry_past": _l("This day has passed already."),
}


def log_in(user, *, remember=False):
    """A new server-side login for `user`, committed, then the cookies that name it. The CSRF token is
    replaced: one planted or read before the login must not carry over into the staff session."""
    from eventreg.auth.services import start_session

    start_session(db.session, user)
    db.session.commit()
    session.pop("csrf_token", None)
    login_user(user, remember=remember)


def init_login(login_manager):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id):
        """The cookie holds "id:version:key": honoured only while that login is live on the server."""
        from eventreg.auth.services import user_of_session

        return user_of_session(db.session, user_id)

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

        holder = user_for_api_token(db.session, plain.strip())
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


def seminar_required(action):
    """Pages of one seminar: the seminar loaded by its slug and `permissions.can(user, action, seminar)` asked
    (404 to anyone not on its team, 403 to a member whose role does not allow it); the view gets `seminar`."""
    from eventreg.auth.permissions import seminar_access
    from eventreg.extensions import login_manager
    from eventreg.seminars.queries import seminar_or_404

    return seminar_access(action, load=lambda slug: seminar_or_404(db.session, slug),
                          unauthenticated=login_manager.unauthorized)


def via_api_token():
    """True when this request was authenticated by a bearer token (no cookie, so no CSRF to check)."""
    return g.get("via_api_token", False) and request.path.startswith("/api/")
