"""Bulk actions on a seminar's registrations: approve, reject, cancel, re-send the ticket, move to a category.

One action is one transaction: the chosen rows are locked in id order (two organizers' bulk actions over the
same people wait for each other instead of deadlocking), then each goes through the same service as a single
change, so seats, quotas, the waiting list and the e-mails follow the same rules. A row the rules refuse is
reported with its reason and the others go on; ids that are not the seminar's change nothing at all.
"""

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import select

from eventreg import audit
from eventreg.models import Registration, utcnow
from eventreg.refusals import Refused
from eventreg.registration import services

ACTIONS = ("approve", "reject", "cancel", "resend", "move")
MAX_ROWS = 2000


class BulkRefused(Refused):
    """The whole action refused, nothing changed: `code` says why, `count` how many rows it is about."""

    def __init__(self, code, count=0):
        super().__init__(code)
        self.count = count


@dataclass
class BulkResult:
    action: str
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (registration, refusal code)

    @property
    def waitlisted(self):
        """Approved people who went to the waiting list: no seat was left for them."""
        return [r for r in self.done if r.status == "waitlisted"]


def _step(action, *, by, now, notify, category):
    """The service that does `action` to one registration, with this bulk action's choices."""
    if action == "move":
        return lambda session, registration: services.move_to_category(session, registration, category, by=by,
                                                                       now=now)
    return {
        "approve": partial(services.approve_registration, by=by, now=now),
        "reject": partial(services.reject_registration, by=by, now=now),
        "cancel": partial(services.cancel_registration, by=by, now=now, notify=notify),
        "resend": partial(services.send_ticket_again, by=by, now=now),
    }[action]


def _locked(session, seminar, ids):
    """The seminar's registrations among `ids`, locked for this transaction in id order (PostgreSQL; SQLite's
    writing transaction already holds the whole database)."""
    return session.scalars(
        select(Registration).where(Registration.seminar_id == seminar.id, Registration.id.in_(ids))
        .order_by(Registration.id).with_for_update().execution_options(populate_existing=True)
    ).all()


def _in_turn(action, registrations):
    """Cancelling, those without a seat go first: a seat freed by the others then never goes to someone who is
    cancelled a moment later in the same action."""
    if action == "cancel":
        return sorted(registrations, key=lambda r: r.status == "confirmed")
    return registrations


def _category(seminar, action, category_id):
    if action != "move":
        return None
    category = next((c for c in seminar.categories if c.id == category_id), None)
    if category is None:
        raise BulkRefused("wrong_category")
    return category


def apply(session, seminar, action, ids, *, by, notify=True, category_id=None, now=None):
    """Do `action` to the registrations `ids` of `seminar`, each as its single change would (`notify`: whether
    cancelled people are e-mailed; `category_id`: where "move" moves them). Returns a BulkResult; raises
    BulkRefused when nothing may change (no rows, too many, ids that are not this seminar's)."""
    now = now or utcnow()
    ids = sorted(set(ids))
    if action not in ACTIONS:
        raise BulkRefused("unknown_action")
    if not ids:
        raise BulkRefused("nothing_selected")
    if len(ids) > MAX_ROWS:
        raise BulkRefused("too_many", len(ids))
    category = _category(seminar, action, category_id)
    registrations = _locked(session, seminar, ids)
    if len(registrations) != len(ids):
        raise BulkRefused("not_this_seminar", len(ids) - len(registrations))
    step = _step(action, by=by, now=now, notify=notify, category=category)
    result = BulkResult(action)
    for registration in _in_turn(action, registrations):
        try:
            step(session, registration)
        except services.RegistrationRefused as refusal:
            result.refused.append((registration, refusal.code))
        else:
            result.done.append(registration)
    _record(session, seminar, result, by=by, selected=len(ids), notify=notify, category=category, now=now)
    return result


def _record(session, seminar, result, *, by, selected, notify, category, now):
    """One audit entry for the action with its counts (each row's change has its own entry from its service)."""
    details = {"action": result.action, "selected": selected, "done": len(result.done),
               "refused": len(result.refused)}
    if result.action == "approve":
        details["waitlisted"] = len(result.waitlisted)
    if result.action == "cancel":
        details["notify"] = notify
    if category is not None:
        details["category"] = category.key
    audit.record(session, user=by, action="registrations_bulk", seminar=seminar, details=details, now=now)
