"""The signup form, the ticket page and cancellation, as a person in a browser sees them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventreg.models import Category, OutboxMessage, Registration, Seminar, utcnow
from eventreg.registration import services
from tests.factories import category, make_category, make_registration, make_seminar


def form_data(seminar, key="general", **extra):
    data = {
        "full_name": "Ли Вэй 李伟",
        "email": "li.wei@example.cn",
        "phone": "+7 701 234 5678",
        "organization": "Tsinghua University",
        "position": "Researcher",
        "category_id": str(category(seminar, key).id),
        "language": "en",
        "consent_data": "y",
    }
    if key == "student":
        data.update(university="Astana IT University", programme="Computer Science", study_level="bachelor",
                    study_year="3")
    data.update(extra)
    return data


def counts(session):
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Registration)),
        session.scalar(select(func.count()).select_from(OutboxMessage)),
        session.scalar(select(func.sum(Seminar.seats_taken))) or 0,
        session.scalar(select(func.sum(Category.seats_taken))) or 0,
    )


def test_the_form_offers_public_categories_and_the_student_fields(session, client):
    seminar = make_seminar(session)
    make_category(session, seminar, key="embassy", label="Embassy guests", is_public=False)
    session.commit()
    page = client.get(f"/s/{seminar.slug}/register").get_data(as_text=True)
    assert "Student" in page and "Embassy guests" not in page
    assert 'data-student="1"' in page
    assert "data-student-fields" in page  # in the page for people without JavaScript
    assert "Nazarbayev University" in page  # university suggestions
    assert "processing of my personal data" in page and "erased" in page  # consent with its text


def test_a_student_registers_and_is_sent_to_the_email_that_carries_the_ticket(session, client):
    seminar = make_seminar(session, title="Digital Silk Road")
    session.commit()
    response = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, "student"))
    assert response.status_code == 302 and response.location == f"/s/{seminar.slug}/registered"
    page = client.get(response.location).get_data(as_text=True)
    assert "Thank you, Ли Вэй 李伟" in page and "We have sent an e-mail to li.wei@example.cn" in page
    registration = session.scalars(select(Registration)).one()
    assert registration.status == "confirmed"
    assert registration.study_level == "bachelor" and registration.study_year == 3
    assert registration.consent_data_at is not None
    assert registration.token not in page  # the ticket is in the e-mail, for the inbox's owner only
    [message] = session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.recipient, message.registration_id) == (
        "confirmation", "li.wei@example.cn", registration.id)
    again = client.get(response.location).get_data(as_text=True)  # read once: a reload names nobody
    assert "Check your e-mail" in again and "Ли Вэй" not in again and "li.wei@example.cn" not in again


def test_errors_keep_what_was_typed_and_say_what_is_wrong(session, client):
    seminar = make_seminar(session)
    session.commit()
    before = counts(session)
    response = client.post(f"/s/{seminar.slug}/register",
                           data=form_data(seminar, "student", email="not an email", university="",
                                          organization="Назарбаев Университет"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This is not a valid e-mail address." in page
    assert "Required for students." in page
    assert 'value="Ли Вэй 李伟"' in page and 'value="Назарбаев Университет"' in page
    assert counts(session) == before


@pytest.mark.parametrize("change, message", [
    ({"full_name": ""}, "Please enter your full name."),
    ({"full_name": "Ж" * 10_000}, "The name is too long"),
    ({"email": "a@b"}, "This is not a valid e-mail address."),
    ({"email": "x" * 300 + "@example.org"}, "The e-mail address is too long."),
    ({"consent_data": ""}, "We need your consent"),
    ({"category_id": ""}, "Choose one of this seminar"),
    ({"study_year": "many"}, "Year of study: a number from 1 to 10."),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(session, client, change, message):
    seminar = make_seminar(session)
    session.commit()
    before = counts(session)
    response = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, "student", **change))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(session) == before


def test_a_category_of_another_seminar_is_refused(session, client):
    seminar = make_seminar(session)
    other = make_seminar(session)
    hidden = make_category(session, seminar, key="embassy", is_public=False)
    session.commit()
    before = counts(session)
    for category_id in (category(other, "general").id, hidden.id):
        response = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, category_id=str(category_id)))
        assert response.status_code == 400
        assert "Choose one of this seminar" in response.get_data(as_text=True)
    assert counts(session) == before


def test_a_second_registration_with_the_same_email_writes_nothing_and_mails_the_owner(session, client):
    seminar = make_seminar(session)
    first = make_registration(session, seminar, full_name="Secret Person", email="li.wei@example.cn",
                              organization="Hidden Org")
    session.commit()
    registrations, messages, seats, category_seats = counts(session)
    response = client.post(f"/s/{seminar.slug}/register",
                           data=form_data(seminar, email="LI.WEI@example.cn", full_name="Somebody Else"))
    assert response.status_code == 302 and response.location == f"/s/{seminar.slug}/registered"
    page = client.get(response.location).get_data(as_text=True)
    assert "Thank you, Somebody Else" in page and "LI.WEI@example.cn" in page
    assert "Secret Person" not in page and "Hidden Org" not in page and first.token not in page
    assert counts(session) == (registrations, messages + 1, seats, category_seats)
    # The owner of the address is told, with their own link; the person who typed it learns nothing.
    [told] = session.scalars(select(OutboxMessage)).all()
    assert (told.kind, told.recipient, told.registration_id) == ("ticket_resend", "li.wei@example.cn", first.id)
    # The re-send goes to the registered address only, and the page says the same for anyone.
    answers = []
    for email in ("li.wei@example.cn", "nobody@example.org"):
        answer = client.post(f"/s/{seminar.slug}/resend", data={"email": email}, follow_redirects=True)
        answers.append(re.sub(r"name=\"csrf_token\"[^>]*", "", answer.get_data(as_text=True)))
    assert answers[0] == answers[1]
    resent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ticket_resend")).all()
    assert [m.recipient for m in resent] == ["li.wei@example.cn", "li.wei@example.cn"]


def test_a_full_seminar_puts_people_on_the_waiting_list(session, client):
    seminar = make_seminar(session, capacity=1)
    make_registration(session, seminar)
    session.commit()
    page = client.get(f"/s/{seminar.slug}/register").get_data(as_text=True)
    assert "waiting list" in page
    assert client.post(f"/s/{seminar.slug}/register", data=form_data(seminar)).status_code == 302
    waiting = session.scalars(select(Registration).where(Registration.email == "li.wei@example.cn")).one()
    assert waiting.status == "waitlisted"
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == waiting.id)).one()
    assert told.kind == "waitlisted"


def test_closed_and_cancelled_seminars_show_no_form(session, client):
    closed = make_seminar(session, status="closed")
    cancelled = make_seminar(session, status="cancelled")
    session.commit()
    assert "Registration for this seminar is closed." in client.get(f"/s/{closed.slug}/register").get_data(
        as_text=True)
    response = client.post(f"/s/{cancelled.slug}/register", data=form_data(cancelled))
    assert response.status_code == 400
    assert "This seminar has been cancelled." in response.get_data(as_text=True)
    assert counts(session)[0] == 0


def test_drafts_have_no_public_signup(session, client):
    draft = make_seminar(session, status="draft")
    session.commit()
    assert client.get(f"/s/{draft.slug}/register").status_code == 404


def test_the_ticket_page_shows_the_qr_and_the_ways_out(session, client):
    seminar = make_seminar(session, title="Digital Silk Road", venue="Beijing Palace")
    registration = make_registration(session, seminar, full_name="Ерлан Қасымов")
    session.commit()
    response = client.get(f"/t/{registration.token}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "Ерлан Қасымов" in page and "Digital Silk Road" in page and "Beijing Palace" in page
    assert "<svg" in page and "Confirmed" in page
    for target in ("calendar.ics", "ticket.pdf", "cancel"):
        assert f"/t/{registration.token}/{target}" in page
    assert client.get(f"/t/{registration.token}/qr.svg").mimetype == "image/svg+xml"
    assert client.get(f"/t/{registration.token}/qr.png").data.startswith(b"\x89PNG")
    ics = client.get(f"/t/{registration.token}/calendar.ics")
    assert ics.mimetype == "text/calendar" and b"Digital Silk Road" in ics.data


def test_a_waitlisted_ticket_has_no_qr_yet(session, client):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar, status="waitlisted")
    session.commit()
    page = client.get(f"/t/{registration.token}/").get_data(as_text=True)
    assert "<svg" not in page and "once your seat is confirmed" in page
    assert client.get(f"/t/{registration.token}/ticket.pdf").status_code == 404


@pytest.mark.parametrize("suffix", ["", "qr.svg", "qr.png", "ticket.pdf", "calendar.ics", "cancel"])
def test_a_tampered_token_finds_nothing(session, client, suffix):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar)
    session.commit()
    tampered = registration.token[:-1] + ("A" if registration.token[-1] != "A" else "B")
    response = client.get(f"/t/{tampered}/{suffix}")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.get_data(as_text=True)
    before = counts(session)
    assert client.post(f"/t/{tampered}/cancel").status_code == 404
    assert counts(session) == before


def test_cancelling_from_the_ticket_frees_the_seat_for_the_next_person(session, client):
    seminar = make_seminar(session, capacity=1)
    registration = make_registration(session, seminar)
    waiting = services.register(session, seminar, {
        "full_name": "Next Person", "email": "next@example.org", "consent_data": True,
        "category_id": category(seminar, "general").id})
    session.commit()
    confirm_page = client.get(f"/t/{registration.token}/cancel").get_data(as_text=True)
    assert "Yes, cancel my registration" in confirm_page
    response = client.post(f"/t/{registration.token}/cancel", follow_redirects=True)
    assert "Your registration is cancelled" in response.get_data(as_text=True)
    session.expire_all()
    assert registration.status == "cancelled" and waiting.status == "confirmed"
    promoted = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "promoted")).one()
    assert promoted.recipient == "next@example.org"
    # A second cancel changes nothing.
    again = client.post(f"/t/{registration.token}/cancel", follow_redirects=True)
    assert "no longer active" in again.get_data(as_text=True)


def test_after_the_seminar_or_once_checked_in_the_ticket_offers_no_cancellation(session, client):
    ended = make_seminar(session, starts_at=utcnow() - timedelta(hours=5), ends_at=utcnow() - timedelta(hours=2))
    past = make_registration(session, ended)
    current = make_seminar(session)
    came = make_registration(session, current, checked_in_at=utcnow())
    session.commit()
    for registration, refusal in ((past, "The seminar has ended"), (came, "Already checked in at the door")):
        assert "Cancel my registration" not in client.get(f"/t/{registration.token}/").get_data(as_text=True)
        answer = client.post(f"/t/{registration.token}/cancel", follow_redirects=True).get_data(as_text=True)
        assert refusal in answer
        session.expire_all()
        assert registration.status == "confirmed"


def test_the_pdf_ticket(session, client):
    import io

    import zxingcpp
    from pypdf import PdfReader

    seminar = make_seminar(session, title="Digital Silk Road")
    registration = make_registration(session, seminar, full_name="Аружан Сәрсенбаева 李伟")
    session.commit()
    response = client.get(f"/t/{registration.token}/ticket.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = reader.pages[0].extract_text()
    assert "Digital Silk Road" in text and "Аружан Сәрсенбаева" in text
    [image] = reader.pages[0].images
    assert zxingcpp.read_barcodes(image.image)[0].text == f"ER1:{registration.token}"


def test_a_ticket_opened_again_is_the_same_and_a_changed_one_is_new(session, client):
    """The ticket PDF is kept per process by what it prints: asked for again it is the same document, and after
    the person's name or the seminar's venue changes it shows the new ones."""
    import io

    from pypdf import PdfReader

    seminar = make_seminar(session, title="Digital Silk Road", venue="Hall A")
    registration = make_registration(session, seminar, full_name="Ким Минджун 김민준")
    session.commit()
    first = client.get(f"/t/{registration.token}/ticket.pdf").data
    assert client.get(f"/t/{registration.token}/ticket.pdf").data == first
    registration.full_name = "Ким Минджун"
    seminar.venue = "Hall B"
    session.commit()
    text = PdfReader(io.BytesIO(client.get(f"/t/{registration.token}/ticket.pdf").data)).pages[0].extract_text()
    assert "김민준" in PdfReader(io.BytesIO(first)).pages[0].extract_text()
    assert "Hall B" in text and "Hall A" not in text and "김민준" not in text


def test_a_seminar_that_needs_approval_says_so_and_waits_for_the_organizer(session, client, login):
    seminar = make_seminar(session, requires_approval=True)
    session.commit()
    assert "review every registration" in client.get(f"/s/{seminar.slug}/register").get_data(as_text=True)
    assert client.post(f"/s/{seminar.slug}/register", data=form_data(seminar)).status_code == 302
    registration = session.scalars(select(Registration)).one()
    assert registration.status == "pending"
    ticket = client.get(f"/t/{registration.token}/").get_data(as_text=True)  # the link in the "pending" e-mail
    assert "Waiting for approval" in ticket and "<svg" not in ticket
    login("organizer")
    client.post(f"/organizer/s/{seminar.slug}/registrations/{registration.id}/approve")
    session.expire_all()
    assert registration.status == "confirmed"
    assert [m.kind for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))] == [
        "pending", "approved"]


def test_the_form_opens_while_someone_else_is_writing(app, session, client):
    """In a rush, people opening the form must not queue behind the signups being written: on SQLite,
    behind the database's single write lock."""
    from eventreg.extensions import db

    seminar = make_seminar(session)
    slug, seminar_id = seminar.slug, seminar.id
    good = form_data(seminar)
    session.commit()
    with db.engine.connect() as writer:
        writer.execute(Seminar.__table__.update().where(Seminar.id == seminar_id).values(title="Being changed"))
        assert client.get(f"/s/{slug}/register").status_code == 200
        writer.rollback()
    assert client.post(f"/s/{slug}/register", data=good).status_code == 302
    assert counts(session)[0] == 1


@pytest.mark.parametrize("attributes", [
    {"name": "full_name", "id": "full_name", "class_": "wide", "value": "Ли Вэй 李伟"},
    {"checked": True, "readonly": False, "name": "consent", "value": "y"},
    {"data_student": "1", "aria_describedby": "full_name-help", "aria_invalid": "false"},
    {"value": "<script>\"&'", "maxlength": 300, "required": True},
    {"value": None, "min": 1, "max": 7},
    {},
])
def test_the_signup_forms_inputs_are_written_exactly_as_wtforms_writes_them(attributes):
    from wtforms.widgets.core import html_params as wtforms_html_params

    from eventreg.widgets import html_params

    assert html_params(**attributes) == wtforms_html_params(**attributes)
