"""A seminar and what belongs to it: agenda items, speakers and participant categories."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.config import DEFAULT_TIMEZONE
from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, one_of, utcnow

SEMINAR_STATUSES = ("draft", "published", "closed", "cancelled")
AGENDA_KINDS = ("welcome", "talk", "panel", "break", "qa")
STUDY_LEVELS = ("bachelor", "master", "phd")


def translations_column():
    """The texts of a row's translatable fields in the languages other than its seminar's default:
    {"title": {"ru": "…", "zh": "…"}}. The default language's text stays in the field's own column, so search,
    sorting and exports read one column (eventreg/seminars/content.py reads and writes both)."""
    return mapped_column(JSON, default=dict, server_default="{}")


class CheckInWindowMixin:
    """When the door lets people in: from `checkin_opens_minutes` before the start until the end. One rule for
    the Seminar and for the door's lighter view of it."""

    def checkin_window(self):
        return self.starts_at - timedelta(minutes=self.checkin_opens_minutes), self.ends_at


class Seminar(CheckInWindowMixin, db.Model):
    __tablename__ = "seminar"
    __table_args__ = (
        CheckConstraint(one_of("status", SEMINAR_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # The seat counter is the capacity rule itself: the database refuses to overfill.
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    organizer_name: Mapped[str] = mapped_column(String(300), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    checkin_opens_minutes: Mapped[int] = mapped_column(default=120)
    # Hours a public signup's seat (or place) is held until the person follows the link e-mailed to them;
    # None: addresses are not confirmed.
    email_confirmation_hours: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The language of the text columns (title, description, venue, address and those of its agenda items,
    # speakers and categories): shown wherever a translation is missing. One of the app's LANGUAGES.
    default_language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    translations: Mapped[dict] = translations_column()

    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="seminar", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="seminar", cascade="all, delete-orphan", order_by="Speaker.name"
    )
    categories: Mapped[list["Category"]] = relationship(
        back_populates="seminar", cascade="all, delete-orphan", order_by="Category.position"
    )
    # Several days (eventreg/models/days.py): none for a seminar that is one stretch of time.
    days: Mapped[list["SeminarDay"]] = relationship(  # noqa: F821 (eventreg/models/days.py)
        back_populates="seminar", cascade="all, delete-orphan", order_by="(SeminarDay.starts_at, SeminarDay.id)"
    )

    @property
    def sessions(self):
        """Every session of every day, in time order."""
        return [part for day in self.days for part in day.sessions]

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    def local(self, moment):
        """A UTC moment shown in the seminar's own time zone."""
        return moment.astimezone(self.zone) if moment else None

    @property
    def seats_left(self):
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self):
        return self.capacity is not None and self.seats_taken >= self.capacity

    def registration_state(self, now):
        """What the registration button says: not_open, open, waitlist, full, closed, cancelled."""
        if self.status == "cancelled":
            return "cancelled"
        if self.status != "published" or now >= self.ends_at:
            return "closed"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "closed"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if self.is_full:
            return "waitlist" if self.waitlist_enabled else "full"
        return "open"


agenda_item_speaker = Table(
    "agenda_item_speaker",
    db.Model.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True),
    Column("speaker_id", ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True),
)


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint(one_of("kind", AGENDA_KINDS), name="kind"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="talk")
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = translations_column()

    seminar: Mapped[Seminar] = relationship(back_populates="agenda_items")
    speakers: Mapped[list["Speaker"]] = relationship(
        secondary=agenda_item_speaker, back_populates="agenda_items", order_by="Speaker.name"
    )


class Speaker(db.Model):
    __tablename__ = "speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    honorific: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300), default="")
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict] = translations_column()

    seminar: Mapped[Seminar] = relationship(back_populates="speakers")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        secondary=agenda_item_speaker, back_populates="speakers"
    )

    @property
    def display_name(self):
        return f"{self.honorific} {self.name}".strip()


class Category(db.Model):
    __tablename__ = "category"
    __table_args__ = (
        UniqueConstraint("seminar_id", "key", name="uq_category_seminar_key"),
        CheckConstraint("quota IS NULL OR quota >= 0", name="quota_not_negative"),
        CheckConstraint("seats_taken >= 0 AND (quota IS NULL OR seats_taken <= quota)", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    quota: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0)
    is_student: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Everyone in it is a VIP: highlighted on the live view when they arrive (eventreg/reports/queries.py IS_VIP).
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict] = translations_column()

    seminar: Mapped[Seminar] = relationship(back_populates="categories")

    @property
    def seats_left(self):
        if self.quota is None:
            return None
        return max(self.quota - self.seats_taken, 0)
