"""Check-in rules at the door."""

from sqlalchemy import select

from eventreg.models import Seminar


def seminars_at_the_door(session, now):
    """Published seminars whose check-in window is open now or opens within a day (for staff to pick)."""
    candidates = session.scalars(
        select(Seminar).where(Seminar.status.in_(("published", "closed")), Seminar.ends_at > now)
        .order_by(Seminar.starts_at)
    ).all()
    return [s for s in candidates if (s.checkin_window()[0] - now).total_seconds() < 24 * 3600]
