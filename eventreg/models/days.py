"""Seminars over several days, and sessions (issue #23 item 4).

A seminar without days is one stretch of time, and its check-in is the registration's `checked_in_at`, as
always. A seminar with days is checked in per day (and per session): one `Attendance` row each, which the
database keeps unique, while the registration's `checked_in_at` says when the person first arrived on any day
(so "attended", the live view and "did not come" read one column for every seminar).
"""

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, utcnow
from eventreg.models.seminar import Seminar, translations_column

DAY_ROW_SQL = "session_id IS NULL"
SESSION_ROW_SQL = "session_id IS NOT NULL"


class SeminarDay(db.Model):
    """One day of a seminar: its hours, within the seminar's own start and end. Its door opens the seminar's
    `checkin_opens_minutes` before it starts and closes when it ends."""

    __tablename__ = "seminar_day"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    seminar: Mapped[Seminar] = relationship(back_populates="days")
    sessions: Mapped[list["SeminarSession"]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="(SeminarSession.starts_at, SeminarSession.id)"
    )

    def checkin_window(self):
        return self.starts_at - timedelta(minutes=self.seminar.checkin_opens_minutes), self.ends_at

    @property
    def local_date(self):
        return self.seminar.local(self.starts_at).date()


# Read with the seminar's own row, so the door's hot path learns which rule applies without another query.
Seminar.has_days = column_property(select(SeminarDay.id).where(SeminarDay.seminar_id == Seminar.id).exists())


class SeminarSession(db.Model):
    """A part of one day that people may attend on its own (a workshop, a parallel panel). With a `capacity`,
    a place must be taken (at signup or later) and only those with a place are let in; without one, every
    confirmed registration may enter."""

    __tablename__ = "seminar_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("places_taken >= 0 AND (capacity IS NULL OR places_taken <= capacity)", name="places"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("seminar_day.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    room: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    places_taken: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict] = translations_column()

    day: Mapped[SeminarDay] = relationship(back_populates="sessions")
    seminar: Mapped[Seminar] = relationship()

    @property
    def places_left(self):
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)

    @property
    def needs_place(self):
        return self.capacity is not None


class SessionPlace(db.Model):
    """A registration's place in a session with a capacity. Counted in `SeminarSession.places_taken` by the
    same conditional UPDATE that keeps a seminar's seats (eventreg/seminars/days.py)."""

    __tablename__ = "session_place"

    session_id: Mapped[int] = mapped_column(ForeignKey("seminar_session.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(db.Model):
    """A registration checked in on a day (session_id NULL) or at a session of that day. One of each at most:
    two doors scanning one ticket on one day get one row between them (the partial unique indexes)."""

    __tablename__ = "attendance"
    __table_args__ = (
        Index("uq_attendance_day", "registration_id", "day_id", unique=True,
              sqlite_where=text(DAY_ROW_SQL), postgresql_where=text(DAY_ROW_SQL)),
        Index("uq_attendance_session", "registration_id", "session_id", unique=True,
              sqlite_where=text(SESSION_ROW_SQL), postgresql_where=text(SESSION_ROW_SQL)),
        Index("ix_attendance_seminar_day", "seminar_id", "day_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("seminar_day.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("seminar_session.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    gate: Mapped[str] = mapped_column(String(60), default="")
    method: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    registration = relationship("Registration")
    day: Mapped[SeminarDay] = relationship()
    seminar_session: Mapped[SeminarSession | None] = relationship()
    by = relationship("User")
