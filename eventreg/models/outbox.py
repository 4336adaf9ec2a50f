"""E-mail waiting to be sent, written in the same transaction as the change that caused it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),
        # Without a finished message the sender renders one from the registration: one of the two must be there.
        CheckConstraint("message IS NOT NULL OR registration_id IS NOT NULL", name="message_or_registration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The registrant's language; None: the site's default.
    language: Mapped[str | None] = mapped_column(String(10))
    # The whole RFC 5322 message, attachments included. NULL until the sender renders it from `kind` and the
    # registration (a registration e-mail, rendered outside the signup's transaction); stored then, so a
    # retry sends the identical message. Set at once for what cannot wait (a password reset's one-time link).
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Makes "at most once" a database rule, e.g. "reminder:<registration id>".
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # CASCADE: a message about a registration that no longer exists could not be rendered, and is nobody's.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    # A copy of an organizer's message (eventreg/messages/): which one; it goes with the message (CASCADE).
    seminar_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("seminar_message.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
