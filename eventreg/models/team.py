"""A seminar's team: who works on which seminar, in which role, and the invitations that bring people in."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, utcnow

# What each role may do is decided in eventreg/auth/permissions.py; here only the names.
SEMINAR_ROLES = ("owner", "organizer", "door", "viewer")
_ROLE_CHECK = "role IN ('owner', 'organizer', 'door', 'viewer')"


class SeminarMember(db.Model):
    __tablename__ = "seminar_member"
    __table_args__ = (
        UniqueConstraint("seminar_id", "user_id", name="one_role_per_seminar"),
        CheckConstraint(_ROLE_CHECK, name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    seminar = relationship("Seminar")


class TeamInvitation(db.Model):
    """A one-time link to join a seminar's team, e-mailed to someone without an account: only its hash is kept."""

    __tablename__ = "team_invitation"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seminar = relationship("Seminar")

    def is_open(self, now):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
