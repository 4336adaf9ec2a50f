"""Who exported or changed what: personal data leaves a trail."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    seminar_id: Mapped[int | None] = mapped_column(ForeignKey("seminar.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    user = relationship("User")


class DoorSearchTally(db.Model):
    """How many door searches an account made for a seminar in one clock hour: searches are audited in aggregate
    (one row per account, seminar and hour, counted by an upsert), so a harvest shows up without logging what
    each volunteer typed."""

    __tablename__ = "door_search_tally"
    __table_args__ = (UniqueConstraint("user_id", "seminar_id", "hour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime)
    searches: Mapped[int] = mapped_column(default=0)
