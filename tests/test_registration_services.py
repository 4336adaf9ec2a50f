"""The registration rules, called directly: seats, quotas, waiting list, approval, cancellation, reminders."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventreg.extensions import db
from eventreg.models import OutboxMessage, Registration, Seminar, utcnow
from eventreg.registration import services
from eventreg.registration.services import RegistrationRefused
from tests.factories import category, make_category, make_registration, make_seminar, make_user


def person(seminar, key="general", n=1, **extra):
    data = {
        "full_name": f"Айгерим Person {chr(65 + n % 26)}",
        "email": f"Person{n}@Example.org",
        "category_id": category(seminar, key).id,
        "consent_data": True,
        "language": "en",
    }
    if key == "student":
        data.update(university="Astana IT University", programme="Software Engineering", study_level="bachelor",
                    study_year="2")
    data.update(extra)
    return data


def kinds(session):
    return [m.kind for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_free_seat_confirms_and_queues_the_ticket(session):
    seminar = make_seminar(session, capacity=2)
    registration = services.register(session, seminar, person(seminar))
    session.commit()
    assert registration.status == "confirmed"
    assert registration.email == "person1@example.org"
    assert seminar.seats_taken == 1 and category(seminar, "general").seats_taken == 1
    assert kinds(session) == ["confirmation"]


def test_a_full_seminar_waitlists_or_refuses_without_a_waiting_list(session):
    seminar = make_seminar(session, capacity=1)
    services.register(session, seminar, person(seminar, n=1))
    second = services.register(session, seminar, person(seminar, n=2))
    assert second.status == "waitlisted"
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar, n=3), waitlist=False)
    assert refused.value.code == "full"
    seminar.waitlist_enabled = False
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar, n=4))
    assert refused.value.code == "full"
    session.commit()
    assert seminar.seats_taken == 1
    assert kinds(session) == ["confirmation", "waitlisted"]


def test_a_full_category_quota_waitlists_while_other_categories_still_confirm(session):
    seminar = make_seminar(session, capacity=10)
    category(seminar, "student").quota = 1
    first = services.register(session, seminar, person(seminar, "student", n=1))
    second = services.register(session, seminar, person(seminar, "student", n=2))
    business = services.register(session, seminar, person(seminar, "business", n=3))
    session.commit()
    assert (first.status, second.status, business.status) == ("confirmed", "waitlisted", "confirmed")
    # The seminar seat taken for the refused category was given back.
    assert seminar.seats_taken == 2
    assert category(seminar, "student").seats_taken == 1


def test_the_same_email_cannot_register_twice_and_nothing_changes(session):
    seminar = make_seminar(session, capacity=5)
    services.register(session, seminar, person(seminar, n=1))
    session.commit()
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar, n=1, email=" PERSON1@example.ORG "))
    assert refused.value.code == "duplicate_email"
    session.commit()
    assert session.scalar(select(func.count()).select_from(Registration)) == 1
    assert seminar.seats_taken == 1 and category(seminar, "general").seats_taken == 1
    # Once cancelled, the address may register again.
    services.cancel_registration(session, session.scalars(select(Registration)).one())
    again = services.register(session, seminar, person(seminar, n=1))
    session.commit()
    assert again.status == "confirmed"


@pytest.mark.parametrize("change, field", [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "x" * 10_000}, "full_name"),
    ({"full_name": "<script>alert(1)</script>"}, "full_name"),
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"consent_data": False}, "consent_data"),
])
def test_invalid_details_are_refused_field_by_field(session, change, field):
    seminar = make_seminar(session)
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar, **change))
    assert refused.value.code == "invalid"
    assert field in refused.value.fields
    session.commit()
    assert session.scalar(select(func.count()).select_from(Registration)) == 0
    assert seminar.seats_taken == 0


def test_an_unknown_language_falls_back_to_the_pages_own(app, session):
    """A stale form or an API client's typo is no reason to refuse a seat: the e-mails go in the page's language."""
    from flask_babel import force_locale

    seminar = make_seminar(session)
    with app.test_request_context(), force_locale("ru"):
        registration = services.register(session, seminar, person(seminar, language="xx"))
    assert registration.language == "ru"


def test_students_must_give_their_study_details(session):
    seminar = make_seminar(session)
    data = person(seminar, "student", university="", study_level="kindergarten", study_year="0")
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, data)
    assert set(refused.value.fields) >= {"university", "study_level", "study_year"}
    # A non-student's stray student fields are not kept.
    registration = services.register(session, seminar, person(seminar, "business", university="Somewhere"))
    assert registration.university == "" and registration.study_level is None


def test_a_category_of_another_seminar_or_a_hidden_one_is_refused_online(session):
    seminar = make_seminar(session)
    other = make_seminar(session)
    hidden = make_category(session, seminar, key="embassy", is_public=False)
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar, category_id=category(other, "general").id))
    assert refused.value.code == "invalid" and "category_id" in refused.value.fields
    with pytest.raises(RegistrationRefused):
        services.register(session, seminar, person(seminar, category_id=hidden.id))
    guest = services.register(session, seminar, person(seminar, category_id=hidden.id, consent_data=False),
                              source="organizer", by=make_user(session, role="organizer"))
    assert guest.status == "confirmed" and guest.consent_data_at is None


@pytest.mark.parametrize("overrides, code", [
    ({"status": "cancelled"}, "cancelled_seminar"),
    ({"status": "closed"}, "closed"),
    ({"status": "draft"}, "closed"),
])
def test_registration_follows_the_seminar_state(session, overrides, code):
    seminar = make_seminar(session, **overrides)
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar))
    assert refused.value.code == code


def test_the_registration_window(session):
    now = utcnow()
    seminar = make_seminar(session, registration_opens_at=now + timedelta(days=1))
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar), now=now)
    assert refused.value.code == "not_open"
    seminar.registration_opens_at = None
    seminar.registration_closes_at = now - timedelta(minutes=1)
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar), now=now)
    assert refused.value.code == "closed"
    # An organizer may still add someone by hand.
    added = services.register(session, seminar, person(seminar), now=now, source="organizer", ignore_window=True)
    assert added.status == "confirmed"


def test_cancelling_a_confirmed_seat_promotes_the_first_waitlisted_person_who_fits(session):
    seminar = make_seminar(session, capacity=2)
    category(seminar, "student").quota = 1
    now = utcnow()
    student = services.register(session, seminar, person(seminar, "student", n=1), now=now)
    general = services.register(session, seminar, person(seminar, "general", n=2), now=now)
    waiting_student = services.register(session, seminar, person(seminar, "student", n=3),
                                        now=now + timedelta(seconds=1))
    waiting_general = services.register(session, seminar, person(seminar, "general", n=4),
                                        now=now + timedelta(seconds=2))
    later_general = services.register(session, seminar, person(seminar, "general", n=5),
                                      now=now + timedelta(seconds=3))
    session.commit()
    # The general seat frees up: the waitlisted student came first but the student quota is full.
    services.cancel_registration(session, general)
    session.commit()
    assert (waiting_student.status, waiting_general.status, later_general.status) == (
        "waitlisted", "confirmed", "waitlisted")
    # The student seat frees up: the waitlisted student gets it.
    services.cancel_registration(session, student)
    session.commit()
    assert waiting_student.status == "confirmed"
    assert seminar.seats_taken == 2 and category(seminar, "student").seats_taken == 1
    assert kinds(session).count("promoted") == 2
    promoted_to = session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "promoted")).all()
    assert promoted_to == [waiting_general.email, waiting_student.email]


def test_cancelling_twice_is_refused(session):
    seminar = make_seminar(session)
    registration = services.register(session, seminar, person(seminar))
    services.cancel_registration(session, registration)
    with pytest.raises(RegistrationRefused) as refused:
        services.cancel_registration(session, registration)
    assert refused.value.code == "not_active"
    session.commit()
    assert seminar.seats_taken == 0


def test_someone_checked_in_cannot_be_cancelled_and_nothing_changes(session):
    seminar = make_seminar(session)
    registration = services.register(session, seminar, person(seminar))
    registration.checked_in_at = utcnow()
    session.commit()
    with pytest.raises(RegistrationRefused) as refused:
        services.cancel_registration(session, registration, by=make_user(session, role="organizer"))
    assert refused.value.code == "checked_in"
    session.rollback()
    assert (registration.status, seminar.seats_taken) == ("confirmed", 1)


def test_raising_the_capacity_then_promoting_fills_the_new_seats(session):
    seminar = make_seminar(session, capacity=1)
    for n in range(4):
        services.register(session, seminar, person(seminar, n=n))
    session.commit()
    seminar.capacity = 3
    promoted = services.promote_from_waitlist(session, seminar)
    session.commit()
    assert len(promoted) == 2 and seminar.seats_taken == 3


def test_approval_flow(session):
    organizer = make_user(session, role="organizer")
    seminar = make_seminar(session, capacity=1, requires_approval=True)
    first = services.register(session, seminar, person(seminar, n=1))
    second = services.register(session, seminar, person(seminar, n=2))
    third = services.register(session, seminar, person(seminar, n=3))
    assert (first.status, second.status, seminar.seats_taken) == ("pending", "pending", 0)
    services.approve_registration(session, first, by=organizer)
    services.approve_registration(session, second, by=organizer)
    services.reject_registration(session, third, by=organizer)
    session.commit()
    assert (first.status, second.status, third.status) == ("confirmed", "waitlisted", "rejected")
    with pytest.raises(RegistrationRefused):
        services.approve_registration(session, first, by=organizer)
    assert kinds(session) == ["pending", "pending", "pending", "approved", "waitlisted", "rejected"]


def test_move_to_confirmed_only_into_a_free_seat(session):
    organizer = make_user(session, role="organizer")
    seminar = make_seminar(session, capacity=1)
    services.register(session, seminar, person(seminar, n=1))
    waiting = services.register(session, seminar, person(seminar, n=2))
    with pytest.raises(RegistrationRefused) as refused:
        services.confirm_registration(session, waiting, by=organizer)
    assert refused.value.code == "full"
    seminar.capacity = 2
    services.confirm_registration(session, waiting, by=organizer)
    session.commit()
    assert waiting.status == "confirmed" and seminar.seats_taken == 2


def test_editing_moves_the_seat_between_category_quotas(session):
    organizer = make_user(session, role="organizer")
    seminar = make_seminar(session)
    category(seminar, "media").quota = 0
    registration = services.register(session, seminar, person(seminar, "general"))
    data = person(seminar, "business", full_name="Ерлан Новое Имя")
    services.update_registration(session, registration, data, by=organizer)
    session.commit()
    assert registration.category.key == "business" and registration.full_name == "Ерлан Новое Имя"
    assert category(seminar, "general").seats_taken == 0 and category(seminar, "business").seats_taken == 1
    with pytest.raises(RegistrationRefused) as refused:
        services.update_registration(session, registration, person(seminar, "media"), by=organizer)
    assert refused.value.code == "full"
    session.rollback()
    assert registration.category.key == "business"


def test_seminar_cancelled_notice_goes_once_to_every_active_registrant(session):
    seminar = make_seminar(session, capacity=1)
    services.register(session, seminar, person(seminar, n=1))
    services.register(session, seminar, person(seminar, n=2))
    cancelled = services.register(session, seminar, person(seminar, n=3))
    services.cancel_registration(session, cancelled)
    assert services.notify_seminar_cancelled(session, seminar) == 2
    assert services.notify_seminar_cancelled(session, seminar) == 0
    session.commit()
    assert kinds(session).count("seminar_cancelled") == 2


def test_reminders_go_once_to_confirmed_people_of_seminars_starting_within_a_day(session):
    now = utcnow()
    tomorrow = make_seminar(session, starts_at=now + timedelta(hours=20))
    next_week = make_seminar(session, starts_at=now + timedelta(days=7))
    confirmed = make_registration(session, tomorrow)
    make_registration(session, tomorrow, status="waitlisted")
    make_registration(session, next_week)
    session.commit()
    assert services.send_reminders(session, now=now) == 1
    session.commit()
    assert services.send_reminders(session, now=now + timedelta(hours=1)) == 0
    session.commit()
    assert session.scalars(select(OutboxMessage.registration_id).where(OutboxMessage.kind == "reminder")).all() == [
        confirmed.id]


def test_resend_queues_to_the_registered_address_only(session):
    seminar = make_seminar(session)
    registration = services.register(session, seminar, person(seminar, n=1))
    services.resend_ticket(session, seminar, "nobody@example.org")
    services.resend_ticket(session, seminar, "PERSON1@example.org")
    services.resend_ticket(session, seminar, "person1@example.org")
    session.commit()
    resent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ticket_resend")).all()
    assert [m.recipient for m in resent] == [registration.email]


def _register_in_thread(app, seminar_id, category_id, n):
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        registration = services.register(db.session, seminar, {
            "full_name": f"Racer {chr(65 + n % 26)}", "email": f"racer{n}@example.org",
            "category_id": category_id, "consent_data": True,
        })
        db.session.commit()
        status = registration.status
        db.session.remove()
        return status


def test_two_hundred_people_for_the_last_fifty_seats(app, session):
    seminar = make_seminar(session, capacity=60, seats_taken=10)
    category(seminar, "general").seats_taken = 10
    general_id, seminar_id = category(seminar, "general").id, seminar.id
    # End the test's own transaction: on SQLite an open one would hold the write lock.
    session.commit()
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda n: _register_in_thread(app, seminar_id, general_id, n), range(200)))
    assert statuses.count("confirmed") == 50
    assert statuses.count("waitlisted") == 150
    session.expire_all()
    assert seminar.seats_taken == 60
    confirmed = session.scalar(select(func.count()).select_from(Registration).where(
        Registration.status == "confirmed"))
    assert confirmed == 50


def _register_same_person_in_thread(app, seminar_id, category_id):
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        try:
            registration = services.register(db.session, seminar, {
                "full_name": "Double Clicker", "email": "double.clicker@example.org",
                "category_id": category_id, "consent_data": True,
            })
            db.session.commit()
            return registration.status
        except RegistrationRefused as refusal:
            db.session.rollback()
            return refusal.code
        finally:
            db.session.remove()


def test_the_same_person_registering_from_twenty_tabs_at_once_gets_one_seat(app, session):
    seminar = make_seminar(session, capacity=5)
    general_id, seminar_id = category(seminar, "general").id, seminar.id
    session.commit()
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda _: _register_same_person_in_thread(app, seminar_id, general_id), range(20)))
    assert sorted(set(outcomes)) == ["confirmed", "duplicate_email"]
    assert outcomes.count("confirmed") == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Registration)) == 1
    assert seminar.seats_taken == 1 and category(seminar, "general").seats_taken == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


@pytest.mark.parametrize(("first", "again"), [
    ("person@example.org", " PERSON@Example.ORG "),
    ("aigerim@пример.kz", "Aigerim@ПРИМЕР.KZ"),
    ("aigerim@пример.kz", "aigerim@xn--e1afmkfd.kz"),
    ("\u0430\u0306zhan@example.kz", "\u04d1zhan@example.kz"),  # the same letter, decomposed and composed
])
def test_one_address_written_another_way_cannot_register_twice(session, first, again):
    seminar = make_seminar(session, capacity=5)
    services.register(session, seminar, person(seminar, n=1, email=first))
    session.commit()
    with pytest.raises(RegistrationRefused) as refused:
        services.register(session, seminar, person(seminar, n=2, email=again))
    assert refused.value.code == "duplicate_email"
