"""SQLite under concurrent writers: every transaction queues for the write lock up front, except the
long reads that say they only read (exports), which must not hold up the door."""

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import OperationalError

from eventreg.database import CACHE_KIB, STREAMING_CACHE_KIB, begin_read_only, end_read_only, streaming_read
from eventreg.extensions import db
from eventreg.models import Seminar
from tests import factories


def _write_from_another_connection(seminar_id):
    with db.engine.connect() as other:
        raw = other.connection.driver_connection
        if other.dialect.name == "sqlite":
            raw.execute("PRAGMA busy_timeout=200")  # fail fast instead of waiting 30 s
        try:
            other.execute(update(Seminar).where(Seminar.id == seminar_id).values(title="Changed meanwhile"))
            other.commit()
        finally:
            if other.dialect.name == "sqlite":
                other.rollback()
                raw.execute("PRAGMA busy_timeout=30000")


def test_a_read_only_transaction_lets_others_write(app, session):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    begin_read_only(session)
    assert session.execute(select(Seminar.title)).all()
    _write_from_another_connection(seminar_id)
    session.rollback()
    assert session.get(Seminar, seminar_id).title == "Changed meanwhile"


def test_ending_a_read_takes_the_write_lock_and_writes_over_what_changed_meanwhile(app, session):
    seminar_id = factories.make_seminar(session, title="As first read").id
    session.commit()
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database: there a read goes on into the writes as it is")
    begin_read_only(session)
    assert session.get(Seminar, seminar_id).title == "As first read"
    _write_from_another_connection(seminar_id)
    end_read_only(session)
    assert session.scalar(select(Seminar.title).where(Seminar.id == seminar_id)) == "Changed meanwhile"
    with pytest.raises(OperationalError, match="locked"):
        _write_from_another_connection(seminar_id)
    session.execute(update(Seminar).where(Seminar.id == seminar_id).values(title="Written under the lock"))
    session.commit()
    assert session.scalar(select(Seminar.title).where(Seminar.id == seminar_id)) == "Written under the lock"


def test_an_ordinary_transaction_holds_sqlites_write_lock_from_its_start(app, session):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    session.execute(select(Seminar.title)).all()
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database: a reader blocks no writer")
    with pytest.raises(OperationalError, match="locked"):
        _write_from_another_connection(seminar_id)
    session.rollback()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app, session):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert session.execute(text("PRAGMA cache_size")).scalar() == -CACHE_KIB


def test_a_streaming_read_lets_others_write_and_gives_the_connection_back_as_it_was(app, session):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    usual = session.execute(text("PRAGMA cache_size")).scalar() if db.engine.dialect.name == "sqlite" else None
    session.rollback()
    with streaming_read(session):
        assert session.execute(select(Seminar.title)).all()
        if usual is not None:
            assert session.execute(text("PRAGMA cache_size")).scalar() == -STREAMING_CACHE_KIB
        _write_from_another_connection(seminar_id)
    if usual is not None:
        assert session.execute(text("PRAGMA cache_size")).scalar() == usual
    session.rollback()
    assert session.get(Seminar, seminar_id).title == "Changed meanwhile"


@pytest.fixture
def transaction_ends(app):
    """How each transaction on the app's engine ended: "commit" or "rollback", in order."""
    ends = []
    listeners = [("commit", lambda conn: ends.append("commit")), ("rollback", lambda conn: ends.append("rollback"))]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    yield ends
    for name, listener in listeners:
        event.remove(db.engine, name, listener)


def test_a_request_that_only_read_ends_with_commit_and_keeps_postgresqls_prepared_statements(
        app, session, transaction_ends):
    seminar_id = factories.make_seminar(session, title="Read at the end of a request").id
    session.commit()
    transaction_ends.clear()
    for _ in range(8):  # psycopg prepares a statement from its sixth run on
        begin_read_only(db.session)
        assert db.session.get(Seminar, seminar_id).title == "Read at the end of a request"
        app.do_teardown_appcontext()  # what Flask runs after every request
    assert transaction_ends == ["commit"] * 8
    if db.engine.dialect.name == "postgresql":
        # psycopg drops every prepared statement of a connection when it rolls back.
        assert db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) >= 1


def test_a_read_that_went_on_to_write_is_not_committed_by_the_end_of_the_request(app, session, transaction_ends):
    seminar_id = factories.make_seminar(session, title="As it was").id
    session.commit()
    transaction_ends.clear()
    begin_read_only(db.session)
    db.session.get(Seminar, seminar_id)
    end_read_only(db.session)
    db.session.execute(update(Seminar).where(Seminar.id == seminar_id).values(title="Never committed"))
    app.do_teardown_appcontext()
    assert transaction_ends == ["rollback"]
    assert db.session.scalar(select(Seminar.title).where(Seminar.id == seminar_id)) == "As it was"


def test_a_request_that_failed_is_rolled_back_even_if_it_only_read(app, session, transaction_ends):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    transaction_ends.clear()
    begin_read_only(db.session)
    db.session.get(Seminar, seminar_id)
    app.do_teardown_appcontext(RuntimeError("the view failed"))
    assert transaction_ends == ["rollback"]


def test_a_pooled_connection_that_is_alive_is_reused_without_a_statement_to_test_it(app, session, monkeypatch):
    """Checking a connection out of the pool costs no round trip (on PostgreSQL a closed one is replaced:
    test_faults.test_connections_killed_between_requests_are_replaced)."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 42")
    opened, sent, pinged = [], [], []
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda dbapi_connection: pinged.append(1) or True)

    def on_connect(*args):
        opened.append(1)

    def on_execute(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "connect", on_connect)
    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        for _ in range(5):
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT 42").scalar() == 42
    finally:
        event.remove(db.engine, "connect", on_connect)
        event.remove(db.engine, "before_cursor_execute", on_execute)
    assert opened == [] and pinged == []
    assert sent == ["SELECT 42"] * 5
