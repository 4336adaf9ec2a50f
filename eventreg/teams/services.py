"""A seminar's team: adding members (an account, or an invitation link), changing roles, removing, accepting.

Rules take the session first, flush and never commit; time is a parameter. Every change is audited in its own
transaction. The last owner of a seminar cannot be removed or demoted: someone must be able to run the team.
"""

import hmac
import re
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from eventreg import audit, mail
from eventreg.auth import services as accounts
from eventreg.models import SEMINAR_ROLES, Seminar, SeminarMember, TeamInvitation, User, hash_secret, utcnow
from eventreg.refusals import Refused

INVITATION_LIFETIME = timedelta(days=7)
# One "@", something on each side, a dot in the domain, no spaces: what a person can mistype, not RFC 5322.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class TeamRefused(Refused):
    """A refused team change; `code` is stable: bad_role, bad_email, already_member, already_invited,
    last_owner, invitation_invalid, log_in_as_invitee, account_refused (`account_code` says why)."""

    def __init__(self, code, account_code=None):
        super().__init__(code)
        self.account_code = account_code


def _check_role(role):
    if role not in SEMINAR_ROLES:
        raise TeamRefused("bad_role")


def members(session, seminar):
    """The team, owners first, then by name."""
    order = {role: rank for rank, role in enumerate(SEMINAR_ROLES)}
    rows = session.scalars(select(SeminarMember).join(SeminarMember.user).where(
        SeminarMember.seminar_id == seminar.id).order_by(User.name, User.email)).all()
    return sorted(rows, key=lambda member: order[member.role])


def open_invitations(session, seminar, *, now):
    return session.scalars(select(TeamInvitation).where(
        TeamInvitation.seminar_id == seminar.id, TeamInvitation.accepted_at.is_(None),
        TeamInvitation.revoked_at.is_(None), TeamInvitation.expires_at > now).order_by(TeamInvitation.created_at)
    ).all()


def member_or_none(session, seminar, member_id):
    """A member of this seminar's team by id (never another seminar's)."""
    member = session.get(SeminarMember, member_id)
    return member if member is not None and member.seminar_id == seminar.id else None


def add_owner(session, seminar, user, *, now=None):
    """The account that creates a seminar owns it (called by the seminar's creation)."""
    session.add(SeminarMember(seminar_id=seminar.id, user_id=user.id, role="owner", added_at=now or utcnow(),
                              added_by_id=user.id))
    session.flush()


def copy_team(session, source, copy, *, now=None):
    """A duplicated seminar keeps the team of its original (the duplicating account is among them)."""
    for member in session.scalars(select(SeminarMember).where(SeminarMember.seminar_id == source.id)):
        session.add(SeminarMember(seminar_id=copy.id, user_id=member.user_id, role=member.role,
                                  added_at=now or utcnow(), added_by_id=member.added_by_id))
    session.flush()


def add_member(session, seminar, email, role, *, by, link_for, now=None):
    """Put the account with this e-mail on the team, or, when there is none, e-mail it an invitation link.

    Returns ("added", member) or ("invited", invitation, link): the link is shown once to the owner, who may
    also pass it on by hand; only its hash is kept. `link_for(token)` makes the absolute link."""
    now = now or utcnow()
    _check_role(role)
    email = accounts.normalise_email(email or "")
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise TeamRefused("bad_email")
    _lock_team(session, seminar)
    user = accounts.find_user(session, email)
    if user is not None:
        if _membership(session, seminar.id, user.id) is not None:
            raise TeamRefused("already_member")
        member = SeminarMember(seminar_id=seminar.id, user_id=user.id, role=role, added_at=now, added_by_id=by.id)
        session.add(member)
        session.flush()
        audit.record(session, user=by, action="team_member_added", seminar=seminar, now=now,
                     details={"member": email, "role": role})
        return "added", member
    if any(invitation.email == email for invitation in open_invitations(session, seminar, now=now)):
        raise TeamRefused("already_invited")
    plain = secrets.token_urlsafe(32)
    invitation = TeamInvitation(seminar_id=seminar.id, email=email, role=role, token_hash=hash_secret(plain),
                                created_at=now, expires_at=now + INVITATION_LIFETIME, invited_by_id=by.id)
    session.add(invitation)
    session.flush()
    link = link_for(plain)
    mail.enqueue(session, kind="team_invitation", recipient=email, now=now,
                 subject=_l("You are invited to the team of “%(title)s”", title=seminar.title),
                 content=mail.Content("team_invitation", {
                     "seminar": seminar, "role": role, "inviter": by.name, "link": link,
                     "days": INVITATION_LIFETIME.days}))
    audit.record(session, user=by, action="team_invitation_sent", seminar=seminar, now=now,
                 details={"member": email, "role": role})
    return "invited", invitation, link


def change_role(session, member, role, *, by, now=None):
    _check_role(role)
    seminar = member.seminar
    _lock_team(session, seminar)
    if member.role == "owner" and role != "owner" and _owner_count(session, seminar) <= 1:
        raise TeamRefused("last_owner")
    previous, member.role = member.role, role
    session.flush()
    audit.record(session, user=by, action="team_role_changed", seminar=seminar, now=now,
                 details={"member": member.user.email, "from": previous, "role": role})


def remove_member(session, member, *, by, now=None):
    seminar = member.seminar
    _lock_team(session, seminar)
    if member.role == "owner" and _owner_count(session, seminar) <= 1:
        raise TeamRefused("last_owner")
    email, role = member.user.email, member.role
    session.delete(member)
    session.flush()
    audit.record(session, user=by, action="team_member_removed", seminar=seminar, now=now,
                 details={"member": email, "role": role})


def revoke_invitation(session, invitation, *, by, now=None):
    now = now or utcnow()
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = now
        session.flush()
        audit.record(session, user=by, action="team_invitation_revoked", seminar=invitation.seminar, now=now,
                     details={"member": invitation.email, "role": invitation.role})


def open_invitation(session, plain, *, now=None):
    """The invitation this link stands for, while it can still be accepted; else None (used, expired, revoked,
    tampered or unknown: one answer for all)."""
    digest = hash_secret(plain or "")
    invitation = session.scalar(select(TeamInvitation).where(TeamInvitation.token_hash == digest))
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        return None
    return invitation if invitation.is_open(now or utcnow()) else None


def accept_invitation(session, plain, *, user, name="", password="", now=None):
    """Join the team through an invitation link: as the logged-in `user` (whose e-mail must be the invited one),
    or with a new account made from `name` and `password` (`user` anonymous). The link works once, even when two
    tabs race; a refusal leaves the caller to roll back, and then nothing is made."""
    now = now or utcnow()
    invitation = open_invitation(session, plain, now=now)
    if invitation is None:
        raise TeamRefused("invitation_invalid")
    existing = accounts.find_user(session, invitation.email)
    if (existing is not None or user.is_authenticated) and getattr(user, "email", None) != invitation.email:
        raise TeamRefused("log_in_as_invitee")
    # Claimed before anything is made: a second tab waits for this row and then finds it used.
    claimed = session.execute(
        update(TeamInvitation)
        .where(TeamInvitation.id == invitation.id, TeamInvitation.accepted_at.is_(None),
               TeamInvitation.revoked_at.is_(None), TeamInvitation.expires_at > now)
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise TeamRefused("invitation_invalid")
    account = existing
    if account is None:
        try:
            account = accounts.create_user(session, email=invitation.email, name=name or "", role="staff",
                                           password=password)
        except accounts.AccountRefused as refusal:
            raise TeamRefused("account_refused", refusal.code) from None
    invitation.accepted_by_id = account.id
    if _membership(session, invitation.seminar_id, account.id) is None:
        session.add(SeminarMember(seminar_id=invitation.seminar_id, user_id=account.id, role=invitation.role,
                                  added_at=now, added_by_id=invitation.invited_by_id))
    session.flush()
    audit.record(session, user=account, action="team_invitation_accepted", seminar=invitation.seminar, now=now,
                 details={"member": account.email, "role": invitation.role})
    return account, invitation.seminar


def _membership(session, seminar_id, user_id):
    return session.scalar(select(SeminarMember).where(SeminarMember.seminar_id == seminar_id,
                                                      SeminarMember.user_id == user_id))


def _owner_count(session, seminar):
    return session.scalar(select(func.count()).select_from(SeminarMember).where(
        SeminarMember.seminar_id == seminar.id, SeminarMember.role == "owner"))


def _lock_team(session, seminar):
    """Team changes of one seminar queue behind each other (the seminar's row lock on PostgreSQL; SQLite's writes
    are serial already), so two owners removing each other at once cannot leave the seminar without one."""
    session.execute(select(Seminar.id).where(Seminar.id == seminar.id).with_for_update())
