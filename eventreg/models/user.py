"""Staff accounts, their API tokens and password-reset tokens."""

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, one_of, utcnow

ROLES = ("staff", "organizer", "admin")
# Each role can do everything the roles before it can.
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD_LENGTH = 10


def hash_secret(secret):
    """SHA-256 of a high-entropy secret (API and reset tokens): fast lookup, nothing reusable stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


class RoleMixin:
    """The one rule for roles, for accounts loaded as a User and for API tokens' holders alike."""

    def has_role(self, role):
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class User(UserMixin, RoleMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="staff")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes or the account is deactivated: old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    api_tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    # The key of the login this object was loaded for (StaffSession), never stored on the row: the session
    # cookie and the remember-me cookie carry it, so each login has its own, ended on the server at logout.
    session_key = None

    def get_id(self):
        return f"{self.id}:{self.session_version}:{self.session_key}"

    def deactivate(self):
        self.active = False
        self.session_version += 1


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("role IS NULL OR role IN ('owner', 'organizer', 'door', 'viewer')",
                                      name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Scope: one seminar, or (None) every seminar of the account; a seminar role that caps the account's own
    # (None: the account's roles as they are); and when it stops working (None: until revoked).
    seminar_id: Mapped[int | None] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")
    seminar = relationship("Seminar")

    PREFIX = "er_"

    @classmethod
    def issue(cls, user, name, *, seminar=None, role=None, expires_at=None):
        """A new token and its one-time plain text; only the hash is kept."""
        plain = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(user=user, name=name, token_hash=hash_secret(plain), prefix=plain[:10], seminar=seminar,
                    role=role, expires_at=expires_at)
        return token, plain

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_live(self, now):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class StaffSession(db.Model):
    """One login of a staff account. Flask's session lives in a signed cookie the server cannot take back, so
    the cookie names this row and is honoured only while the row is live: logging out ends it, a password
    change, deactivation or role change ends every row of the account, and a copied cookie stops working."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the key in the cookies: a copy of the database opens no session.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyKey(db.Model):
    """A write sent with an `Idempotency-Key`, and its answer: the same request again (a retry after a lost
    answer) gets this answer instead of a second registration or a 409. Kept a day."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose keys these are ("user:<id>"): one client's key never replays another's answer.
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    request: Mapped[str] = mapped_column(String(300))  # method and path: a key reused for another request is refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # NULL until the answer is stored (written in the request's own transaction, with the change it made).
    status: Mapped[int | None] = mapped_column()
    body: Mapped[str | None] = mapped_column(Text)
