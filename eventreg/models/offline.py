"""What the offline door needs on the server: the keys that sign ticket codes, and the actions a door took
while it had no network, as they were synced."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, one_of, utcnow

OFFLINE_ACTION_KINDS = ("check_in", "undo", "walk_in")
# admitted: this admission is the ticket's check-in; conflict: the ticket was already admitted elsewhere (the
# person went in twice); not_valid: the server would have refused it (cancelled, unknown, another seminar...);
# undone: a queued undo took it back; ignored: an undo with nothing to take back.
OFFLINE_OUTCOMES = ("admitted", "conflict", "not_valid", "undone", "ignored")


class TicketSigningKey(db.Model):
    """An Ed25519 key pair that signs ticket codes. The private half never leaves the server; the newest
    unretired key signs, and a retired one still verifies the tickets it signed (doors download both)."""

    __tablename__ = "ticket_signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    private_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfflineAction(db.Model):
    """One action a door queued while offline (a scan, an undo, a walk-in), once the server has applied it.

    (device_id, nonce) is unique: a batch sent twice, or replayed, finds its actions already here and
    changes nothing."""

    __tablename__ = "offline_action"
    __table_args__ = (
        UniqueConstraint("device_id", "nonce", name="uq_offline_action_device_nonce"),
        CheckConstraint(one_of("kind", OFFLINE_ACTION_KINDS), name="kind"),
        CheckConstraint(one_of("outcome", OFFLINE_OUTCOMES), name="outcome"),
        Index("ix_offline_action_seminar_outcome", "seminar_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"))
    device_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"),
                                                        index=True)
    # When the door did it, by the device's clock (the earliest admission wins), and when the server heard.
    device_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gate: Mapped[str] = mapped_column(String(60), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))
    # Why a scan was not valid (the refusal's code: cancelled, unknown_code, wrong_seminar...).
    reason: Mapped[str] = mapped_column(String(30), default="")
    # For an undo: the nonce of the queued admission it takes back.
    undoes: Mapped[str] = mapped_column(String(64), default="")
    # The day and session the door was checking in for (a seminar over several days); NULL otherwise.
    day_id: Mapped[int | None] = mapped_column(ForeignKey("seminar_day.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("seminar_session.id", ondelete="CASCADE"))

    registration = relationship("Registration")
    user = relationship("User")
