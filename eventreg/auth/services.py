"""Staff accounts and API tokens: the rules, with the session as first argument; callers commit."""

import functools
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import bindparam, delete, select, update
from werkzeug.security import generate_password_hash

from eventreg import audit, mail
from eventreg.auth import permissions
from eventreg.database import begin_writing
from eventreg.email_addresses import normalise_email
from eventreg.models import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    SEMINAR_ROLES,
    ApiToken,
    PasswordResetToken,
    RoleMixin,
    StaffSession,
    User,
    hash_secret,
    utcnow,
)
from eventreg.refusals import Refused

# Checked against when the e-mail is unknown, so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


# Every API request (a door scanner's every scan) asks: the account and the token's state in one Core query,
# built once (an ORM User would cost the door a third of its time; the password hash stays in the database).
_user = User.__table__
_token = ApiToken.__table__
_USER_BY_TOKEN = (
    select(_user.c.id, _user.c.email, _user.c.name, _user.c.role, _user.c.active, _token.c.id.label("token_id"),
           _token.c.token_hash, _token.c.revoked_at, _token.c.last_used_at,
           _token.c.seminar_id.label("token_seminar_id"), _token.c.role.label("token_role"), _token.c.expires_at)
    .join_from(_token, _user, _user.c.id == _token.c.user_id)
    .where(_token.c.token_hash == bindparam("digest"))
)
_TOKEN_USED = update(_token).where(_token.c.id == bindparam("token")).values(last_used_at=bindparam("now"))
# A token's last use is written at most this often: a busy scanner should not turn every read into a write.
LAST_USE_EVERY_SECONDS = 60

# Long enough to read the e-mail over a coffee, short enough that an old mailbox is no key to the account.
RESET_LINK_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, eq=False)
class TokenHolder(UserMixin, RoleMixin):
    """Who sent a live API token: the account as the API sees it, read with the token (services take a user's
    `id`, so a holder goes wherever a logged-in User does), with the token's scope (auth/permissions.py)."""

    id: int
    email: str
    name: str
    role: str
    token_id: int
    token_seminar_id: int | None = None
    token_role: str | None = None


class AccountRefused(Refused):
    """A refused account change; `code` is stable: email_taken, password_too_short, password_is_email,
    password_repetitive, password_common, bad_role, last_admin, reset_link_invalid, not_on_team, role_too_high,
    expiry_past (the last three: a token's scope)."""


def find_user(session, email):
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session, email, password, *, now=None):
    """The active user with this e-mail and password, or None; never says which of the two was wrong."""
    user = find_user(session, email)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = now or utcnow()
    return user


# A short pattern said again ("abcabcabcabc") or a password of few different characters ("aaaaabbbbb").
_REPEATED = re.compile(r"(.{1,5}?)\1+", re.DOTALL)
MIN_DIFFERENT_CHARACTERS = 5
# What people add to a common word to pass a length rule: "monkey2024!!" is "monkey" to a cracker.
_DECORATION = re.compile(r"[\d\W_]+$")


@functools.cache
def common_passwords():
    """The 30,000 commonest passwords of leaked password sets, as shipped by zxcvbn (MIT licence, the
    `passwords` frequency list of zxcvbn-python, from Dropbox's zxcvbn); loaded once, when first needed."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _sequential(password):
    """Each character one after the other in the alphabet or on the number row, up or down: "1234567890"."""
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def check_password_rules(password, *, email=""):
    """Refuse what guessers try first: short, the account's own e-mail, repeated or sequential characters, or
    one of the commonest passwords (also with digits and symbols stuck on the end)."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused("password_too_short")
    folded = password.casefold()
    base = _DECORATION.sub("", folded)
    email = normalise_email(email or "")
    if email and (email in folded or base == email.split("@", 1)[0]):
        raise AccountRefused("password_is_email")
    if (_REPEATED.fullmatch(password) or len(set(folded)) < MIN_DIFFERENT_CHARACTERS
            or _sequential(folded)):
        raise AccountRefused("password_repetitive")
    if folded in common_passwords() or (len(base) >= 4 and base in common_passwords()):
        raise AccountRefused("password_common")


def start_session(session, user, *, now=None):
    """A new login of `user`: a fresh random key in its cookies (so no two logins share a cookie value), live
    until `end_session` or `end_all_sessions`. Sets `user.session_key` for Flask-Login's `get_id`."""
    key = secrets.token_urlsafe(32)
    now = now or utcnow()
    # The account's ended logins are of no more use: each login clears them, so the table stays small.
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_not(None)))
    session.add(StaffSession(user_id=user.id, key_hash=hash_secret(key), created_at=now))
    session.flush()
    user.session_key = key
    return key


def end_session(session, key, *, now=None):
    """Log out one login: its session and remember-me cookies, and every copy of them, stop working."""
    session.execute(update(StaffSession).where(StaffSession.key_hash == hash_secret(key or ""),
                                               StaffSession.ended_at.is_(None)).values(ended_at=now or utcnow()))


def end_all_sessions(session, user, *, now=None):
    """Every login of the account ends (a password change, a deactivation, a new role)."""
    session.execute(update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
                    .values(ended_at=now or utcnow()))


def user_of_session(session, user_id):
    """The active account whose live login the cookie's "id:version:key" names, or None. Read on every
    request (never remembered): a logout elsewhere counts at once."""
    user_pk, version, key = (user_id.split(":") + ["", ""])[:3]
    if not user_pk.isdigit() or not version.isdigit() or not key:
        return None
    user = session.scalar(
        select(User).join(StaffSession, StaffSession.user_id == User.id)
        .where(User.id == int(user_pk), User.active.is_(True), User.session_version == int(version),
               StaffSession.key_hash == hash_secret(key), StaffSession.ended_at.is_(None))
    )
    if user is not None:
        user.session_key = key
    return user


def create_user(session, *, email, name, role, password):
    if role not in ROLES:
        raise AccountRefused("bad_role")
    check_password_rules(password, email=email)
    if find_user(session, email) is not None:
        raise AccountRefused("email_taken")
    user = User(email=normalise_email(email), name=name.strip() or normalise_email(email), role=role)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def set_password(session, user, password):
    check_password_rules(password, email=user.email)
    user.set_password(password)
    end_all_sessions(session, user)
    session.flush()


def _active_admins(session):
    return session.scalars(select(User).where(User.role == "admin", User.active.is_(True))).all()


def deactivate_user(session, user):
    """Ends every session and token use of the account at its next request."""
    if user.role == "admin" and len(_active_admins(session)) <= 1 and user.active:
        raise AccountRefused("last_admin")
    user.deactivate()
    end_all_sessions(session, user)
    session.flush()


def activate_user(session, user):
    user.active = True
    session.flush()


def change_role(session, user, role):
    if role not in ROLES:
        raise AccountRefused("bad_role")
    if user.role == "admin" and role != "admin" and len(_active_admins(session)) <= 1:
        raise AccountRefused("last_admin")
    if role != user.role:
        user.role = role
        end_all_sessions(session, user)
    session.flush()


def issue_api_token(session, user, name, *, seminar=None, role=None, expires_at=None, now=None):
    """A new token for `user`; the plain text is returned once and never stored.

    `seminar` limits it to one seminar (else: every seminar of the account), `role` caps what it may do there
    (never more than the account's own role on that seminar), `expires_at` ends it (else: until revoked)."""
    now = now or utcnow()
    if role is not None and role not in SEMINAR_ROLES:
        raise AccountRefused("bad_role")
    if seminar is not None:
        own = permissions.allowed_actions(session, user, seminar)
        if not own:
            raise AccountRefused("not_on_team")
        if role is not None and not permissions.ROLE_ACTIONS[role] <= own:
            raise AccountRefused("role_too_high")
    if expires_at is not None and expires_at <= now:
        raise AccountRefused("expiry_past")
    token, plain = ApiToken.issue(user, name.strip()[:100] or "token", seminar=seminar, role=role,
                                  expires_at=expires_at)
    token.created_at = now
    session.add(token)
    session.flush()
    audit.record(session, user=user, action="token_created", seminar=seminar, now=now,
                 details={"token": token.name, "prefix": token.prefix, "role": role,
                          "expires_at": expires_at.isoformat() if expires_at else None})
    return token, plain


def revoke_api_token(session, token, *, by=None, now=None):
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record(session, user=by or token.user, action="token_revoked", seminar=token.seminar, now=now,
                     details={"token": token.name, "prefix": token.prefix, "owner": token.user.email})
    session.flush()


def user_for_api_token(session, plain, *, now=None):
    """The TokenHolder of the live token with this plain text, or None (unknown, revoked, expired, or its user
    deactivated). Read on every request, so a revoked or expired token is refused at once."""
    digest = hash_secret(plain)
    now = now or utcnow()
    row = session.execute(_USER_BY_TOKEN, {"digest": digest}).first()
    if (row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at is not None or not row.active
            or (row.expires_at is not None and row.expires_at <= now)):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USE_EVERY_SECONDS:
        begin_writing(session)  # an API GET reads until now
        session.execute(_TOKEN_USED, {"token": row.token_id, "now": now})
    return TokenHolder(id=row.id, email=row.email, name=row.name, role=row.role, token_id=row.token_id,
                       token_seminar_id=row.token_seminar_id, token_role=row.token_role)


def request_password_reset(session, email, *, link_for, now=None):
    """E-mail a one-time link to choose a new password, if an active account has this e-mail.

    Returns nothing either way: the caller must answer the same whether or not the account exists.
    `link_for(token)` makes the absolute link (from the configured public URL, never the request's Host).
    Only the token's hash is stored, so a copy of the database opens no account.
    """
    user = find_user(session, email)
    known = user is not None and user.active
    now = now or utcnow()
    plain = secrets.token_urlsafe(32)
    # The same work either way (token, link, the whole message written), so the answer takes the same time
    # whether or not the account exists; only a real account's message and token are kept.
    recipient = user if known else User(email=normalise_email(email), name="", role="staff")
    content = mail.Content("password_reset", {
        "user": recipient, "link": link_for(plain), "hours": int(RESET_LINK_LIFETIME.total_seconds() // 3600)})
    message = {"kind": "password_reset", "recipient": recipient.email,
               "subject": _l("Choose a new eventreg password"), "content": content, "now": now}
    if not known:
        mail.prepare(**message)  # written as for a real account, and thrown away
        return
    session.add(PasswordResetToken(user=user, token_hash=hash_secret(plain), created_at=now,
                                   expires_at=now + RESET_LINK_LIFETIME))
    mail.enqueue(session, **message)
    session.flush()


def live_reset_token(session, plain, *, now=None):
    """The unused, unexpired reset token for this link, or None."""
    digest = hash_secret(plain or "")
    token = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.used_at is not None or token.expires_at <= (now or utcnow()) or not token.user.active:
        return None
    return token


def reset_password_with_token(session, plain, password, *, now=None):
    """Set a new password through a reset link; the link and every other open link stop working,
    and the account's other sessions end (set_password bumps the session version)."""
    now = now or utcnow()
    token = live_reset_token(session, plain, now=now)
    if token is None:
        raise AccountRefused("reset_link_invalid")
    set_password(session, token.user, password)
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == token.user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    audit.record(session, user=token.user, action="password_reset", now=now)
    return token.user
