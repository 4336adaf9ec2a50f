"""Every figure of the summary report, aggregated by the database (GROUP BY), never row by row in Python.

A seminar with 50,000 registrations answers with a few dozen rows per query. Time buckets are computed in
SQL on the epoch (seconds since 1970, UTC): every real time-zone offset is a multiple of 15 minutes, so a
5-minute or 15-minute bucket in UTC is exactly one bucket in the seminar's zone; the few hundred bucket rows
are then labelled (and, for days, summed) in the seminar's zone in Python, which handles daylight-saving
changes the same way on SQLite and PostgreSQL.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Integer, case, cast, func, select

from eventreg.models import STUDY_LEVELS, Category, CheckInEvent, Registration, User

ARRIVAL_BUCKET_MINUTES = 5
_DAY_BUCKET_SECONDS = 15 * 60
TOP_ORGANIZATIONS = 10
TOP_UNIVERSITIES = 15
NOT_REFUSALS = ("checked_in", "undone")


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _epoch_bucket(session, column, seconds):
    """The start of `column`'s bucket of `seconds`, as epoch seconds, computed by the database."""
    if session.get_bind().dialect.name == "sqlite":
        epoch = cast(func.strftime("%s", column), Integer)
        return (epoch // seconds) * seconds
    return cast(func.floor(func.extract("epoch", column) / seconds) * seconds, BigInteger)


def _from_epoch(value):
    return datetime.fromtimestamp(int(value), UTC)


@dataclass(frozen=True)
class Headline:
    confirmed: int
    waitlisted: int
    pending: int
    cancelled: int
    rejected: int
    checked_in: int
    walk_ins: int
    capacity: int | None

    @property
    def no_shows(self):
        return self.confirmed - self.checked_in

    @property
    def turnout(self):
        """Checked in ÷ confirmed, or None when nobody is confirmed."""
        return self.checked_in / self.confirmed if self.confirmed else None

    @property
    def capacity_used(self):
        return self.confirmed / self.capacity if self.capacity else None


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: its label, how many registered (confirmed), how many came."""

    label: str
    registered: int
    attended: int

    @property
    def turnout(self):
        return self.attended / self.registered if self.registered else None


def headline(session, seminar):
    """The headline figures in one pass over the seminar's registrations."""
    r = Registration
    row = session.execute(
        select(
            _count_if(r.status == "confirmed"),
            _count_if(r.status == "waitlisted"),
            _count_if(r.status == "pending"),
            _count_if(r.status == "cancelled"),
            _count_if(r.status == "rejected"),
            _count_if(r.checked_in_at.is_not(None)),
            _count_if(r.source == "walk_in"),
        ).where(r.seminar_id == seminar.id)
    ).one()
    return Headline(*(int(v) for v in row), capacity=seminar.capacity)


def by_category(session, seminar):
    r = Registration
    rows = session.execute(
        select(Category.label, _count_if(r.status == "confirmed"), _count_if(r.checked_in_at.is_not(None)))
        .select_from(Category)
        .outerjoin(r, r.category_id == Category.id)
        .where(Category.seminar_id == seminar.id)
        .group_by(Category.id, Category.label, Category.position)
        .order_by(Category.position, Category.id)
    ).all()
    return [Row(label, int(registered), int(attended)) for label, registered, attended in rows]


def _confirmed_students(seminar):
    return (
        Registration.seminar_id == seminar.id,
        Registration.status == "confirmed",
        Category.is_student.is_(True),
    )


def students_by_university(session, seminar, limit=TOP_UNIVERSITIES):
    """Confirmed students per university, largest first ("" is people who gave none)."""
    r = Registration
    registered = func.count(r.id)
    rows = session.execute(
        select(r.university, registered, _count_if(r.checked_in_at.is_not(None)))
        .join(Category, r.category_id == Category.id)
        .where(*_confirmed_students(seminar))
        .group_by(r.university)
        .order_by(registered.desc(), r.university)
        .limit(limit)
    ).all()
    return [Row(university or "", int(n), int(came)) for university, n, came in rows]


def students_by_level(session, seminar):
    """Confirmed students per level of study, in the order bachelor, master, PhD, then not given."""
    r = Registration
    rows = session.execute(
        select(r.study_level, func.count(r.id), _count_if(r.checked_in_at.is_not(None)))
        .join(Category, r.category_id == Category.id)
        .where(*_confirmed_students(seminar))
        .group_by(r.study_level)
    ).all()
    order = {level: i for i, level in enumerate(STUDY_LEVELS)}
    rows = sorted(rows, key=lambda row: order.get(row[0], len(order)))
    return [Row(level or "", int(n), int(came)) for level, n, came in rows]


def top_organizations(session, seminar, limit=TOP_ORGANIZATIONS):
    r = Registration
    registered = func.count(r.id)
    rows = session.execute(
        select(r.organization, registered, _count_if(r.checked_in_at.is_not(None)))
        .where(r.seminar_id == seminar.id, r.status == "confirmed", r.organization != "")
        .group_by(r.organization)
        .order_by(registered.desc(), r.organization)
        .limit(limit)
    ).all()
    return [Row(organization, int(n), int(came)) for organization, n, came in rows]


@dataclass(frozen=True)
class Day:
    day: object  # datetime.date in the seminar's zone
    count: int
    cumulative: int


def registrations_per_day(session, seminar):
    """Registrations made before the seminar started (walk-ins excluded), per day in the seminar's zone, with
    the running total; days without registrations are included so the line has no gaps."""
    r = Registration
    bucket = _epoch_bucket(session, r.created_at, _DAY_BUCKET_SECONDS).label("bucket")
    rows = session.execute(
        select(bucket, func.count(r.id))
        .where(r.seminar_id == seminar.id, r.source != "walk_in", r.created_at < seminar.starts_at)
        .group_by(bucket)
    ).all()
    per_day = {}
    for start, count in rows:
        day = _from_epoch(start).astimezone(seminar.zone).date()
        per_day[day] = per_day.get(day, 0) + int(count)
    if not per_day:
        return []
    days, total = [], 0
    day, last = min(per_day), max(per_day)
    while day <= last:
        total += per_day.get(day, 0)
        days.append(Day(day, per_day.get(day, 0), total))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Bucket:
    starts_at: datetime  # aware, UTC
    count: int
    is_start: bool  # the bucket in which the seminar starts


def arrivals(session, seminar, minutes=ARRIVAL_BUCKET_MINUTES):
    """Check-ins per `minutes` from the first to the last arrival (empty buckets included), the seminar's
    start bucket marked (and included, so the chart shows who came early and who came late)."""
    r = Registration
    seconds = minutes * 60
    bucket = _epoch_bucket(session, r.checked_in_at, seconds).label("bucket")
    rows = session.execute(
        select(bucket, func.count(r.id))
        .where(r.seminar_id == seminar.id, r.checked_in_at.is_not(None))
        .group_by(bucket)
    ).all()
    if not rows:
        return []
    counts = {int(start): int(count) for start, count in rows}
    start_bucket = int(seminar.starts_at.timestamp()) // seconds * seconds
    first = min(min(counts), start_bucket)
    last = max(max(counts), start_bucket)
    return [Bucket(_from_epoch(at), counts.get(at, 0), at == start_bucket) for at in range(first, last + 1, seconds)]


def per_gate(session, seminar):
    """Check-ins (people inside now, undone ones excluded) per gate, busiest first."""
    r = Registration
    count = func.count(r.id)
    rows = session.execute(
        select(r.checked_in_gate, count)
        .where(r.seminar_id == seminar.id, r.checked_in_at.is_not(None))
        .group_by(r.checked_in_gate)
        .order_by(count.desc(), r.checked_in_gate)
    ).all()
    return [(gate or "", int(n)) for gate, n in rows]


def per_staff_member(session, seminar):
    """Check-ins per staff member who let people in, busiest first ("" for an account since deleted)."""
    r = Registration
    count = func.count(r.id)
    rows = session.execute(
        select(User.name, count)
        .select_from(r)
        .outerjoin(User, User.id == r.checked_in_by_id)
        .where(r.seminar_id == seminar.id, r.checked_in_at.is_not(None))
        .group_by(r.checked_in_by_id, User.name)
        .order_by(count.desc(), User.name)
    ).all()
    return [(name or "", int(n)) for name, n in rows]


def refused_scans(session, seminar):
    """Scan attempts the door refused, per reason, most frequent first."""
    count = func.count(CheckInEvent.id)
    rows = session.execute(
        select(CheckInEvent.result, count)
        .where(CheckInEvent.seminar_id == seminar.id, CheckInEvent.result.not_in(NOT_REFUSALS))
        .group_by(CheckInEvent.result)
        .order_by(count.desc(), CheckInEvent.result)
    ).all()
    return [(result, int(n)) for result, n in rows]
