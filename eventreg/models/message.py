"""Messages an organizer writes to a seminar's attendees (issue #23): what was written, to whom and by whom.

Each recipient's copy is an outbox row pointing here (`OutboxMessage.seminar_message_id`), written by the sender
from this text and the registration as they are when it goes out, so the rows say what is queued, sent or failed.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, utcnow


class SeminarMessage(db.Model):
    __tablename__ = "seminar_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    # As the organizer wrote them, placeholders ({name}...) included: filled in for each recipient at sending.
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Who it was for: the criteria of the segment, or the ids of the people chosen on the list.
    segment: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How many copies were queued (one per person); the outbox rows say how many have gone out.
    recipient_count: Mapped[int] = mapped_column(default=0)
    # About a change to the seminar (its time, place, programme): goes also to those who unsubscribed from messages.
    essential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    author = relationship("User")
