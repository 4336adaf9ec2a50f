"""Every figure of the summary report, aggregated by the database (GROUP BY), never row by row in Python.

A seminar with 50,000 registrations answers with a few hundred rows in all, in six passes over its
registrations: each query gathers what several breakdowns need (e.g. per category and status at once), and
Python only adds up those few rows. Time buckets are computed by the database on the stored UTC time: every
real time-zone offset is a multiple of 15 minutes, so a 5- or 15-minute bucket in UTC is exactly one bucket in
the seminar's zone; the bucket rows are then labelled (and, for days, added up) in the seminar's zone, which
handles daylight-saving changes the same way on SQLite and PostgreSQL.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Integer, String, and_, case, cast, func, or_, select, union_all

from eventreg.checkin import attendance
from eventreg.models import (
    CHOICE_KINDS,
    STUDY_LEVELS,
    Answer,
    Attendance,
    Category,
    CheckInEvent,
    Question,
    Registration,
    User,
)
from eventreg.names import alphabetical_key
from eventreg.reports import erased

ARRIVAL_BUCKET_MINUTES = 5
DAY_BUCKET_MINUTES = 15
TOP_ORGANIZATIONS = 10
TOP_UNIVERSITIES = 15
NOT_REFUSALS = ("checked_in", "undone")
# Who is a VIP: marked so on their registration or by their category (a query naming it joins Category).
IS_VIP = or_(Registration.is_vip, Category.is_vip)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _bucket(session, column, minutes):
    """An SQL expression naming `column`'s bucket of `minutes` (which divides 60), and a function turning
    the value the database returns into the bucket's start (aware UTC).

    SQLite stores the time as text ('YYYY-MM-DD HH:MM:SS.ffffff', UTC): cutting the text is much cheaper
    than parsing it with strftime. PostgreSQL floors the epoch."""
    if session.get_bind().dialect.name == "sqlite":
        expression = func.substr(column, 1, 14) + cast(cast(func.substr(column, 15, 2), Integer) // minutes, String)

        def start(value):
            year, month, day, hour = int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13])
            return datetime(year, month, day, hour, minutes * int(value[14:]), tzinfo=UTC)

        return expression, start
    seconds = minutes * 60
    expression = cast(func.floor(func.extract("epoch", column) / seconds) * seconds, BigInteger)
    return expression, lambda value: datetime.fromtimestamp(int(value), UTC)


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


def by_category(session, seminar):
    """The headline figures and registered/attended per category, from one pass grouped by category."""
    r = Registration
    rows = session.execute(
        select(
            Category.label,
            _count_if(r.status == "confirmed"),
            _count_if(r.checked_in_at.is_not(None)),
            _count_if(r.status == "waitlisted"),
            _count_if(r.status == "pending"),
            _count_if(r.status == "cancelled"),
            _count_if(r.status == "rejected"),
            _count_if(r.source == "walk_in"),
        )
        .select_from(Category)
        .outerjoin(r, r.category_id == Category.id)
        .where(Category.seminar_id == seminar.id)
        .group_by(Category.id, Category.label, Category.position)
        .order_by(Category.position, Category.id)
    ).all()
    totals = [sum(int(row[i]) for row in rows) for i in range(1, 8)]
    confirmed, checked_in, waitlisted, pending, cancelled, rejected, walk_ins = totals
    headline = Headline(confirmed=confirmed, waitlisted=waitlisted, pending=pending, cancelled=cancelled,
                        rejected=rejected, checked_in=checked_in, walk_ins=walk_ins, capacity=seminar.capacity)
    return headline, [Row(row[0], int(row[1]), int(row[2])) for row in rows]


def _live_students(seminar):
    """Confirmed registrations of the seminar's student categories whose personal data is kept."""
    r = Registration
    return (r.seminar_id == seminar.id, r.status == "confirmed", r.anonymised_at.is_(None),
            r.category_id.in_(select(Category.id).where(Category.seminar_id == seminar.id,
                                                        Category.is_student.is_(True))))


def on_a_roll(seminar):
    """Who is on a partner university's roll: a confirmed student who named a university (an erased one is on
    none). One rule for the list of rolls and for each roll (`reports/exports.py`)."""
    return (*_live_students(seminar), Registration.university != "")


def university_rolls(session, seminar, *, locale):
    """The universities with a roll, in the alphabet of `locale`: how many of their students registered (confirmed)
    and how many came."""
    r = Registration
    rows = session.execute(
        select(r.university, func.count(r.id), _count_if(r.checked_in_at.is_not(None)))
        .where(*on_a_roll(seminar))
        .group_by(r.university)
    ).all()
    return sorted((Row(university, int(n), int(came)) for university, n, came in rows),
                  key=lambda row: alphabetical_key(row.label, locale))


def students(session, seminar, limit=TOP_UNIVERSITIES):
    """Confirmed students by university (largest first, at most `limit`) and by level of study (bachelor,
    master, PhD, then not given), from one pass grouped by both; "" is "not given". Erased registrations
    count through their kept figures (`reports/erased.py`)."""
    r = Registration
    live = (
        select(r.university, r.study_level, func.count(r.id), _count_if(r.checked_in_at.is_not(None)))
        .where(*_live_students(seminar))
        .group_by(r.university, r.study_level)
    )
    rows = session.execute(union_all(live, erased.student_rows(seminar.id))).all()
    universities, levels = {}, {}
    for university, level, registered, attended in rows:
        for totals, key in ((universities, university or ""), (levels, level or "")):
            before = totals.get(key, (0, 0))
            totals[key] = (before[0] + int(registered), before[1] + int(attended))
    by_size = sorted(universities.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    order = {level: i for i, level in enumerate(STUDY_LEVELS)}
    by_level = sorted(levels.items(), key=lambda item: order.get(item[0], len(order)))
    return ([Row(name, *counts) for name, counts in by_size], [Row(level, *counts) for level, counts in by_level])


def top_organizations(session, seminar, limit=TOP_ORGANIZATIONS):
    """The organizations with most confirmed people, erased registrations counted (`reports/erased.py`)."""
    r = Registration
    live = (
        select(r.organization.label("name"), func.count(r.id).label("registered"),
               _count_if(r.checked_in_at.is_not(None)).label("attended"))
        .where(r.seminar_id == seminar.id, r.status == "confirmed", r.organization != "", r.anonymised_at.is_(None))
        .group_by(r.organization)
    )
    both = union_all(live, erased.organization_rows(seminar.id)).subquery()
    registered = func.sum(both.c.registered)
    rows = session.execute(
        select(both.c.name, registered, func.sum(both.c.attended))
        .group_by(both.c.name)
        .order_by(registered.desc(), both.c.name)
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
    bucket, start_of = _bucket(session, r.created_at, DAY_BUCKET_MINUTES)
    bucket = bucket.label("bucket")
    rows = session.execute(
        select(bucket, func.count(r.id))
        .where(r.seminar_id == seminar.id, r.source != "walk_in", r.created_at < seminar.starts_at)
        .group_by(bucket)
    ).all()
    per_day = {}
    for value, count in rows:
        day = start_of(value).astimezone(seminar.zone).date()
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


@dataclass(frozen=True)
class Door:
    """What happened at the door: arrivals per bucket, check-ins per gate and per staff member."""

    arrivals: list
    gates: list
    staff: list


def door(session, seminar, minutes=ARRIVAL_BUCKET_MINUTES):
    """One pass over the check-ins, grouped by time bucket, gate and staff member.

    Arrivals run from the first to the last bucket (empty ones included) and always include the bucket in
    which the seminar starts, marked. Gates and staff members are busiest first; "" is no gate, or an
    account since deleted. Undone check-ins are not counted: the registration is not checked in any more."""
    r = Registration
    bucket, start_of = _bucket(session, r.checked_in_at, minutes)
    bucket = bucket.label("bucket")
    rows = session.execute(
        select(bucket, r.checked_in_gate, r.checked_in_by_id, func.count(r.id))
        .where(r.seminar_id == seminar.id, r.checked_in_at.is_not(None))
        .group_by(bucket, r.checked_in_gate, r.checked_in_by_id)
    ).all()
    if not rows:
        return Door([], [], [])
    per_bucket, per_gate, per_user = {}, {}, {}
    for value, gate, user_id, count in rows:
        at = start_of(value)
        per_bucket[at] = per_bucket.get(at, 0) + count
        per_gate[gate or ""] = per_gate.get(gate or "", 0) + count
        per_user[user_id] = per_user.get(user_id, 0) + count
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_([u for u in per_user if u]))).all())
    per_name = {}
    for user_id, count in per_user.items():
        name = names.get(user_id, "")
        per_name[name] = per_name.get(name, 0) + count
    start = _floor(seminar.starts_at, minutes)
    arrivals = _timeline(per_bucket, min(min(per_bucket), start), max(max(per_bucket), start), start, minutes)
    return Door(arrivals, _busiest(per_gate), _busiest(per_name))


def _floor(moment, minutes):
    """The start of the bucket of `minutes` that `moment` falls in (aware UTC)."""
    seconds = minutes * 60
    return datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, UTC)


def _timeline(per_bucket, first, last, start, minutes):
    """Buckets from `first` to `last` with their counts, empty ones included; the one beginning at `start` (the
    seminar's) marked."""
    step, buckets = timedelta(minutes=minutes), []
    while first <= last:
        buckets.append(Bucket(first, per_bucket.get(first, 0), first == start))
        first += step
    return buckets


def _busiest(counts):
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# -- the live view: what the door is doing now --------------------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    """Confirmed people (expected at the door) and how many of them came, VIPs among them."""

    expected: int
    checked_in: int
    vips_expected: int
    vips_checked_in: int


def _arrivals(seminar, day):
    """What the live view counts as an arrival: a person's first (the registration's check-in) or, on a day of a
    seminar over several days, their check-in that day. Its (time, gate, registration id) columns and conditions.

    A day's check-ins are its Attendance rows, not its scan events: an undone check-in is no row any more, and a
    session's check-in, which records the day too, is not counted twice."""
    if day is None:
        r = Registration
        return r.checked_in_at, r.checked_in_gate, r.id, (r.seminar_id == seminar.id, r.checked_in_at.is_not(None))
    a = Attendance
    return a.checked_in_at, a.gate, a.registration_id, (a.seminar_id == seminar.id, attendance.which(a, day.id))


def turnout(session, seminar, day=None):
    """The live view's headline, in one pass over the seminar's confirmed registrations (and, on a day, that
    day's check-ins)."""
    r = Registration
    at, _gate, registration_id, conditions = _arrivals(seminar, day)
    came = at.is_not(None)
    query = (select(func.count(r.id), _count_if(came), _count_if(IS_VIP), _count_if(and_(IS_VIP, came)))
             .select_from(r).join(Category, Category.id == r.category_id))
    if day is not None:
        query = query.outerjoin(Attendance, and_(registration_id == r.id, *conditions))
    row = session.execute(query.where(r.seminar_id == seminar.id, r.status == "confirmed")).one()
    return Turnout(*(int(value) for value in row))


def recent_arrivals(session, seminar, *, until, buckets, minutes=ARRIVAL_BUCKET_MINUTES, day=None):
    """Check-ins per bucket over the last `buckets` buckets up to the one `until` (now) falls in, empty ones
    included, the start (of the seminar, or of the day) marked when it is among them. Reads only those buckets'
    check-ins."""
    at, _gate, registration_id, conditions = _arrivals(seminar, day)
    last = _floor(until, minutes)
    first = last - timedelta(minutes=minutes * (buckets - 1))
    bucket, start_of = _bucket(session, at, minutes)
    bucket = bucket.label("bucket")
    rows = session.execute(
        select(bucket, func.count(registration_id))
        .where(*conditions, at >= first, at < last + timedelta(minutes=minutes))
        .group_by(bucket)
    ).all()
    per_bucket = {start_of(value): int(count) for value, count in rows}
    return _timeline(per_bucket, first, last, _floor((day or seminar).starts_at, minutes), minutes)


def gates(session, seminar, day=None):
    """Check-ins per gate, busiest first; "" is no gate."""
    _at, gate, registration_id, conditions = _arrivals(seminar, day)
    rows = session.execute(select(gate, func.count(registration_id)).where(*conditions).group_by(gate)).all()
    per_gate = {}
    for name, count in rows:
        per_gate[name or ""] = per_gate.get(name or "", 0) + int(count)
    return _busiest(per_gate)


@dataclass(frozen=True)
class Arrival:
    id: int
    full_name: str
    category: str
    gate: str
    checked_in_at: datetime
    is_vip: bool


def last_arrivals(session, seminar, limit, *, vips_only=False, day=None):
    """The latest check-ins, newest first (of two in the same instant, the later row first)."""
    r = Registration
    at, gate, registration_id, conditions = _arrivals(seminar, day)
    query = select(r.id, r.full_name, Category.label, gate, at, IS_VIP).join(Category, Category.id == r.category_id)
    if day is not None:
        query = query.join(Attendance, registration_id == r.id)
    query = query.where(*conditions).order_by(at.desc(), r.id.desc()).limit(limit)
    if vips_only:
        query = query.where(IS_VIP)
    return [Arrival(number, name, category, gate or "", at, bool(vip))
            for number, name, category, gate, at, vip in session.execute(query)]


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


def choice_answers(session, seminar):
    """Confirmed people (and who of them came) per stored answer of each choice question, from one pass grouped by
    question and answer: [(question id, stored answer, registered, attended)]. Several choices are stored as one
    answer ("a,b"), so the caller counts each of its choices."""
    r = Registration
    rows = session.execute(
        select(Answer.question_id, Answer.value, func.count(r.id), _count_if(r.checked_in_at.is_not(None)))
        .join(r, r.id == Answer.registration_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.seminar_id == seminar.id, Question.kind.in_(CHOICE_KINDS), r.status == "confirmed")
        .group_by(Answer.question_id, Answer.value)
    ).all()
    return [(question_id, value, int(registered), int(attended)) for question_id, value, registered, attended in rows]
