"""The exported lists (attendance, full registration list, no-shows, a partner university's roll) and their CSV and
XLSX writers.

Rows come from the database in chunks (`yield_per`: a server-side cursor on PostgreSQL) and leave as they
come, so 100,000 rows need no more memory than 1,000: CSV is a generator the response streams, XLSX is
openpyxl's write-only workbook, which keeps written rows in a temporary file, not in memory.
"""

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import case, func, select

from eventreg.database import streaming_read
from eventreg.models import Answer, Category, Registration, User
from eventreg.names import alphabetical
from eventreg.questions.answers import cell_reader
from eventreg.reports import queries

LISTS = ("attendance", "registrations", "no-shows", "university-roll")
FORMATS = ("csv", "xlsx", "pdf")
SORTS = ("name", "arrival")
CHUNK_ROWS = 100
BOM = "\ufeff"
# A spreadsheet treats a cell starting with these as a formula (or, tab and CR, as a new cell/line).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The separators offered: the comma, and the semicolon that Excel expects where the comma is the decimal mark
# (Russian, Kazakh and most of Europe). Excel in such a locale splits a comma file on ";" and the reverse.
SEPARATORS = {"comma": ",", "semicolon": ";"}
SEMICOLON_LOCALES = frozenset({"ru", "kk"})
# A formula starter at the start of the text or after anything a spreadsheet may take for the start of a cell
# (either separator, a tab, a line break), blanks allowed between: "Acme;=cmd|' /C calc'!A0" is two cells in
# a semicolon locale, and the second would run.
_CELL_STARTS = re.compile(r"(^|[,;\t\r\n])([ \t]*)(?=[=+\-@])")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

LEVEL_LABELS = {"bachelor": _l("Bachelor"), "master": _l("Master"), "phd": _l("PhD")}
ATTENDED_LABELS = {True: _l("Yes"), False: _l("No")}
STATUS_LABELS = {
    "pending": _l("Pending approval"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waiting list"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Rejected"),
}


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translated string
    field: str  # the row's attribute: str | int | datetime (aware UTC) | None
    width: int = 18  # in spreadsheet characters
    kind: str = "text"  # text, number or datetime
    display: object = None  # a function of the stored value giving the cell's (an answer's labels for its keys)
    also: str | None = None  # a second field: `display` then gets (value, second value)


NAME = Column(_l("Name"), "full_name", 30)
EMAIL = Column(_l("E-mail"), "email", 30)
PHONE = Column(_l("Phone"), "phone", 18)
CATEGORY = Column(_l("Category"), "category", 20)
ORGANIZATION = Column(_l("Organization"), "organization", 30)
POSITION = Column(_l("Position"), "position", 24)
UNIVERSITY = Column(_l("University"), "university", 30)
PROGRAMME = Column(_l("Study programme"), "programme", 24)
LEVEL = Column(_l("Level"), "level_label", 10)
YEAR = Column(_l("Year of study"), "study_year", 8, "number")
STATUS = Column(_l("Status"), "status_label", 16)
SOURCE = Column(_l("Source"), "source", 12)
LANGUAGE = Column(_l("Language"), "language", 9)
REGISTERED_AT = Column(_l("Registered at"), "created_at", 17, "datetime")
CONFIRMED_AT = Column(_l("Confirmed at"), "confirmed_at", 17, "datetime")
CANCELLED_AT = Column(_l("Cancelled at"), "cancelled_at", 17, "datetime")
CHECKED_IN_AT = Column(_l("Checked in at"), "checked_in_at", 17, "datetime")
GATE = Column(_l("Gate"), "checked_in_gate", 12)
CHECKED_IN_BY = Column(_l("Checked in by"), "checked_in_by", 20)
ATTENDED = Column(_l("Attended"), "attended_label", 10)

COLUMNS = {
    "attendance": (NAME, CHECKED_IN_AT, GATE, CATEGORY, ORGANIZATION, POSITION, EMAIL, UNIVERSITY, LEVEL, YEAR,
                   CHECKED_IN_BY),
    "registrations": (NAME, EMAIL, PHONE, CATEGORY, STATUS, SOURCE, ORGANIZATION, POSITION, UNIVERSITY, PROGRAMME,
                      LEVEL, YEAR, LANGUAGE, REGISTERED_AT, CONFIRMED_AT, CANCELLED_AT, CHECKED_IN_AT, GATE),
    "no-shows": (NAME, EMAIL, PHONE, CATEGORY, ORGANIZATION, POSITION, UNIVERSITY, LEVEL, YEAR, REGISTERED_AT),
    # Sent to the university's coordinator, outside the organizers: who their students are and whether they came,
    # without e-mail or phone. The university is in every row, so rolls pasted together still say whose is whose.
    "university-roll": (NAME, UNIVERSITY, PROGRAMME, LEVEL, YEAR, ATTENDED, CHECKED_IN_AT),
}


def answer_field(question):
    """The name of a question's answer among a list's columns."""
    return f"answer_{question.id}"


def answer_columns(questions):
    """One column per question, after the fixed ones: headed by the question, an answer as people read it."""
    return tuple(Column(question.label, answer_field(question), 24, "number" if question.kind == "number" else "text",
                        cell_reader(question)) for question in questions)


def _answer(question):
    return (select(Answer.value)
            .where(Answer.registration_id == Registration.id, Answer.question_id == question.id)
            .scalar_subquery().label(answer_field(question)))


@dataclass(frozen=True)
class Filters:
    """The organizer list's filters, carried over to the registration export: a status and a category key; and
    the university whose roll is asked for."""

    status: str | None = None
    category: str | None = None
    university: str | None = None


def _translated(column, labels):
    """The column's code as the reader's words, chosen by the database: translated once per export, not per row."""
    return case({code: str(label) for code, label in labels.items()}, value=column, else_=func.coalesce(column, ""))


def list_statement(seminar, list_name, filters=None, sort="name", *, locale, questions=(), extra=()):
    """The SELECT behind a list: plain columns (no ORM objects to keep), the answer to each of `questions` and the
    `extra` columns included, in a stable order: by name in the alphabet of `locale` (the reader's language:
    eventreg/names.py), or by arrival."""
    r = Registration
    stmt = (
        select(
            _translated(r.status, STATUS_LABELS).label("status_label"),
            _translated(r.study_level, LEVEL_LABELS).label("level_label"),
            case((r.checked_in_at.is_not(None), str(ATTENDED_LABELS[True])),
                 else_=str(ATTENDED_LABELS[False])).label("attended_label"),
            r.id, r.full_name, r.email, r.phone, r.organization, r.position, r.university, r.programme,
            r.study_level, r.study_year, r.status, r.source, r.language, r.created_at, r.confirmed_at,
            r.cancelled_at, r.checked_in_at, r.checked_in_gate, Category.label.label("category"),
            Category.key.label("category_key"),
            User.name.label("checked_in_by"),
            *(_answer(question) for question in questions),
            *extra,
        )
        .join(Category, Category.id == r.category_id)
        .outerjoin(User, User.id == r.checked_in_by_id)
        .where(r.seminar_id == seminar.id)
    )
    if list_name == "attendance":
        stmt = stmt.where(r.checked_in_at.is_not(None))
        if sort == "arrival":
            return stmt.order_by(r.checked_in_at, r.id)
    elif list_name == "no-shows":
        stmt = stmt.where(r.status == "confirmed", r.checked_in_at.is_(None))
    elif list_name == "university-roll":
        stmt = stmt.where(*queries.on_a_roll(seminar), r.university == filters.university)
    else:
        filters = filters or Filters()
        if filters.status:
            stmt = stmt.where(r.status == filters.status)
        if filters.category:
            stmt = stmt.where(Category.key == filters.category)
    return stmt.order_by(*alphabetical(r.name_sort_key, locale), r.id)


def stream_rows(session, statement):
    """The statement's rows, fetched CHUNK_ROWS at a time.

    Read after the request's commit (the audit entry has landed), in a transaction of its own that takes
    no write lock on SQLite: a download that lasts seconds must not hold up the door."""
    with streaming_read(session):
        yield from session.execute(statement.execution_options(yield_per=CHUNK_ROWS))


def neutralise(text):
    """Every place where a spreadsheet could start a formula gets a quote before the starter: shown, never
    executed, whichever separator the reader's Excel splits on."""
    text = _CELL_STARTS.sub(r"\1\2'", text)
    return "'" + text if text.startswith(("\t", "\r")) else text


def separator_for(locale):
    """The separator a reader in this locale's Excel needs (the organizer's language chooses the default)."""
    return "semicolon" if str(locale or "").split("_")[0] in SEMICOLON_LOCALES else "comma"


def _csv_formatters(columns, zone):
    """One function per column turning its value into the cell's text (chosen once, not for every cell)."""

    def moment(value):
        # "2024-09-13 09:52": isoformat is several times faster than strftime, and this runs for every cell.
        return value.astimezone(zone).isoformat(" ", "minutes")[:16] if value is not None else ""

    def number(value):
        return "" if value is None else str(value)

    def text(value):
        return neutralise(value) if value else ""

    chosen = [{"datetime": moment, "number": number}.get(c.kind, text) for c in columns]
    return [write if c.display is None else (lambda value, write=write, c=c: write(c.display(value)))
            for c, write in zip(columns, chosen, strict=True)]


def _position(row, column):
    """Where a column's value is in the row: an index, or two for a column that reads a second field (a slice
    would not do: the fields are anywhere)."""
    if column.also is None:
        return row._fields.index(column.field)
    return row._fields.index(column.field), row._fields.index(column.also)


def _value(row, position):
    return row[position] if isinstance(position, int) else (row[position[0]], row[position[1]])


def csv_chunks(rows, columns, zone, separator="comma"):
    """The CSV file as text chunks: a BOM (so Excel reads UTF-8), the header, then CHUNK_ROWS rows a chunk.
    Every field is quoted, so a separator or line break inside a name never makes a new cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATORS[separator], quoting=csv.QUOTE_ALL)
    writer.writerow([str(c.header) for c in columns])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    formatters = _csv_formatters(columns, zone)
    cells = None
    for count, row in enumerate(rows, 1):
        if cells is None:  # rows are tuples: reading by position is much faster than by attribute name
            cells = [(_position(row, c), write) for c, write in zip(columns, formatters, strict=True)]
            plain = all(isinstance(position, int) for position, _ in cells)
        if plain:
            writer.writerow([write(row[position]) for position, write in cells])
        else:
            writer.writerow([write(_value(row, position)) for position, write in cells])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _same(value):
    return value


def _xlsx_value(sheet, value, zone):
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.astimezone(zone).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text as typed: openpyxl would otherwise store "=..." as a formula
        return cell
    return value


def xlsx_file(rows, columns, zone, title):
    """The workbook in an anonymous temporary file (gone when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    cells = None
    last_row = 1
    for row in rows:
        if cells is None:
            cells = [(_position(row, c), c.display or _same) for c in columns]
        sheet.append([_xlsx_value(sheet, show(_value(row, position)), zone) for position, show in cells])
        last_row += 1
    # Filter buttons on the header over every row: a write-only sheet writes the filter after the rows.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(target)
    target.seek(0)
    return target
