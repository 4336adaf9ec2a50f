"""The engine's settings and the one transaction policy: on SQLite a request that only reads (GET) takes no
write lock, everything else queues for it up front; the hooks touch the app's own engine only."""

import pytest
from sqlalchemy import create_engine, event, select, text, update
from sqlalchemy.exc import OperationalError

from eventreg.database import CACHE_KIB, STREAMING_CACHE_KIB, begin_writing, reading, streaming_read
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


def _skip_unless_sqlite():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database: a reader blocks no writer")


def test_a_get_request_reads_without_holding_sqlites_write_lock(app, session):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    with app.test_request_context(method="GET"):
        assert db.session.execute(select(Seminar.title)).all()
        _write_from_another_connection(seminar_id)
        db.session.rollback()
    assert session.get(Seminar, seminar_id).title == "Changed meanwhile"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_writing_request_holds_sqlites_write_lock_from_its_first_read(app, session, method):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    _skip_unless_sqlite()
    with app.test_request_context(method=method):
        db.session.execute(select(Seminar.title)).all()
        with pytest.raises(OperationalError, match="locked"):
            _write_from_another_connection(seminar_id)
        db.session.rollback()


def test_outside_a_request_a_transaction_holds_sqlites_write_lock_from_its_start(app, session):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    session.execute(select(Seminar.title)).all()
    _skip_unless_sqlite()
    with pytest.raises(OperationalError, match="locked"):
        _write_from_another_connection(seminar_id)
    session.rollback()


def test_a_get_that_writes_takes_the_write_lock_in_a_transaction_of_its_own(app, session):
    """An export's audit entry: what changed while the GET read is not overwritten by a stale snapshot."""
    seminar_id = factories.make_seminar(session, title="As first read").id
    session.commit()
    with app.test_request_context(method="GET"):
        assert db.session.get(Seminar, seminar_id).title == "As first read"
        _write_from_another_connection(seminar_id)
        begin_writing(db.session)
        if db.engine.dialect.name == "sqlite":
            with pytest.raises(OperationalError, match="locked"):
                _write_from_another_connection(seminar_id)
        db.session.execute(update(Seminar).where(Seminar.id == seminar_id).values(title="Written under the lock"))
        db.session.commit()
    assert session.scalar(select(Seminar.title).where(Seminar.id == seminar_id)) == "Written under the lock"


def test_reading_outside_a_request_lets_others_write(app, session):
    seminar_id = factories.make_seminar(session).id
    session.commit()
    with reading(session):
        assert session.execute(select(Seminar.title)).all()
        _write_from_another_connection(seminar_id)
    assert not session().in_transaction()
    assert session.get(Seminar, seminar_id).title == "Changed meanwhile"


def test_only_the_apps_own_engine_is_tuned(app, session, tmp_path):
    """The hooks are bound to the app's engine, not to every engine of the process."""
    other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        with other.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() != 30000  # pysqlite's own 5 s
    finally:
        other.dispose()


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
