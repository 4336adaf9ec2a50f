"""Certificates of attendance: a seminar's settings for them, and the certificates issued to the people who came.

Images (the organizing body's logo, signatures) are kept here as the PNG bytes re-encoded on upload, not under
instance/: any server behind the load balancer answers any request (no file on one server's disk), they are
backed up with the data they belong to, and they go with the seminar (CASCADE).
"""

import secrets
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, one_of, utcnow

# Who counts as having attended a seminar of several days (which do not exist yet): stored now, and today both
# mean "checked in".
ATTENDANCE_RULES = ("any_day", "every_day")
MAX_SIGNATORIES = 3
# The rows the "one valid certificate per registration" index covers.
VALID_SQL = "revoked_at IS NULL"


def new_verification_code():
    """The key of the public verification page: 192 random bits, URL-safe, 32 characters."""
    return secrets.token_urlsafe(24)


class CertificateSettings(db.Model):
    """One seminar's choices for its certificates; a seminar without a row gives none."""

    __tablename__ = "certificate_settings"
    __table_args__ = (CheckConstraint(one_of("attendance_rule", ATTENDANCE_RULES), name="attendance_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    # {locale: text}; a language without one prints the built-in wording in that language.
    title_line: Mapped[dict] = mapped_column(JSON, default=dict)
    body_text: Mapped[dict] = mapped_column(JSON, default=dict)
    # The hours printed for {hours}; None: the seminar's own length.
    hours: Mapped[float | None]
    # The category ids that get one; None: everyone who attended.
    category_ids: Mapped[list | None] = mapped_column(JSON)
    # One or two locales printed side by side; "" first means the attendee's own language.
    languages: Mapped[list] = mapped_column(JSON, default=list)
    attendance_rule: Mapped[str] = mapped_column(String(20), default="any_day")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    signatories: Mapped[list["CertificateSignatory"]] = relationship(
        back_populates="settings", cascade="all, delete-orphan", order_by="CertificateSignatory.slot"
    )


class CertificateSignatory(db.Model):
    __tablename__ = "certificate_signatory"
    __table_args__ = (
        UniqueConstraint("settings_id", "slot", name="uq_certificate_signatory_slot"),
        CheckConstraint(f"slot BETWEEN 1 AND {MAX_SIGNATORIES}", name="slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settings_id: Mapped[int] = mapped_column(ForeignKey("certificate_settings.id", ondelete="CASCADE"))
    slot: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300), default="")
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)

    settings: Mapped[CertificateSettings] = relationship(back_populates="signatories")


class Certificate(db.Model):
    """A certificate issued to one registration. Revoked, it stays (its code answers "revoked"); a re-issue after
    a name correction is a new certificate with the next edition."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("registration_id", "edition", name="uq_certificate_registration_edition"),
        # At most one valid certificate per registration: issuing twice, however concurrent, gives one.
        Index("uq_certificate_valid", "registration_id", unique=True,
              sqlite_where=text(VALID_SQL), postgresql_where=text(VALID_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    edition: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, default=new_verification_code)
    # The name as printed: a corrected name needs a new certificate, the old one keeps what it said.
    holder_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    seminar = relationship("Seminar")
    registration = relationship("Registration")

    @property
    def is_valid(self):
        return self.revoked_at is None
