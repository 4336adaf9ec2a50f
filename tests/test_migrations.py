"""The Alembic history builds the schema on an empty database and agrees with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from eventreg import create_app
from eventreg.extensions import db
from tests.conftest import BASE_CONFIG


def _empty_database(database_url):
    """The per-test database emptied: migrations must start from nothing."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            for table in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE "{table}"'))
    engine.dispose()


def test_upgrade_builds_the_schema_and_matches_the_models(database_url, tmp_path):
    _empty_database(database_url)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(tmp_path))
    # On PostgreSQL this rebuilds the shared test database from the migrations: the same schema.
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"
    assert {"seminar", "registration", "check_in_event", "outbox_message", "user_account"} <= tables


def test_0018_stores_existing_addresses_in_their_normal_form_and_keeps_a_clash(database_url, tmp_path):
    _empty_database(database_url)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(tmp_path))
    insert = text("INSERT INTO user_account (email, name, password_hash, role, active, session_version, created_at) "
                  "VALUES (:email, 'x', 'x', 'staff', true, 1, '2026-01-01 00:00:00+00:00')")
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for email in ("Aliya@Пример.KZ", "dias@xn--e1afmkfd.kz", "DIAS@пример.kz"):
                conn.execute(insert, {"email": email})
        upgrade(revision="0018")
        with db.engine.connect() as conn:
            emails = sorted(conn.execute(text("SELECT email FROM user_account")).scalars())
        upgrade()  # on PostgreSQL the next tests share this database: leave it at the head
        db.engine.dispose()
    # The second Dias already holds the normal form: his older spelling stays, for an administrator to resolve.
    assert emails == ["DIAS@пример.kz", "aliya@xn--e1afmkfd.kz", "dias@xn--e1afmkfd.kz"]


def test_0019_turns_todays_data_into_teams(database_url, tmp_path, capsys):
    """Creators own their seminars, the first administrator owns the orphans, door accounts join what is to come."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from eventreg.models import SeminarMember

    _empty_database(database_url)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(tmp_path))
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        upgrade(revision="0001")
        users = [("admin", "admin@example.org"), ("organizer", "org@example.org"), ("staff", "door@example.org"),
                 ("staff", "gone@example.org")]
        with db.engine.begin() as conn:
            for n, (role, email) in enumerate(users, start=1):
                conn.execute(text(
                    "INSERT INTO user_account (id, email, name, password_hash, role, active, session_version, "
                    "created_at) VALUES (:id, :email, :email, 'x', :role, :active, 1, :now)"),
                    {"id": n, "email": email, "role": role, "active": email != "gone@example.org", "now": now})
            for n, (creator, ends) in enumerate([(2, now + timedelta(days=3)), (None, now + timedelta(days=1)),
                                                 (2, now - timedelta(days=30))], start=1):
                conn.execute(text(
                    "INSERT INTO seminar (id, slug, title, description, organizer_name, venue, address, timezone, "
                    "starts_at, ends_at, seats_taken, requires_approval, waitlist_enabled, contact_email, status, "
                    "checkin_opens_minutes, created_at, updated_at, created_by_id) VALUES (:id, :slug, 'T', '', '', "
                    "'', '', 'Asia/Almaty', :starts, :ends, 0, false, true, '', 'published', 120, :now, :now, "
                    ":creator)"),
                    {"id": n, "slug": f"s{n}", "starts": ends - timedelta(hours=3), "ends": ends, "now": now,
                     "creator": creator})
        upgrade()
        members = {(m.seminar_id, m.user_id, m.role) for m in db.session.scalars(select(SeminarMember))}
        db.session.remove()
        db.engine.dispose()
    assert members == {(1, 2, "owner"), (2, 1, "owner"), (3, 2, "owner"), (1, 3, "door"), (2, 3, "door")}
    said = capsys.readouterr().out
    assert "2 seminars owned by their creator, 1 by the first administrator" in said
    assert "2 door memberships for 1 door accounts" in said
