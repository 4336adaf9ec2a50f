"""The organizer's side of registrations: the searchable list and the CSV import.

The import is two steps: `preview_import` writes nothing and says what each row would become;
`import_rows` then sends every row through `services.register`, the same rules as the public form.
"""

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select

from eventreg.email_addresses import normalise_email
from eventreg.models import Category, Registration, search_matches
from eventreg.names import alphabetical
from eventreg.registration import services
from eventreg.registration.services import RegistrationRefused

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

    @property
    def pages(self):
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def registrations_page(session, seminar, *, locale, q="", status="", category_key="", by_name=False, page=1,
                       per_page=PER_PAGE):
    """One page of a seminar's registrations, newest first (or `by_name`, in the alphabet of `locale`),
    filtered by search text, status and category.

    Search matches every spelling of a name (eventreg/names.py): "Aliya" finds "Әлия", on SQLite too.
    """
    query = select(Registration).where(Registration.seminar_id == seminar.id)
    matches = search_matches(Registration.search_text, q)
    if matches is not None:
        query = query.where(matches)
    if status:
        query = query.where(Registration.status == status)
    if category_key:
        query = query.join(Category, Category.id == Registration.category_id).where(Category.key == category_key)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(page, 1)
    order = ([*alphabetical(Registration.name_sort_key, locale), Registration.id] if by_name
             else [Registration.created_at.desc(), Registration.id.desc()])
    items = session.scalars(
        query.order_by(*order)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def status_counts(session, seminar):
    rows = session.execute(
        select(Registration.status, func.count()).where(Registration.seminar_id == seminar.id)
        .group_by(Registration.status)
    ).all()
    return dict(rows)


class ImportRefused(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def parse_csv(raw):
    """Rows (dicts with our column names) from the uploaded bytes: UTF-8 with or without BOM, comma or
    semicolon (Excel in many locales writes semicolons)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("not_utf8") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
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
                     for i, name in enumerate(names) if name in IMPORT_COLUMNS})
        if len(rows) > MAX_IMPORT_ROWS:
            raise ImportRefused("too_many_rows")
    if not rows:
        raise ImportRefused("empty")
    return rows


@dataclass
class RowResult:
    number: int
    row: dict
    outcome: str  # ok, invalid, duplicate, duplicate_in_file, wrong_category; after import: a status
    fields: dict = field(default_factory=dict)


def _data(seminar, row, default_category):
    key = (row.get("category") or "").strip().lower()
    category = next((c for c in seminar.categories if c.key == key or c.label.lower() == key), None)
    if not key:
        category = default_category
    return {
        **{k: row.get(k, "") for k in IMPORT_COLUMNS if k != "category"},
        "category_id": category.id if category is not None else None,
        "language": row.get("language") or "en",
    }


def preview_import(session, seminar, rows, *, default_category):
    """What each row would become; writes nothing."""
    seen = set()
    results = []
    for number, row in enumerate(rows, start=2):
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


def import_rows(session, seminar, rows, *, default_category, by, now=None):
    """Register every row through the same rules as the public form; a refused row is reported, not fatal."""
    results = []
    for number, row in enumerate(rows, start=2):
        data = _data(seminar, row, default_category)
        try:
            registration = services.register(session, seminar, data, source="import", by=by, now=now,
                                             ignore_window=True)
        except RegistrationRefused as refusal:
            results.append(RowResult(number, row, refusal.code, refusal.fields))
            continue
        results.append(RowResult(number, row, registration.status))
    return results
