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
