"""Throwaway databases for the benchmarks, and fast bulk filling through SQLAlchemy Core.

Each benchmark gets a fresh schema of its own: a SQLite file in a temporary folder, or, on PostgreSQL,
a schema (`CREATE SCHEMA bench_<name>_<random>`) inside the database DATABASE_URL names, reached through
`search_path`. The tables DATABASE_URL already holds are never touched, and the schema is dropped after.
"""

import itertools
import os
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, select, text
from sqlalchemy.orm import Session

import eventreg.models  # noqa: F401  (fills the metadata)
from eventreg import database
from eventreg.auth.services import issue_api_token
from eventreg.config import normalise_database_url
from eventreg.extensions import db
from eventreg.models import Category, CheckInEvent, Seminar, SeminarMember, User, search_key, utcnow
from eventreg.names import sort_key
from eventreg.seminars.services import DEFAULT_CATEGORIES

CHUNK = 5000
PASSWORD = "bench-password-123"  # noqa: S105  (a throwaway account in a throwaway database)

CATEGORIES = DEFAULT_CATEGORIES  # the seven a new seminar gets


def kind_of(url):
    return "postgresql" if url and url.startswith("postgresql") else "sqlite"


class Scratch:
    """Fresh databases for one run: `url = scratch.create("door")`; `scratch.close()` removes them all."""

    def __init__(self, database_url, workdir):
        self.base_url = normalise_database_url(database_url) if database_url else None
        self.kind = kind_of(self.base_url)
        self.workdir = Path(workdir)
        self.run_id = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._schemas = []

    def create(self, name):
        """A URL whose database holds an empty eventreg schema, for the app, gunicorn and the seeding."""
        if self.kind == "sqlite":
            url = f"sqlite:///{self.workdir / f'{name}.sqlite3'}"
        else:
            schema = f"bench_{name}_{self.run_id}"
            with self._admin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            self._schemas.append(schema)
            base = make_url(self.base_url)
            url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
        engine = create_engine(url)
        db.metadata.create_all(engine)
        engine.dispose()
        return url

    @contextmanager
    def _admin(self):
        engine = create_engine(self.base_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def close(self):
        if self._schemas:
            with self._admin() as conn:
                for schema in self._schemas:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            self._schemas.clear()


def engine_for(url):
    """An engine with the app's hooks (SQLite's PRAGMAs and BEGIN IMMEDIATE)."""
    engine = create_engine(url)
    database.tune(engine)
    return engine


def add_seminar(conn, slug, *, starts_at, capacity=None, seats_taken=0, status="published", quotas=None):
    """A seminar with the usual seven categories; returns (seminar id, {category key: id})."""
    now = utcnow()
    seminar_id = conn.execute(
        insert(Seminar.__table__).values(
            slug=slug, title=f"Benchmark {slug}", description="", organizer_name="Benchmarks",
            venue="Hall A", address="Astana", timezone="Asia/Almaty", starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3), capacity=capacity, seats_taken=seats_taken,
            status=status, requires_approval=False, waitlist_enabled=True, contact_email="",
            checkin_opens_minutes=120, created_at=now, updated_at=now,
        )
    ).inserted_primary_key[0]
    categories = {}
    for position, (key, label, is_student) in enumerate(CATEGORIES):
        categories[key] = conn.execute(
            insert(Category.__table__).values(
                seminar_id=seminar_id, key=key, label=label, quota=(quotas or {}).get(key), seats_taken=0,
                is_student=is_student, is_public=True, position=position,
            )
        ).inserted_primary_key[0]
    return seminar_id, categories


def set_seats_taken(conn, seminar_id):
    """Seat counters as the services keep them: the number of confirmed registrations."""
    confirmed = "(SELECT count(*) FROM registration r WHERE r.{col} = {table}.id AND r.status = 'confirmed')"
    conn.execute(text(f"UPDATE seminar SET seats_taken = {confirmed.format(col='seminar_id', table='seminar')}"
                      " WHERE id = :id"), {"id": seminar_id})
    conn.execute(text(f"UPDATE category SET seats_taken = {confirmed.format(col='category_id', table='category')}"
                      " WHERE seminar_id = :id"), {"id": seminar_id})


def registration_row(seminar_id, category_id, n, *, is_student=False, status="confirmed", now, token=None,
                     created_at=None, checked_in_at=None, gate=None, method=None):
    name = f"Participant {n:06d}"
    email = f"participant{n:06d}@example.org"
    organization = ("Astana International University", "Ministry of Foreign Affairs", "KazMunayGas",
                    "Nazarbayev University", "Kazinform")[n % 5]
    return {
        "seminar_id": seminar_id,
        "category_id": category_id,
        "token": token or f"bench{uuid.uuid4().hex}",
        "full_name": name,
        "email": email,
        "phone": f"+7 701 {n % 1000:03d} {n % 10000:04d}",
        "organization": organization,
        "position": "Researcher",
        "language": "en",
        "university": "Nazarbayev University" if is_student else "",
        "programme": "International relations" if is_student else "",
        "study_level": ("bachelor", "master", "phd")[n % 3] if is_student else None,
        "study_year": (n % 4) + 1 if is_student else None,
        "consent_data_at": now,
        "consent_photos": n % 2 == 0,
        "status": status,
        "source": "online",
        "search_text": search_key(name, email, organization),
        "name_sort_key": sort_key(name),
        "created_at": created_at or now - timedelta(seconds=n),
        "updated_at": now,
        "confirmed_at": now if status == "confirmed" else None,
        "cancelled_at": now if status == "cancelled" else None,
        "checked_in_at": checked_in_at,
        "checked_in_gate": gate,
        "checked_in_method": method,
    }


def insert_rows(conn, table, rows):
    """Bulk insert in chunks: SQLAlchemy sends each chunk as multi-row INSERTs (insertmanyvalues)."""
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK)):
        conn.execute(insert(table), chunk)


def add_check_in_events(conn, seminar_id, events):
    insert_rows(conn, CheckInEvent.__table__, (
        {"seminar_id": seminar_id, "registration_id": rid, "at": at, "result": "checked_in", "gate": gate,
         "method": method, "user_id": None, "code": ""}
        for rid, at, gate, method in events
    ))


def add_user(url, role, *, team_role, with_token=True):
    """A staff account (e-mail, password) on the team of every seminar of the database with `team_role`, and the
    plain text of a new API token for it."""
    engine = engine_for(url)
    with Session(engine) as session:
        email = f"{role}-{uuid.uuid4().hex[:8]}@bench.example.org"
        user = User(email=email, name=f"Bench {role}", role=role, active=True)
        user.set_password(PASSWORD)
        session.add(user)
        session.flush()
        session.add_all(SeminarMember(seminar_id=seminar_id, user_id=user.id, role=team_role)
                        for seminar_id in session.scalars(select(Seminar.id)))
        session.flush()
        plain = issue_api_token(session, user, "bench")[1] if with_token else None
        session.commit()
    engine.dispose()
    return email, plain


def analyze(engine):
    """Fresh planner statistics after a bulk load, as a deployment's autovacuum would have them."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
