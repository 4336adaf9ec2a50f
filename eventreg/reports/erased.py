"""The report's breakdowns for registrations whose personal data was erased (`models/figures.py`).

`keep_figures` runs just before erasure blanks a registration; the report's queries add these counters to
what they count on the live rows. A registration counts as the report counts it: confirmed, and attended
when it was checked in.
"""

from sqlalchemy import literal, select
from sqlalchemy.dialects import postgresql, sqlite

from eventreg.models import ErasedFigure

_figures = ErasedFigure.__table__


def _add(session, values):
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    statement = insert(_figures).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["seminar_id", "dimension", "label", "level"],
        set_={"registered": _figures.c.registered + statement.excluded.registered,
              "attended": _figures.c.attended + statement.excluded.attended},
    ))


def keep_figures(session, registration):
    """Add the registration's part of the student and organization breakdowns to the kept counters.

    Two erasures at once add both (an atomic upsert). Called once per registration: erasure happens once."""
    if registration.status != "confirmed":
        return
    counts = {"seminar_id": registration.seminar_id, "registered": 1,
              "attended": int(registration.checked_in_at is not None)}
    if registration.category.is_student:
        _add(session, {**counts, "dimension": "student", "label": registration.university or "",
                       "level": registration.study_level or ""})
    if registration.organization:
        _add(session, {**counts, "dimension": "organization", "label": registration.organization, "level": ""})


def student_rows(seminar_id):
    """(university, level, registered, attended) of the erased students, shaped as the live query's rows."""
    return select(_figures.c.label, _figures.c.level, _figures.c.registered, _figures.c.attended).where(
        _figures.c.seminar_id == seminar_id, _figures.c.dimension == literal("student"))


def organization_rows(seminar_id):
    """(organization, registered, attended) of the erased registrations."""
    return select(_figures.c.label, _figures.c.registered, _figures.c.attended).where(
        _figures.c.seminar_id == seminar_id, _figures.c.dimension == literal("organization"))
