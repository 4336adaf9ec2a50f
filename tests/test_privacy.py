"""Erasing personal data: one registration, or a whole seminar after it ended; the figures stay."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventreg.models import AuditEntry, OutboxMessage, Registration, Seminar, utcnow
from eventreg.privacy import services as privacy
from eventreg.registration import emails
from tests import factories

PERSONAL = ("full_name", "phone", "organization", "position", "university", "programme", "study_level",
            "study_year")


def _past_seminar(session, **overrides):
    return factories.make_seminar(session, starts_at=utcnow() - timedelta(days=3), **overrides)


def _student(session, seminar, **overrides):
    values = dict(full_name="Әлия Серікова", email="aliya@example.kz", phone="+7 701 000 0000",
                  organization="Nazarbayev University", position="Student", study_year=3, consent_photos=True)
    values.update(overrides)
    return factories.make_registration(session, seminar, category_key="student", **values)


def _checked_in(registration, staff):
    registration.checked_in_at = utcnow() - timedelta(days=3)
    registration.checked_in_gate = "Door 1"
    registration.checked_in_method = "camera"
    registration.checked_in_by_id = staff.id


def _queue_ticket_mail(app, session, registration):
    with app.test_request_context():
        emails.queue(session, registration, "ticket_resend")


def test_anonymising_one_registration_blanks_the_person_and_keeps_the_figures(app, session):
    seminar = _past_seminar(session)
    organizer = factories.make_user(session, role="organizer")
    registration = _student(session, seminar)
    _checked_in(registration, organizer)
    _queue_ticket_mail(app, session, registration)
    session.commit()
    kept = {name: getattr(registration, name) for name in (
        "status", "category_id", "created_at", "confirmed_at", "consent_data_at", "consent_photos", "checked_in_at",
        "checked_in_gate", "checked_in_method", "checked_in_by_id", "language", "source")}
    old_token = registration.token

    privacy.anonymise_registration(session, registration, by=organizer)
    session.commit()
    session.expire_all()

    erased = session.get(Registration, registration.id)
    assert all(getattr(erased, name) in ("", None) for name in PERSONAL)
    assert "aliya" not in erased.email and erased.email.endswith(".invalid")
    assert "aliya" not in erased.search_text and "nazarbayev" not in erased.search_text
    assert erased.anonymised_at is not None
    assert erased.token != old_token
    assert {name: getattr(erased, name) for name in kept} == kept
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "registration_anonymised"))
    assert (entry.user_id, entry.registration_id, entry.seminar_id) == (organizer.id, registration.id, seminar.id)
    assert session.get(Seminar, seminar.id).seats_taken == 1


def test_anonymising_twice_changes_nothing(session):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    privacy.anonymise_registration(session, registration, by=None)
    first = (registration.email, registration.token, registration.anonymised_at)
    privacy.anonymise_registration(session, registration, by=None)
    session.commit()
    assert (registration.email, registration.token, registration.anonymised_at) == first
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_seminar_is_erased_only_after_it_ended(session):
    seminar = factories.make_seminar(session)
    factories.make_registration(session, seminar, full_name="Still Coming")
    session.commit()
    with pytest.raises(privacy.ErasureRefused) as refused:
        privacy.erase_seminar_personal_data(session, seminar, by=None)
    assert refused.value.code == "not_over"
    assert privacy.erase_seminar_personal_data(session, seminar, by=None, now=seminar.ends_at) == 1


def test_erasing_a_seminar_keeps_every_figure(session):
    seminar = _past_seminar(session)
    other = _past_seminar(session)
    staff = factories.make_user(session)
    for n in range(4):
        registration = factories.make_registration(session, seminar, full_name=f"Guest {n}", phone="+7 700")
        if n % 2:
            _checked_in(registration, staff)
    _student(session, seminar)
    factories.make_registration(session, seminar, status="cancelled", cancelled_at=utcnow())
    factories.make_registration(session, seminar, status="waitlisted")
    keeper = factories.make_registration(session, other, full_name="Other Seminar Guest")
    session.commit()

    def figures():
        rows = session.execute(
            select(Registration.status, Registration.category_id, func.count(), func.count(Registration.checked_in_at))
            .where(Registration.seminar_id == seminar.id)
            .group_by(Registration.status, Registration.category_id).order_by(Registration.status,
                                                                              Registration.category_id)
        ).all()
        return [tuple(r) for r in rows], session.get(Seminar, seminar.id).seats_taken

    before = figures()
    assert privacy.personal_data_count(session, seminar) == 7
    assert privacy.erase_seminar_personal_data(session, seminar, by=staff) == 7
    session.commit()
    session.expire_all()
    assert figures() == before
    assert privacy.personal_data_count(session, seminar) == 0
    names = session.scalars(select(Registration.full_name).where(Registration.seminar_id == seminar.id)).all()
    assert set(names) == {""}
    assert session.get(Registration, keeper.id).full_name == "Other Seminar Guest"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "seminar_personal_data_erased"))
    assert entry.details == {"registrations": 7} and entry.user_id == staff.id
    assert privacy.erase_seminar_personal_data(session, seminar, by=staff) == 0


def test_organizer_finds_and_erases_one_person(client, session, login):
    seminar = factories.make_seminar(session)
    organizer = login("organizer")
    registration = factories.make_registration(session, seminar, full_name="Dinara Ospanova",
                                               email="dinara@example.kz")
    session.commit()
    privacy_page = f"/organizer/s/{seminar.slug}/privacy"
    assert f'href="{privacy_page}"' in client.get(f"/organizer/s/{seminar.slug}/").get_data(as_text=True)
    page = client.get(f"/organizer/s/{seminar.slug}/privacy?q=OSPANOVA")
    assert page.status_code == 200 and "dinara@example.kz" in page.get_data(as_text=True)
    response = client.post(f"/organizer/s/{seminar.slug}/registrations/{registration.id}/anonymise")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Registration, registration.id).full_name == ""
    after = client.get(f"/organizer/s/{seminar.slug}/privacy?q=ospanova").get_data(as_text=True)
    assert "No registration with personal data matches" in after
    log = session.scalar(select(AuditEntry).where(AuditEntry.action == "registration_anonymised"))
    assert log.user_id == organizer.id


def test_a_registration_cannot_be_erased_through_another_seminars_url(client, session, login):
    login("organizer")
    mine = factories.make_seminar(session)
    theirs = factories.make_seminar(session)
    registration = factories.make_registration(session, theirs, full_name="Not Yours")
    session.commit()
    response = client.post(f"/organizer/s/{mine.slug}/registrations/{registration.id}/anonymise")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Registration, registration.id).full_name == "Not Yours"


def test_erase_all_button_waits_for_the_end_of_the_seminar(client, session, login):
    upcoming = factories.make_seminar(session)
    factories.make_registration(session, upcoming, full_name="Coming Soon")
    past = _past_seminar(session)
    login("organizer")
    factories.make_registration(session, past, full_name="Was There")
    session.commit()
    assert "Possible once the seminar has ended" in client.get(f"/organizer/s/{upcoming.slug}/privacy").get_data(
        as_text=True)
    client.post(f"/organizer/s/{upcoming.slug}/erase")
    assert "has not ended yet" in client.get(f"/organizer/s/{upcoming.slug}/privacy").get_data(as_text=True)
    client.post(f"/organizer/s/{past.slug}/erase")
    session.expire_all()
    names = set(session.scalars(select(Registration.full_name)).all())
    assert names == {"Coming Soon", ""}


def test_admin_reads_the_audit_log(client, session, login):
    admin = login("admin", email="boss@example.kz")
    seminar = _past_seminar(session, title="Belt and Road Forum")
    privacy.erase_seminar_personal_data(session, seminar, by=admin)
    session.commit()
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "seminar_personal_data_erased" in body and "boss@example.kz" in body and "Belt and Road Forum" in body
    assert client.get("/admin/audit?page=0").status_code == 404
