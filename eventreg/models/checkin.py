"""The door's log: every scan attempt, accepted or refused, and every undo."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, utcnow

SCAN_RESULTS = (
    "checked_in",
    "already_checked_in",
    "wrong_seminar",
    "cancelled",
    "rejected",
    "not_confirmed",
    "email_not_confirmed",
    "unknown_code",
    "outside_window",
    "not_in_session",
    "undone",
)


class CheckInEvent(db.Model):
    __tablename__ = "check_in_event"
    __table_args__ = (Index("ix_check_in_event_seminar_at", "seminar_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[str] = mapped_column(String(30))
    gate: Mapped[str] = mapped_column(String(60), default="")
    method: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # What was scanned, cut short: enough to investigate a refusal, never a whole pasted document.
    code: Mapped[str] = mapped_column(String(200), default="")
    # The day and session the door was checking in for (a seminar over several days); NULL otherwise.
    day_id: Mapped[int | None] = mapped_column(ForeignKey("seminar_day.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("seminar_session.id", ondelete="SET NULL"))

    registration = relationship("Registration")
    user = relationship("User")
