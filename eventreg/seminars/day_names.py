"""What a seminar's days are called ("Day 2 · Wed 16 Dec") in the reader's language, for the door, the report, the
live view, the forms and the calendar. Apart from days.py, which changes days, so that the e-mails' calendar can
name a day without importing the services that send those e-mails."""

from babel.dates import format_skeleton
from flask_babel import lazy_gettext as _l

from eventreg.formatting import date_in, date_locale, time_in


def day_number(day):
    """1 for the seminar's first day: what the door and the lists call it ("Day 2")."""
    return day.seminar.days.index(day) + 1


def day_label(day):
    """"Day 2 · Wed 16 Dec" in the reader's language: how the door, the report and the live view name a day."""
    return str(_l("Day %(number)d · %(date)s", number=day_number(day),
                  date=format_skeleton("MMMEd", day.local_date, locale=date_locale())))


def day_with_hours(day):
    """"Day 2 · Wednesday, 16 December 2026 · 09:00–18:00": a day where there is room for its date and hours (the
    seminar's pages, the ticket, the organizer's forms)."""
    seminar = day.seminar
    return str(_l("Day %(number)d · %(date)s · %(start)s–%(end)s", number=day_number(day),
                  date=date_in(day.starts_at, seminar), start=time_in(day.starts_at, seminar),
                  end=time_in(day.ends_at, seminar)))


def day_choices(seminar):
    """The seminar's days as a form's select offers them."""
    return [(day.id, day_with_hours(day)) for day in seminar.days]
