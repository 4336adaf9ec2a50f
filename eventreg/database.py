"""The app's engine settings and its one transaction policy, installed by `init_app(app)`.

SQLite must behave under concurrent writers; a pooled PostgreSQL connection that the server closed must be
replaced before a request uses it. The transaction policy matters on SQLite only (PostgreSQL locks rows, not
the database, and runs every transaction the same way):

- a request with a safe method (GET, HEAD, OPTIONS) reads in a DEFERRED transaction, which takes no write
  lock: a crowd opening the signup form, or an export streaming for seconds, holds up no signup and no door;
- every other transaction begins IMMEDIATE, queueing for the write lock before its first read. A DEFERRED
  transaction that read and then writes fails at once ("database is locked", whatever the busy timeout) if
  anyone committed since it began, so whatever may write takes the lock up front;
- `begin_writing(session)`, for the few writes inside a safe request (an audit entry, a token's last use):
  the read ends (it wrote nothing) and the write begins its own IMMEDIATE transaction;
- `reading(session)`, for code outside a request that only reads (the mail sender's rendering).
"""

import select
import sqlite3
import time
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import scoped_session

from eventreg.extensions import db

BUSY_TIMEOUT_MS = 30000
# SQLite's page cache per connection (KiB; filled only as pages are read). The default 2 MB is smaller than
# the registrations of one large seminar, so the summary report's passes re-read every page from the OS:
# for 50,000 registrations 288 ms with 2 MB, 188 ms with 32 MB (bench #9, in-process medians).
CACHE_KIB = 32768
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Execution options that decide how a SQLite transaction begins, whatever the request's method.
READING = {"eventreg_reading": True}
WRITING = {"eventreg_writing": True}
# Where a SQLite connection notes that its current transaction began DEFERRED (it only reads).
_READING = "eventreg_reading"


def init_app(app):
    """Tune the app's own engine (no other engine in the process is touched)."""
    with app.app_context():
        tune(db.engine)


def tune(engine):
    """The engine hooks: SQLite's PRAGMAs and how its transactions begin; PostgreSQL's checkout test. The
    benchmark's ceiling tunes its bare engine with the same function."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        event.listen(engine, "checkout", _replace_connections_the_server_closed)


def _sqlite_pragmas(dbapi_connection, connection_record):
    # Let SQLAlchemy, not pysqlite, say when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # a writer waits its turn, not "database is locked"
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def _replace_connections_the_server_closed(dbapi_connection, connection_record, connection_proxy):
    """Give up a pooled PostgreSQL connection that the server closed while it sat idle in the pool.

    A restart, a failover, an administrator's pg_terminate_backend or an idle timeout closes the server's
    end, and then the socket reads as ready at once; an idle connection that is alive has nothing to read.
    SQLAlchemy's `pool_pre_ping` asks the same with a SELECT 1 on every checkout: one round trip more for
    every request, 5 % of a scan at the door (bench #9). DisconnectionError makes the pool open a new
    connection in its place.
    """
    try:
        closed = dbapi_connection.closed or _readable_now(dbapi_connection.pgconn.socket)
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


def _sqlite_begin(connection):
    """Begin the transaction as the policy says (see the module's docstring)."""
    reading = _reads_only(connection.get_execution_options())
    connection.info[_READING] = reading
    if reading:
        connection.exec_driver_sql("BEGIN DEFERRED")
    else:
        _begin_immediate(connection)


def _reads_only(options):
    if options.get("eventreg_reading"):
        return True
    if options.get("eventreg_writing"):
        return False
    return has_request_context() and request.method in SAFE_METHODS


def _unscoped(session):
    """The Session itself: Flask-SQLAlchemy's `db.session` is a scoped proxy without `in_transaction()`."""
    return session() if isinstance(session, scoped_session) else session


def _in_reading_transaction(session):
    return session.in_transaction() and session.connection().info.get(_READING, False)


def begin_writing(session):
    """Before a write in a request that began by reading (a GET that records an audit entry): end the read
    (nothing was written in it) so the write queues for SQLite's write lock in a transaction of its own.
    Elsewhere the transaction already holds the lock (or needs none: PostgreSQL), and this changes nothing."""
    actual = _unscoped(session)
    if actual.in_transaction():
        if not _in_reading_transaction(actual):
            return
        actual.commit()
    actual.connection(execution_options=WRITING)


@contextmanager
def reading(session):
    """Outside a request, code that only reads: a DEFERRED transaction (no SQLite write lock), ended when the
    block ends. Inside an open transaction it changes nothing."""
    actual = _unscoped(session)
    if actual.in_transaction():
        yield
        return
    actual.connection(execution_options=READING)
    try:
        yield
    finally:
        actual.rollback()


# Pages a long sequential read keeps cached on SQLite (KiB). Each page is read once, so the usual cache
# would only grow the worker by its size during an export and evict the pages others need.
STREAMING_CACHE_KIB = 256


@contextmanager
def streaming_read(session):
    """A long read (an export of 100,000 rows): reading, and on SQLite a small page cache while it lasts."""
    with reading(session):
        connection = _unscoped(session).connection()
        if connection.dialect.name != "sqlite":
            yield
            return
        usual = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{STREAMING_CACHE_KIB}")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(usual)}")
