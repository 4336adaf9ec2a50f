"""One person's registration for one seminar, with the state of their entry at the door."""

import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, and_, event, false, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, one_of, utcnow
from eventreg.models.seminar import STUDY_LEVELS, Category, Seminar
from eventreg.names import query_words, search_key, sort_key

REGISTRATION_STATUSES = ("pending", "confirmed", "waitlisted", "cancelled", "rejected")
ACTIVE_STATUSES = ("pending", "confirmed", "waitlisted")
SOURCES = ("online", "organizer", "import", "walk_in", "api", "demo")
CHECKIN_METHODS = ("camera", "keyboard", "manual", "walk_in", "api", "offline")
# ACTIVE_STATUSES in SQL: the predicate of the unique index on active e-mails, which signups name as their
# ON CONFLICT target.
ACTIVE_SQL = one_of("status", ACTIVE_STATUSES)
# The rows the unique index on e-mails covers: active ones with an address (a walk-in may give none, and two
# such walk-ins are two people).
EMAIL_UNIQUE_SQL = f"{ACTIVE_SQL} AND email <> ''"
HOLD_SQL = "hold_expires_at IS NOT NULL"


def new_ticket_token():
    """The ticket's key: 144 random bits, URL-safe, 24 characters."""
    return secrets.token_urlsafe(18)


def search_matches(column, query):
    """The SQL condition for a query on a stored search key: every word of the query, in any order, found
    anywhere in the key by any of its spellings. None for a query with no words."""
    words = query_words(query)
    if not words:
        return None
    return and_(*(or_(*(column.like(_like_pattern(spelling), escape="\\") for spelling in spellings))
                  for spellings in words))


def _like_pattern(text):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(
            one_of("status", REGISTRATION_STATUSES), name="status"
        ),
        CheckConstraint(f"study_level IS NULL OR {one_of('study_level', STUDY_LEVELS)}", name="level"),
        CheckConstraint("checked_in_at IS NULL OR status = 'confirmed'", name="checked_in_confirmed"),
        # One active registration per e-mail per seminar, enforced by the database.
        Index(
            "uq_registration_active_email",
            "seminar_id",
            "email",
            unique=True,
            sqlite_where=text(EMAIL_UNIQUE_SQL),
            postgresql_where=text(EMAIL_UNIQUE_SQL),
        ),
        Index("ix_registration_seminar_status", "seminar_id", "status"),
        # The exported lists in name order: read in index order, so 100,000 rows need no sort in memory.
        Index("ix_registration_seminar_name", "seminar_id", "full_name", "id"),
        Index("ix_registration_waitlist", "seminar_id", "category_id", "status", "created_at"),
        # The holds that `expire_holds` (cron) looks through: only the few registrations that ever had one.
        Index("ix_registration_hold", "hold_expires_at", sqlite_where=text(HOLD_SQL), postgresql_where=text(HOLD_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_ticket_token)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    organization: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    university: Mapped[str] = mapped_column(String(300), default="")
    programme: Mapped[str] = mapped_column(String(300), default="")
    study_level: Mapped[str | None] = mapped_column(String(20))
    study_year: Mapped[int | None]
    consent_data_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_photos: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # A VIP whatever their category (an ambassador registered as "general"): marked by an organizer only.
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source: Mapped[str] = mapped_column(String(20), default="online")
    # Every spelling of the name, e-mail and organization (eventreg/names.py), and the name's alphabetical key.
    search_text: Mapped[str] = mapped_column(String(800), default="")
    name_sort_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a badge PDF last included this person: what "not yet printed" asks (eventreg/badges/services.py).
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the unsubscribe link of an organizer's message: no more of those (tickets and seminar changes still go).
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Entry at the door: set once by a conditional UPDATE ... WHERE checked_in_at IS NULL.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_gate: Mapped[str | None] = mapped_column(String(60))
    checked_in_method: Mapped[str | None] = mapped_column(String(20))
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # E-mail confirmation (the seminar's `email_confirmation_hours`): a public signup's seat or place is held
    # until `hold_expires_at`, and is the person's once they follow the e-mail's link (`email_confirmed_at`).
    # Both NULL: nothing was asked (staff registrations, seminars that do not confirm, registrations from before).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seminar: Mapped[Seminar] = relationship()
    category: Mapped[Category] = relationship()
    checked_in_by = relationship("User", foreign_keys=[checked_in_by_id])

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def awaits_email_confirmation(self):
        """Its address is not confirmed yet: no ticket, and nothing but the confirmation link is sent to it."""
        return self.hold_expires_at is not None and self.email_confirmed_at is None

    @property
    def is_student(self):
        return self.category.is_student


def awaiting_email_confirmation(columns):
    """`Registration.awaits_email_confirmation` as SQL, on the class's or the table's columns (`table.c`)."""
    return and_(columns.hold_expires_at.is_not(None), columns.email_confirmed_at.is_(None))


def registration_search_text(full_name, email, organization):
    """What every search matches a registration on: its name, e-mail and organization."""
    return search_key(full_name, email, organization)


@event.listens_for(Registration, "before_insert")
@event.listens_for(Registration, "before_update")
def _refresh_search_text(mapper, connection, registration):
    registration.search_text = registration_search_text(
        registration.full_name, registration.email, registration.organization
    )
    registration.name_sort_key = sort_key(registration.full_name)
