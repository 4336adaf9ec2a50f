"""The e-mails a registrant receives: queued in the outbox with the change that caused them, written by
the sender just before sending (`content`), from the registration and seminar as they are then."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from eventreg import mail, tickets
from eventreg.registration import places
from eventreg.registration.calendar import calendar_links, ticket_calendar
from eventreg.seminars.content import localized

QR_CID = "ticket-qr"

# kind → subject. The kind is also the template name under templates/email/.
SUBJECTS = {
    "confirmation": _l("Your ticket: %(title)s"),
    "pending": _l("Registration received: %(title)s"),
    "waitlisted": _l("You are on the waiting list: %(title)s"),
    "promoted": _l("A seat is yours: %(title)s"),
    "approved": _l("Registration approved: %(title)s"),
    "rejected": _l("Registration not approved: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "seminar_cancelled": _l("Cancelled: %(title)s"),
    # Not "Tomorrow": the hourly run also reminds of a seminar later the same day.
    "reminder": _l("Reminder: %(title)s"),
    "ticket_resend": _l("Your registration: %(title)s"),
    # While the seminar holds the place for an address to be confirmed: the only e-mail that address gets.
    "confirm_email": _l("Confirm your registration: %(title)s"),
}
# The e-mails that hand over the ticket; it goes with them only while the seat is still the person's.
TICKET_KINDS = frozenset({"confirmation", "promoted", "approved", "reminder", "ticket_resend"})


def ticket_path(token):
    """The ticket page's path (the same as the `registration.ticket` route), usable without a request."""
    return f"/t/{token}/"


def ticket_link(registration):
    """The ticket page's address in an e-mail: the page opened from it speaks the e-mail's language, whatever the
    browser says."""
    return mail.absolute_url(ticket_path(registration.token)) + f"?lang={registration.language}"


def confirm_path(token):
    """The page that confirms the address (the `registration.confirm_email` route)."""
    return f"/t/{token}/confirm"


def queue(session, registration, kind, *, now=None, dedupe_key=None):
    """Queue e-mail `kind` to the registrant. Only what to send is stored here: rendering (templates, MIME,
    the QR code) inside the signup's transaction made every signup of the seminar wait for it."""
    if not registration.email:  # a walk-in who gave no address
        return None
    if registration.awaits_email_confirmation and kind != "confirm_email":
        return None  # the address may be a stranger's, typed by someone else: it gets the link to confirm only
    # A subject for the outbox row to say what is on its way; the sender writes it again from the data then.
    with mail.mail_locale(registration.language):
        subject = str(SUBJECTS[kind] % {"title": localized(registration.seminar, "title")})
    return mail.enqueue(
        session, kind=kind, recipient=registration.email, subject=subject, registration=registration,
        language=registration.language, dedupe_key=dedupe_key, now=now,
    )


def _day_word(seminar, now):
    """"today", "tomorrow" or "later": which day the seminar starts, seen from the sending in its own zone."""
    days = (seminar.local(seminar.starts_at).date() - seminar.local(now).date()).days
    return {0: "today", 1: "tomorrow"}.get(days, "later")


@mail.renders(*SUBJECTS)
def content(registration, kind, now):
    """E-mail `kind` for the registration as it is at `now` (the sending). A confirmed ticket carries its QR
    code (inline and as a PNG) and the .ics, so the person can get in and plan without opening the site."""
    seminar = registration.seminar
    ticket_url = ticket_link(registration)
    attachments = []
    inline_images = []
    if kind in TICKET_KINDS and registration.status == "confirmed":
        png = tickets.qr_png(tickets.ticket_payload(registration), box_size=8)
        inline_images.append((QR_CID, "ticket-qr.png", "image/png", png))
        attachments.append(("ticket-qr.png", "image/png", png))
        attachments.append(("seminar.ics", "text/calendar", ticket_calendar(registration, ticket_url, now=now)))
    context = {
        "registration": registration,
        "seminar": seminar,
        "ticket_url": ticket_url,
        "seminar_url": mail.absolute_url(f"/s/{seminar.slug}/"),
        "qr_cid": QR_CID if inline_images else None,
        # Beside the attached .ics (phones often cannot open one from an e-mail): only with a ticket.
        "calendar_links": calendar_links(seminar, ticket_url) if inline_images else None,
        "ics_url": mail.absolute_url(f"/t/{registration.token}/calendar.ics"),
        "confirm_url": mail.absolute_url(confirm_path(registration.token)) + f"?lang={registration.language}",
        "day": _day_word(seminar, now),
        "places": places.held_sessions(object_session(registration), registration) if inline_images else (),
    }
    # The title as it is now: a subject frozen at queueing kept a broken title after it was corrected.
    subject = str(SUBJECTS[kind] % {"title": localized(seminar, "title")})
    return mail.Content(kind, context, tuple(attachments), tuple(inline_images), subject)
