"""Command-line administration: create-user, create-token, seed-demo."""

from sqlalchemy import func, select

from eventreg.auth.services import user_for_api_token
from eventreg.models import Category, CheckInEvent, Registration, Seminar, User


def test_create_user_reads_password_from_stdin(runner, session):
    result = runner.invoke(args=["create-user", "Aigerim@Example.kz", "--role", "staff", "--name", "Aigerim"],
                           input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.role == "staff" and user.check_password("a-long-password")
    assert "a-long-password" not in result.output


def test_create_user_refuses_short_password_and_duplicates(runner, session):
    short = runner.invoke(args=["create-user", "a@example.kz"], input="short\n")
    assert short.exit_code != 0 and "too short" in short.output
    runner.invoke(args=["create-user", "b@example.kz"], input="a-long-password\n")
    again = runner.invoke(args=["create-user", "b@example.kz"], input="a-long-password\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_user_has_no_password_argument(runner):
    result = runner.invoke(args=["create-user", "c@example.kz", "--password", "on-the-command-line"])
    assert result.exit_code != 0


def test_create_token_prints_a_working_token(runner, session):
    runner.invoke(args=["create-user", "scanner@example.kz", "--role", "staff"], input="a-long-password\n")
    result = runner.invoke(args=["create-token", "scanner@example.kz", "--name", "Door 1"])
    assert result.exit_code == 0
    plain = result.output.strip()
    assert user_for_api_token(session, plain).email == "scanner@example.kz"
    missing = runner.invoke(args=["create-token", "ghost@example.kz"])
    assert missing.exit_code != 0


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (User, Seminar, Category, Registration, CheckInEvent)
    )


def test_seed_demo_is_idempotent_and_consistent(runner, session):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@eventreg.local" in first.output and "password" in first.output
    counts = _counts(session)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    session.expire_all()
    assert _counts(session) == counts

    belt = session.scalar(select(Seminar).where(Seminar.slug == "belt-and-road-2024"))
    assert belt.title == "Belt and Road: The Second «Golden» Decade"
    assert belt.starts_at.astimezone(belt.zone).hour == 10
    assert len(belt.agenda_items) >= 9
    speakers = {s.name for s in belt.speakers}
    assert {"Gulnar Shaimergenova", "Xin Fangfang", "Xu Hai", "Botakoz Elshibek"} <= speakers
    registrations = session.scalars(select(Registration).where(Registration.seminar_id == belt.id)).all()
    assert len(registrations) >= 200
    students = [r for r in registrations if r.category.is_student]
    assert len(students) > len(registrations) / 3
    assert all(r.university and r.study_level for r in students)
    assert any(r.checked_in_at for r in registrations)
    # The seat counters agree with the rows, as the capacity rule needs.
    for seminar in session.scalars(select(Seminar)):
        confirmed = [r for r in session.scalars(select(Registration).where(Registration.seminar_id == seminar.id))
                     if r.status == "confirmed"]
        assert seminar.seats_taken == len(confirmed)
        for category in seminar.categories:
            assert category.seats_taken == sum(1 for r in confirmed if r.category_id == category.id)
    upcoming = session.scalar(select(Seminar).where(Seminar.slug == "digital-silk-road"))
    assert upcoming.status == "published" and any(c.quota for c in upcoming.categories if c.is_student)


def test_the_demo_has_a_seminar_over_three_days_with_workshops_to_choose(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    school = session.scalar(select(Seminar).where(Seminar.slug == "belt-and-road-summer-school"))
    assert [school.local(day.starts_at).hour for day in school.days] == [9, 9, 9]
    assert [(part.capacity, part.day) for part in school.sessions] == [(25, school.days[1]), (30, school.days[2])]
