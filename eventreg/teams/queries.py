"""Reads about teams that other features need (the profile's token form)."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from eventreg.models import Seminar, SeminarMember


def seminars_of(session, user):
    """The seminars whose team `user` is on (an administrator: every seminar), soonest last."""
    query = select(Seminar).order_by(Seminar.starts_at.desc(), Seminar.id)
    if user.role != "admin":
        query = query.join(SeminarMember, SeminarMember.seminar_id == Seminar.id).where(
            SeminarMember.user_id == user.id)
    return session.scalars(query).all()


def end_of_day(day, seminar=None):
    """When something given "until <day>" stops: the end of that day where the seminar happens (else UTC)."""
    zone = seminar.zone if seminar is not None else UTC
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
