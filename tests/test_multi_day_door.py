"""The door of a seminar over several days (issue #23 item 4): it picks the day (and session) it checks in for,
online through the API and the door page, and offline through the roster and the sync of its queue."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventreg.api import checkins as checkins_api
from eventreg.checkin import offline
from eventreg.checkin import services as checkin_services
from eventreg.checkin import views as checkin_views
from eventreg.models import Attendance, OfflineAction, Registration, utcnow
from eventreg.registration import places
from eventreg.seminars import days
from tests import factories
from tests.openapi_check import assert_matches_openapi


@pytest.fixture
def seminar(session):
    """Three days a week from now, 09:00 to 18:00 in Astana; the tests say what time it is (`clock`)."""
    first = factories.aware(*(utcnow() + timedelta(days=7)).timetuple()[:3], 4)  # 09:00 in Astana (UTC+5)
    seminar = factories.make_seminar(session, starts_at=first, ends_at=first + timedelta(days=2, hours=9),
                                     checkin_opens_minutes=60, title="Silk Road Week")
    days.make_days(session, seminar)
    return seminar


def _morning(seminar, index=0):
    """Half an hour into a day: its door is open."""
    return seminar.days[index].starts_at + timedelta(minutes=30)


@pytest.fixture
def clock(monkeypatch):
    """What time the door's server thinks it is: `clock(moment)`."""

    def _set(moment):
        for module in (checkin_services, checkins_api, checkin_views):
            monkeypatch.setattr(module, "utcnow", lambda: moment)

    return _set


@pytest.fixture
def bearer(api_token):
    return {"Authorization": f"Bearer {api_token('staff')}"}


def _workshop(session, seminar, *, day_index=0, capacity=5):
    day = seminar.days[day_index]
    return days.save_session(session, seminar, {
        "title": {"en": "Workshop: reading Chinese contracts"}, "day_id": day.id,
        "starts_at": day.starts_at + timedelta(hours=1), "ends_at": day.starts_at + timedelta(hours=3),
        "capacity": capacity, "room": "Hall B"})


def _scan(client, seminar, headers, **body):
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    response = client.post(url, json=body, headers=headers)
    assert_matches_openapi(client, "POST", url, response)
    return response


def _stats(client, seminar, headers, query=""):
    url = f"/api/v1/seminars/{seminar.slug}/stats{query}"
    response = client.get(url, headers=headers)
    assert_matches_openapi(client, "GET", url, response)
    return response.get_json()


# --- the API ---------------------------------------------------------------------------------------------------


def test_one_ticket_is_welcome_once_a_day_and_the_answer_says_which_day(client, session, seminar, bearer, clock):
    registration = factories.make_registration(session, seminar, full_name="Айгерим Сәрсенбаева")
    session.commit()
    day1, day2, _day3 = seminar.days
    clock(_morning(seminar))
    first = _scan(client, seminar, bearer, code=registration.token, gate="Hall").get_json()
    assert (first["status"], first["title"], first["day"]) == ("checked_in", "Welcome", {"id": day1.id, "number": 1})
    again = _scan(client, seminar, bearer, code=registration.token, gate="Side door", day=day1.id).get_json()
    assert again["status"] == "already_checked_in"
    assert "Hall" in again["message"]
    # The next morning the same ticket is welcome again, on day 2.
    clock(_morning(seminar, 1))
    second = _scan(client, seminar, bearer, code=registration.token, gate="Side door", day=day2.id).get_json()
    assert (second["status"], second["day"]["number"]) == ("checked_in", 2)
    rows = session.scalars(select(Attendance).where(Attendance.registration_id == registration.id)
                           .order_by(Attendance.day_id)).all()
    assert [(row.day_id, row.gate) for row in rows] == [(day1.id, "Hall"), (day2.id, "Side door")]


def test_a_day_picked_before_its_door_opens_says_when_it_opens(client, session, seminar, bearer, clock):
    registration = factories.make_registration(session, seminar)
    session.commit()
    clock(_morning(seminar))
    early = _scan(client, seminar, bearer, code=registration.token, day=seminar.days[1].id).get_json()
    assert (early["status"], early["title"]) == ("outside_window", "Check-in is not open yet")
    assert early["message"].startswith("It opens at")
    clock(_morning(seminar, 1))
    over = _scan(client, seminar, bearer, code=registration.token, day=seminar.days[0].id).get_json()
    assert (over["status"], over["message"]) == ("outside_window", "Day 1 is over.")


@pytest.mark.parametrize(("body", "error"), [({"day": 999999}, "unknown_day"),
                                             ({"session": 999999}, "unknown_session")])
def test_a_day_or_session_of_another_seminar_is_refused_with_its_code(client, session, seminar, bearer, clock,
                                                                       body, error):
    registration = factories.make_registration(session, seminar)
    session.commit()
    clock(_morning(seminar))
    response = _scan(client, seminar, bearer, code=registration.token, **body)
    assert response.status_code == 400
    assert response.get_json()["error"] == error
    assert session.get(Registration, registration.id).checked_in_at is None


def test_a_seminar_without_days_refuses_a_day_and_answers_as_before(client, session, api_token):
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    registration = factories.make_registration(session, seminar)
    bearer = {"Authorization": f"Bearer {api_token('staff')}"}
    assert _scan(client, seminar, bearer, code=registration.token, day=1).get_json()["error"] == "unknown_day"
    body = _scan(client, seminar, bearer, code=registration.token).get_json()
    assert body["status"] == "checked_in"
    assert "day" not in body and "session" not in body


def test_stats_and_undo_are_per_day(client, session, seminar, bearer, clock):
    guests = [factories.make_registration(session, seminar) for _ in range(3)]
    session.commit()
    day1, day2, _day3 = seminar.days
    clock(_morning(seminar))
    for guest in guests[:2]:
        _scan(client, seminar, bearer, code=guest.token)
    clock(_morning(seminar, 1))
    _scan(client, seminar, bearer, code=guests[0].token)
    assert _stats(client, seminar, bearer, f"?day={day1.id}")["checked_in"] == 2
    on_day2 = _stats(client, seminar, bearer, f"?day={day2.id}")
    assert (on_day2["confirmed"], on_day2["checked_in"], on_day2["day"]["number"]) == (3, 1, 2)
    assert _stats(client, seminar, bearer)["checked_in"] == 2  # arrived on any day
    refused = client.get(f"/api/v1/seminars/{seminar.slug}/stats?day=999999", headers=bearer)
    assert (refused.status_code, refused.get_json()["error"]) == (400, "unknown_day")

    url = f"/api/v1/seminars/{seminar.slug}/checkins/{guests[0].id}"
    undone = client.delete(url, json={"day": day2.id}, headers=bearer)
    assert_matches_openapi(client, "DELETE", url, undone)
    assert (undone.status_code, undone.get_json()["day"]["id"]) == (200, day2.id)
    assert _stats(client, seminar, bearer, f"?day={day2.id}")["checked_in"] == 0
    assert _stats(client, seminar, bearer, f"?day={day1.id}")["checked_in"] == 2  # day 1 kept
    assert client.delete(url, json={"day": day2.id}, headers=bearer).status_code == 409
    assert client.delete(url, json={"day": 999999}, headers=bearer).get_json()["error"] == "unknown_day"


def test_a_workshop_with_places_lets_in_only_those_holding_one(client, session, seminar, bearer, clock):
    workshop = _workshop(session, seminar)
    with_place = factories.make_registration(session, seminar)
    without = factories.make_registration(session, seminar, full_name="Ерлан Нұрлан")
    places.choose(session, with_place, [workshop])
    session.commit()
    clock(workshop.starts_at + timedelta(minutes=5))
    refused = _scan(client, seminar, bearer, code=without.token, session=workshop.id).get_json()
    assert (refused["status"], refused["title"]) == ("not_in_session", "No place in this session")
    assert refused["message"] == "Ерлан Нұрлан has no place in “Workshop: reading Chinese contracts”."
    assert refused["session"] == {"id": workshop.id, "title": "Workshop: reading Chinese contracts"}
    admitted = _scan(client, seminar, bearer, code=with_place.token, session=workshop.id).get_json()
    assert (admitted["status"], admitted["day"]["number"]) == ("checked_in", 1)
    assert _stats(client, seminar, bearer, f"?session={workshop.id}")["checked_in"] == 1
    wrong_day = _scan(client, seminar, bearer, code=with_place.token, session=workshop.id, day=seminar.days[1].id)
    assert wrong_day.get_json()["error"] == "unknown_session"


def test_the_door_search_shows_the_check_in_of_the_picked_day(client, login, session, seminar, clock):
    registration = factories.make_registration(session, seminar, full_name="Aliya Bekova")
    session.commit()
    day1, day2, _day3 = seminar.days
    clock(_morning(seminar))
    login("staff")
    _scan(client, seminar, {}, code=registration.token, gate="Hall")
    on_day1 = client.get(f"/api/v1/seminars/{seminar.slug}/search?q=Aliya&day={day1.id}")
    assert_matches_openapi(client, "GET", f"/api/v1/seminars/{seminar.slug}/search?q=Aliya", on_day1)
    assert on_day1.get_json()["items"][0]["gate"] == "Hall"
    on_day2 = client.get(f"/api/v1/seminars/{seminar.slug}/search?q=Aliya&day={day2.id}").get_json()
    assert on_day2["items"][0]["checked_in_at"] is None
    page = client.get(f"/checkin/s/{seminar.slug}/search?q=Aliya&day={day2.id}").get_data(as_text=True)
    assert "search-checkin" in page  # not in yet on day 2: the door may check them in
    assert "search-checkin" not in client.get(f"/checkin/s/{seminar.slug}/search?q=Aliya&day={day1.id}")\
        .get_data(as_text=True)


# --- the door page ---------------------------------------------------------------------------------------------


def test_the_door_page_offers_the_days_and_sessions_and_picks_the_day_open_now(client, login, session, seminar,
                                                                                clock):
    workshop = _workshop(session, seminar, day_index=1)
    session.commit()
    clock(_morning(seminar, 1))
    login("staff")
    page = client.get(f"/checkin/s/{seminar.slug}/").get_data(as_text=True)
    assert "Checking in for" in page
    picker = page.split('<select id="door-day"', 1)[1].split("</select>", 1)[0]
    labels = [part.split(">", 1)[1].split("<", 1)[0].strip() for part in picker.split("<option")[1:]]
    assert [label.split(" · ")[0] for label in labels] == ["Day 1", "Day 2", "&emsp;Workshop: reading Chinese "
                                                           "contracts", "Day 3"]
    assert f'value="d{seminar.days[1].id}" data-day="{seminar.days[1].id}"' in picker
    selected = [part for part in picker.split("<option")[1:] if " selected" in part.split(">", 1)[0]]
    assert len(selected) == 1 and f'value="d{seminar.days[1].id}"' in selected[0]
    assert f'data-session="{workshop.id}"' in picker
    # The walk-in form carries the day the device picked.
    walk_in = client.get(f"/checkin/s/{seminar.slug}/walk-in").get_data(as_text=True)
    assert "data-day-field" in walk_in and "data-session-field" in walk_in


def test_a_seminar_without_days_shows_no_picker(client, login, session):
    seminar = factories.make_seminar(session)
    session.commit()
    login("staff")
    page = client.get(f"/checkin/s/{seminar.slug}/").get_data(as_text=True)
    assert "door-day" not in page and "Checking in for" not in page


def test_a_walk_in_is_checked_in_for_the_day_the_door_picked(client, login, session, seminar, clock):
    session.commit()
    clock(_morning(seminar, 1))
    login("organizer")  # may check in on another day than today's
    category = factories.category(seminar, "general")
    response = client.post(f"/checkin/s/{seminar.slug}/walk-in", data={
        "full_name": "Walk In", "category_id": category.id, "gate": "Hall",
        "day": str(seminar.days[2].id), "session": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    walk_in = session.scalar(select(Registration).where(Registration.full_name == "Walk In"))
    [row] = session.scalars(select(Attendance).where(Attendance.registration_id == walk_in.id)).all()
    assert row.day_id == seminar.days[2].id
    refused = client.post(f"/checkin/s/{seminar.slug}/walk-in", data={
        "full_name": "Another", "category_id": category.id, "day": "999999"})
    assert refused.status_code == 200
    assert "Pick the day (and session) you check in for" in refused.get_data(as_text=True)


# --- offline ---------------------------------------------------------------------------------------------------


@pytest.fixture
def door(session):
    return factories.make_user(session, role="staff", name="Aigerim")


def _sync(session, seminar, door, device, actions, now):
    device, parsed = offline.read_batch({"device": device, "actions": actions})
    results = offline.apply_batch(session, seminar, device, parsed, by=door, now=now)
    session.commit()
    return results


def _admission(nonce, code, at, day=None, part=None, gate="Door 1"):
    action = {"nonce": nonce, "kind": "check_in", "at": at.isoformat(), "gate": gate, "code": code}
    if day is not None:
        action["day"] = day.id
    if part is not None:
        action["session"] = part.id
    return action


def test_two_devices_admitting_one_ticket_on_one_day_give_one_check_in_and_one_conflict(session, seminar, door,
                                                                                       client, login):
    registration = factories.make_registration(session, seminar, full_name="Aru")
    session.commit()
    day1 = seminar.days[0]
    morning = _morning(seminar)
    later = _sync(session, seminar, door, "device-bbbb", [
        _admission("nonce-b-1", registration.token, morning + timedelta(minutes=3), day1, gate="Door 2")],
        now=morning + timedelta(minutes=10))
    earlier = _sync(session, seminar, door, "device-aaaa", [
        _admission("nonce-a-1", registration.token, morning, day1)], now=morning + timedelta(minutes=11))
    assert later["nonce-b-1"]["outcome"] == "admitted"  # until the earlier one arrived
    assert earlier["nonce-a-1"]["outcome"] == "admitted"
    outcomes = {row.nonce: row.outcome for row in session.scalars(select(OfflineAction))}
    assert outcomes == {"nonce-a-1": "admitted", "nonce-b-1": "conflict"}
    [row] = session.scalars(select(Attendance).where(Attendance.registration_id == registration.id)).all()
    assert (row.day_id, row.gate, row.checked_in_at, row.method) == (day1.id, "Door 1", morning, "offline")
    assert session.get(Registration, registration.id).checked_in_at == morning  # the first arrival
    conflicts, _not_valid = offline.offline_problems(session, seminar)
    assert [[a.gate for a in c.admissions] for c in conflicts] == [["Door 1", "Door 2"]]
    assert conflicts[0].day == day1
    login("organizer")
    report = client.get(f"/reports/s/{seminar.slug}/").get_data(as_text=True)
    assert re.search(r"Aru</strong> \(Day 1 · [^)]+\): admitted twice while offline", report)
    # The same batch sent again changes nothing.
    assert _sync(session, seminar, door, "device-aaaa", [
        _admission("nonce-a-1", registration.token, morning, day1)], now=morning + timedelta(minutes=12)) == earlier


def test_one_ticket_admitted_offline_on_two_days_is_two_check_ins(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    session.commit()
    day1, day2, _day3 = seminar.days
    results = _sync(session, seminar, door, "device-aaaa", [
        _admission("nonce-d1", registration.token, _morning(seminar), day1),
        _admission("nonce-d2", registration.token, _morning(seminar, 1), day2),
        # No day named: the day whose door was open at the device's time.
        _admission("nonce-d3", registration.token, _morning(seminar, 2)),
    ], now=_morning(seminar, 2) + timedelta(minutes=5))
    assert {nonce: r["outcome"] for nonce, r in results.items()} == {
        "nonce-d1": "admitted", "nonce-d2": "admitted", "nonce-d3": "admitted"}
    assert sorted(session.scalars(select(Attendance.day_id).where(Attendance.registration_id == registration.id))) \
        == sorted(day.id for day in seminar.days)
    assert offline.offline_problems(session, seminar) == ([], [])


def test_an_offline_admission_the_server_would_refuse_on_that_day_is_not_valid(session, seminar, door):
    workshop = _workshop(session, seminar)
    registration = factories.make_registration(session, seminar)
    session.commit()
    during = workshop.starts_at + timedelta(minutes=5)
    results = _sync(session, seminar, door, "device-aaaa", [
        _admission("nonce-ws", registration.token, during, part=workshop),
        _admission("nonce-d2", registration.token, during, seminar.days[1]),  # tomorrow's door is not open
        {**_admission("nonce-gone", registration.token, during), "day": 999999},
    ], now=during + timedelta(minutes=5))
    assert {nonce: (r["outcome"], r["reason"]) for nonce, r in results.items()} == {
        "nonce-ws": ("not_valid", "not_in_session"), "nonce-d2": ("not_valid", "outside_window"),
        "nonce-gone": ("not_valid", "unknown_day")}
    assert session.get(Registration, registration.id).checked_in_at is None


def test_an_undone_offline_admission_hands_that_day_to_the_next_one(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    session.commit()
    day1 = seminar.days[0]
    morning = _morning(seminar)
    _sync(session, seminar, door, "device-aaaa", [
        _admission("nonce-a-1", registration.token, morning, day1),
        _admission("nonce-a-2", registration.token, morning + timedelta(minutes=2), day1, gate="Door 2"),
        {"nonce": "nonce-a-3", "kind": "undo", "at": (morning + timedelta(minutes=4)).isoformat(),
         "undoes": "nonce-a-1"},
    ], now=morning + timedelta(minutes=5))
    [row] = session.scalars(select(Attendance).where(Attendance.registration_id == registration.id)).all()
    assert (row.gate, row.checked_in_at) == ("Door 2", morning + timedelta(minutes=2))
    _sync(session, seminar, door, "device-aaaa", [
        {"nonce": "nonce-a-4", "kind": "undo", "at": (morning + timedelta(minutes=6)).isoformat(),
         "undoes": "nonce-a-2"}], now=morning + timedelta(minutes=7))
    assert session.scalars(select(Attendance).where(Attendance.registration_id == registration.id)).all() == []
    assert session.get(Registration, registration.id).checked_in_at is None


def test_the_roster_carries_days_sessions_and_check_ins_per_day_but_no_token_or_e_mail(client, login, session,
                                                                                        seminar, door):
    workshop = _workshop(session, seminar)
    arrived = factories.make_registration(session, seminar, email="aru@example.org", phone="+77011234567")
    places.choose(session, arrived, [workshop])
    session.commit()
    checkin_services.check_in(session, seminar, arrived.token, gate="Hall", by=door, method="camera",
                              now=workshop.starts_at + timedelta(minutes=5), part=workshop)
    session.commit()
    login("staff")
    url = f"/api/v1/seminars/{seminar.slug}/roster"
    response = client.get(url)
    assert_matches_openapi(client, "GET", url, response)
    text = response.get_data(as_text=True)
    for secret in (arrived.token, "aru@example.org", "+77011234567"):
        assert secret not in text
    body = response.get_json()
    assert [(day["id"], day["number"]) for day in body["days"]] == [(day.id, n + 1)
                                                                   for n, day in enumerate(seminar.days)]
    opens, closes = seminar.days[0].checkin_window()
    assert (body["days"][0]["checkin_opens_at"], body["days"][0]["checkin_closes_at"]) == (opens.isoformat(),
                                                                                            closes.isoformat())
    assert body["days"][0]["sessions"] == [{
        "id": workshop.id, "title": "Workshop: reading Chinese contracts", "needs_place": True,
        "starts_at": workshop.starts_at.isoformat(), "ends_at": workshop.ends_at.isoformat()}]
    [entry] = body["entries"]
    assert set(entry["days"]) == {str(seminar.days[0].id)}  # a session's check-in is that day's too
    assert set(entry["sessions"]) == {str(workshop.id)}
    assert entry["places"] == [workshop.id]


def test_a_seminar_without_days_has_a_roster_without_days(client, login, session):
    seminar = factories.make_seminar(session)
    factories.make_registration(session, seminar)
    session.commit()
    login("staff")
    body = client.get(f"/api/v1/seminars/{seminar.slug}/roster").get_json()
    assert body["days"] == []
    assert "days" not in body["entries"][0]
