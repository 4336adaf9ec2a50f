"""Who may do what on a seminar: the one place that decides.

A seminar's team gives each member one role on that seminar; the site administrator may do everything on every
seminar. An API token may narrow both: to one seminar (`token_seminar_id`) and to a role (`token_role`), so what a
token may do is what its account may do AND what the token's role allows. Nothing here is remembered between
requests: a removed member or a revoked token loses access at the next request.
"""

from functools import wraps

from flask import abort, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import object_session

from eventreg.extensions import db
from eventreg.models import SeminarMember

# The table: what each seminar role may do. Read it as "a door member may check_in and see_counts".
#  see_counts     live counts of arrivals, and the live view without names (no personal data)
#  see_report     the report's figures and its summary PDF (no personal data)
#  check_in       the scanner, manual search and walk-ins of that seminar
#  edit           the seminar's content, programme, speakers, categories, status, duplicating it
#  registrations  the people: lists, adding, editing, approving, importing, messages
#  export         lists and sign-in sheets leaving the system (CSV, XLSX, PDF)
#  badges         badge PDFs of any confirmed people, their tickets' QR codes included (the door prints a walk-in's
#                 badge under check_in: eventreg/badges/services.py)
#  team           adding, changing and removing members, invitations
#  audit          the seminar's audit entries
#  erase          erasing personal data
#  certificates   certificate settings, issuing, revoking and downloading certificates of attendance
#  live           the live view's names: the last arrivals at every gate and the VIPs who came
ACTIONS = ("see_counts", "see_report", "check_in", "edit", "registrations", "export", "badges", "team", "audit",
           "erase", "certificates", "live")
ROLE_ACTIONS = {
    "owner": frozenset(ACTIONS),
    "organizer": frozenset({"see_counts", "see_report", "check_in", "edit", "registrations", "export", "badges",
                            "certificates", "live"}),
    "door": frozenset({"see_counts", "check_in"}),
    "viewer": frozenset({"see_counts", "see_report"}),
}
NOTHING = frozenset()
NO_SUCH_SEMINAR = _l("No such seminar.")


def member_role(session, user_id, seminar_id):
    """The role of this account on this seminar's team, or None."""
    return session.scalar(select(SeminarMember.role).where(SeminarMember.seminar_id == seminar_id,
                                                           SeminarMember.user_id == user_id))


def allowed_actions(session, user, seminar):
    """Everything `user` (a logged-in User, a token's holder, or anonymous) may do on `seminar`: empty when they are
    not on its team, which callers answer with 404."""
    if user is None or not user.is_authenticated:
        return NOTHING
    scope = getattr(user, "token_seminar_id", None)
    if scope is not None and scope != seminar.id:
        return NOTHING
    if user.role == "admin":
        actions = ROLE_ACTIONS["owner"]
    else:
        actions = ROLE_ACTIONS.get(member_role(session, user.id, seminar.id), NOTHING)
    token_role = getattr(user, "token_role", None)
    return actions & ROLE_ACTIONS[token_role] if token_role else actions


def can(user, action, seminar, *, session=None):
    """May `user` do `action` on `seminar`? `session` defaults to the seminar's own."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in allowed_actions(session or object_session(seminar), user, seminar)


def may_create_seminars(user):
    """The site right to create seminars (whose owner the creator becomes); a token limited to a seminar or a
    role does not carry it."""
    return (user.is_authenticated and user.has_role("organizer") and getattr(user, "token_seminar_id", None) is None
            and getattr(user, "token_role", None) is None)


def seminar_access(action, *, load, unauthenticated):
    """The decorator behind every view of one seminar: `load(slug)` finds the seminar (404 if none), anyone not on
    its team gets the very same 404 (its existence is not revealed), a member whose role does not allow `action`
    gets 403, and the view is called with the seminar instead of the slug. `unauthenticated()` answers anonymous
    visitors (the login page, or the API's 401). The app's error handler writes the page or the JSON."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, slug, **kwargs):
            user = current_user._get_current_object()
            if not user.is_authenticated:
                return unauthenticated()
            seminar = load(slug)
            actions = allowed_actions(db.session, user, seminar)
            if not actions:
                abort(404, NO_SUCH_SEMINAR)
            if action not in actions:
                abort(403)
            g.seminar_actions = actions  # for this request's templates only (which buttons to show)
            return view(*args, seminar=seminar, **kwargs)

        wrapped.seminar_action = action
        return wrapped

    return decorator


def request_may(action):
    """In a view of one seminar or its template: may the current user do `action` there? What seminar_access
    read for this request (one membership query a request, never kept beyond it)."""
    return action in g.get("seminar_actions", NOTHING)
