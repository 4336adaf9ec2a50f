"""What people see of seminars: the public lists, the organizer's dashboard, who may open which seminar.
Reads only; the rules that change seminars are in services.py."""

import re

from flask import abort
from sqlalchemy import and_, case, func, select

from eventreg.auth import permissions
from eventreg.models import Registration, Seminar, SeminarMember


def upcoming_public(session, now):
    return session.scalars(
        select(Seminar)
        .where(Seminar.status.in_(("published", "closed", "cancelled")), Seminar.ends_at > now)
        .order_by(Seminar.starts_at, Seminar.id)
    ).all()


def past_public(session, now):
    return session.scalars(
        select(Seminar)
        .where(Seminar.status.in_(("published", "closed")), Seminar.ends_at <= now)
        .order_by(Seminar.starts_at.desc(), Seminar.id.desc())
    ).all()


def listed_seminars(session, *, viewer):
    """Every seminar the caller may see, soonest first (the API list): drafts only of the viewer's teams."""
    seminars = session.scalars(select(Seminar).order_by(Seminar.starts_at, Seminar.id)).all()
    return [s for s in seminars if s.status != "draft" or on_team(session, viewer, s)]


def dashboard_rows(session, now, user):
    """The seminars `user` is on the team of (an administrator: all), with their role there and live counts,
    drafts first, then upcoming, then past: one query."""
    counts = (
        select(
            Registration.seminar_id,
            func.count().filter(Registration.status == "confirmed").label("confirmed"),
            func.count().filter(Registration.status == "waitlisted").label("waitlisted"),
            func.count().filter(Registration.status == "pending").label("pending"),
            func.count(Registration.checked_in_at).label("checked_in"),
        )
        .group_by(Registration.seminar_id)
        .subquery()
    )
    group = case((Seminar.status == "draft", 0), (Seminar.ends_at > now, 1), else_=2)
    mine = and_(SeminarMember.seminar_id == Seminar.id, SeminarMember.user_id == user.id)
    admin = user.role == "admin"
    query = (
        select(
            Seminar,
            func.coalesce(counts.c.confirmed, 0),
            func.coalesce(counts.c.waitlisted, 0),
            func.coalesce(counts.c.pending, 0),
            func.coalesce(counts.c.checked_in, 0),
        )
        .outerjoin(counts, counts.c.seminar_id == Seminar.id)
        .join(SeminarMember, mine, isouter=admin)
        .add_columns(group.label("group"), func.coalesce(SeminarMember.role, "owner").label("role"))
        .order_by(group, Seminar.starts_at)
    )
    rows = session.execute(query).all()
    drafts_and_upcoming = [row for row in rows if row.group < 2]
    past = [row for row in rows if row.group == 2]
    return drafts_and_upcoming + past[::-1]


def on_team(session, viewer, seminar):
    """Is `viewer` on this seminar's team (or an administrator)? They see its draft and its hidden categories."""
    return bool(permissions.allowed_actions(session, viewer, seminar))


def seminar_or_404(session, slug, *, public=False):
    """The seminar at `slug`, or a 404 (a JSON one on the API). `public=True`: as the public and the door see
    it, where drafts do not exist."""
    seminar = session.scalar(select(Seminar).where(Seminar.slug == slug))
    if seminar is None or (public and seminar.status == "draft"):
        abort(404, permissions.NO_SUCH_SEMINAR)
    return seminar


def visible_seminar(session, slug, *, viewer):
    """The seminar at `slug` as `viewer` may see it: a draft exists only for its team."""
    seminar = seminar_or_404(session, slug)
    if seminar.status == "draft" and not on_team(session, viewer, seminar):
        abort(404, permissions.NO_SUCH_SEMINAR)
    return seminar


# What a seminar's slug can look like: anything else in a URL names none and is not looked up (a NUL in it would
# even fail in the driver, while the error page asks for its language).
_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,120}$")


def seminar_language(session, slug):
    """The default language of the seminar at `slug`, which its pages fall back to; None for an unknown one."""
    if not isinstance(slug, str) or _SLUG.match(slug) is None:
        return None
    with session.no_autoflush:  # asked in the middle of any view: it must not write what the view has pending
        return session.scalar(select(Seminar.default_language).where(Seminar.slug == slug))


def part_or_404(session, model, part_id, seminar):
    """An agenda item, speaker or category of this seminar (never another seminar's)."""
    part = session.get(model, part_id)
    if part is None or part.seminar_id != seminar.id:
        abort(404)
    return part
