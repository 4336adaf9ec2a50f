"""Check-in at the door: the rule (service), the JSON API, the race between two doors, undo and the log."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from eventreg.auth import services as auth_services
from eventreg.auth.services import revoke_api_token
from eventreg.checkin import services
from eventreg.extensions import db
from eventreg.models import (
    ApiToken,
    CheckInEvent,
    OutboxMessage,
    Registration,
    Seminar,
    SeminarMember,
    User,
    hash_secret,
    utcnow,
)
from eventreg.tickets import qr_payload
from tests import factories
from tests.openapi_check import assert_matches_openapi


@pytest.fixture
def seminar(session):
    """A seminar starting in half an hour: the check-in window (2 h before the start) is open."""
    starts = utcnow() + timedelta(minutes=30)
    return factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))


@pytest.fixture
def door(session):
    return factories.make_user(session, role="staff", name="Aigerim")


def _events(session, seminar):
    return session.scalars(select(CheckInEvent).where(CheckInEvent.seminar_id == seminar.id)
                           .order_by(CheckInEvent.id)).all()


# --- the service -------------------------------------------------------------------------------------------


def test_a_confirmed_ticket_checks_in_once_then_says_when_where_and_by_whom(session, seminar, door):
    registration = factories.make_registration(session, seminar, full_name="Айгерим Сәрсенбаева")
    first = services.check_in(session, seminar, qr_payload(registration.token), gate="Door 2", by=door,
                              method="camera")
    session.commit()
    assert first.status == "checked_in"
    assert first.attendee.checked_in_gate == "Door 2"

    second = services.check_in(session, seminar, registration.token, gate="Door 1", by=door, method="keyboard")
    session.commit()
    assert second.status == "already_checked_in"
    assert second.attendee.checked_in_gate == "Door 2"
    assert second.attendee.checked_in_by == "Aigerim"
    assert second.attendee.checked_in_method == "camera"
    assert session.get(Registration, registration.id).checked_in_method == "camera"
    admission, refusal = _events(session, seminar)
    assert (admission.result, admission.registration_id, admission.gate, admission.method, admission.user_id,
            admission.code) == ("checked_in", registration.id, "Door 2", "camera", door.id,
                                qr_payload(registration.token))
    assert admission.at == session.get(Registration, registration.id).checked_in_at
    assert (refusal.result, refusal.gate, refusal.method) == ("already_checked_in", "Door 1", "keyboard")


@pytest.mark.parametrize("code", ["ER1:{t}", "{t}", "https://events.example.org/t/{t}/", "  er1:{t}\n"])
def test_every_way_of_reading_a_ticket_is_understood(session, seminar, door, code):
    registration = factories.make_registration(session, seminar)
    result = services.check_in(session, seminar, code.format(t=registration.token), gate="", by=door,
                               method="keyboard")
    assert result.status == "checked_in"


@pytest.mark.parametrize("code", ["", "hello", "ER1:short", "https://example.org/about/", "x" * 600,
                                  "ER1:" + "A" * 24])
def test_anything_else_is_an_unknown_code_and_still_logged(session, seminar, door, code):
    result = services.check_in(session, seminar, code, gate="Door 1", by=door, method="camera")
    session.commit()
    assert result.status == "unknown_code"
    assert result.attendee is None
    [event] = _events(session, seminar)
    assert (event.result, event.gate, event.user_id, event.method) == ("unknown_code", "Door 1", door.id, "camera")
    assert event.code == code[:200]


@pytest.mark.parametrize(("status", "expected"), [
    ("cancelled", "cancelled"), ("rejected", "rejected"), ("waitlisted", "not_confirmed"),
    ("pending", "not_confirmed"),
])
def test_only_confirmed_registrations_get_in(session, seminar, door, status, expected):
    registration = factories.make_registration(session, seminar, status=status)
    result = services.check_in(session, seminar, registration.token, gate="", by=door, method="camera")
    session.commit()
    assert result.status == expected
    assert result.attendee.checked_in_at is None
    assert session.get(Registration, registration.id).checked_in_at is None
    assert [e.result for e in _events(session, seminar)] == [expected]


def test_a_ticket_for_another_seminar_names_that_seminar(session, seminar, door):
    other = factories.make_seminar(session, title="Digital Silk Road")
    registration = factories.make_registration(session, other)
    result = services.check_in(session, seminar, registration.token, gate="", by=door, method="camera")
    session.commit()
    assert result.status == "wrong_seminar"
    assert result.other_seminar.title == "Digital Silk Road"
    assert session.get(Registration, registration.id).checked_in_at is None
    assert [e.result for e in _events(session, seminar)] == ["wrong_seminar"]


def test_the_window_opens_before_the_start_and_closes_at_the_end(session, door):
    seminar = factories.make_seminar(session, checkin_opens_minutes=60)
    early, on_time, late = (factories.make_registration(session, seminar) for _ in range(3))
    opens = seminar.starts_at - timedelta(minutes=60)

    too_early = services.check_in(session, seminar, early.token, gate="", by=door, method="camera",
                                  now=opens - timedelta(minutes=1))
    assert too_early.status == "outside_window"
    assert services.check_in(session, seminar, early.token, gate="", by=door, method="camera",
                             now=opens).status == "checked_in"
    assert services.check_in(session, seminar, on_time.token, gate="", by=door, method="camera",
                             now=seminar.ends_at - timedelta(minutes=1)).status == "checked_in"
    assert services.check_in(session, seminar, late.token, gate="", by=door, method="camera",
                             now=seminar.ends_at).status == "outside_window"


def test_an_organizer_may_check_in_outside_the_window(session, door):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    result = services.check_in(session, seminar, registration.token, gate="", by=door, method="manual",
                               override_window=True)
    assert result.status == "checked_in"


def test_undo_clears_the_entry_and_is_logged(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    services.check_in(session, seminar, registration.token, gate="Door 1", by=door, method="camera")
    session.commit()
    services.undo_check_in(session, seminar, registration, by=door, gate="Door 1")
    session.commit()
    fresh = session.get(Registration, registration.id)
    assert (fresh.checked_in_at, fresh.checked_in_gate, fresh.checked_in_by_id) == (None, None, None)
    assert [e.result for e in _events(session, seminar)] == ["checked_in", "undone"]
    with pytest.raises(services.CheckInRefused) as refused:
        services.undo_check_in(session, seminar, registration, by=door, gate="Door 1")
    assert refused.value.code == "not_checked_in"
    assert services.check_in(session, seminar, registration.token, gate="Door 1", by=door,
                             method="camera").status == "checked_in"


def test_stats_count_confirmed_and_checked_in_per_category(session, seminar, door):
    students = [factories.make_registration(session, seminar, category_key="student") for _ in range(3)]
    factories.make_registration(session, seminar, category_key="expert")
    factories.make_registration(session, seminar, category_key="expert", status="waitlisted")
    factories.make_registration(session, seminar, category_key="expert", status="cancelled")
    for registration in students[:2]:
        services.check_in(session, seminar, registration.token, gate="", by=door, method="camera")
    session.commit()
    counts = services.stats(session, seminar)
    assert (counts["confirmed"], counts["checked_in"]) == (4, 2)
    by_key = {c["key"]: c for c in counts["categories"]}
    assert (by_key["student"]["confirmed"], by_key["student"]["checked_in"], by_key["student"]["is_student"]) == (
        3, 2, True)
    assert (by_key["expert"]["confirmed"], by_key["expert"]["checked_in"]) == (1, 0)
    assert by_key["media"]["confirmed"] == 0


def test_search_finds_people_whatever_the_case_accents_or_script(session, seminar, door):
    aigerim = factories.make_registration(session, seminar, full_name="Айгерим Сәрсенбаева",
                                          organization="Kazinform")
    zoe = factories.make_registration(session, seminar, full_name="Zoë Müller", email="zoe@uni.example.kz")
    factories.make_registration(session, seminar, full_name="Percent 100%")
    factories.make_registration(session, factories.make_seminar(session), full_name="Айгерим Other Seminar")
    session.commit()

    def found(query):
        return [person.id for person in services.search(session, seminar, query, by=door, locale="en")]

    assert found("айгерим") == [aigerim.id]
    assert found("СӘРСЕН") == [aigerim.id]
    assert found("KAZINF") == [aigerim.id]
    assert found("zoe mu") == [zoe.id]
    assert found("uni.example") == [zoe.id]
    assert services.search(session, seminar, "100%", by=door, locale="en")[0].full_name == "Percent 100%"
    assert found("zzz_") == []


def test_a_check_in_costs_one_round_trip_or_two_and_a_refusal_three(app, session, seminar, door):
    """The door's hot path: the conditional UPDATE returning who came in, and the log INSERT (one statement
    on PostgreSQL, two on SQLite). A refused scan also reads the registration with its category and checker
    in one SELECT. No lazy loads (an N+1 here would show at every door)."""
    tickets = [factories.make_registration(session, seminar).token for _ in range(2)]
    session.commit()
    seminar_id, door_id = seminar.id, door.id
    counts = []
    for token in (tickets[0], tickets[1], tickets[0]):
        session.expire_all()
        fresh_seminar, fresh_door = session.get(Seminar, seminar_id), session.get(User, door_id)
        statements = []

        def count(conn, cursor, statement, *args, sink=statements):
            sink.append(statement)

        sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
        result = services.check_in(session, fresh_seminar, token, gate="Door 1", by=fresh_door, method="camera")
        session.flush()
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
        session.commit()
        counts.append((result.status, len([s for s in statements if not s.startswith("BEGIN")])))
    admitted = 1 if db.engine.dialect.name == "postgresql" else 2
    assert counts == [("checked_in", admitted), ("checked_in", admitted), ("already_checked_in", 3)]


def _hammer(app, seminar_id, token, barrier, results, index):
    with app.app_context():
        session = db.session
        seminar = session.get(Seminar, seminar_id)
        user = session.scalar(select(User).where(User.email == f"door{index}@example.org"))
        session.commit()  # end the reading transaction: on SQLite it holds the write lock (BEGIN IMMEDIATE)
        barrier.wait()
        result = services.check_in(session, seminar, token, gate=f"Door {index}", by=user, method="camera")
        session.commit()
        results[index] = result.status
        session.remove()


def test_two_doors_scanning_the_same_ticket_at_once_let_one_person_in(app, session, seminar):
    registration = factories.make_registration(session, seminar)
    for index in (0, 1):
        factories.make_user(session, email=f"door{index}@example.org")
    seminar_id, token = seminar.id, registration.token
    session.commit()  # and no reads after it: on SQLite a new transaction would hold the write lock
    barrier = threading.Barrier(2, timeout=30)
    results = {}
    threads = [threading.Thread(target=_hammer, args=(app, seminar_id, token, barrier, results, i))
               for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["already_checked_in", "checked_in"]
    session.expire_all()
    assert sorted(e.result for e in _events(session, seminar)) == ["already_checked_in", "checked_in"]


# --- the API -----------------------------------------------------------------------------------------------


def _scan(client, seminar, code, headers=None, **extra):
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    response = client.post(url, json={"code": code, **extra}, headers=headers or {})
    assert_matches_openapi(client, "POST", url, response)
    return response


@pytest.fixture
def bearer(api_token):
    return {"Authorization": f"Bearer {api_token('staff')}"}


def test_api_answers_every_status_with_200(client, session, seminar, bearer):
    other = factories.make_seminar(session, title="Another one")
    confirmed = factories.make_registration(session, seminar, category_key="student", full_name="Zhang Wei",
                                            organization="Nazarbayev University")
    tickets = {
        "cancelled": factories.make_registration(session, seminar, status="cancelled").token,
        "rejected": factories.make_registration(session, seminar, status="rejected").token,
        "waitlisted": factories.make_registration(session, seminar, status="waitlisted").token,
        "pending": factories.make_registration(session, seminar, status="pending").token,
        "wrong": factories.make_registration(session, other).token,
    }
    session.commit()

    welcome = _scan(client, seminar, qr_payload(confirmed.token), bearer, gate="Door 2", method="camera")
    assert welcome.status_code == 200
    body = welcome.get_json()
    assert body["status"] == "checked_in"
    assert body["title"] == "Welcome"
    assert body["registration"]["full_name"] == "Zhang Wei"
    assert body["registration"]["category_is_student"] is True
    assert body["registration"]["organization"] == "Nazarbayev University"
    assert body["registration"]["gate"] == "Door 2"
    assert body["registration"]["checked_in_by"].startswith("User ")

    again = _scan(client, seminar, confirmed.token, bearer, gate="Door 1").get_json()
    assert again["status"] == "already_checked_in"
    assert "Door 2" in again["message"] and again["registration"]["checked_in_by"] in again["message"]

    expected = {"cancelled": ("cancelled", "Registration cancelled"),
                "rejected": ("rejected", "Registration rejected"),
                "waitlisted": ("not_confirmed", "On the waiting list — not confirmed"),
                "pending": ("not_confirmed", "Awaiting approval"),
                "wrong": ("wrong_seminar", "Ticket for another seminar")}
    for key, (status, title) in expected.items():
        body = _scan(client, seminar, tickets[key], bearer).get_json()
        assert (body["status"], body["title"]) == (status, title)
    assert _scan(client, seminar, tickets["wrong"], bearer).get_json()["seminar_title"] == "Another one"

    unknown = _scan(client, seminar, "not a ticket", bearer).get_json()
    assert unknown["status"] == "unknown_code"
    assert "registration" not in unknown


def test_api_refuses_staff_outside_the_window_but_not_organizers(client, session, api_token):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    session.commit()
    staff = {"Authorization": f"Bearer {api_token('staff')}"}
    organizer = {"Authorization": f"Bearer {api_token('organizer')}"}
    refused = _scan(client, seminar, registration.token, staff).get_json()
    assert refused["status"] == "outside_window"
    assert refused["title"] == "Check-in is not open yet"
    assert _scan(client, seminar, registration.token, organizer).get_json()["status"] == "checked_in"


@pytest.mark.parametrize("body", [None, [], {"code": ""}, {"code": 5}, {"code": "x", "gate": "g" * 61},
                                  {"code": "x", "method": "telepathy"}])
def test_api_malformed_scans_are_400(client, session, seminar, bearer, body):
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    response = client.post(url, json=body, headers=bearer) if body is not None else client.post(
        url, data="{", headers={**bearer, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert_matches_openapi(client, "POST", url, response)
    assert _events(session, seminar) == []


def test_api_unknown_seminar_is_404(client, bearer):
    url = "/api/v1/seminars/no-such-seminar/checkins"
    response = client.post(url, json={"code": "x"}, headers=bearer)
    assert response.status_code == 404
    assert_matches_openapi(client, "POST", url, response)


def test_api_undo_and_stats(client, session, seminar, bearer):
    registration = factories.make_registration(session, seminar, category_key="student")
    factories.make_registration(session, seminar)
    session.commit()
    _scan(client, seminar, registration.token, bearer, gate="Door 1")

    stats_url = f"/api/v1/seminars/{seminar.slug}/stats"
    stats = client.get(stats_url, headers=bearer)
    assert_matches_openapi(client, "GET", stats_url, stats)
    assert (stats.get_json()["confirmed"], stats.get_json()["checked_in"]) == (2, 1)

    url = f"/api/v1/seminars/{seminar.slug}/checkins/{registration.id}"
    undone = client.delete(url, json={"gate": "Door 1"}, headers=bearer)
    assert_matches_openapi(client, "DELETE", url, undone)
    assert undone.get_json()["status"] == "undone"
    assert undone.get_json()["registration"]["checked_in_at"] is None
    assert client.get(stats_url, headers=bearer).get_json()["checked_in"] == 0

    twice = client.delete(url, headers=bearer)
    assert twice.status_code == 409
    assert twice.get_json()["error"] == "not_checked_in"
    assert_matches_openapi(client, "DELETE", url, twice)

    other = factories.make_registration(session, factories.make_seminar(session))
    session.commit()
    missing_url = f"/api/v1/seminars/{seminar.slug}/checkins/{other.id}"
    assert client.delete(missing_url, headers=bearer).status_code == 404
    assert [e.result for e in _events(session, seminar)] == ["checked_in", "undone"]


def test_a_staff_token_checks_in_and_reads_stats_and_nothing_else(app, client, session, seminar, api_token):
    headers = {"Authorization": f"Bearer {api_token('staff')}"}
    assert client.get(f"/api/v1/seminars/{seminar.slug}/stats", headers=headers).status_code == 200
    refused = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.openapi_document":
            continue
        required = getattr(app.view_functions[rule.endpoint], "required_role", None)
        url = rule.rule.replace("<slug>", seminar.slug).replace("<int:registration_id>", "1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            status = client.open(url, method=method, headers=headers).status_code
            if required in ("organizer", "admin"):
                refused.append(status)
                assert status == 403, (method, url)
    assert all(status == 403 for status in refused)


def test_a_revoked_token_is_refused(client, session, seminar, api_token):
    plain = api_token("staff")
    revoke_api_token(session, session.scalar(select(ApiToken)))
    session.commit()
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    response = client.post(url, json={"code": "x"}, headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401
    assert_matches_openapi(client, "POST", url, response)
    assert _events(session, seminar) == []


def test_anonymous_callers_are_refused(client, seminar):
    assert client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": "x"}).status_code == 401
    assert client.get(f"/api/v1/seminars/{seminar.slug}/stats").status_code == 401


# --- the pages: scanner, search, walk-in --------------------------------------------------------------------


def test_the_scanner_page_carries_what_its_script_needs(client, session, seminar, login):
    login("staff")
    page = client.get(f"/checkin/s/{seminar.slug}/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<meta name="csrf-token"' in html
    assert f'data-checkin-url="/api/v1/seminars/{seminar.slug}/checkins"' in html
    assert "vendor/zxing-wasm/zxing-reader.iife.js" in html
    assert "<script>" not in html and "style=" not in html
    assert client.get("/checkin/s/no-such-seminar/").status_code == 404
    assert seminar.title in client.get("/checkin/").get_data(as_text=True)


def test_the_door_search_lists_people_with_their_state(client, session, seminar, login):
    factories.make_registration(session, seminar, full_name="Жанар Жұмабекова", organization="ENU")
    factories.make_registration(session, seminar, full_name="Жанар Waitlisted", status="waitlisted")
    session.commit()
    login("staff")
    html = client.get(f"/checkin/s/{seminar.slug}/search", query_string={"q": "ЖАНАР"}).get_data(as_text=True)
    assert "Жанар Жұмабекова" in html and "ENU" in html
    assert "Waiting list" in html
    assert "data-registration-id=" in html
    assert "Type at least three letters" in client.get(f"/checkin/s/{seminar.slug}/search?q=a").get_data(as_text=True)
    assert "Nobody matches" in client.get(f"/checkin/s/{seminar.slug}/search?q=zzzz").get_data(as_text=True)


def test_a_person_picked_in_the_search_is_checked_in_by_id(client, session, seminar, login):
    registration = factories.make_registration(session, seminar)
    session.commit()
    login("staff")
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    response = client.post(url, json={"registration_id": registration.id, "method": "manual", "gate": "Desk"})
    assert_matches_openapi(client, "POST", url, response)
    assert response.get_json()["status"] == "checked_in"
    [event] = _events(session, seminar)
    assert (event.method, event.gate) == ("manual", "Desk")
    other = factories.make_registration(session, factories.make_seminar(session))
    session.commit()
    assert client.post(url, json={"registration_id": other.id}).status_code == 404
    assert client.post(url, json={"registration_id": "1"}).status_code == 400


def _walk_in_form(seminar, **overrides):
    data = {"full_name": "Ерлан Есенов", "email": "erlan@example.kz", "organization": "Astana Hub",
            "category_id": str(factories.category(seminar, "business").id), "gate": "Door 3"}
    data.update(overrides)
    return data


def _assert_walk_in_refused(client, session, seminar, message):
    """The walk-in form comes back with `message`, and no one was registered or checked in."""
    page = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(seminar))
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert session.scalar(select(Registration).where(Registration.email == "erlan@example.kz")) is None
    assert _events(session, seminar) == []


def test_a_walk_in_is_registered_and_checked_in_at_once(client, session, seminar, login):
    login("staff")
    response = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(seminar))
    assert response.status_code == 302
    registration = session.scalar(select(Registration).where(Registration.email == "erlan@example.kz"))
    assert response.location.endswith(f"/checkin/s/{seminar.slug}/walk-in/{registration.id}")
    assert (registration.status, registration.source) == ("confirmed", "walk_in")
    assert (registration.checked_in_method, registration.checked_in_gate) == ("walk_in", "Door 3")
    assert [e.result for e in _events(session, seminar)] == ["checked_in"]
    result = client.get(response.location).get_data(as_text=True)
    assert "Ерлан Есенов is registered and checked in" in result and "Print badge" in result


def test_the_walk_in_form_assumes_no_category_and_asks_for_one(client, session, seminar, login):
    login("staff")
    page = client.get(f"/checkin/s/{seminar.slug}/walk-in").get_data(as_text=True)
    select_html = page[page.index('name="category_id"'):]
    select_html = select_html[:select_html.index("</select>")]
    assert re.search(r'<option selected value="">Choose a category</option>', select_html)
    assert select_html.count("selected") == 1
    refused = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(seminar, category_id=""))
    assert refused.status_code == 200
    assert "Choose a category for this person." in refused.get_data(as_text=True)
    assert "Ерлан Есенов" in refused.get_data(as_text=True)  # what was typed stays
    assert session.scalar(select(Registration).where(Registration.email == "erlan@example.kz")) is None


def test_a_student_walk_in_needs_the_student_fields(client, session, seminar, login):
    login("staff")
    student = str(factories.category(seminar, "student").id)
    page = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(seminar, category_id=student))
    assert page.status_code == 200
    assert "Required for students." in page.get_data(as_text=True)
    assert session.scalar(select(Registration)) is None
    done = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(
        seminar, category_id=student, university="ENU", programme="Law", study_level="master", study_year="1"))
    assert done.status_code == 302
    assert session.scalar(select(Registration)).university == "ENU"


def test_a_walk_in_without_a_free_seat_is_refused(client, session, login):
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=1)
    factories.make_registration(session, seminar)
    session.commit()
    login("staff")
    _assert_walk_in_refused(client, session, seminar, "No seat is free")


def test_a_walk_in_outside_the_window_is_refused_for_staff(client, session, login):
    seminar = factories.make_seminar(session)
    session.commit()
    login("staff")
    page = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(seminar))
    assert "Check-in is not open" in page.get_data(as_text=True)
    assert session.scalar(select(Registration)) is None


def test_walk_in_service_registers_and_checks_in_in_one_go(session, seminar, door):
    data = {"full_name": "Li Na", "email": "li.na@example.cn",
            "category_id": factories.category(seminar, "media").id}
    result = services.walk_in(session, seminar, data, gate="Door 1", by=door)
    session.commit()
    assert result.status == "checked_in"
    assert session.get(Registration, result.attendee.id).source == "walk_in"
    assert services.stats(session, seminar)["checked_in"] == 1


def test_a_walk_in_already_registered_is_sent_to_the_search(client, session, seminar, login):
    factories.make_registration(session, seminar, email="erlan@example.kz")
    session.commit()
    login("staff")
    page = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=_walk_in_form(seminar))
    assert "already registered: search for the person" in page.get_data(as_text=True)
    assert _events(session, seminar) == []


def test_api_says_when_check_in_has_closed(client, session, api_token):
    starts = utcnow() - timedelta(hours=5)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    registration = factories.make_registration(session, seminar)
    session.commit()
    body = _scan(client, seminar, registration.token, {"Authorization": f"Bearer {api_token('staff')}"}).get_json()
    assert (body["status"], body["title"]) == ("outside_window", "Check-in has closed")


# --- what a scan costs, and a seminar changed between scans -----------------------------------------------------


def test_a_scan_reads_its_token_and_seminar_and_admits_with_its_log_row(client, session, seminar, bearer):
    """The token, the seminar and the scanner's place on its team are read afresh at every scan; then the
    admission with its log row: one statement on PostgreSQL, two on SQLite."""
    first, second = (factories.make_registration(session, seminar).token for _ in range(2))
    session.commit()
    assert _scan(client, seminar, first, bearer).get_json()["status"] == "checked_in"
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.post(url, json={"code": second}, headers=bearer).get_json()["status"] == "checked_in"
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if not s.startswith("BEGIN")]) == (
        4 if db.engine.dialect.name == "postgresql" else 5)


def test_a_seminar_moved_after_the_door_read_it_is_judged_as_it_is_now(client, session, seminar, bearer):
    first, second, third = (factories.make_registration(session, seminar) for _ in range(3))
    session.commit()
    assert _scan(client, seminar, first.token, bearer).get_json()["status"] == "checked_in"

    seminar.starts_at, seminar.ends_at = seminar.starts_at + timedelta(days=7), seminar.ends_at + timedelta(days=7)
    session.commit()
    body = _scan(client, seminar, second.token, bearer).get_json()
    assert (body["status"], body["title"]) == ("outside_window", "Check-in is not open yet")

    seminar.starts_at, seminar.ends_at = seminar.starts_at - timedelta(days=7), seminar.ends_at - timedelta(days=7)
    session.commit()
    assert _scan(client, seminar, second.token, bearer).get_json()["status"] == "checked_in"
    assert [e.result for e in _events(session, seminar)] == ["checked_in", "outside_window", "checked_in"]
    session.expire_all()
    assert session.get(Registration, third.id).checked_in_at is None


def test_a_seminar_unpublished_or_renamed_after_the_door_read_it_is_not_found_at_its_old_address(
        client, session, seminar, bearer):
    first, second = (factories.make_registration(session, seminar) for _ in range(2))
    session.commit()
    old_url = f"/api/v1/seminars/{seminar.slug}/checkins"
    assert _scan(client, seminar, first.token, bearer).get_json()["status"] == "checked_in"

    seminar.status = "draft"
    session.commit()
    assert client.post(old_url, json={"code": second.token}, headers=bearer).status_code == 404

    seminar.status, seminar.slug = "published", f"{seminar.slug}-moved"
    session.commit()
    assert client.post(old_url, json={"code": second.token}, headers=bearer).status_code == 404
    assert _scan(client, seminar, second.token, bearer).get_json()["status"] == "checked_in"
    assert [e.result for e in _events(session, seminar)] == ["checked_in", "checked_in"]


# --- the scanner's token, read at every scan ----------------------------------------------------------------------


def _token_row(session, plain):
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_secret(plain))).one()


@pytest.mark.parametrize("change", ["revoked", "deactivated"])
def test_a_token_revoked_or_deactivated_between_two_scans_is_refused_at_the_next_scan_and_writes_nothing(
        client, session, seminar, api_token, change):
    plain = api_token("staff")
    bearer = {"Authorization": f"Bearer {plain}"}
    entered, waiting, cancelled = (factories.make_registration(session, seminar) for _ in range(3))
    cancelled.status = "cancelled"
    session.commit()
    assert _scan(client, seminar, entered.token, bearer).get_json()["status"] == "checked_in"

    token = _token_row(session, plain)
    if change == "revoked":
        revoke_api_token(session, token)
    else:
        session.get(User, token.user_id).active = False
    session.commit()
    # At once, in the same worker: an admissible ticket, one already in, a cancelled one, an unknown code,
    # and a person picked by number.
    for payload in ({"code": waiting.token}, {"code": entered.token}, {"code": cancelled.token},
                    {"code": "ER1:no-such-ticket"}, {"registration_id": waiting.id}, {"registration_id": 10**9}):
        response = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json=payload, headers=bearer)
        assert response.status_code == 401, payload
        assert response.get_json()["error"] == "unauthorized" and "registration" not in response.get_json()
    session.expire_all()
    assert session.get(Registration, waiting.id).checked_in_at is None
    assert [e.result for e in _events(session, seminar)] == ["checked_in"]


@pytest.mark.parametrize(("before", "after"), [("organizer", "door"), ("door", "organizer")])
def test_a_role_changed_between_two_scans_decides_the_very_next_scan(client, session, api_token, before, after):
    """The seminar's organizers may check people in after the window has closed; its door members may not."""
    closed = factories.make_seminar(session, starts_at=utcnow() - timedelta(days=1))
    first, second = (factories.make_registration(session, closed) for _ in range(2))
    session.commit()
    plain = api_token("staff", seminar_role=before)
    bearer = {"Authorization": f"Bearer {plain}"}
    outcome = {"organizer": "checked_in", "door": "outside_window"}
    assert _scan(client, closed, first.token, bearer).get_json()["status"] == outcome[before]

    member = session.scalar(select(SeminarMember).where(SeminarMember.user_id == _token_row(session, plain).user_id))
    member.role = after
    session.commit()
    assert _scan(client, closed, second.token, bearer).get_json()["status"] == outcome[after]
    assert [e.result for e in _events(session, closed)] == [outcome[before], outcome[after]]


def test_a_scanners_token_has_its_last_use_written_once_a_minute(client, session, seminar, api_token, monkeypatch):
    plain = api_token("staff")
    bearer = {"Authorization": f"Bearer {plain}"}
    tickets = [factories.make_registration(session, seminar).token for _ in range(3)]
    session.commit()
    start = utcnow()
    for ticket, seconds in zip(tickets, (0, 30, 61), strict=True):
        monkeypatch.setattr(auth_services, "utcnow", lambda seconds=seconds: start + timedelta(seconds=seconds))
        assert _scan(client, seminar, ticket, bearer).get_json()["status"] == "checked_in"
        session.expire_all()
        last_used = _token_row(session, plain).last_used_at
        assert last_used == start + timedelta(seconds=0 if seconds < 61 else 61)


def test_a_walk_in_may_come_without_an_e_mail_address_and_gets_no_mail(client, session, seminar, login):
    login("staff")
    for name in ("Бауыржан Сейітов", "Гүлнар Сейітова"):  # two people without an address are two people
        response = client.post(f"/checkin/s/{seminar.slug}/walk-in",
                               data=_walk_in_form(seminar, full_name=name, email=""))
        assert response.status_code == 302, response.get_data(as_text=True)
    walk_ins = session.scalars(select(Registration).where(Registration.source == "walk_in")).all()
    assert sorted((r.full_name, r.email, r.checked_in_at is not None) for r in walk_ins) == [
        ("Бауыржан Сейітов", "", True), ("Гүлнар Сейітова", "", True)]
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0
    page = client.get(f"/checkin/s/{seminar.slug}/walk-in").get_data(as_text=True)
    assert "E-mail (optional)" in page
