"""The "Add to calendar" file for one registration (RFC 5545), attached to e-mails and on the ticket page."""

from datetime import UTC
from urllib.parse import urlencode

from icalendar import Calendar, Event

from eventreg.models import utcnow
from eventreg.seminars.content import localized


def _location(seminar):
    return ", ".join(p for p in (localized(seminar, "venue"), localized(seminar, "address")) if p)


def ticket_calendar(registration, ticket_url, *, now=None):
    """An .ics with the seminar as one event, in the current language (an e-mail's is the registrant's); the UID
    is stable, so re-importing updates, not duplicates."""
    seminar = registration.seminar
    calendar = Calendar()
    calendar.add("prodid", "-//eventreg//ticket//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"registration-{registration.id}-{seminar.id}@eventreg")
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", seminar.starts_at)
    event.add("dtend", seminar.ends_at)
    event.add("summary", localized(seminar, "title"))
    event.add("location", _location(seminar))
    event.add("description", f"{registration.full_name}\n{ticket_url}")
    event.add("url", ticket_url)
    if seminar.status == "cancelled":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def _compact(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_links(seminar, ticket_url):
    """"Add to Google Calendar" and "Outlook" links: one tap on a phone, where an attached .ics often
    opens nowhere. Both take the event in the URL; times in UTC, so no zone can be misread."""
    location, title = _location(seminar), localized(seminar, "title")
    google = "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE", "text": title,
        "dates": f"{_compact(seminar.starts_at)}/{_compact(seminar.ends_at)}",
        "details": ticket_url, "location": location,
    })
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
        "startdt": seminar.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": seminar.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": ticket_url, "location": location,
    })
    return {"google": google, "outlook": outlook}
