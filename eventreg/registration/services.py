"""Registration rules: signup, seats and quotas, the waiting list, approval, cancellation, reminders.

Seats are counted in `seminar.seats_taken` and `category.seats_taken` and taken with conditional
UPDATEs (`... WHERE seats_taken < capacity`): the row count says whether the seat was ours, however
many people press "Register" at once. CHECK constraints refuse overfilling even for a buggy caller.
Every function flushes and never commits: the caller commits once.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from eventreg import audit
from eventreg.email_addresses import normalise_email
from eventreg.models import (
    ACTIVE_STATUSES,
    EMAIL_UNIQUE_SQL,
    Category,
    IdempotencyKey,
    OutboxMessage,
    Registration,
    Seminar,
    awaiting_email_confirmation,
    is_row_id,
    registration_search_text,
    utcnow,
)
from eventreg.names import sort_key
from eventreg.questions.answers import clean_answers, save_answers
from eventreg.refusals import Refused
from eventreg.registration import emails, places
from eventreg.registration.validation import STUDY_FIELDS, clean, study_details

# Where a registration may come from without the public form's rules on consent, hidden categories and
# e-mail confirmation.
STAFF_SOURCES = ("organizer", "import", "api", "walk_in", "demo")
# Where the seminar's questions are all offered and none must be answered: the organizer records what they know.
# (The API answers the public form's questions by its rules: a partner's form asks what ours would.)
ANSWERING_STAFF_SOURCES = ("organizer", "import", "walk_in", "demo")
# The e-mail that tells a person the status their registration has.
STATUS_EMAILS = {"confirmed": "confirmation", "waitlisted": "waitlisted", "pending": "pending"}
REMINDER_AHEAD = timedelta(hours=24)


class RegistrationRefused(Refused):
    """A refusal with a stable `code`; `fields` maps a field to its messages when the code is `invalid`."""


def _duplicate():
    return RegistrationRefused("duplicate_email", {"email": [_l("This e-mail address is already registered.")]})


_seminars = Seminar.__table__
_categories = Category.__table__
_registrations = Registration.__table__

# The seat rule itself, built once (every signup runs it): one seat more only while one is free.
_TAKE_SEMINAR_SEAT = (
    update(_seminars)
    .where(_seminars.c.id == bindparam("seminar"),
           (_seminars.c.capacity.is_(None)) | (_seminars.c.seats_taken < _seminars.c.capacity))
    .values(seats_taken=_seminars.c.seats_taken + 1)
)
_TAKE_CATEGORY_SEAT = (
    update(_categories)
    .where(_categories.c.id == bindparam("category"),
           (_categories.c.quota.is_(None)) | (_categories.c.seats_taken < _categories.c.quota))
    .values(seats_taken=_categories.c.seats_taken + 1)
)
_RELEASE_SEMINAR_SEAT = (update(_seminars).where(_seminars.c.id == bindparam("seminar"))
                         .values(seats_taken=_seminars.c.seats_taken - 1))
_RELEASE_CATEGORY_SEAT = (update(_categories).where(_categories.c.id == bindparam("category"))
                          .values(seats_taken=_categories.c.seats_taken - 1))


def _take_seat(session, seminar_id, category_id):
    """Take one seat in the seminar and in the category's quota, both or neither.

    Returns None when the seat is ours, else "seminar" or "category": what was full.
    """
    if session.execute(_TAKE_SEMINAR_SEAT, {"seminar": seminar_id}).rowcount != 1:
        return "seminar"
    if session.execute(_TAKE_CATEGORY_SEAT, {"category": category_id}).rowcount != 1:
        _release_seminar_seat(session, seminar_id)
        return "category"
    return None


def _release_seminar_seat(session, seminar_id):
    session.execute(_RELEASE_SEMINAR_SEAT, {"seminar": seminar_id})


def _release_seat(session, seminar_id, category_id):
    _release_seminar_seat(session, seminar_id)
    session.execute(_RELEASE_CATEGORY_SEAT, {"category": category_id})


def _refresh_counters(session, *objects):
    """The UPDATEs above bypass the ORM; make loaded objects read the new counters."""
    for obj in objects:
        if obj is not None:
            session.expire(obj, ["seats_taken"])


def _check_open(seminar, now, *, ignore_window):
    if seminar.status == "cancelled":
        raise RegistrationRefused("cancelled_seminar")
    if ignore_window:
        return
    state = seminar.registration_state(now)
    if state in ("closed", "not_open"):
        raise RegistrationRefused(state)


def _category(session, seminar, data, source):
    raw = data.get("category_id")
    category = None
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        raw = int(raw)
    if is_row_id(raw):
        category = session.get(Category, raw)
    if category is None or category.seminar_id != seminar.id:
        raise RegistrationRefused("wrong_category", {"category_id": [_l("Choose one of this seminar's categories.")]})
    if not category.is_public and source not in STAFF_SOURCES:
        raise RegistrationRefused("wrong_category", {"category_id": [_l("Choose one of this seminar's categories.")]})
    return category


def _answers(seminar, data, category, source):
    """The answers to the seminar's questions in `data["answers"]` ({question key: value}), and their errors."""
    return clean_answers(seminar.questions, data.get("answers"), category=category,
                         staff=source in ANSWERING_STAFF_SOURCES)


def validate(session, seminar, data, *, source="online"):
    """The cleaned values, category and answers ({question: stored text or None}) for `data`, or
    RegistrationRefused("invalid"/"wrong_category") with every field's problem, the answers' included."""
    try:
        category = _category(session, seminar, data, source)
    except RegistrationRefused as refusal:
        _, errors = clean(data, None, require_consent=source not in STAFF_SOURCES)
        _, answer_errors = _answers(seminar, data, None, source)
        raise RegistrationRefused("invalid", {**errors, **answer_errors, **refusal.fields}) from None
    # At the door a person may have no e-mail address (or not want to give it): they get no e-mail then.
    values, errors = clean(data, category, require_consent=source not in STAFF_SOURCES,
                           require_email=source != "walk_in")
    answers, answer_errors = _answers(seminar, data, category, source)
    sessions, session_errors = places.clean_choice(seminar, data.get("session_ids"))
    if errors or answer_errors or session_errors:
        raise RegistrationRefused("invalid", {**errors, **answer_errors, **session_errors})
    values["sessions"] = sessions
    if source == "organizer":  # a VIP is the organizer's word, never a signup's, an import's or a partner's
        values["is_vip"] = bool(data.get("is_vip"))
    return values, category, answers


def _hold_until(seminar, source, now):
    """Until when a public signup's place waits for its address to be confirmed; None when nothing is asked
    (the seminar does not confirm addresses, or the seminar's team registered the person)."""
    if seminar.email_confirmation_hours is None or source in STAFF_SOURCES:
        return None
    return now + timedelta(hours=seminar.email_confirmation_hours)


def register(session, seminar, data, *, source="online", now=None, by=None, waitlist=True, ignore_window=False,
             notify=True):
    """Sign one person up: confirmed while seats remain in the seminar and the category's quota,
    else waitlisted (or RegistrationRefused("full") when there is no waiting list or `waitlist` is
    False); `pending` when the seminar needs approval and the person signed up themselves.
    The person is e-mailed unless `notify` is False (an organizer's import may choose not to). When the seminar
    confirms addresses, a person who signed up themselves is held (see `confirm_email`) and e-mailed the link."""
    now = now or utcnow()
    _check_open(seminar, now, ignore_window=ignore_window)
    values, category, answers = validate(session, seminar, data, source=source)
    sessions = values.pop("sessions")
    session.flush()  # the seat UPDATEs below must see what the caller changed (a capacity, a quota)
    status = "pending" if seminar.requires_approval and source not in STAFF_SOURCES else None
    if status is None:
        status = _seat_or_waitlist(session, seminar, category, waitlist=waitlist)
    consent = bool(data.get("consent_data"))
    hold = _hold_until(seminar, source, now)
    registration = session.scalar(_INSERT_REGISTRATION[session.get_bind().dialect.name], {
        **values, "seminar_id": seminar.id, "category_id": category.id, "status": status, "source": source,
        "created_at": now, "updated_at": now, "consent_data_at": now if consent else None,
        "confirmed_at": now if status == "confirmed" else None, "hold_expires_at": hold,
        "search_text": registration_search_text(values["full_name"], values["email"], values["organization"]),
        "name_sort_key": sort_key(values["full_name"]),
    })
    if registration is None:  # the e-mail already has an active registration: the seat goes back
        if status == "confirmed":
            _release_seat(session, seminar.id, category.id)
        _refresh_counters(session, seminar, category)
        raise _duplicate()
    _refresh_counters(session, seminar, category)
    save_answers(session, registration, answers)
    _take_places(session, registration, sessions, now)
    if notify:
        emails.queue(session, registration, "confirm_email" if hold else STATUS_EMAILS[status], now=now)
    if by is not None:
        audit.record(session, user=by, action="registration_added", seminar=seminar, registration=registration,
                     details={"source": source, "status": status}, now=now)
    return registration


def _take_places(session, registration, sessions, now):
    """The places chosen at signup, in the signup's transaction: a full session refuses the whole signup."""
    if not sessions:
        return
    try:
        places.choose(session, registration, sessions, now=now)
    except places.PlaceRefused as refusal:
        raise RegistrationRefused("invalid", refusal.fields) from None


def _submission_scope(seminar):
    return f"signup:{seminar.id}"


def _submission_key(key):
    """The signup form's one-time key if it looks like one (the form makes 22 URL-safe characters), else None."""
    return key if isinstance(key, str) and 8 <= len(key) <= 100 and key.isascii() and key.isprintable() else None


def earlier_submission(session, seminar, key):
    """The registration that a signup form with this one-time key already made, or None: pressing Register
    again after a lost answer (or twice) answers about the first registration instead of making a second."""
    key = _submission_key(key)
    if key is None:
        return None
    token = session.scalar(select(IdempotencyKey.body).where(IdempotencyKey.scope == _submission_scope(seminar),
                                                             IdempotencyKey.key == key))
    return by_token(session, token) if token is not None else None


def register_submission(session, seminar, data, *, key, now=None):
    """`register` for the public form: its one-time key is kept with the new registration, in the same
    transaction (see `earlier_submission`). RegistrationRefused("resubmitted") if the key was used meanwhile."""
    now = now or utcnow()
    registration = register(session, seminar, data, now=now)
    key = _submission_key(key)
    if key is not None:
        try:
            with session.begin_nested():
                session.add(IdempotencyKey(scope=_submission_scope(seminar), key=key, request="POST signup",
                                           status=201, body=registration.token, created_at=now))
        except IntegrityError:
            raise RegistrationRefused("resubmitted") from None
    return registration


def public_signup(session, seminar, data, *, key, now=None):
    """The public form's signup, which tells a stranger nothing about who is registered (issue #27).

    A new address is registered as `register_submission` does. An address that already has an active
    registration writes nothing: its owner gets the e-mail with their link (at most one an hour), so the person
    who typed it learns only what the inbox's owner tells them. Returns nothing on purpose. RegistrationRefused
    for what refuses anyone (invalid, full, closed...), or "resubmitted" (see `register_submission`).
    """
    now = now or utcnow()
    try:
        register_submission(session, seminar, data, key=key, now=now)
    except RegistrationRefused as refusal:
        # The same form sent twice at once: the twin answers as the first did, and mails nobody again.
        if refusal.code != "duplicate_email" or earlier_submission(session, seminar, key) is not None:
            raise
        registration = find_active(session, seminar, data.get("email") or "")
        if registration is not None:
            _send_link_once(session, registration, key=f"signup-again:{registration.id}:{now:%Y%m%d%H}", now=now)


# INSERT ... ON CONFLICT DO NOTHING RETURNING the new registration, or no row when the e-mail already has an
# active one: the unique index on active e-mails decides, however many sign up at once. Both databases speak
# ON CONFLICT, each through its own dialect's insert(). A savepoint around a plain INSERT did the same with two
# more round trips to the server.
_INSERT_REGISTRATION = {
    name: dialect.insert(Registration)
    .on_conflict_do_nothing(index_elements=["seminar_id", "email"], index_where=text(EMAIL_UNIQUE_SQL))
    .returning(Registration)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _seat_or_waitlist(session, seminar, category, *, waitlist):
    if _take_seat(session, seminar.id, category.id) is None:
        return "confirmed"
    if waitlist and seminar.waitlist_enabled:
        return "waitlisted"
    raise RegistrationRefused("full")


def _set_status(session, registration, new_status, *, expected, now, only_if=None):
    """Move a registration from one of `expected` statuses (and `only_if`, a further condition), atomically:
    two organizers clicking at once (or a cancellation racing a promotion) change it once."""
    values = {"status": new_status, "updated_at": now}
    if new_status == "confirmed":
        values["confirmed_at"] = now
    if new_status == "cancelled":
        values["cancelled_at"] = now
    conditions = [_registrations.c.id == registration.id, _registrations.c.status.in_(expected)]
    if only_if is not None:
        conditions.append(only_if)
    changed = session.execute(update(_registrations).where(*conditions).values(**values)).rowcount
    session.expire(registration)
    return changed == 1


def _hold_ran_out(now):
    """The hold is over and the address was never confirmed: in the same UPDATE as the cancellation, so a person
    confirming at that moment and the expiry cannot both win (see `confirm_email`)."""
    return and_(awaiting_email_confirmation(_registrations.c), _registrations.c.hold_expires_at <= now)


def cancel_registration(session, registration, *, by=None, now=None, notify=True, hold_expired=False):
    """Cancel (attendee or organizer, or `expire_holds` with `hold_expired`: only while the address is still not
    confirmed and its hold is over); a freed seat goes to the waiting list in the same transaction. The person is
    told by e-mail unless the organizer chose not to (`notify`)."""
    now = now or utcnow()
    session.flush()
    if registration.checked_in_at is not None:  # they came: the attendance list is a record, not to be unmade
        raise RegistrationRefused("checked_in")
    was = registration.status
    only_if = _hold_ran_out(now) if hold_expired else None
    if was not in ACTIVE_STATUSES or not _set_status(session, registration, "cancelled", expected=(was,), now=now,
                                                     only_if=only_if):
        raise RegistrationRefused("not_active")
    seminar = registration.seminar
    places.give_back_all(session, registration)
    if was == "confirmed":
        _release_seat(session, registration.seminar_id, registration.category_id)
        _refresh_counters(session, seminar, registration.category)
    if notify:
        emails.queue(session, registration, "cancelled", now=now)  # not to an address never confirmed: see `queue`
    if by is not None or hold_expired:
        details = {"was": was, **({"reason": "email_not_confirmed"} if hold_expired else {})}
        audit.record(session, user=by, action="registration_cancelled", seminar=seminar,
                     registration=registration, details=details, now=now)
    if was == "confirmed":
        promote_from_waitlist(session, seminar, now=now)
    return registration


def cancel_own(session, registration, *, now=None):
    """The attendee cancels from their ticket: until the seminar ends (`ended` after), then as
    `cancel_registration` (never once checked in)."""
    now = now or utcnow()
    if registration.seminar.ends_at <= now:
        raise RegistrationRefused("ended")
    return cancel_registration(session, registration, now=now)


# The person follows the link in time: the address is theirs. Conditional, like the expiry it races with.
_NOW = bindparam("now", type_=_registrations.c.hold_expires_at.type)
_CONFIRM_EMAIL = (
    update(_registrations)
    .where(_registrations.c.id == bindparam("registration"), _registrations.c.status.in_(ACTIVE_STATUSES),
           awaiting_email_confirmation(_registrations.c), _registrations.c.hold_expires_at > _NOW)
    .values(email_confirmed_at=_NOW, updated_at=_NOW)
)


def confirm_email(session, registration, *, now=None):
    """The person followed the link in the confirmation e-mail: the held seat or place is theirs, and the usual
    e-mail for it (the ticket, the waiting list, the approval) is queued. Nothing happens for an address
    confirmed already or never asked about. RegistrationRefused("hold_expired") when the hold ran out,
    "not_active" for a cancelled or rejected registration, "cancelled_seminar" when the seminar was cancelled.

    Exactly once against `expire_holds`: both are conditional UPDATEs of the same row (PostgreSQL makes the
    second wait for the first and re-checks its condition; SQLite runs one writer at a time), so a person
    confirming as their hold expires either keeps the place or finds it released, never both.
    """
    now = now or utcnow()
    session.flush()
    if not registration.awaits_email_confirmation:
        return registration
    if not registration.is_active:
        raise RegistrationRefused("not_active")
    if registration.seminar.status == "cancelled":
        raise RegistrationRefused("cancelled_seminar")
    confirmed = session.execute(_CONFIRM_EMAIL, {"registration": registration.id, "now": now}).rowcount == 1
    session.expire(registration)
    if not confirmed:
        raise RegistrationRefused("hold_expired")
    emails.queue(session, registration, STATUS_EMAILS[registration.status], now=now)
    return registration


def expire_holds(session, *, now=None):
    """Cancel the registrations whose address was not confirmed before their hold ran out, as a cancellation
    does: a freed seat goes to the waiting list. Nothing is e-mailed (the address may not be the registrant's;
    the confirmation e-mail said when the place would be released). Safe to run every few minutes and on
    several servers at once: each cancellation is conditional. Returns how many were cancelled."""
    now = now or utcnow()
    session.flush()
    lapsed = session.scalars(
        select(Registration)
        .where(Registration.hold_expires_at <= now, awaiting_email_confirmation(Registration),
               Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.hold_expires_at, Registration.id)
    ).all()
    cancelled = 0
    for registration in lapsed:
        try:
            cancel_registration(session, registration, now=now, hold_expired=True)
        except RegistrationRefused:
            continue  # confirmed or cancelled a moment ago, by someone else
        cancelled += 1
    return cancelled


def promote_from_waitlist(session, seminar, *, now=None):
    """Give free seats to waitlisted people, first come first served, skipping categories whose quota
    is full. Each promoted person is e-mailed. Returns the promoted registrations."""
    now = now or utcnow()
    session.flush()
    promoted = []
    full_categories = set()
    waiting = session.scalars(
        select(Registration)
        .where(Registration.seminar_id == seminar.id, Registration.status == "waitlisted")
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in waiting:
        if registration.category_id in full_categories:
            continue
        full = _take_seat(session, seminar.id, registration.category_id)
        if full == "seminar":
            break
        if full == "category":
            full_categories.add(registration.category_id)
            continue
        if not _set_status(session, registration, "confirmed", expected=("waitlisted",), now=now):
            _release_seat(session, seminar.id, registration.category_id)
            continue
        emails.queue(session, registration, "promoted", now=now)
        promoted.append(registration)
    _refresh_counters(session, seminar, *seminar.categories)
    return promoted


def approve_registration(session, registration, *, by=None, now=None):
    """Pending → confirmed if a seat is free, else waitlisted (or "full" without a waiting list)."""
    now = now or utcnow()
    session.flush()
    if registration.status != "pending":
        raise RegistrationRefused("not_pending")
    seminar = registration.seminar
    status = _seat_or_waitlist(session, seminar, registration.category, waitlist=True)
    if not _set_status(session, registration, status, expected=("pending",), now=now):
        if status == "confirmed":
            _release_seat(session, seminar.id, registration.category_id)
        raise RegistrationRefused("not_pending")
    _refresh_counters(session, seminar, registration.category)
    emails.queue(session, registration, "approved" if status == "confirmed" else "waitlisted", now=now)
    audit.record(session, user=by, action="registration_approved", seminar=seminar, registration=registration,
                 details={"status": status}, now=now)
    return registration


def reject_registration(session, registration, *, by=None, now=None):
    """Pending or waitlisted → rejected (a confirmed seat is cancelled instead, which frees it)."""
    now = now or utcnow()
    session.flush()
    if not _set_status(session, registration, "rejected", expected=("pending", "waitlisted"), now=now):
        raise RegistrationRefused("not_pending")
    places.give_back_all(session, registration)
    emails.queue(session, registration, "rejected", now=now)
    audit.record(session, user=by, action="registration_rejected", seminar=registration.seminar,
                 registration=registration, now=now)
    return registration


def confirm_registration(session, registration, *, by=None, now=None):
    """The organizer moves a pending or waitlisted person to confirmed: only into a free seat."""
    now = now or utcnow()
    session.flush()
    was = registration.status
    if was not in ("pending", "waitlisted"):
        raise RegistrationRefused("not_waiting")
    if _take_seat(session, registration.seminar_id, registration.category_id) is not None:
        raise RegistrationRefused("full")
    if not _set_status(session, registration, "confirmed", expected=(was,), now=now):
        _release_seat(session, registration.seminar_id, registration.category_id)
        raise RegistrationRefused("not_waiting")
    _refresh_counters(session, registration.seminar, registration.category)
    emails.queue(session, registration, "approved" if was == "pending" else "promoted", now=now)
    audit.record(session, user=by, action="registration_confirmed", seminar=registration.seminar,
                 registration=registration, details={"was": was}, now=now)
    return registration


def update_registration(session, registration, data, *, by=None, now=None):
    """The organizer edits a person's details; a confirmed person changing category needs a seat there."""
    now = now or utcnow()
    seminar = registration.seminar
    values, category, answers = validate(session, seminar, data, source="organizer")
    sessions = values.pop("sessions")
    old_category = registration.category
    session.flush()
    try:
        with session.begin_nested():
            _swap_category_seat(session, registration, category)
            changed = {k: v for k, v in values.items() if getattr(registration, k) != v}
            for key, value in values.items():
                setattr(registration, key, value)
            registration.category = category
            registration.updated_at = now
            session.flush()
            changed.update({f"answers.{key}": True for key in save_answers(session, registration, answers)})
    except IntegrityError:
        raise _duplicate() from None
    finally:
        _refresh_counters(session, category, old_category)
    if category.id != old_category.id:
        changed["category"] = category.key
    if "session_ids" in data and {part.id for part in sessions} != places.held(session, registration):
        try:
            places.choose(session, registration, sessions, now=now)
        except places.PlaceRefused as refusal:
            raise RegistrationRefused("invalid", refusal.fields) from None
        changed["sessions"] = True
    audit.record(session, user=by, action="registration_edited", seminar=seminar, registration=registration,
                 details={"fields": sorted(changed)}, now=now)
    return registration


def _swap_category_seat(session, registration, category):
    """A confirmed person changing category takes a seat in the new category's quota and gives back the old one
    (the seminar's seat stays theirs); RegistrationRefused("full") when the new quota is taken."""
    if category.id == registration.category_id or registration.status != "confirmed":
        return
    if session.execute(_TAKE_CATEGORY_SEAT, {"category": category.id}).rowcount != 1:
        raise RegistrationRefused("full", {"category_id": [_l("This category's quota is full.")]})
    session.execute(_RELEASE_CATEGORY_SEAT, {"category": registration.category_id})


def move_to_category(session, registration, category, *, by=None, now=None):
    """The organizer moves a person to another category of their seminar with the details they have: a confirmed
    person needs a seat in its quota ("full"), a student category the study details ("study_details")."""
    now = now or utcnow()
    if category.seminar_id != registration.seminar_id:
        raise RegistrationRefused("wrong_category")
    if category.id == registration.category_id:
        raise RegistrationRefused("same_category")
    study, errors = study_details({key: getattr(registration, key) for key in STUDY_FIELDS}, category)
    if errors:
        raise RegistrationRefused("study_details", errors)
    old_category = registration.category
    session.flush()
    try:
        _swap_category_seat(session, registration, category)
    finally:
        _refresh_counters(session, category, old_category)
    for key, value in study.items():
        setattr(registration, key, value)
    registration.category = category
    registration.updated_at = now
    session.flush()
    audit.record(session, user=by, action="registration_edited", seminar=registration.seminar,
                 registration=registration, details={"fields": ["category"]}, now=now)
    return registration


def notify_seminar_cancelled(session, seminar, *, now=None):
    """Tell every active registrant that the seminar is cancelled (once each, even if called twice)."""
    now = now or utcnow()
    session.flush()
    already = set(session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like(f"seminar_cancelled:{seminar.id}:%"))
    ))
    queued = 0
    for registration in session.scalars(
        select(Registration).where(Registration.seminar_id == seminar.id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    ):
        key = f"seminar_cancelled:{seminar.id}:{registration.id}"
        if key not in already:
            emails.queue(session, registration, "seminar_cancelled", now=now, dedupe_key=key)
            queued += 1
    return queued


def send_reminders(session, *, now=None, ahead=REMINDER_AHEAD):
    """Queue the reminder for confirmed registrants not yet at the door, of seminars starting within `ahead`.

    Safe to run every hour, and twice at once: `reminder_sent_at` is claimed with a conditional UPDATE
    and the outbox's dedupe key backs it up, so nobody gets two. Returns how many were queued.
    """
    now = now or utcnow()
    session.flush()
    candidates = session.scalars(
        select(Registration)
        .join(Seminar, Seminar.id == Registration.seminar_id)
        .where(Seminar.status == "published", Seminar.starts_at > now, Seminar.starts_at <= now + ahead,
               Registration.status == "confirmed", Registration.reminder_sent_at.is_(None),
               Registration.checked_in_at.is_(None), ~awaiting_email_confirmation(Registration))
        .order_by(Registration.id)
    ).all()
    queued = 0
    for registration in candidates:
        claimed = session.execute(
            update(_registrations)
            .where(_registrations.c.id == registration.id, _registrations.c.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
        ).rowcount
        if claimed == 1:
            session.expire(registration, ["reminder_sent_at"])
            emails.queue(session, registration, "reminder", now=now, dedupe_key=f"reminder:{registration.id}")
            queued += 1
    return queued


def resend_ticket(session, seminar, email, *, now=None):
    """Re-send the registration e-mail to the address on file, if there is an active registration.

    Returns nothing on purpose: the page says the same whether or not the address is registered, and
    only the inbox owner sees the result. At most one re-send per registration per 10 minutes.
    """
    registration = find_active(session, seminar, email)
    if registration is not None:
        _queue_resend(session, registration, now or utcnow())


def send_ticket_again(session, registration, *, by=None, now=None):
    """The organizer re-sends the registration e-mail (it never arrived, or went to spam). RegistrationRefused:
    "not_active" (cancelled or rejected), "no_email" (a walk-in without an address), "recently_sent" (one went
    less than 10 minutes ago: a double click sends one)."""
    if registration.status not in ACTIVE_STATUSES:
        raise RegistrationRefused("not_active")
    if not registration.email:
        raise RegistrationRefused("no_email")
    now = now or utcnow()
    if not _queue_resend(session, registration, now):
        raise RegistrationRefused("recently_sent")
    if by is not None:
        audit.record(session, user=by, action="ticket_resent", seminar=registration.seminar,
                     registration=registration, now=now)
    return registration


def _queue_resend(session, registration, now):
    """Queue the re-sent registration e-mail unless one was queued in the same 10 minutes; True if queued."""
    window = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    return _send_link_once(session, registration, key=f"resend:{registration.id}:{window:%Y%m%d%H%M}", now=now)


def _send_link_once(session, registration, *, key, now):
    """The e-mail with the registration's link (while its address waits for confirmation, the confirmation
    link; none once that hold ran out), unless the one under `key` is queued already (the outbox's unique dedupe
    key settles two requests at once). True if queued."""
    kind = "ticket_resend"
    if registration.awaits_email_confirmation:
        if registration.hold_expires_at <= now:
            return False
        kind = "confirm_email"
    if session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key == key)):
        return False
    try:
        with session.begin_nested():
            emails.queue(session, registration, kind, now=now, dedupe_key=key)
    except IntegrityError:
        return False
    return True


def find_active(session, seminar, email):
    return session.scalar(
        select(Registration).where(Registration.seminar_id == seminar.id,
                                   Registration.email == normalise_email(email),
                                   Registration.status.in_(ACTIVE_STATUSES))
    )


def by_token(session, token):
    """The registration whose ticket this is, or None (a tampered or unknown token)."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Registration).where(Registration.token == token))
