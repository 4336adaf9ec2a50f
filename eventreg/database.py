"""Engine tuning that the models cannot express: SQLite must behave under concurrent writers, and a pooled
PostgreSQL connection that the server closed must be replaced before a request uses it."""

import select
import sqlite3
import time
from contextlib import contextmanager, suppress

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import scoped_session
from sqlalchemy.pool import Pool

BUSY_TIMEOUT_MS = 30000
# SQLite's page cache per connection (KiB; filled only as pages are read). The default 2 MB is smaller than
# the registrations of one large seminar, so the summary report's passes re-read every page from the OS:
# for 50,000 registrations 288 ms with 2 MB, 188 ms with 32 MB (bench #9, in-process medians).
CACHE_KIB = 32768


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not pysqlite, say when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # a writer waits its turn, not "database is locked"
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


@event.listens_for(Pool, "checkout")
def _replace_connections_the_server_closed(dbapi_connection, connection_record, connection_proxy):
    """Give up a pooled PostgreSQL connection that the server closed while it sat idle in the pool.

    A restart, a failover, an administrator's pg_terminate_backend or an idle timeout closes the server's
    end, and then the socket reads as ready at once; an idle connection that is alive has nothing to read.
    SQLAlchemy's `pool_pre_ping` asks the same with a SELECT 1 on every checkout: one round trip more for
    every request, 5 % of a scan at the door (bench #9). DisconnectionError makes the pool open a new
    connection in its place.
    """
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # SQLite: a file has no server to lose
        return
    try:
        closed = dbapi_connection.closed or _readable_now(pgconn.socket)
    except (OSError, dbapi_connection.OperationalError) as error:
        raise DisconnectionError(str(error)) from error
    if closed:
        raise DisconnectionError("the database server closed this connection while it was idle")


def _readable_now(fd):
    """Whether the socket has something to read (or was closed), without waiting. poll, not select: select
    cannot watch a descriptor numbered 1024 or above."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


# How often a writer asks again for the write lock: SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25,
# 25, 25, 50, 50 and then 100 ms between tries, so under a crowd of writers (a rush, four doors) a request
# slept through many hand-overs of a lock that is held for a fraction of a millisecond.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.0002, 0.002


def _begin_immediate(connection):
    """BEGIN IMMEDIATE, asking again for the write lock in short steps for as long as the busy timeout."""
    raw = connection.connection.dbapi_connection
    patience_ms = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline, pause = time.monotonic() + patience_ms / 1000, _FIRST_PAUSE
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    break
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        # Once more through SQLAlchemy, which reports the failure as its own error ("database is locked").
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={patience_ms}")


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
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("eventreg_read_only"):
        connection.connection.dbapi_connection.execute("BEGIN DEFERRED")
    else:
        _begin_immediate(connection)


def _unscoped(session):
    """The Session itself: Flask-SQLAlchemy's `db.session` is a scoped proxy without `in_transaction()`."""
    return session() if isinstance(session, scoped_session) else session


def begin_read_only(session):
    """Start the session's next transaction as READ_ONLY; inside an open transaction it changes nothing."""
    actual = _unscoped(session)
    if not actual.in_transaction():
        actual.connection(execution_options=READ_ONLY)


def end_read_only(session):
    """Before the writes of a request that began READ_ONLY.

    On SQLite the transaction turns into a writing one: its read snapshot ends and BEGIN IMMEDIATE queues for
    the write lock (a DEFERRED transaction that starts writing fails at once if someone else committed since
    it began). The session keeps its transaction, its connection and what it loaded, as on PostgreSQL, where
    the transaction simply carries on: the rules that must hold under concurrency (seats, quotas, one
    check-in, one registration per e-mail) are enforced by the writes themselves. A session rollback and a new
    transaction instead cost ~0.25 ms (bench #9), on every signup's POST.
    """
    connection = _read_only_connection(session)
    if connection is None:
        return
    connection.execution_options(eventreg_read_only=False)
    if connection.dialect.name == "sqlite":
        connection.connection.dbapi_connection.execute("ROLLBACK")
        _begin_immediate(connection)


def _read_only_connection(session):
    """The connection of the session's transaction while that transaction is READ_ONLY, else None."""
    actual = _unscoped(session)
    if not actual.in_transaction():
        return None
    connection = actual.connection()
    return connection if connection.get_execution_options().get("eventreg_read_only") else None


def commit_read_only(session):
    """End a READ_ONLY transaction with COMMIT (at the end of a request, before the session is removed).

    For a transaction that only read, COMMIT and ROLLBACK are the same, but psycopg forgets every prepared
    statement of its connection on ROLLBACK: on PostgreSQL each signup form shown made the next requests on
    that connection parse and plan their statements afresh (bench #9: 0.5 ms more per signup). A failed
    COMMIT is left to the session's removal, which rolls back and gives the connection up.
    """
    if _read_only_connection(session) is not None:
        with suppress(SQLAlchemyError):
            _unscoped(session).commit()


# Pages a long sequential read keeps cached on SQLite (KiB). Each page is read once, so the usual cache
# (2 MB a connection) would only grow the worker by its size during an export and evict the pages others need.
STREAMING_CACHE_KIB = 256


@contextmanager
def streaming_read(session):
    """A long read (an export of 100,000 rows): READ_ONLY, and on SQLite a small page cache while it lasts."""
    begin_read_only(session)
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    usual = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{STREAMING_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(usual)}")
