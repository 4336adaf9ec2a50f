"""Reports of a seminar over several days: who came on which day and to which session, aggregated by the database.

A day's check-in is its `Attendance` row without a session (eventreg/models/days.py), one per person and day; a
session's is the row naming the session. The summary's figures are GROUP BY queries over those rows; the lists
read each person's days and sessions as columns of their own row (`day_columns`, one scalar subquery per day on
the unique index), so an export still streams.
"""

from dataclasses import dataclass

from babel.dates import format_skeleton
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from eventreg.formatting import date_locale
from eventreg.models import Attendance, Registration, SessionPlace
from eventreg.reports.exports import Column
from eventreg.seminars.content import localized
from eventreg.seminars.day_names import day_label


def numbered(seminar):
    """[(number, day)]: 1 for the first day, as the door and the lists call it."""
    return list(enumerate(seminar.days, 1))


def short_date(day):
    """"15 Dec", in the reader's language."""
    return format_skeleton("MMMd", day.local_date, locale=date_locale())


def day_header(number, day):
    """"Day 1 (15 Dec)": a day's column in an exported list."""
    return str(_l("Day %(number)d (%(date)s)", number=number, date=short_date(day)))


def session_title(part):
    return localized(part, "title")


@dataclass(frozen=True)
class DayRow:
    """Who checked in on one day, in all and per category (in the seminar's order of categories)."""

    number: int
    label: str
    checked_in: int
    per_category: list  # [(category label, count)]
    confirmed: int

    @property
    def share(self):
        """Checked in that day ÷ confirmed, or None when nobody is confirmed."""
        return self.checked_in / self.confirmed if self.confirmed else None


def by_day(session, seminar, confirmed):
    """A DayRow for each day, from one pass over the day check-ins grouped by day and category."""
    rows = session.execute(
        select(Attendance.day_id, Registration.category_id, func.count(Attendance.id))
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Attendance.seminar_id == seminar.id, Attendance.session_id.is_(None))
        .group_by(Attendance.day_id, Registration.category_id)
    ).all()
    counts = {(day_id, category_id): int(n) for day_id, category_id, n in rows}
    return [DayRow(number, day_label(day), sum(n for (d, _), n in counts.items() if d == day.id),
                   [(category.label, counts.get((day.id, category.id), 0)) for category in seminar.categories],
                   confirmed)
            for number, day in numbered(seminar)]


def days_reached(session, seminar):
    """(how many came on every day, how many on at least one), from the day check-ins counted per person."""
    per_person = (
        select(func.count(Attendance.id).label("days"))
        .where(Attendance.seminar_id == seminar.id, Attendance.session_id.is_(None))
        .group_by(Attendance.registration_id)
        .subquery()
    )
    every = func.coalesce(func.sum(case((per_person.c.days >= len(seminar.days), 1), else_=0)), 0)
    row = session.execute(select(every, func.count()).select_from(per_person)).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class SessionRow:
    title: str
    label: str  # its day and time
    room: str
    capacity: int | None
    places_taken: int | None  # None: open to every confirmed registration, no place to take
    checked_in: int


def sessions(session, seminar):
    """Each session in order with its places and check-ins (one query grouped by session)."""
    counts = dict(session.execute(
        select(Attendance.session_id, func.count(Attendance.id))
        .where(Attendance.seminar_id == seminar.id, Attendance.session_id.is_not(None))
        .group_by(Attendance.session_id)
    ).all())
    numbers = {day.id: number for number, day in numbered(seminar)}
    return [SessionRow(session_title(part), str(_l("Day %(number)d, %(time)s", number=numbers[part.day_id],
                                                   time=seminar.local(part.starts_at).strftime("%H:%M"))),
                       part.room, part.capacity, part.places_taken if part.needs_place else None,
                       int(counts.get(part.id, 0)))
            for part in seminar.sessions]


# -- the lists: each person's days and sessions as columns of their row --------------------------------------


LISTS = ("attendance", "registrations", "university-roll")  # the lists that say who came on which day


def day_field(day):
    return f"day_{day.id}"


def session_field(part):
    return f"session_{part.id}"


def place_field(part):
    return f"place_{part.id}"


def day_columns(seminar):
    """The SELECT's extra columns for a seminar with days: the check-in time of each day and of each session, and
    for a session with a capacity whether the person holds a place. Correlated with the list's Registration."""
    r = Registration
    columns = []
    for day in seminar.days:
        columns.append(select(Attendance.checked_in_at).where(
            Attendance.registration_id == r.id, Attendance.day_id == day.id, Attendance.session_id.is_(None))
            .scalar_subquery().label(day_field(day)))
    for part in seminar.sessions:
        columns.append(select(Attendance.checked_in_at).where(
            Attendance.registration_id == r.id, Attendance.session_id == part.id)
            .scalar_subquery().label(session_field(part)))
        if part.needs_place:
            columns.append(select(func.count()).select_from(SessionPlace).where(
                and_(SessionPlace.registration_id == r.id, SessionPlace.session_id == part.id))
                .scalar_subquery().label(place_field(part)))
    return columns


def days_of(row, seminar):
    """The numbers of the days the row's person checked in on: "1, 3"."""
    return ", ".join(str(number) for number, day in numbered(seminar) if row._mapping[day_field(day)] is not None)


def _local_time(zone):
    return lambda value: value.astimezone(zone).strftime("%H:%M") if value is not None else ""


def list_columns(seminar):
    """The exported list's columns after the fixed ones: one per day ("Day 1 (15 Dec)") with the local check-in
    time that day, one per session with its check-in time or, for a session with a capacity, "place" for someone
    holding a place who has not come."""
    at = _local_time(seminar.zone)
    place = str(_l("place"))
    columns = [Column(day_header(number, day), day_field(day), 13, display=at) for number, day in numbered(seminar)]
    numbers = {day.id: number for number, day in numbered(seminar)}
    for part in seminar.sessions:
        header = f"{session_title(part)} · {day_header(numbers[part.day_id], part.day)}"
        if part.needs_place:
            columns.append(Column(header, session_field(part), 18, also=place_field(part),
                                  display=lambda pair: at(pair[0]) or (place if pair[1] else "")))
        else:
            columns.append(Column(header, session_field(part), 18, display=at))
    return tuple(columns)
