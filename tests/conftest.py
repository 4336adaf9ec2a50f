"""Fixtures for the whole suite.

One suite, two databases: every test that takes `app` runs on SQLite (a fresh file per test) and on
PostgreSQL (a throwaway database per run, truncated after each test). PostgreSQL is used when
TEST_DATABASE_URL is set or a server answers on 127.0.0.1:5432; with CI set it must be reachable.
"""

import os
import shutil
import socket
import uuid

import psycopg
import pytest
from flask import g, request_started
from flask_migrate import stamp
from sqlalchemy import create_engine, text

from eventreg import create_app
from eventreg.extensions import db as _db
from tests import factories

IN_CI = bool(os.environ.get("CI"))
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_SEND_AFTER_REQUEST": False,
    "PUBLIC_URL": "http://localhost",
}


def _postgres_answers():
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _admin_url():
    return os.environ.get("TEST_DATABASE_URL") or (LOCAL_POSTGRES if _postgres_answers() else None)


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL database for this run (dropped at the end), or a skip with the reason."""
    admin_url = _admin_url()
    if admin_url is None:
        if IN_CI:
            pytest.fail("CI is set but PostgreSQL does not answer on 127.0.0.1:5432 (and no TEST_DATABASE_URL)")
        pytest.skip("PostgreSQL is not available (set TEST_DATABASE_URL or run a server on 127.0.0.1:5432)")
    name = f"eventreg_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema(postgres_url, tmp_path_factory):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres_url},
                     instance_path=str(tmp_path_factory.mktemp("pg-instance")))
    with app.app_context():
        _create_schema()
    return postgres_url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """The schema built once; each test gets a copy of the file (much faster than create_all per test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"},
                     instance_path=str(path.parent))
    with app.app_context():
        _create_schema()
    return path


def _create_schema():
    """The models' tables, stamped at the migrations' head as `flask db upgrade` leaves a real database
    (the health check compares the two)."""
    _db.create_all()
    stamp()
    _db.engine.dispose()


def _truncate_all(url):
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_schema")
    yield url
    _truncate_all(url)


@pytest.fixture
def app_config():
    """Override in a test module to change settings: `def app_config(): return {"WTF_CSRF_ENABLED": True}`."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    instance = tmp_path / "instance"
    instance.mkdir()
    application = create_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **app_config}, instance_path=str(instance)
    )
    request_started.connect(_fresh_request_globals, application)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


def _fresh_request_globals(sender, **extra):
    """The test keeps one app context open (for factories), and Flask reuses it for each request;
    a real request starts with an empty `g` (no cached user or CSRF token), so each test request does too."""
    for name in list(g):
        g.pop(name)


@pytest.fixture
def session(app):
    """The app's SQLAlchemy session, for calling services and factories directly."""
    return _db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct-horse-battery"


# What a site role's account is, for the tests, on the seminars that exist when it is made: an organizer owns
# them (as the one who created them would), a door account ("staff") is on their door team. An administrator
# needs no team. Pass `seminars=[]` for an account on no team, or `seminar_role=` for another role.
TEAM_ROLE_OF_SITE_ROLE = {"organizer": "owner", "staff": "door"}


def _on_teams(session, user, seminars, seminar_role):
    from sqlalchemy import select

    from eventreg.models import Seminar

    seminar_role = seminar_role or TEAM_ROLE_OF_SITE_ROLE.get(user.role)
    if seminar_role is None:
        return
    for seminar in session.scalars(select(Seminar)).all() if seminars is None else seminars:
        factories.add_member(session, seminar, user, seminar_role)


@pytest.fixture
def login(app, client, session):
    """`login("organizer")` creates a user with that role, puts them on the teams of the seminars that exist (see
    TEAM_ROLE_OF_SITE_ROLE), logs the test client in, returns the user."""

    def _login(role="admin", email=None, test_client=None, *, seminars=None, seminar_role=None):
        user = factories.make_user(session, role=role, email=email, password=PASSWORD)
        _on_teams(session, user, seminars, seminar_role)
        session.commit()
        response = (test_client or client).post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


@pytest.fixture
def api_token(session):
    """`api_token("staff")` gives the plain text of a new token of a new user with that role, on the teams of the
    seminars that exist (as `login`)."""
    from eventreg.auth.services import issue_api_token

    def _token(role="staff", *, seminars=None, seminar_role=None):
        user = factories.make_user(session, role=role)
        _on_teams(session, user, seminars, seminar_role)
        _, plain = issue_api_token(session, user, "test")
        session.commit()
        return plain

    return _token


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; `messages` holds what it received as EmailMessage objects."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self.port = None

    async def handle_DATA(self, server, smtp_session, envelope):  # noqa: N802 (aiosmtpd's handler API)
        import email
        import email.policy

        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """A running SMTP server, and the app configured to send through it (MAIL_SERVER/MAIL_PORT)."""
    from aiosmtpd.controller import Controller

    server = SmtpServer()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    server.port = controller.port
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield server
    controller.stop()
