"""SQLite under concurrent writers: every transaction queues for the write lock up front, except the
long reads that say they only read (exports), which must not hold up the door."""

import pytest
from sqlalchemy import select, text, update
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
