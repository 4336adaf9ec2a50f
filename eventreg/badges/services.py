"""Badges: who gets one (all confirmed people, a category, those not yet printed, or one person), the PDF, and the
record of printing.

A badge carries the ticket's QR code, so a badge PDF hands out tickets: only the seminar's team with the `badges`
right prints them, except at the door, where staff print the badge of a walk-in they have just let in. Every PDF
made marks the people in it as printed (`badge_printed_at`, what "not yet printed" asks) and is written to the
audit trail, in the caller's transaction.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from eventreg import audit, tickets
from eventreg.badges.document import LAYOUTS, BadgeContent, badges_pdf
from eventreg.models import Category, Registration, is_row_id, utcnow
from eventreg.names import alphabetical, latin
from eventreg.refusals import Refused
from eventreg.reports.services import Export

# About 6 ms a badge: 2,000 badges (250 A4 pages) keep a worker busy for some 12 seconds. More is printed in parts,
# by category or "not yet printed".
MAX_BADGES = 2000
_MARK_CHUNK = 500  # ids per UPDATE: well under any database's limit on bound parameters


REFUSALS = {
    "invalid": _l("Check the choices below."),
    "nobody": _l("Nobody matches this choice: no badge was printed."),
    "too_many": _l("More than %(most)s badges at once: print them by category, or only those not printed yet.",
                   most=MAX_BADGES),
    "not_confirmed": _l("Only confirmed people get a badge."),
    "not_walk_in": _l("At the door, only the badge of a walk-in can be printed."),
}


def refusal_message(code):
    return str(REFUSALS.get(code, REFUSALS["invalid"]))


class BadgeRefused(Refused):
    """A refusal with a stable `code`: `invalid` (with `fields`), `nobody` (no one matches), `too_many`,
    `not_found` (no such registration in this seminar), `not_confirmed` (one person who may not have a badge) or
    `not_walk_in` (the door prints walk-ins only)."""


@dataclass(frozen=True)
class Choice:
    """Who is printed: every confirmed person, narrowed to a category (its key) and/or to those not yet printed."""

    category: str | None = None
    not_printed: bool = False


@dataclass(frozen=True)
class CategoryCount:
    key: str
    label: str
    confirmed: int
    not_printed: int


def overview(session, seminar):
    """Per category: how many confirmed people may have a badge, and how many of them have none printed yet."""
    r = Registration
    rows = session.execute(
        select(Category.key, Category.label, func.count(r.id), func.count(case((r.badge_printed_at.is_(None), r.id))))
        .outerjoin(r, (r.category_id == Category.id) & _may_have_a_badge())
        .where(Category.seminar_id == seminar.id)
        .group_by(Category.id, Category.key, Category.label, Category.position)
        .order_by(Category.position, Category.id)
    ).all()
    return [CategoryCount(key, label, int(confirmed), int(waiting)) for key, label, confirmed, waiting in rows]


def _may_have_a_badge():
    """Confirmed, with a name: an erased registration has none to print."""
    return (Registration.status == "confirmed") & Registration.anonymised_at.is_(None)


def _choice(seminar, category, not_printed):
    """The form's choice, checked: an empty category is every category."""
    category = (category or "").strip() or None
    if category is not None and category not in {c.key for c in seminar.categories}:
        raise BadgeRefused("invalid", {"category": [str(_l("No such category in this seminar."))]})
    return Choice(category=category, not_printed=bool(not_printed))


def print_badges(session, seminar, *, layout, with_latin, user, locale, category=None, not_printed=False, now=None):
    """The badges of every confirmed person, or of a category (its key) and/or of those whose badge was not printed
    yet, in the alphabet of `locale`, as a PDF (an Export)."""
    _check_layout(layout)
    choice = _choice(seminar, category, not_printed)
    statement = _chosen(seminar, choice).order_by(*alphabetical(Registration.name_sort_key, locale), Registration.id)
    rows = session.execute(statement.limit(MAX_BADGES + 1)).all()
    if not rows:
        raise BadgeRefused("nobody")
    if len(rows) > MAX_BADGES:
        raise BadgeRefused("too_many")
    details = {"category": choice.category, "not_printed": choice.not_printed}
    return _produce(session, seminar, rows, layout=layout, with_latin=with_latin, user=user, now=now,
                    filename=f"{seminar.slug}-badges.pdf", details=details)


def print_badge(session, seminar, registration_id, *, layout, with_latin, user, walk_in_only=False, now=None):
    """One person's badge: the organizer's "Print badge" on their registration, or (`walk_in_only`) the door's,
    which prints only walk-ins: door staff may not print, hence copy, other people's tickets. `not_found` for
    anyone not registered for this seminar."""
    registration = _registration(session, seminar, registration_id)
    if walk_in_only and registration.source != "walk_in":
        raise BadgeRefused("not_walk_in")
    _check_layout(layout)
    row = session.execute(_badge_rows(seminar).where(Registration.id == registration.id)).first()
    if row is None:
        raise BadgeRefused("not_confirmed")
    return _produce(session, seminar, [row], layout=layout, with_latin=with_latin, user=user, now=now,
                    filename=f"{seminar.slug}-badge-{registration.id}.pdf", registration=registration)


def _registration(session, seminar, registration_id):
    registration = session.get(Registration, registration_id) if is_row_id(registration_id) else None
    if registration is None or registration.seminar_id != seminar.id:
        raise BadgeRefused("not_found")
    return registration


def _check_layout(layout):
    if layout not in LAYOUTS:
        raise BadgeRefused("invalid", {"layout": [str(_l("Choose a layout."))]})


def _badge_rows(seminar):
    """What a badge prints, for the people of `seminar` who may have one."""
    r = Registration
    return (
        select(r.id, r.token, r.seminar_id, r.full_name, r.organization, r.university,
               Category.key.label("category_key"), Category.label.label("category"))
        .join(Category, Category.id == r.category_id)
        .where(r.seminar_id == seminar.id, _may_have_a_badge())
    )


def _chosen(seminar, choice):
    statement = _badge_rows(seminar)
    if choice.category is not None:
        statement = statement.where(Category.key == choice.category)
    if choice.not_printed:
        statement = statement.where(Registration.badge_printed_at.is_(None))
    return statement


def _produce(session, seminar, rows, *, layout, with_latin, user, now, filename, details=None, registration=None):
    """The PDF of `rows`, their badges marked printed and the printing audited: all in the caller's transaction."""
    now = now or utcnow()
    key = tickets.signing_key(session)
    badges = [_content(row, key, with_latin) for row in rows]
    _mark_printed(session, [row.id for row in rows], now)
    audit.record(session, user=user, action="badges_printed", seminar=seminar, registration=registration,
                 details={"layout": layout, "latin": with_latin, "count": len(rows), **(details or {})}, now=now)
    title = f"{_l('Badges')} · {seminar.title}"
    return Export(filename, "application/pdf", badges_pdf(title, badges, layout), inline=True)


def _content(row, key, with_latin):
    spelled = latin(row.full_name) if with_latin else ""
    return BadgeContent(
        full_name=row.full_name,
        latin_name=spelled if spelled != row.full_name else "",
        organization=row.organization or row.university or "",
        category=row.category,
        category_key=row.category_key,
        qr_payload=tickets.payload_with(key, row.token, row.seminar_id),
    )


def _mark_printed(session, ids, now):
    for start in range(0, len(ids), _MARK_CHUNK):
        session.execute(update(Registration).where(Registration.id.in_(ids[start:start + _MARK_CHUNK]))
                        .values(badge_printed_at=now).execution_options(synchronize_session=False))
