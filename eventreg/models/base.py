"""UTC timestamps, shared by every model module."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow():
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so the value is stored as naive UTC
    and made aware again when read. Naive datetimes are refused: they are always a bug here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column, values):
    """The SQL of a CHECK that `column` holds one of `values` (a model's tuple): one list, in Python and SQL."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


# The largest id an INTEGER column holds on PostgreSQL: a larger number names no row, and asking the database
# for it fails in the driver (an overflow) instead of finding nothing.
MAX_ID = 2**31 - 1


def is_row_id(value):
    """True for a whole number that can be a row's id (not a bool, 1 to MAX_ID)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
