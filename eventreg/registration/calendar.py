""""Add to calendar": the .ics of a ticket (attached to e-mails, on the ticket page) and of a seminar's page
(RFC 5545), and the Google and Outlook links beside them.

A seminar without days is one event. A seminar over several days is one event per day, since a calendar that
showed it from the first morning to the last evening would have the person busy through the nights; a ticket's
calendar adds the sessions its holder has a place in.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from icalendar import Calendar, Event
from sqlalchemy.orm import object_session

from eventreg.models import utcnow
from eventreg.registration import places
from eventreg.seminars.content import localized
from eventreg.seminars.day_names import day_label


@dataclass(frozen=True)
class _Stretch:
    """One event: `key` makes its UID (stable, so importing again updates instead of duplicating)."""

    key: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    day: str | None  # "Day 2 · Wed 16 Dec" on a seminar of several days


def _location(seminar, room=""):
    return ", ".join(p for p in (room, localized(seminar, "venue"), localized(seminar, "address")) if p)


def _stretches(seminar, sessions=()):
    """The seminar's events in the current language: itself, or each day and then each of `sessions`."""
    title, location = localized(seminar, "title"), _location(seminar)
    if not seminar.has_days:
        return [_Stretch("", seminar.starts_at, seminar.ends_at, title, location, None)]
    stretches = [_Stretch(f"-day-{day.id}", day.starts_at, day.ends_at, f"{title} · {day_label(day)}", location,
                          day_label(day)) for day in seminar.days]
    stretches += [_Stretch(f"-session-{part.id}", part.starts_at, part.ends_at,
                           f"{localized(part, 'title')} · {title}", _location(seminar, part.room), None)
                  for part in sessions]
    return stretches


def _calendar(product, stretches, uid, *, now, description, url, status):
    calendar = Calendar()
    calendar.add("prodid", f"-//eventreg//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for stretch in stretches:
        event = Event()
        event.add("uid", f"{uid}{stretch.key}@eventreg")
        event.add("dtstamp", (now or utcnow()).astimezone(UTC))
        event.add("dtstart", stretch.starts_at.astimezone(UTC))
        event.add("dtend", stretch.ends_at.astimezone(UTC))
        event.add("summary", stretch.summary)
        if stretch.location:
            event.add("location", stretch.location)
        event.add("description", description)
        event.add("url", url)
        event.add("status", status)
        calendar.add_component(event)
    return calendar.to_ical()


def _status(seminar):
    return "CANCELLED" if seminar.status == "cancelled" else "CONFIRMED"


def ticket_calendar(registration, ticket_url, *, now=None):
    """A registration's .ics in the current language (an e-mail's is the registrant's)."""
    seminar = registration.seminar
    held = places.held_sessions(object_session(registration), registration)
    return _calendar("ticket", _stretches(seminar, held), f"registration-{registration.id}-{seminar.id}", now=now,
                     description=f"{registration.full_name}\n{ticket_url}", url=ticket_url, status=_status(seminar))


def seminar_calendar(seminar, *, url, now):
    """The seminar's .ics for its public page, texts in the page's language."""
    return _calendar("seminars", _stretches(seminar), f"seminar-{seminar.id}-{seminar.slug}", now=now,
                     description=f"{localized(seminar, 'description')}\n\n{url}".strip(), url=url,
                     status=_status(seminar))


def _compact(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_links(seminar, ticket_url):
    """"Add to Google Calendar" and "Outlook" links, one pair per day of the seminar: one tap on a phone, where an
    attached .ics often opens nowhere. Both take one event in the URL; times in UTC, so no zone can be misread.
    Each pair: {"day": "Day 2 · Wed 16 Dec" or None, "google": url, "outlook": url}."""
    links = []
    for stretch in _stretches(seminar):
        google = "https://calendar.google.com/calendar/render?" + urlencode({
            "action": "TEMPLATE", "text": stretch.summary,
            "dates": f"{_compact(stretch.starts_at)}/{_compact(stretch.ends_at)}",
            "details": ticket_url, "location": stretch.location,
        })
        outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
            "path": "/calendar/action/compose", "rru": "addevent", "subject": stretch.summary,
            "startdt": stretch.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "enddt": stretch.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "body": ticket_url, "location": stretch.location,
        })
        links.append({"day": stretch.day, "google": google, "outlook": outlook})
    return links
