"""Engine tuning that the models cannot express: SQLite must behave under concurrent writers."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not pysqlite, say when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA busy_timeout=30000")  # a writer waits its turn instead of "database is locked"
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Execution options for a transaction that only reads: on SQLite it starts DEFERRED and takes no write lock.
READ_ONLY = {"eventreg_read_only": True}


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """Take SQLite's write lock when the transaction starts.

    A deferred transaction that reads and then writes cannot wait for the lock (SQLite answers
    "database is locked" at once, whatever the busy timeout); BEGIN IMMEDIATE queues instead, so
    concurrent registrations and check-ins serialise cleanly. A long read (an export streaming 100,000
    rows) opts out with READ_ONLY, so the door's check-ins do not wait behind it.
    """
    if connection.dialect.name == "sqlite":
        mode = "DEFERRED" if connection.get_execution_options().get("eventreg_read_only") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def begin_read_only(session):
    """Start the session's next transaction as READ_ONLY; inside an open transaction it changes nothing."""
    actual = session() if isinstance(session, scoped_session) else session
    if not actual.in_transaction():
        actual.connection(execution_options=READ_ONLY)
