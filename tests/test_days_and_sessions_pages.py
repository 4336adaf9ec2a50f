"""The pages of a seminar over several days (issue #23 item 4): the organizer's days and sessions, the public page,
the signup's choice of sessions, the ticket, the organizer's attendance per day, and the API. The rules themselves
are tested in tests/test_multi_day.py."""

import html
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from eventreg import mail
from eventreg.checkin import services as checkin
from eventreg.models import Attendance, Registration, SeminarSession, SessionPlace, utcnow
from eventreg.registration import places
from eventreg.registration import services as registration_services
from eventreg.seminars import days
from tests import factories
from tests.openapi_check import assert_matches_openapi


@pytest.fixture
def seminar(session):
    """Three days a week from now, 09:00 to 18:00 in Astana, registration open; no days made yet."""
    first = factories.aware(*(utcnow() + timedelta(days=7)).timetuple()[:3], 4)
    return factories.make_seminar(session, starts_at=first, ends_at=first + timedelta(days=2, hours=9),
                                  checkin_opens_minutes=60)


def _workshop(session, seminar, *, capacity=1):
    """A workshop on day 2, 10:00 to 12:00, in English and Russian."""
    day = seminar.days[1]
    return days.save_session(session, seminar, {
        "title": {"en": "Workshop: contracts", "ru": "Практикум: контракты"}, "day_id": day.id,
        "starts_at": day.starts_at + timedelta(hours=1), "ends_at": day.starts_at + timedelta(hours=3),
        "capacity": capacity, "room": "Hall B"})


@pytest.fixture
def with_workshop(session, seminar):
    days.make_days(session, seminar)
    part = _workshop(session, seminar)
    session.commit()
    return part


def _text(response):
    return html.unescape(response.get_data(as_text=True))


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _signup(client, seminar, email, **extra):
    return client.post(f"/s/{seminar.slug}/register", data={
        "full_name": "Dana Abenova", "email": email, "category_id": factories.category(seminar, "general").id,
        "language": "en", "consent_data": "y", **extra})


def test_the_organizer_makes_days_and_adds_a_workshop_in_two_languages(client, session, seminar, login):
    login("organizer")
    page = client.get(f"/organizer/s/{seminar.slug}/days")
    assert page.status_code == 200 and "One day per date" in _text(page)
    assert f"/organizer/s/{seminar.slug}/days" in _text(client.get(f"/organizer/s/{seminar.slug}/"))

    assert client.post(f"/organizer/s/{seminar.slug}/days/make").status_code == 302
    session.expire_all()
    assert len(seminar.days) == 3
    day2 = seminar.days[1]
    added = client.post(f"/organizer/s/{seminar.slug}/sessions/new", data={
        "content_language": "en", "title": "Workshop: contracts", "title_ru": "Практикум: контракты",
        "day_id": day2.id, "starts_at": "10:00", "ends_at": "12:00", "room": "Hall B", "capacity": "1"})
    assert added.status_code == 302, _text(added)
    part = session.scalars(select(SeminarSession)).one()
    assert part.capacity == 1 and part.translations == {"title": {"ru": "Практикум: контракты"}}
    assert seminar.local(part.starts_at).hour == 10 and part.day_id == day2.id

    text = _text(client.get(f"/organizer/s/{seminar.slug}/days"))
    assert "Day 2 · " in text and "09:00–18:00" in text
    assert "Workshop: contracts" in text and "Hall B" in text and "0 of 1 places taken" in text

    moved = client.post(f"/organizer/s/{seminar.slug}/days/{seminar.days[2].id}/edit", data={
        "day-date": seminar.days[2].local_date.isoformat(), "day-starts_at": "10:00", "day-ends_at": "18:00"})
    assert moved.status_code == 302
    session.expire_all()
    assert seminar.local(seminar.days[2].starts_at).hour == 10

    # A session outside its day's hours: the form again, with the service's message by the field.
    wrong = client.post(f"/organizer/s/{seminar.slug}/sessions/new", data={
        "content_language": "en", "title": "Late", "day_id": day2.id, "starts_at": "17:00", "ends_at": "19:00"})
    assert wrong.status_code == 400 and "within its day's hours" in _text(wrong)
    assert _count(session, SeminarSession) == 1


def test_a_stranger_and_a_door_member_cannot_open_the_days_page(app, client, session, seminar, login):
    assert client.get(f"/organizer/s/{seminar.slug}/days").status_code == 302  # to the login page
    login("organizer", seminars=[])
    assert client.get(f"/organizer/s/{seminar.slug}/days").status_code == 404
    assert client.post(f"/organizer/s/{seminar.slug}/days/make").status_code == 404
    door = app.test_client()
    login("staff", test_client=door, seminar_role="door")
    assert door.get(f"/organizer/s/{seminar.slug}/days").status_code == 403
    assert not seminar.days


def test_removing_a_session_with_places_asks_to_confirm_and_says_what_is_lost(client, session, seminar,
                                                                             with_workshop, login):
    registration = factories.make_registration(session, seminar)
    places.choose(session, registration, [with_workshop])
    session.commit()
    login("organizer")
    url = f"/organizer/s/{seminar.slug}/sessions/{with_workshop.id}/delete"
    asked = client.post(url)
    assert asked.status_code == 200
    assert "0 check-ins and 1 places in sessions would be lost" in _text(asked)
    assert 'name="check_ins" type="hidden" value="0"' in _text(asked)
    assert 'name="places" type="hidden" value="1"' in _text(asked)
    assert _count(session, SeminarSession) == 1

    people = client.get(f"/organizer/s/{seminar.slug}/sessions/{with_workshop.id}/people")
    assert registration.full_name in _text(people)

    # Confirmed on a page that showed no place: the place taken since is not lost unseen, the page asks again.
    again = client.post(url, data={"check_ins": "0", "places": "0"})
    assert again.status_code == 200 and "1 places in sessions would be lost" in _text(again)
    assert _count(session, SeminarSession) == 1
    assert client.post(url, data={"check_ins": "0", "places": "1"}).status_code == 302
    assert _count(session, SeminarSession) == 0 and _count(session, SessionPlace) == 0


def test_a_day_without_losses_is_removed_at_once(client, session, seminar, login):
    days.make_days(session, seminar)
    session.commit()
    login("organizer")
    assert client.post(f"/organizer/s/{seminar.slug}/days/{seminar.days[2].id}/delete").status_code == 302
    session.expire_all()
    assert len(seminar.days) == 2


def test_the_public_page_shows_the_days_and_a_full_workshop(client, session, seminar, with_workshop):
    text = _text(client.get(f"/s/{seminar.slug}/"))
    assert "Day 1 · " in text and "Day 3 · " in text and "Workshop: contracts" in text and "1 place left" in text
    assert "Практикум: контракты" in _text(client.get(f"/s/{seminar.slug}/", headers={"Accept-Language": "ru"}))
    places.choose(session, factories.make_registration(session, seminar), [with_workshop])
    session.commit()
    assert "Full" in _text(client.get(f"/s/{seminar.slug}/"))


def test_signup_takes_the_place_and_a_second_signup_for_the_full_workshop_writes_nothing(client, session, seminar,
                                                                                          with_workshop):
    form = _text(client.get(f"/s/{seminar.slug}/register"))
    assert "Sessions (choose the ones you will attend)" in form
    assert f'value="{with_workshop.id}"' in form and "1 place left" in form
    # The choice comes before the consent that closes the form, under the seminar's first and last day.
    assert form.index("Sessions (choose") < form.index("I agree to the processing of my personal data")
    last_day = seminar.local(seminar.ends_at).strftime("%A, %-d %B %Y")
    assert last_day in form[:form.index("About you")]

    assert _signup(client, seminar, "first@example.kz", session_ids=str(with_workshop.id)).status_code == 302
    first = session.scalars(select(Registration)).one()
    assert places.held(session, first) == {with_workshop.id}

    before = _count(session, Registration)
    again = _signup(client, seminar, "second@example.kz", session_ids=str(with_workshop.id),
                    organization="Kazinform")
    assert again.status_code == 400
    text = _text(again)
    assert "No place is left in Workshop: contracts." in text
    assert 'value="second@example.kz"' in text and 'value="Kazinform"' in text
    assert f'value="{with_workshop.id}" checked' in text  # still ticked, so it can be unticked
    assert _count(session, Registration) == before and _count(session, SessionPlace) == 1


def test_the_ticket_lists_the_days_and_changes_the_sessions(client, session, seminar, with_workshop):
    registration = factories.make_registration(session, seminar)
    other = _workshop(session, seminar, capacity=5)
    session.commit()
    page = _text(client.get(f"/t/{registration.token}/"))
    assert "Day 1 · " in page and "Day 2 · " in page and "Save my sessions" in page

    url = f"/t/{registration.token}/sessions"
    assert client.post(url, data={"session_ids": [str(with_workshop.id), str(other.id)]}).status_code == 302
    assert places.held(session, registration) == {with_workshop.id, other.id}
    assert "Your place" in _text(client.get(f"/t/{registration.token}/"))

    # Someone else, with the workshop full: nothing of their choice changes, and they are told why.
    late = factories.make_registration(session, seminar)
    places.choose(session, late, [other])
    session.commit()
    refused = client.post(f"/t/{late.token}/sessions", data={"session_ids": [str(with_workshop.id)]},
                          follow_redirects=True)
    assert "No place is left in Workshop: contracts." in _text(refused)
    assert places.held(session, late) == {other.id}


def _events(body):
    return [(event.decoded("dtstart"), event.decoded("dtend"), str(event["summary"]))
            for event in Calendar.from_ical(body).walk("VEVENT")]


def test_the_calendar_has_each_day_and_the_workshop_of_the_ticket_not_the_nights(client, session, seminar,
                                                                                  with_workshop):
    registration = factories.make_registration(session, seminar, language="en")
    places.choose(session, registration, [with_workshop])
    session.commit()
    day_hours = [(day.starts_at, day.ends_at) for day in seminar.days]

    ticket = _events(client.get(f"/t/{registration.token}/calendar.ics").data)
    assert [(start, end) for start, end, _ in ticket] == [*day_hours,
                                                           (with_workshop.starts_at, with_workshop.ends_at)]
    assert ticket[1][2].startswith(f"{seminar.title} · Day 2 · ")
    assert ticket[3][2].startswith("Workshop: contracts · ")
    public = _events(client.get(f"/s/{seminar.slug}/calendar.ics").data)
    assert [(start, end) for start, end, _ in public] == day_hours  # nobody's workshop on the public page

    page = _text(client.get(f"/t/{registration.token}/"))
    assert page.count("https://calendar.google.com/") == 3 and "Google Calendar · Day 3 · " in page


def test_the_ticket_email_names_the_workshop_and_carries_the_days(session, seminar, with_workshop, smtp_server):
    registration = registration_services.register(session, seminar, {
        "full_name": "Dana Abenova", "email": "dana@example.kz", "consent_data": True, "language": "en",
        "category_id": factories.category(seminar, "general").id, "session_ids": [with_workshop.id]})
    session.commit()
    mail.send_due(session)
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html_body = message.get_body(("html",)).get_content()
    assert "Your places in sessions:\n- Workshop: contracts: Day 2 · " in text and ", 10:00–12:00, Hall B" in text
    assert "<b>Workshop: contracts</b>: Day 2 · " in html_body
    assert text.count("Add to Google Calendar: ") == 3
    [ics] = [part for part in message.iter_attachments() if part.get_filename() == "seminar.ics"]
    assert len(_events(ics.get_content())) == 4  # three days and the workshop
    assert places.held(session, registration) == {with_workshop.id}


def test_a_kazakh_ticket_email_names_the_places_and_days_in_kazakh(session, seminar, with_workshop, smtp_server):
    registration_services.register(session, seminar, {
        "full_name": "Әлия Серікбаева", "email": "aliya@example.kz", "consent_data": True, "language": "kk",
        "category_id": factories.category(seminar, "general").id, "session_ids": [with_workshop.id]})
    session.commit()
    mail.send_due(session)
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert "Сессиялардағы орындарыңыз:" in text and "2-күн · " in text
    assert "Your places" not in text and "Day 2" not in text
    [ics] = [part for part in message.iter_attachments() if part.get_filename() == "seminar.ics"]
    assert [summary.split(" · ")[1] for _, _, summary in _events(ics.get_content())[:3]] == [
        "1-күн", "2-күн", "3-күн"]


def test_the_organizer_adds_a_person_with_a_session_and_edits_their_choice(client, session, seminar,
                                                                          with_workshop, login):
    login("organizer")
    data = {"full_name": "Aruzhan Serik", "email": "aruzhan@example.kz",
            "category_id": factories.category(seminar, "general").id, "language": "ru"}
    assert "Sessions they will attend" in _text(client.get(f"/organizer/s/{seminar.slug}/registrations/new"))
    added = client.post(f"/organizer/s/{seminar.slug}/registrations/new",
                        data={**data, "session_ids": str(with_workshop.id)})
    assert added.status_code == 302, _text(added)
    registration = session.scalars(select(Registration)).one()
    assert places.held(session, registration) == {with_workshop.id}
    edited = client.post(f"/organizer/s/{seminar.slug}/registrations/{registration.id}/edit", data=data)
    assert edited.status_code == 302
    assert places.held(session, registration) == set()


def test_the_organizer_sees_each_day_and_corrects_day_two(client, session, seminar, with_workshop, login):
    registration = factories.make_registration(session, seminar)
    first = seminar.days[0]
    checkin.check_in(session, seminar, registration.token, gate="Main hall", by=None, method="camera",
                     now=first.starts_at + timedelta(minutes=30))
    session.commit()
    login("organizer")
    url = f"/organizer/s/{seminar.slug}/registrations/{registration.id}"
    page = _text(client.get(f"{url}/edit"))
    assert "Main hall" in page and "Day 2 · " in page

    no_day = client.post(f"{url}/attendance", data={"attended": "yes", "reason": "Signed the paper sheet"},
                         follow_redirects=True)
    assert "Choose the day." in _text(no_day)
    day2 = seminar.days[1]
    done = client.post(f"{url}/attendance", data={"attended": "yes", "reason": "Signed the paper sheet",
                                                  "day_id": day2.id})
    assert done.status_code == 302
    session.expire_all()
    rows = session.scalars(select(Attendance.day_id).where(Attendance.registration_id == registration.id,
                                                           Attendance.session_id.is_(None))).all()
    assert sorted(rows) == sorted([first.id, day2.id])


def test_a_seminar_without_days_corrects_attendance_as_before(client, session, login):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    session.commit()
    login("organizer")
    url = f"/organizer/s/{seminar.slug}/registrations/{registration.id}"
    assert "Day 1" not in _text(client.get(f"{url}/edit"))
    client.post(f"{url}/attendance", data={"attended": "yes", "reason": "Paper sheet"})
    session.expire_all()
    assert registration.checked_in_at is not None


def test_the_api_returns_the_days_and_registers_with_session_ids(client, session, seminar, with_workshop,
                                                                 api_token):
    url = f"/api/v1/seminars/{seminar.slug}"
    response = client.get(url)
    assert_matches_openapi(client, "GET", url, response)
    body = response.get_json()
    assert len(body["days"]) == 3 and body["days"][0]["sessions"] == []
    [workshop] = body["days"][1]["sessions"]
    assert workshop["id"] == with_workshop.id and workshop["places_left"] == 1 and workshop["capacity"] == 1
    assert workshop["translations"]["title"]["ru"] == "Практикум: контракты"

    token = api_token("organizer")
    post = f"{url}/registrations"
    person = {"full_name": "Dana Abenova", "category": "general", "session_ids": [with_workshop.id]}
    created = client.post(post, json={**person, "email": "dana@example.kz"},
                          headers={"Authorization": f"Bearer {token}"})
    assert_matches_openapi(client, "POST", post, created)
    assert created.status_code == 201 and created.get_json()["session_ids"] == [with_workshop.id]
    full = client.post(post, json={**person, "email": "other@example.kz"},
                       headers={"Authorization": f"Bearer {token}"})
    assert_matches_openapi(client, "POST", post, full)
    assert full.status_code == 400 and "session_ids" in full.get_json()["fields"]


def test_an_organizer_token_adds_a_day_and_a_session(client, session, seminar, api_token):
    token = {"Authorization": f"Bearer {api_token('organizer')}"}
    url = f"/api/v1/seminars/{seminar.slug}"
    day = client.post(f"{url}/days", json={"starts_at": "2000-01-01T09:00", "ends_at": "2000-01-01T18:00"},
                      headers=token)
    assert_matches_openapi(client, "POST", f"{url}/days", day)
    assert day.status_code == 400 and "starts_at" in day.get_json()["fields"]
    date = seminar.local(seminar.starts_at).date().isoformat()
    day = client.post(f"{url}/days", json={"starts_at": f"{date}T09:00", "ends_at": f"{date}T18:00"}, headers=token)
    assert_matches_openapi(client, "POST", f"{url}/days", day)
    assert day.status_code == 201 and day.get_json()["sessions"] == []
    part = client.post(f"{url}/sessions", json={"title": {"en": "Workshop", "zh": "工作坊"}, "capacity": 12,
                                                "day_id": day.get_json()["id"], "starts_at": f"{date}T10:00",
                                                "ends_at": f"{date}T12:00"}, headers=token)
    assert_matches_openapi(client, "POST", f"{url}/sessions", part)
    assert part.status_code == 201 and part.get_json()["places_left"] == 12
    assert client.get(url).get_json()["days"][0]["sessions"][0]["translations"]["title"]["zh"] == "工作坊"
