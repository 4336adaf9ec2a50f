"""Reports: the seminar's summary (figures and charts) and the exports an organizer downloads.

Every export is written to the audit trail in the caller's transaction: who took which personal data, when.
"""

import os
from dataclasses import dataclass, replace
from functools import cached_property

from flask import Response, stream_with_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventreg import audit
from eventreg.models import REGISTRATION_STATUSES, Category, utcnow
from eventreg.names import latin
from eventreg.refusals import Refused
from eventreg.reports import charts, documents, exports, queries
from eventreg.reports import days as seminar_days
from eventreg.seminars.services import slugify

LEVELS = {"bachelor": _l("Bachelor"), "master": _l("Master"), "phd": _l("PhD"), "": _l("Not given")}
REFUSAL_REASONS = {
    "already_checked_in": _l("Already checked in"),
    "wrong_seminar": _l("Ticket for another seminar"),
    "cancelled": _l("Cancelled registration"),
    "rejected": _l("Rejected registration"),
    "not_confirmed": _l("Not confirmed (pending or waiting list)"),
    "email_not_confirmed": _l("E-mail address not confirmed"),
    "unknown_code": _l("Unknown code"),
    "outside_window": _l("Outside the check-in window"),
}
NOT_GIVEN = _l("Not given")
PER_PAGE = 50
PDF_MAX_ROWS = 5000
MAX_PER_PAGE = 200
# Beyond any real list (200 million rows at the largest page): a bigger number is refused, not sent to the database.
MAX_PAGE = 1_000_000
UNIVERSITY_MAX = 300  # the registration's column


class ReportRefused(Refused):
    """A refusal with a stable `code`: `unknown_list`, `unknown_format`, `invalid_filter` (with `fields`),
    `too_long_for_pdf`."""


@dataclass
class Summary:
    """Everything the summary page and the summary PDF show, each figure aggregated by the database."""

    seminar: object
    headline: queries.Headline
    categories: list
    universities: list
    levels: list
    organizations: list
    days: list
    arrivals: list
    gates: list
    staff: list
    refused: list
    answers: list  # [(question, [Row per choice])]: the choice questions somebody confirmed answered
    rolls: list | None = None  # the partner universities' rolls, for a reader who may export them
    # A seminar over several days (reports/days.py); none for a seminar without days.
    by_day: list | None = None
    every_day: int | None = None
    any_day: int | None = None
    sessions: list | None = None

    @cached_property
    def charts(self):
        """The SVG charts by name; an empty breakdown has no chart (the page says there is nothing yet)."""
        two = ((str(_l("Registered")), charts.BLUE), (str(_l("Attended")), charts.GREEN))
        one = ((str(_l("Check-ins")), charts.GREEN),)

        def pairs(rows):
            return [(row.label, (row.registered, row.attended)) for row in rows]

        built = {}
        if self.categories:
            built["categories"] = charts.bar_chart(_l("Registered and attended by category"),
                                                   pairs(self.categories), two)
        if self.universities:
            built["universities"] = charts.bar_chart(_l("Students by university"), pairs(self.universities), two)
        if self.levels:
            built["levels"] = charts.bar_chart(_l("Students by level of study"), pairs(self.levels), two)
        if self.organizations:
            built["organizations"] = charts.bar_chart(_l("Top organizations"), pairs(self.organizations), two)
        if self.days:
            built["days"] = charts.cumulative_chart(
                _l("Registrations per day up to the seminar"),
                {"daily": str(_l("Per day")), "total": str(_l("Total")),
                 "days": [d.day.strftime("%d.%m") for d in self.days]},
                [d.count for d in self.days], [d.cumulative for d in self.days])
        if self.by_day:
            built["attendance-days"] = charts.bar_chart(_l("Attendance by day"),
                                                        [(row.label, (row.checked_in,)) for row in self.by_day], one)
        if self.arrivals:
            start = next((i for i, b in enumerate(self.arrivals) if b.is_start), None)
            built["arrivals"] = charts.arrivals_chart(
                _l("Arrivals per %(minutes)s minutes", minutes=queries.ARRIVAL_BUCKET_MINUTES),
                [self.local_time(b.starts_at) for b in self.arrivals], [b.count for b in self.arrivals],
                start, str(_l("Start %(time)s", time=self.local_time(self.seminar.starts_at))))
        if self.gates:
            built["gates"] = charts.bar_chart(_l("Check-ins per gate"), [(g, (n,)) for g, n in self.gates], one)
        if self.staff:
            built["staff"] = charts.bar_chart(_l("Check-ins per staff member"),
                                              [(s, (n,)) for s, n in self.staff], one)
        if self.refused:
            built["refused"] = charts.bar_chart(_l("Refused scans by reason"), [(r, (n,)) for r, n in self.refused],
                                                ((str(_l("Scans")), charts.RED),))
        for question, rows in self.answers:
            built[f"question-{question.id}"] = charts.bar_chart(question.label, pairs(rows), two)
        return built

    def local_time(self, moment):
        return self.seminar.local(moment).strftime("%H:%M")


def _labelled(rows, labels):
    return [queries.Row(str(labels.get(row.label, row.label or NOT_GIVEN)), row.registered, row.attended)
            for row in rows]


def _answer_breakdowns(seminar, rows):
    """Each choice question that confirmed people answered, with a Row per choice in the question's order (a
    choice nobody took included, at zero): stored answers of several choices count for each of them."""
    totals = {}
    for question_id, value, registered, attended in rows:
        counts = totals.setdefault(question_id, {})
        for key in value.split(","):
            before = counts.get(key, (0, 0))
            counts[key] = (before[0] + registered, before[1] + attended)
    return [(question, [queries.Row(label, *totals[question.id].get(key, (0, 0)))
                        for key, label in question.choice_labels()])
            for question in seminar.questions if question.id in totals]


def summary(session, seminar, *, rolls=False, locale=None):
    """The seminar's figures: seven GROUP BY queries, fast for 50,000 registrations; with `rolls`, an eighth lists
    the universities whose students' rolls can be exported, in the alphabet of `locale`. A seminar with days has
    three more: per day, per person's number of days, per session."""
    headline, categories = queries.by_category(session, seminar)
    universities, levels = queries.students(session, seminar)
    door = queries.door(session, seminar)
    several = {}
    if seminar.has_days:
        every_day, any_day = seminar_days.days_reached(session, seminar)
        several = {"by_day": seminar_days.by_day(session, seminar, headline.confirmed), "every_day": every_day,
                   "any_day": any_day, "sessions": seminar_days.sessions(session, seminar)}
    return Summary(
        seminar=seminar,
        headline=headline,
        categories=categories,
        universities=_labelled(universities, {}),
        levels=_labelled(levels, LEVELS),
        organizations=queries.top_organizations(session, seminar),
        days=queries.registrations_per_day(session, seminar),
        arrivals=door.arrivals,
        gates=[(gate or str(_l("No gate")), n) for gate, n in door.gates],
        staff=[(name or str(_l("Deleted account")), n) for name, n in door.staff],
        refused=[(str(REFUSAL_REASONS.get(code, code)), n) for code, n in queries.refused_scans(session, seminar)],
        answers=_answer_breakdowns(seminar, queries.choice_answers(session, seminar)),
        rolls=queries.university_rolls(session, seminar, locale=locale) if rolls else None,
        **several,
    )


@dataclass
class Export:
    """A download: `body` is a generator of text chunks (CSV), a function that writes and returns an open
    binary file (XLSX), or bytes (PDF). `inline`: shown by the browser (a badge PDF opens ready to print) rather
    than saved."""

    filename: str
    mimetype: str
    body: object
    inline: bool = False

    def as_response(self):
        """The download as a response; call it in a request (a CSV streams, reading rows as it goes)."""
        if isinstance(self.body, bytes):
            response = Response(self.body, content_type=self.mimetype)
        elif callable(self.body):
            file = self.body()
            response = Response(_file_chunks(file), content_type=self.mimetype)
            response.content_length = os.fstat(file.fileno()).st_size
        else:
            # content_type, not mimetype: Flask would add "; charset=utf-8" to the CSV's own a second time.
            response = Response(stream_with_context(self.body), content_type=self.mimetype)
        disposition = "inline" if self.inline else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{self.filename}"'
        # Personal data: never kept by a browser or proxy cache.
        response.headers["Cache-Control"] = "no-store"
        return response


def _file_chunks(file, size=64 * 1024):
    """A temporary file sent in chunks and closed (so deleted) when sent, or when the client goes away."""
    with file:
        while chunk := file.read(size):
            yield chunk


def parse_filters(session, seminar, *, status=None, category=None):
    """The organizer list's `status` and `category` (key) filters, checked; empty values mean no filter."""
    status, category = (status or "").strip() or None, (category or "").strip() or None
    fields = {}
    if status is not None and status not in REGISTRATION_STATUSES:
        fields["status"] = [str(_l("Unknown status."))]
    if category is not None and session.scalar(
        select(func.count(Category.id)).where(Category.seminar_id == seminar.id, Category.key == category)
    ) == 0:
        fields["category"] = [str(_l("No such category in this seminar."))]
    if fields:
        raise ReportRefused("invalid_filter", fields)
    return exports.Filters(status=status, category=category)


def _record(session, seminar, user, list_name, fmt, now, **details):
    audit.record(session, user=user, action="export", seminar=seminar,
                 details={"list": list_name, "format": fmt, **details}, now=now)


def export_list(session, seminar, list_name, fmt, *, user, locale, status=None, category=None, sort=None,
                separator="comma", university=None, now=None):
    """One list (attendance, registrations, no-shows, a university's roll) in one format (csv, xlsx, pdf),
    recorded in the audit.

    `status` and `category` filter the registration list, as on the organizer's list; `sort` orders the
    attendance list by `name` (the default, in the alphabet of `locale`) or `arrival`; `separator` is the CSV's
    (`comma` or `semicolon`); `university` names the roll's university (as the students wrote it). CSV rows are
    read while the response streams; XLSX and PDF are written before this returns."""
    if list_name not in exports.LISTS:
        raise ReportRefused("unknown_list")
    if fmt not in exports.FORMATS:
        raise ReportRefused("unknown_format")
    sort = sort or "name"
    if sort not in exports.SORTS:
        raise ReportRefused("invalid_filter", {"sort": [str(_l("Sort by name or by arrival."))]})
    if separator not in exports.SEPARATORS:
        raise ReportRefused("invalid_filter", {"sep": [str(_l("Separate CSV fields by comma or semicolon."))]})
    filters = parse_filters(session, seminar, status=status, category=category)
    if list_name == "university-roll":
        filters = replace(filters, university=_roll_university(university))
    now = now or utcnow()
    details = {k: v for k, v in (("status", filters.status), ("category", filters.category),
                                 ("university", filters.university)) if v}
    if fmt == "csv":
        details["separator"] = separator
    if list_name == "attendance":
        details["sort"] = sort
    questions = [] if fmt == "pdf" else list(seminar.questions)  # a printed page has no room for them
    # A seminar over several days: a column per day and session; a printed attendance list says only which days.
    with_days = seminar.has_days and list_name in seminar_days.LISTS and (fmt != "pdf" or list_name == "attendance")
    extra = seminar_days.day_columns(seminar) if with_days else ()
    statement = exports.list_statement(seminar, list_name, filters, sort, locale=locale, questions=questions,
                                       extra=extra)
    if fmt == "pdf":
        _check_printable(session, statement)
    _record(session, seminar, user, list_name, fmt, now, **details)
    day_columns = seminar_days.list_columns(seminar) if with_days and fmt != "pdf" else ()
    columns = exports.COLUMNS[list_name] + day_columns + exports.answer_columns(questions)
    filename = _filename(seminar, list_name, fmt, filters)
    rows = exports.stream_rows(session, statement)
    if fmt == "csv":
        chunks = exports.csv_chunks(rows, columns, seminar.zone, separator)
        return Export(filename, "text/csv; charset=utf-8", chunks)
    if fmt == "xlsx":
        zone, title = seminar.zone, _sheet_title(list_name)
        # Written when the response is made, after the commit: see exports.stream_rows.
        return Export(filename, exports.XLSX_MIMETYPE, lambda: exports.xlsx_file(rows, columns, zone, title))
    return Export(filename, "application/pdf",
                  documents.list_pdf(seminar, list_name, rows, now=now, subject=filters.university))


def _roll_university(university):
    """The university of a roll, as the students wrote it (so the roll matches the report's rows exactly)."""
    if not (university or "").strip() or len(university) > UNIVERSITY_MAX:
        raise ReportRefused("invalid_filter", {"university": [str(_l("Name the university of the roll."))]})
    return university


def _filename(seminar, list_name, fmt, filters):
    """ASCII (a header's own charset): a roll is named after its university in Latin letters."""
    if filters.university is None:
        return f"{seminar.slug}-{list_name}.{fmt}"
    return f"{seminar.slug}-{list_name}-{slugify(latin(filters.university), 60) or 'university'}.{fmt}"


def _count(session, statement):
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def _check_printable(session, statement):
    """A PDF is laid out in memory at a few milliseconds a row: beyond PDF_MAX_ROWS (some 170 pages) nobody
    prints it, and a worker would be busy for minutes, so the organizer is sent to CSV or XLSX."""
    if _count(session, statement) > PDF_MAX_ROWS:
        raise ReportRefused("too_long_for_pdf")


def _sheet_title(list_name):
    return str({"attendance": _l("Attendance"), "registrations": _l("Registrations"),
                "no-shows": _l("No-shows"), "university-roll": _l("University roll")}[list_name])


def signin_sheet(session, seminar, *, user, locale, now=None):
    """A printable sign-in sheet: every confirmed person by name (in the alphabet of `locale`), with an empty
    signature column."""
    now = now or utcnow()
    statement = exports.list_statement(seminar, "registrations", exports.Filters(status="confirmed"), locale=locale)
    _check_printable(session, statement)
    _record(session, seminar, user, "signin-sheet", "pdf", now)
    rows = exports.stream_rows(session, statement)
    return Export(f"{seminar.slug}-signin-sheet.pdf", "application/pdf",
                  documents.signin_pdf(seminar, rows, now=now))


def summary_pdf(session, seminar, *, user, now=None):
    """The summary report for the director's desk: headline figures and every breakdown as a chart."""
    now = now or utcnow()
    report = summary(session, seminar)  # read before the audit entry takes SQLite's write lock
    _record(session, seminar, user, "summary", "pdf", now)
    return Export(f"{seminar.slug}-summary.pdf", "application/pdf", documents.summary_pdf(report, now=now))


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    questions: list  # the seminar's questions, whose answers each item carries (exports.answer_field)

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def registration_page(session, seminar, *, user, locale, status=None, category=None, page=1, per_page=PER_PAGE,
                      now=None):
    """One page of the full registration list (same order and filters as the export), recorded in the audit
    like an export: reading the list page by page is an export too."""
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise ReportRefused("invalid_filter", {"page": [str(_l("Page out of range."))]})
    filters = parse_filters(session, seminar, status=status, category=category)
    details = {k: v for k, v in (("status", filters.status), ("category", filters.category)) if v}
    _record(session, seminar, user, "registrations", "api", now or utcnow(), page=page, per_page=per_page,
            **details)
    questions = list(seminar.questions)
    statement = exports.list_statement(seminar, "registrations", filters, locale=locale, questions=questions,
                                       extra=seminar_days.day_columns(seminar) if seminar.has_days else ())
    total = _count(session, statement)
    items = session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, page=page, per_page=per_page, total=total, questions=questions)
