"""The organizer's side of registrations: the searchable list and the CSV import.

The import is two steps: `preview_import` writes nothing and says what each row would become;
`import_rows` then sends every row through `services.register`, the same rules as the public form.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, false, func, select, true

from eventreg.checkin import attendance as attendance_rows
from eventreg.email_addresses import normalise_email
from eventreg.models import Attendance, Category, Registration, search_matches, utcnow
from eventreg.names import alphabetical
from eventreg.questions.answers import from_cell
from eventreg.refusals import Refused
from eventreg.registration import services
from eventreg.registration.services import RegistrationRefused
from eventreg.seminars import content, day_names, days

PER_PAGE = 50
MAX_IMPORT_ROWS = 2000
IMPORT_COLUMNS = ("full_name", "email", "category", "organization", "position", "phone", "university",
                  "programme", "study_level", "study_year", "language")
# Headers people actually write in a spreadsheet, mapped to ours.
_HEADER_ALIASES = {
    "name": "full_name", "full name": "full_name", "fullname": "full_name", "фио": "full_name",
    "e-mail": "email", "mail": "email", "email address": "email",
    "organisation": "organization", "company": "organization",
    "faculty": "programme", "program": "programme", "level": "study_level", "year": "study_year",
}


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    sort: str = "registered"
    descending: bool = True

    @property
    def pages(self):
        return max((self.total + self.per_page - 1) // self.per_page, 1)


_STATUS_ORDER = case({status: rank for rank, status in enumerate(
    ("confirmed", "waitlisted", "pending", "cancelled", "rejected"))}, value=Registration.status, else_=5)
# The list's columns that sort: (terms that always ascend, terms that follow the chosen direction), for a locale.
# The first kind keeps the empty cells (no organization, not checked in) last in both directions.
SORTS = {
    "name": lambda locale: ([], alphabetical(Registration.name_sort_key, locale)),
    "email": lambda locale: ([], [Registration.email]),
    "organization": lambda locale: ([Registration.organization == ""], [func.lower(Registration.organization)]),
    "category": lambda locale: ([], [func.lower(Category.label)]),
    "status": lambda locale: ([], [_STATUS_ORDER]),
    "registered": lambda locale: ([], [Registration.created_at]),
    "checked_in": lambda locale: ([Registration.checked_in_at.is_(None)], [Registration.checked_in_at]),
}


# Who came: checked in, or a no-show (a confirmed seat never checked in, once the seminar has begun: before
# that, nobody has missed it, and a message "to those who did not come" must not go to everyone confirmed).
# A seminar of several days adds both per day: "day-<id>" and "missed-<id>".
def attendance_choices(seminar):
    """[(value, label)] of the attendance filter: came or not, and on a seminar of several days came or not on
    each day. One list for the registrations list, its bulk actions and the messages' segments."""
    choices = [("checked_in", _l("Checked in")), ("no_show", _l("Did not come (confirmed, not checked in)"))]
    for day in seminar.days:
        label = day_names.day_label(day)
        choices += [(f"day-{day.id}", _l("Checked in on %(day)s", day=label)),
                    (f"missed-{day.id}", _l("Did not come on %(day)s", day=label))]
    return choices


def _attendance_clause(seminar, attendance):
    """The condition of an attendance value of `attendance_choices` (anything else: none)."""
    if attendance == "checked_in":
        return Registration.checked_in_at.is_not(None)
    if attendance == "no_show":
        return and_(Registration.status == "confirmed", Registration.checked_in_at.is_(None),
                    true() if seminar.starts_at <= utcnow() else false())
    kind, _, day_id = attendance.partition("-")
    day = days.day_of(seminar, int(day_id)) if day_id.isdigit() and kind in ("day", "missed") else None
    if day is None:
        return None
    came = exists().where(attendance_rows.of_registration(day, None))
    if kind == "day":
        return came
    return and_(Registration.status == "confirmed", ~came, true() if day.starts_at <= utcnow() else false())


def filtered(seminar, *, q="", status="", category_key="", attendance="", university=""):
    """The SELECT of a seminar's registrations that match the filters: search text, status, category key, attendance
    (a value of `attendance_choices`), university (as the student wrote it). The list, a bulk action on "all rows
    of this filter" and a message to a segment read the same rows: a new criterion is a clause here.

    Search matches every spelling of a name (eventreg/names.py): "Aliya" finds "Әлия", on SQLite too.
    """
    query = (select(Registration).join(Category, Category.id == Registration.category_id)
             .where(Registration.seminar_id == seminar.id))
    matches = search_matches(Registration.search_text, q)
    if matches is not None:
        query = query.where(matches)
    if status:
        query = query.where(Registration.status == status)
    if category_key:
        query = query.where(Category.key == category_key)
    if attendance and (clause := _attendance_clause(seminar, attendance)) is not None:
        query = query.where(clause)
    if university:
        query = query.where(Registration.university == university)
    return query


def filtered_ids(session, seminar, **filters):
    """The ids of the registrations that match the list's filters (see `filtered`), in id order."""
    return list(session.scalars(filtered(seminar, **filters).with_only_columns(Registration.id)
                                .order_by(Registration.id)))


def _order(sort, descending, locale):
    fixed, directed = SORTS[sort](locale)
    directed = [*directed, Registration.id]
    return [*fixed, *(term.desc() if descending else term for term in directed)]


def registrations_page(session, seminar, *, locale, sort="registered", descending=True, page=1, per_page=PER_PAGE,
                       **filters):
    """One page of a seminar's registrations matching `filters` (see `filtered`), ordered by a column of SORTS
    (names in the alphabet of `locale`); an unknown column gives the default, newest first."""
    if sort not in SORTS:
        sort, descending = "registered", True
    query = filtered(seminar, **filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(page, 1)
    items = session.scalars(
        query.order_by(*_order(sort, descending, locale))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=items, total=total, page=page, per_page=per_page, sort=sort, descending=descending)


def attendance_of(session, registration):
    """A seminar of several days: the person's check-ins, {(day id, session id or None): Attendance}."""
    rows = session.scalars(select(Attendance).where(Attendance.registration_id == registration.id))
    return {(row.day_id, row.session_id): row for row in rows}


def status_counts(session, seminar):
    rows = session.execute(
        select(Registration.status, func.count()).where(Registration.seminar_id == seminar.id)
        .group_by(Registration.status)
    ).all()
    return dict(rows)


class ImportRefused(Refused):
    """A CSV file that cannot be imported at all: `code` says why."""

# Excel's CSV is not always UTF-8: "CSV (Comma delimited)" is the Windows code page (1251 for Russian and
# Kazakh settings), "Unicode Text" is UTF-16 with a BOM. Name -> how the preview says it.
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp1251": "Windows-1251 (Cyrillic)"}
# A cell longer than any field accepts: said in its row, never echoed whole (the longest field takes 300).
MAX_CELL = 1000
# The csv module refuses a field over 128 KiB by default with an error for the whole file; the upload limit
# (5 MiB) bounds it instead, so such a cell becomes a message in its own row.
csv.field_size_limit(8 * 1024 * 1024)


def decode(raw):
    """(text, encoding) of the uploaded bytes: UTF-8 (with or without BOM), UTF-16 (BOM, or the zero bytes of
    mostly-ASCII text), else Windows-1251 when the result reads as Cyrillic; ImportRefused("encoding") if not."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(raw):
        try:
            return _utf16(raw).lstrip("\ufeff"), "utf-16"
        except UnicodeDecodeError:
            raise ImportRefused("encoding") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        raise ImportRefused("encoding") from None
    others = [c for c in text if ord(c) > 127]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in others)
    if cyrillic < 0.8 * len(others):
        raise ImportRefused("encoding")
    return text, "cp1251"


def _looks_utf16(raw):
    sample = raw[:512]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def _utf16(raw):
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be")


def parse_csv(raw, question_keys=()):
    """(rows, encoding): dicts with our column names (and the seminar's `question_keys`, whose columns hold the
    answers) from the uploaded bytes, in any encoding `decode` reads, comma, semicolon or tab separated (Excel in
    many locales writes semicolons; "Unicode Text" tabs), with any line ending (old Mac files end lines with CR
    alone)."""
    columns = (*IMPORT_COLUMNS, *question_keys)
    text, encoding = decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": the csv module itself splits lines on CR, LF or CRLF, and keeps a quoted line break.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        if not header:
            raise ImportRefused("empty")
        names = [_HEADER_ALIASES.get(h.strip().lower(), h.strip().lower().replace(" ", "_")) for h in header]
        if "full_name" not in names or "email" not in names:
            raise ImportRefused("no_header")
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            rows.append({name: (values[i].strip() if i < len(values) else "")
                         for i, name in enumerate(names) if name in columns})
            if len(rows) > MAX_IMPORT_ROWS:
                raise ImportRefused("too_many_rows")
    except csv.Error:
        raise ImportRefused("unreadable") from None
    if not rows:
        raise ImportRefused("empty")
    return rows, encoding


def rows_from_confirmation(value, question_keys=()):
    """The previewed rows as the confirm step sends them back (a hidden field), or ImportRefused("tampered")
    when they are not what the preview wrote: a list of rows of known columns with short texts."""
    columns = (*IMPORT_COLUMNS, *question_keys)
    try:
        rows = json.loads(value or "[]")
    except ValueError:
        raise ImportRefused("tampered") from None
    if not isinstance(rows, list) or len(rows) > MAX_IMPORT_ROWS or not all(
            isinstance(row, dict) and all(key in columns and isinstance(text, str) and _cell_problem(text)
                                          is None for key, text in row.items()) for row in rows):
        raise ImportRefused("tampered")
    return rows


@dataclass
class RowResult:
    number: int
    row: dict
    outcome: str  # ok, invalid, duplicate, duplicate_in_file, wrong_category; after import: a status
    fields: dict = field(default_factory=dict)


def _cell_problem(text):
    if len(text) > MAX_CELL:
        return _l("This cell is too long (%(n)d characters; at most %(max)d).", n=len(text), max=MAX_CELL)
    if any(ord(c) < 32 and c not in "\t\n\r" or c == "\x7f" for c in text):
        return _l("This cell contains control characters (such as NUL) that cannot be stored.")
    return None


def _words(text):
    """Lower-case words of a cell, punctuation dropped: "Магистратура (2 курс)" -> ["магистратура", "2", "курс"]."""
    return re.findall(r"\w+", text.casefold())


# The names people write for our levels of study and default categories, in Kazakh, Russian and English.
LEVEL_NAMES = {
    "bachelor": {"bachelor", "bachelors", "ba", "bsc", "undergraduate", "бакалавр", "бакалавриат", "бакалавра",
                 "бакалавриаты"},
    "master": {"master", "masters", "ma", "msc", "mba", "магистр", "магистратура", "магистрант", "магистратуры",
               "магистранты", "магистратурасы"},
    "phd": {"phd", "doctoral", "doctorate", "doctor", "докторантура", "докторант", "phd докторантура",
            "доктор", "докторантурасы"},
}
CATEGORY_NAMES = {
    "expert": {"expert", "experts", "эксперт", "эксперты", "сарапшы", "сарапшылар"},
    "government": {"government", "diplomatic", "diplomat", "government diplomatic", "госорган", "государственный",
                   "дипломат", "дипломатический", "госслужащий", "мемлекеттік", "дипломатиялық"},
    "business": {"business", "бизнес", "компания", "кәсіпкер"},
    "academic": {"academic", "academia", "академический", "наука", "академиялық", "ғылым"},
    "student": {"student", "students", "студент", "студенты", "студентка", "студенттер", "білім алушы",
                "обучающийся"},
    "media": {"media", "press", "сми", "пресса", "журналист", "бақ", "баспасөз"},
    "general": {"general", "guest", "общий", "гость", "другое", "жалпы", "қонақ"},
}


def match_level(text):
    """bachelor, master or phd when the cell names exactly one ("Master", "магистратура (2 курс)"), else the
    cell unchanged (validation then says what it takes)."""
    words = _words(text)
    joined = " ".join(words)
    found = {level for level, names in LEVEL_NAMES.items() if joined in names or any(w in names for w in words)}
    return found.pop() if len(found) == 1 else text


def match_year(text):
    """The year of study written beside the level ("магистратура (2 курс)", "2nd year"), or ""."""
    found = re.findall(r"(\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:курс|year|курсы|жыл)", text.casefold())
    return found[0] if len(set(found)) == 1 else ""


def match_category(seminar, text):
    """The seminar's category a cell names: its key or its label in any language and case, or a Kazakh, Russian or
    English name of a default category; None when no category, or more than one, answers to it."""
    words = _words(text)
    joined = " ".join(words)
    if not joined:
        return None
    found = [c for c in seminar.categories if joined in {" ".join(_words(name)) for name in (
        c.key, *content.texts(c, "label", seminar.default_language).values())}]
    if not found:
        found = [c for c in seminar.categories if joined in CATEGORY_NAMES.get(c.key, ())]
    return found[0] if len(found) == 1 else None


def _data(seminar, row, default_category):
    cell = (row.get("category") or "").strip()
    category = match_category(seminar, cell) if cell else default_category
    level = row.get("study_level", "")
    return {
        **{k: row.get(k, "") for k in IMPORT_COLUMNS if k != "category"},
        "study_level": match_level(level),
        "study_year": row.get("study_year") or match_year(level),
        "category_id": category.id if category is not None else None,
        "language": row.get("language") or "en",
        "answers": {question.key: from_cell(question, row[question.key])
                    for question in question_columns(seminar) if question.key in row},
    }


def question_columns(seminar):
    """The questions whose answers a column named by the question's key carries (a key that names one of our own
    columns, such as `position`, leaves that column to the registration)."""
    return [question for question in seminar.questions if question.key not in IMPORT_COLUMNS]


def preview_import(session, seminar, rows, *, default_category):
    """What each row would become; writes nothing."""
    seen = set()
    results = []
    for number, row in enumerate(rows, start=2):
        cells = {key: [message] for key, text in row.items() if (message := _cell_problem(text)) is not None}
        if cells:
            shown = {key: (text[:80] if key in cells else text) for key, text in row.items()}
            results.append(RowResult(number, shown, "invalid", cells))
            continue
        data = _data(seminar, row, default_category)
        email = normalise_email(data["email"])
        try:
            services.validate(session, seminar, data, source="import")
        except RegistrationRefused as refusal:
            results.append(RowResult(number, row, refusal.code, refusal.fields))
            continue
        if email in seen:
            results.append(RowResult(number, row, "duplicate_in_file"))
        elif services.find_active(session, seminar, email) is not None:
            results.append(RowResult(number, row, "duplicate_email"))
        else:
            results.append(RowResult(number, row, "ok"))
        seen.add(email)
    return results


def import_rows(session, seminar, rows, *, default_category, by, notify=False, now=None):
    """Register every row through the same rules as the public form; a refused row is reported, not fatal.
    Nobody is e-mailed unless the organizer chose `notify` (a list often arrives before its people should
    hear anything)."""
    results = []
    for number, row in enumerate(rows, start=2):
        data = _data(seminar, row, default_category)
        try:
            registration = services.register(session, seminar, data, source="import", by=by, now=now,
                                             ignore_window=True, notify=notify)
        except RegistrationRefused as refusal:
            results.append(RowResult(number, row, refusal.code, refusal.fields))
            continue
        results.append(RowResult(number, row, registration.status))
    return results
