"""E-mail confirmation per seminar (issue #27 item 8): a public signup's seat is held until the person follows the
link e-mailed to them; the team's own registrations are confirmed at once. The attacks it stops (seats held with
strangers' addresses, a held seat at the door, the race of confirming and expiring) are in test_hardening.py."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventreg import mail
from eventreg.checkin import services as checkin
from eventreg.models import OutboxMessage, Registration, utcnow
from eventreg.registration import organizer, services
from tests import factories
from tests.openapi_check import assert_matches_openapi
from tests.test_registration import form_data
from tests.test_seminar_pages import FORM


def _kinds(session, registration):
    return session.scalars(select(OutboxMessage.kind).where(OutboxMessage.registration_id == registration.id)
                           .order_by(OutboxMessage.id)).all()


def _person(seminar, email="dana@example.kz"):
    return {"full_name": "Dana Nurlanovna", "email": email, "consent_data": True,
            "category_id": factories.category(seminar, "general").id}


def test_the_organizer_sets_the_hours_on_the_seminar_form(client, session, login):
    seminar = factories.make_seminar(session, slug="s")
    session.commit()
    login("organizer")
    assert "Confirm e-mail addresses" in client.get("/organizer/s/s/edit").get_data(as_text=True)
    too_long = client.post("/organizer/s/s/edit", data={**FORM, "slug": "s", "email_confirmation_hours": "500"})
    assert too_long.status_code == 400 and "Must be 168 or less." in too_long.get_data(as_text=True)
    assert client.post("/organizer/s/s/edit", data={**FORM, "slug": "s", "email_confirmation_hours": "24"}
                       ).status_code == 302
    session.expire_all()
    assert seminar.email_confirmation_hours == 24
    assert client.post("/organizer/s/s/edit", data={**FORM, "slug": "s", "email_confirmation_hours": ""}
                       ).status_code == 302  # empty: off
    session.expire_all()
    assert seminar.email_confirmation_hours is None


def test_the_hours_are_a_field_of_the_seminar_api(client, session, api_token):
    factories.make_seminar(session, slug="s")
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    session.commit()
    for hours, status in ((0, 400), (169, 400), ("24", 400), (24, 200), (None, 200)):
        response = client.patch("/api/v1/seminars/s", json={"email_confirmation_hours": hours}, headers=headers)
        assert response.status_code == status, hours
        assert_matches_openapi(client, "PATCH", "/api/v1/seminars/s", response)
        if status == 200:
            assert response.get_json()["email_confirmation_hours"] == hours


def test_a_public_signup_gets_the_confirmation_link_first_and_its_ticket_once_it_is_followed(
        app, client, session, smtp_server):
    seminar = factories.make_seminar(session, title="Digital Silk Road", email_confirmation_hours=24)
    session.commit()
    answer = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar))
    assert "held for 24 hours until the link in the e-mail confirms" in client.get(answer.location).get_data(
        as_text=True)
    registration = session.scalars(select(Registration)).one()
    assert _kinds(session, registration) == ["confirm_email"]
    mail.send_due(session)
    [message] = smtp_server.messages
    assert message["Subject"] == "Confirm your registration: Digital Silk Road"
    assert not any(part.get_filename() for part in message.walk())  # no QR code, no .ics: no ticket yet
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"http\S+/t/(\S+)/confirm\?lang=en", text)
    assert link.group(1) == registration.token

    page = client.get(f"/t/{registration.token}/confirm").get_data(as_text=True)
    assert "your place is held for you until" in page and "Confirm my registration" in page
    confirmed = client.post(f"/t/{registration.token}/confirm")
    assert confirmed.status_code == 302 and confirmed.location == f"/t/{registration.token}/"
    ticket = client.get(confirmed.location).get_data(as_text=True)
    assert "your e-mail address is confirmed" in ticket and "<svg" in ticket
    session.expire_all()
    assert registration.email_confirmed_at is not None
    assert _kinds(session, registration) == ["confirm_email", "confirmation"]
    # The link once more: the ticket, and no second e-mail.
    assert client.get(f"/t/{registration.token}/confirm").location == f"/t/{registration.token}/"
    assert client.post(f"/t/{registration.token}/confirm").status_code == 302
    assert _kinds(session, registration) == ["confirm_email", "confirmation"]


def test_a_waitlisted_or_pending_signup_is_told_its_place_once_confirmed(session):
    full = factories.make_seminar(session, capacity=0, email_confirmation_hours=12)
    approval = factories.make_seminar(session, requires_approval=True, email_confirmation_hours=12)
    waiting = services.register(session, full, _person(full))
    pending = services.register(session, approval, _person(approval))
    for registration, kind in ((waiting, "waitlisted"), (pending, "pending")):
        assert registration.awaits_email_confirmation
        services.confirm_email(session, registration)
        assert _kinds(session, registration) == ["confirm_email", kind]


def test_people_the_team_registers_are_confirmed_at_once(session):
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=2),
                                     email_confirmation_hours=24)
    door = factories.make_user(session, role="staff")
    made = [services.register(session, seminar, _person(seminar, f"{source}@example.kz"), source=source)
            for source in ("organizer", "api", "import")]
    result = checkin.walk_in(session, seminar, _person(seminar, "walk_in@example.kz"), gate="Door 1", by=door)
    imported = organizer.import_rows(session, seminar, [{"full_name": "Aliya Serikova", "email": "aliya@example.kz"}],
                                     default_category=factories.category(seminar, "general"), by=door, notify=True)
    assert result.status == "checked_in" and imported[0].outcome == "confirmed"
    everyone = session.scalars(select(Registration)).all()
    assert len(everyone) == 5
    assert all(r.hold_expires_at is None and not r.awaits_email_confirmation for r in everyone)
    assert "confirm_email" not in session.scalars(select(OutboxMessage.kind)).all()
    assert all(_kinds(session, r) == ["confirmation"] for r in made)


def test_a_link_followed_too_late_keeps_nothing(client, session):
    seminar = factories.make_seminar(session, email_confirmation_hours=1)
    registration = services.register(session, seminar, _person(seminar))
    session.commit()
    late = registration.hold_expires_at + timedelta(seconds=1)
    with pytest.raises(services.RegistrationRefused) as refused:
        services.confirm_email(session, registration, now=late)
    assert refused.value.code == "hold_expired"
    session.rollback()
    registration.hold_expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    page = client.get(f"/t/{registration.token}/").get_data(as_text=True)
    assert "The time to confirm this registration has passed" in page and "Confirm my registration" not in page
    answer = client.post(f"/t/{registration.token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "The time to confirm this registration has passed" in answer
    session.expire_all()
    assert registration.email_confirmed_at is None and _kinds(session, registration) == ["confirm_email"]


def test_until_it_is_confirmed_the_address_gets_nothing_but_the_link(session):
    """Promoted, reminded, asked for again: the address may be a stranger's, so only the link goes to it; once
    confirmed, the person gets the e-mail of the place they have then."""
    starts = utcnow() + timedelta(hours=12)
    seminar = factories.make_seminar(session, capacity=1, starts_at=starts, ends_at=starts + timedelta(hours=2),
                                     email_confirmation_hours=24)
    first = factories.make_registration(session, seminar)
    waiting = services.register(session, seminar, _person(seminar))
    assert waiting.status == "waitlisted"
    services.cancel_registration(session, first)
    assert waiting.status == "confirmed"  # promoted: the place is held for the person, unconfirmed
    assert services.send_reminders(session) == 0
    services.resend_ticket(session, seminar, waiting.email)
    assert _kinds(session, waiting) == ["confirm_email", "confirm_email"]
    services.confirm_email(session, waiting)
    assert _kinds(session, waiting) == ["confirm_email", "confirm_email", "confirmation"]
    assert services.send_reminders(session) == 1


def test_the_registrations_list_says_whose_address_is_not_confirmed(client, session, login):
    seminar = factories.make_seminar(session, email_confirmation_hours=24)
    services.register(session, seminar, _person(seminar))
    session.commit()
    login("organizer")
    page = client.get(f"/organizer/s/{seminar.slug}/registrations").get_data(as_text=True)
    assert "E-mail not confirmed yet" in page
