"""Plain functions that build valid rows with sensible defaults; pass keyword overrides for what matters."""

import functools
import itertools
from datetime import UTC, datetime, timedelta

from werkzeug.security import generate_password_hash

from eventreg.models import Category, Registration, Seminar, SeminarMember, User, utcnow
from eventreg.seminars.services import add_default_categories

_counter = itertools.count(1)



@functools.cache
def _fixture_password_hash(password):
    """scrypt at a low work factor, made once per password, for the accounts tests set up.

    The app's own hash (werkzeug's scrypt, N=2^15) costs ~130 ms to make and again to check at each log-in:
    nearly half of the suite's time went into its fixtures' accounts. The app checks any werkzeug hash by the
    parameters stored in it, so these accounts log in as any other. Accounts made through the app
    (`User.set_password`) still get the full cost, and tests/test_security.py checks that they do.
    """
    return generate_password_hash(password, method="scrypt:1024:8:1")


def make_user(session, *, role="staff", email=None, password="correct-horse-battery", name=None, active=True):
    n = next(_counter)
    user = User(email=email or f"user{n}@example.org", name=name or f"User {n}", role=role, active=active,
                password_hash=_fixture_password_hash(password))
    session.add(user)
    session.flush()
    return user


def login_id(session, user):
    """What Flask-Login keeps in the session cookie for a live login of `user`: a test that writes the cookie
    itself (instead of logging in through the form) needs the login's row on the server, as a real one has."""
    from eventreg.auth.services import start_session

    start_session(session, user)
    session.commit()
    return user.get_id()


def add_member(session, seminar, user, role="organizer"):
    """`user` on `seminar`'s team with this seminar role."""
    member = SeminarMember(seminar_id=seminar.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    return member


def make_seminar(session, *, categories=True, **overrides):
    """A published seminar a week from now, 10:00–13:00 in Astana, with the default categories."""
    n = next(_counter)
    starts = overrides.pop("starts_at", None) or (utcnow() + timedelta(days=7)).replace(
        hour=5, minute=0, second=0, microsecond=0
    )
    values = dict(
        slug=f"seminar-{n}",
        title=f"Seminar {n}",
        description="About the seminar.",
        organizer_name="China Studies Centre",
        venue="Beijing Palace Astana Hotel",
        address="Astana",
        timezone="Asia/Almaty",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=100,
        seats_taken=0,
        status="published",
        checkin_opens_minutes=120,
        requires_approval=False,
        waitlist_enabled=True,
    )
    values.update(overrides)
    seminar = Seminar(**values)
    session.add(seminar)
    if categories:
        add_default_categories(session, seminar)
    session.flush()
    return seminar


def make_category(session, seminar, *, key=None, **overrides):
    n = next(_counter)
    values = dict(key=key or f"cat{n}", label=f"Category {n}", seats_taken=0, position=n, is_public=True,
                  is_student=False)
    values.update(overrides)
    category = Category(seminar=seminar, **values)
    session.add(category)
    session.flush()
    return category


def category(seminar, key):
    return next(c for c in seminar.categories if c.key == key)


def make_registration(session, seminar, *, category_key="general", status="confirmed", **overrides):
    """A registration row as the services would leave it; a confirmed one takes its seat in the counters."""
    n = next(_counter)
    cat = overrides.pop("category", None) or category(seminar, category_key)
    values = dict(
        full_name=f"Guest {n}",
        email=f"guest{n}@example.org",
        status=status,
        source="online",
        consent_data_at=utcnow(),
    )
    if cat.is_student:
        values.update(university="Nazarbayev University", programme="Economics", study_level="bachelor",
                      study_year=2)
    values.update(overrides)
    registration = Registration(seminar=seminar, category=cat, **values)
    if status == "confirmed":
        registration.confirmed_at = registration.confirmed_at or utcnow()
        seminar.seats_taken += 1
        cat.seats_taken += 1
    session.add(registration)
    session.flush()
    return registration


def aware(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
