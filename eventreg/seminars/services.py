"""Seminar rules: what the public sees, the organizer's list."""

from flask import abort
from sqlalchemy import case, func, select

from eventreg.models import Registration, Seminar


def upcoming_public(session, now):
    return session.scalars(
        select(Seminar)
        .where(Seminar.status.in_(("published", "closed", "cancelled")), Seminar.ends_at > now)
        .order_by(Seminar.starts_at)
    ).all()


def past_public(session, now):
    return session.scalars(
        select(Seminar)
        .where(Seminar.status.in_(("published", "closed")), Seminar.ends_at <= now)
        .order_by(Seminar.starts_at.desc())
    ).all()


def dashboard_rows(session, now):
    """Every seminar with its live counts, drafts first, then upcoming, then past: one query."""
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
    rows = session.execute(
        select(
            Seminar,
            func.coalesce(counts.c.confirmed, 0),
            func.coalesce(counts.c.waitlisted, 0),
            func.coalesce(counts.c.pending, 0),
            func.coalesce(counts.c.checked_in, 0),
        )
        .outerjoin(counts, counts.c.seminar_id == Seminar.id)
        .add_columns(group.label("group"))
        .order_by(group, Seminar.starts_at)
    ).all()
    drafts_and_upcoming = [row for row in rows if row.group < 2]
    past = [row for row in rows if row.group == 2]
    return drafts_and_upcoming + past[::-1]


def visible_seminar(session, slug, *, viewer):
    """The seminar at this slug as `viewer` may see it; drafts exist only for organizers."""
    seminar = session.scalar(select(Seminar).where(Seminar.slug == slug))
    if seminar is None:
        abort(404)
    if seminar.status == "draft" and not (viewer.is_authenticated and viewer.has_role("organizer")):
        abort(404)
    return seminar
