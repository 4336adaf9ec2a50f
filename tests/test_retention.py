"""The retention the consent text promises: `flask purge-expired` erases the people of long-past seminars,
and erasing anyone keeps the report's breakdowns (category, university, level, organization) as they were."""

from datetime import timedelta

from sqlalchemy import select

from eventreg.models import AuditEntry, Registration, utcnow
from eventreg.privacy import services as privacy
from eventreg.reports import queries
from tests import factories


def _seminar_ended(session, days_ago, **overrides):
    return factories.make_seminar(session, starts_at=utcnow() - timedelta(days=days_ago, hours=3), **overrides)


def _breakdowns(session, seminar):
    headline, categories = queries.by_category(session, seminar)
    universities, levels = queries.students(session, seminar)
    return headline, categories, universities, levels, queries.top_organizations(session, seminar)


def _people(session, seminar, staff):
    rows = [
        factories.make_registration(session, seminar, category_key="student", university="Astana IT University",
                                    study_level="master", organization="Astana IT University"),
        factories.make_registration(session, seminar, category_key="student", university="Astana IT University",
                                    study_level="bachelor"),
        factories.make_registration(session, seminar, category_key="student", university="ENU",
                                    study_level="phd"),
        factories.make_registration(session, seminar, organization="Embassy of Korea"),
        factories.make_registration(session, seminar, organization="Embassy of Korea"),
        factories.make_registration(session, seminar, organization="KazMunayGas", status="cancelled"),
    ]
    for registration in rows[::2]:
        if registration.status == "confirmed":
            registration.checked_in_at = seminar.starts_at + timedelta(minutes=5)
            registration.checked_in_by_id = staff.id
    session.flush()
    return rows


def test_erasing_one_person_keeps_the_reports_breakdowns(session):
    seminar = _seminar_ended(session, 1)
    staff = factories.make_user(session, role="organizer")
    rows = _people(session, seminar, staff)
    session.commit()
    before = _breakdowns(session, seminar)
    assert [r.label for r in before[2]] == ["Astana IT University", "ENU"]

    privacy.anonymise_registration(session, rows[0], by=staff)
    privacy.anonymise_registration(session, rows[3], by=staff)
    session.commit()
    assert _breakdowns(session, seminar) == before
    assert session.get(Registration, rows[0].id).university == ""


def test_erasing_the_whole_seminar_keeps_the_reports_breakdowns(session):
    seminar = _seminar_ended(session, 1)
    staff = factories.make_user(session, role="organizer")
    _people(session, seminar, staff)
    session.commit()
    before = _breakdowns(session, seminar)
    assert privacy.erase_seminar_personal_data(session, seminar, by=staff) == 6
    session.commit()
    assert _breakdowns(session, seminar) == before
    names = session.scalars(select(Registration.organization).where(Registration.seminar_id == seminar.id)).all()
    assert set(names) == {""}


def test_purge_erases_only_seminars_past_the_retention_and_audits_each(session):
    old = _seminar_ended(session, 200, title="Old forum")
    recent = _seminar_ended(session, 10, title="Recent forum")
    upcoming = factories.make_seminar(session, title="Next forum")
    for seminar in (old, recent, upcoming):
        factories.make_registration(session, seminar, full_name="Aigerim Bekova", organization="ENU")
    session.commit()

    done = privacy.purge_expired(session, days=180)
    session.commit()
    assert [(s.id, n) for s, n in done] == [(old.id, 1)]
    names = dict(session.execute(select(Registration.seminar_id, Registration.full_name)).all())
    assert names == {old.id: "", recent.id: "Aigerim Bekova", upcoming.id: "Aigerim Bekova"}
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "seminar_personal_data_erased"))
    assert entry.seminar_id == old.id and entry.user_id is None
    assert entry.details == {"registrations": 1, "retention_days": 180}
    assert privacy.purge_expired(session, days=180) == []


def test_purge_with_now_in_the_future_reaches_every_seminar_once_its_retention_is_over(session):
    seminar = factories.make_seminar(session)  # a week from now
    factories.make_registration(session, seminar, full_name="Future Guest", organization="KBTU")
    session.commit()
    assert privacy.purge_expired(session, days=30, now=seminar.ends_at + timedelta(days=29)) == []
    later = seminar.ends_at + timedelta(days=30, minutes=1)
    assert [n for _, n in privacy.purge_expired(session, days=30, now=later)] == [1]
    session.commit()
    assert session.scalar(select(Registration.full_name)) == ""
    assert [r.label for r in queries.top_organizations(session, seminar)] == ["KBTU"]


def test_purge_expired_command_uses_the_configured_retention(app, runner, session):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 90
    old = _seminar_ended(session, 100)
    kept = _seminar_ended(session, 80)
    factories.make_registration(session, old, full_name="Old Guest")
    factories.make_registration(session, kept, full_name="Recent Guest")
    session.commit()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert f"{old.slug}: erased the personal data of 1 registration(s)." in result.output
    assert "1 seminar(s) past the 90-day retention erased." in result.output
    session.expire_all()
    assert set(session.scalars(select(Registration.full_name)).all()) == {"", "Recent Guest"}
    result = runner.invoke(args=["purge-expired", "--days", "30"])
    assert "1 seminar(s) past the 30-day retention erased." in result.output
