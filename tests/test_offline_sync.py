"""The offline door on the server: signed codes, the roster, and the exactly-once sync of a door's queue."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventreg import tickets
from eventreg.checkin import offline, pwa
from eventreg.extensions import db
from eventreg.models import CheckInEvent, OfflineAction, Registration, Seminar, TicketSigningKey, User, utcnow
from tests import factories
from tests.openapi_check import assert_matches_openapi

SYNC = "/api/v1/seminars/{slug}/checkins/sync"


@pytest.fixture
def seminar(session):
    """A seminar that started an hour ago: the check-in window is open."""
    starts = utcnow() - timedelta(hours=1)
    return factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))


@pytest.fixture
def door(session):
    return factories.make_user(session, role="staff", name="Aigerim")


@pytest.fixture
def key(session):
    private, public = tickets.new_key_pair()
    signing = TicketSigningKey(private_key=private, public_key=public, created_at=utcnow() - timedelta(days=30))
    session.add(signing)
    session.flush()
    return signing


# Device times count from about the seminars' start (an hour before the module's import): inside their windows.
_START = utcnow().replace(microsecond=0) - timedelta(hours=1)


def _at(minutes):
    return (_START + timedelta(minutes=minutes)).isoformat()


def _scan(nonce, code, minutes, gate="Door 1"):
    return {"nonce": nonce, "kind": "check_in", "at": _at(minutes), "gate": gate, "code": code}


def _sync(session, seminar, door, device, actions):
    device, parsed = offline.read_batch({"device": device, "actions": actions})
    results = offline.apply_batch(session, seminar, device, parsed, by=door, now=utcnow())
    session.commit()
    return results


def _rows(session, seminar):
    return session.scalars(select(OfflineAction).where(OfflineAction.seminar_id == seminar.id)
                           .order_by(OfflineAction.id)).all()


# --- signed codes ------------------------------------------------------------------------------------------


def test_new_tickets_carry_a_signed_code_that_a_door_verifies_and_that_fits_a_version_6_qr(session, seminar, key):
    registration = factories.make_registration(session, seminar)
    payload = tickets.ticket_payload(registration)
    assert payload.startswith("ER2:")
    assert tickets._qr(payload).version <= 6  # error correction M: a phone reads it quickly
    signed = tickets.parse_signed(payload)
    assert (signed.seminar_id, signed.token, signed.key_id) == (seminar.id, registration.token, tickets.key_id(key))
    assert signed.verify(key.public_key)
    assert tickets.token_from_scan(payload) == registration.token
    assert tickets.token_from_scan(payload.lower()) == registration.token  # a scanner with caps lock on
    assert tickets.ticket_payload(registration) == payload  # deterministic: the QR image is made once


def test_a_changed_character_or_another_key_fails_the_signature(session, seminar, key):
    payload = tickets.ticket_payload(factories.make_registration(session, seminar))
    for position in (10, 60, len(payload) - 5):
        changed = payload[:position] + ("A" if payload[position] != "A" else "B") + payload[position + 1:]
        signed = tickets.parse_signed(changed)
        assert signed is None or not signed.verify(key.public_key)
    other_private, other_public = tickets.new_key_pair()
    assert not tickets.parse_signed(payload).verify(other_public)


def test_without_a_key_and_for_odd_tokens_tickets_keep_the_er1_code(session, seminar):
    registration = factories.make_registration(session, seminar)
    assert tickets.ticket_payload(registration) == f"ER1:{registration.token}"
    private, _public = tickets.new_key_pair()
    assert tickets.signed_payload("x" * 30, seminar.id, 1, private) is None


def test_rotation_retires_the_old_key_and_the_roster_keeps_it_for_seminars_it_signed(session, seminar, key):
    old_payload = tickets.ticket_payload(factories.make_registration(session, seminar))
    new_key, retired = tickets.rotate_signing_key(session, utcnow())
    assert retired == 1 and key.retired_at is not None
    assert tickets.signing_key(session).id == new_key.id
    assert [k.id for k in tickets.verifying_keys(session, seminar)] == [key.id, new_key.id]
    assert tickets.parse_signed(old_payload).verify(key.public_key)
    later = factories.make_seminar(session)
    assert [k.id for k in tickets.verifying_keys(session, later)] == [new_key.id]


def test_the_cli_rotates_and_revokes(runner, session, key):
    result = runner.invoke(args=["rotate-ticket-key"])
    assert result.exit_code == 0, result.output
    assert "1 old key(s) retired" in result.output
    assert session.scalar(select(func.count(TicketSigningKey.id))) == 2
    result = runner.invoke(args=["rotate-ticket-key", "--revoke"])
    assert "2 old key(s) deleted" in result.output
    assert session.scalar(select(func.count(TicketSigningKey.id))) == 1


# --- the roster --------------------------------------------------------------------------------------------


def test_the_roster_holds_hashes_names_and_states_never_tokens_or_contacts(client, login, session, seminar, key):
    arrived = factories.make_registration(session, seminar, full_name="Aru", email="aru@example.org",
                                          phone="+77011234567", checked_in_at=utcnow(), checked_in_gate="Door 2")
    cancelled = factories.make_registration(session, seminar, status="cancelled")
    factories.make_registration(session, factories.make_seminar(session))  # another seminar's
    session.commit()
    login("staff")
    response = client.get(f"/api/v1/seminars/{seminar.slug}/roster")
    assert response.status_code == 200
    assert_matches_openapi(client, "GET", f"/api/v1/seminars/{seminar.slug}/roster", response)
    body = response.get_json()
    text = response.get_data(as_text=True)
    for secret in (arrived.token, cancelled.token, "aru@example.org", "+77011234567"):
        assert secret not in text
    entries = {e["hash"]: e for e in body["entries"]}
    assert len(entries) == 2
    entry = entries[offline.token_hash(arrived.token)]
    assert (entry["name"], entry["status"], entry["gate"]) == ("Aru", "confirmed", "Door 2")
    assert entry["checked_in_at"] is not None
    assert entries[offline.token_hash(cancelled.token)]["status"] == "cancelled"
    assert body["keys"][0]["id"] == tickets.key_id(key)
    assert body["seminar"]["id"] == seminar.id


def test_the_roster_and_the_sync_are_for_logged_in_staff(client, session, seminar):
    assert client.get(f"/api/v1/seminars/{seminar.slug}/roster").status_code == 401
    response = client.post(SYNC.format(slug=seminar.slug), json={"device": "device-one", "actions": []})
    assert response.status_code == 401


# --- the sync ----------------------------------------------------------------------------------------------


def test_the_same_batch_twice_changes_nothing_the_second_time(session, seminar, door):
    one, two = (factories.make_registration(session, seminar) for _ in range(2))
    session.commit()
    batch = [_scan("nonce-0001", f"ER1:{one.token}", 5), _scan("nonce-0002", one.token, 6),
             _scan("nonce-0003", f"ER1:{two.token}", 7)]
    first = _sync(session, seminar, door, "device-one", batch)
    before = [(r.nonce, r.outcome) for r in _rows(session, seminar)]
    events = session.scalar(select(func.count(CheckInEvent.id)))
    again = _sync(session, seminar, door, "device-one", batch)
    assert again == first
    assert [(r.nonce, r.outcome) for r in _rows(session, seminar)] == before
    assert session.scalar(select(func.count(CheckInEvent.id))) == events
    assert first["nonce-0001"]["outcome"] == "admitted"
    assert first["nonce-0002"]["outcome"] == "conflict"  # the same device let the same ticket in twice
    assert session.get(Registration, one.id).checked_in_at.isoformat() == _at(5)
    assert session.get(Registration, one.id).checked_in_method == "offline"


def test_two_offline_doors_one_ticket_the_earliest_admission_wins_whatever_arrives_first(session, seminar, door):
    registration = factories.make_registration(session, seminar, full_name="Dana")
    session.commit()
    code = f"ER1:{registration.token}"
    _sync(session, seminar, door, "device-two", [_scan("door2-0001", code, 43, gate="Door 2")])
    late = _sync(session, seminar, door, "device-one", [_scan("door1-0001", code, 41, gate="Door 1")])
    assert late["door1-0001"]["outcome"] == "admitted"
    checked = session.get(Registration, registration.id)
    assert (checked.checked_in_at.isoformat(), checked.checked_in_gate) == (_at(41), "Door 1")
    assert sorted(r.outcome for r in _rows(session, seminar)) == ["admitted", "conflict"]
    conflicts, not_valid = offline.offline_problems(session, seminar)
    assert not_valid == []
    assert [(c.registration.full_name, [(a.gate, a.at.isoformat()) for a in c.admissions]) for c in conflicts] == [
        ("Dana", [("Door 1", _at(41)), ("Door 2", _at(43))])]


def test_an_offline_admission_before_an_online_check_in_takes_it_and_keeps_the_online_one_as_a_conflict(
        session, seminar, door):
    registration = factories.make_registration(session, seminar, checked_in_at=utcnow().replace(microsecond=0),
                                               checked_in_gate="Main door", checked_in_method="camera")
    session.commit()
    _sync(session, seminar, door, "device-one", [_scan("door1-0001", registration.token, 1)])
    assert session.get(Registration, registration.id).checked_in_at.isoformat() == _at(1)
    (conflict,), _ = offline.offline_problems(session, seminar)
    assert [a.gate for a in conflict.admissions] == ["Door 1", "Main door"]


def test_a_ticket_cancelled_before_the_sync_is_recorded_as_admitted_offline_not_valid(session, seminar, door):
    registration = factories.make_registration(session, seminar, status="cancelled", full_name="Erlan")
    other_seminar = factories.make_registration(session, factories.make_seminar(session))
    session.commit()
    results = _sync(session, seminar, door, "device-one", [
        _scan("nonce-0001", registration.token, 3), _scan("nonce-0002", "ER1:" + "u" * 24, 4),
        _scan("nonce-0003", other_seminar.token, 5)])
    assert [results[n]["reason"] for n in ("nonce-0001", "nonce-0002", "nonce-0003")] == [
        "cancelled", "unknown_code", "wrong_seminar"]
    assert session.get(Registration, registration.id).checked_in_at is None
    _, not_valid = offline.offline_problems(session, seminar)
    assert [(n.registration and n.registration.full_name, n.reason) for n in not_valid] == [
        ("Erlan", "cancelled"), (None, "unknown_code"), (None, "wrong_seminar")]


def test_a_queued_undo_takes_the_admission_back_and_the_next_admission_becomes_the_check_in(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    session.commit()
    _sync(session, seminar, door, "device-two", [_scan("door2-0001", registration.token, 9, gate="Door 2")])
    results = _sync(session, seminar, door, "device-one", [
        _scan("door1-0001", registration.token, 8),
        {"nonce": "door1-0002", "kind": "undo", "at": _at(8), "undoes": "door1-0001"}])
    assert results["door1-0002"]["outcome"] == "undone"
    checked = session.get(Registration, registration.id)
    assert (checked.checked_in_at.isoformat(), checked.checked_in_gate) == (_at(9), "Door 2")
    assert offline.offline_problems(session, seminar) == ([], [])
    ignored = _sync(session, seminar, door, "device-one",
                    [{"nonce": "door1-0003", "kind": "undo", "at": _at(10), "undoes": "door1-9999"}])
    assert ignored["door1-0003"]["outcome"] == "ignored"


def test_a_device_clock_in_the_future_admits_at_the_server_time(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    session.commit()
    _sync(session, seminar, door, "device-one", [_scan("nonce-0001", registration.token, 600)])
    assert session.get(Registration, registration.id).checked_in_at <= utcnow()


@pytest.mark.parametrize("batch, field", [
    ({"device": "x", "actions": []}, "device"),
    ({"device": "device-one"}, "actions"),
    ({"device": "device-one", "actions": [{"nonce": "n", "kind": "check_in", "at": "now", "code": ""}]},
     "actions.0.nonce"),
    ({"device": "device-one", "actions": [{"nonce": "nonce-0001", "kind": "fly", "at": _at(1)}]},
     "actions.0.kind"),
    ({"device": "device-one", "actions": [{"nonce": "nonce-0001", "kind": "check_in", "at": "2026-12-07T09:41"}]},
     "actions.0.at"),
    ({"device": "device-one", "actions": [_scan("nonce-0001", "ER1:x", 1), _scan("nonce-0001", "ER1:y", 2)]},
     "actions"),
])
def test_a_malformed_batch_is_refused_whole_with_the_field_named_and_nothing_written(
        client, login, session, seminar, batch, field):
    registration = factories.make_registration(session, seminar)
    session.commit()
    good = _scan("nonce-good", registration.token, 1)
    if isinstance(batch.get("actions"), list):
        batch = {**batch, "actions": [good, *batch["actions"]]}
        field = field.replace("actions.0", "actions.1")
    login("staff")
    response = client.post(SYNC.format(slug=seminar.slug), json=batch)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid"
    assert field in response.get_json()["fields"]
    assert _rows(session, seminar) == []
    assert session.get(Registration, registration.id).checked_in_at is None


def test_an_oversized_batch_gets_413_and_nothing_written(client, login, session, seminar):
    registration = factories.make_registration(session, seminar)
    session.commit()
    login("staff")
    many = [_scan(f"nonce-{n:05d}", registration.token, 1) for n in range(offline.MAX_ACTIONS + 1)]
    response = client.post(SYNC.format(slug=seminar.slug), json={"device": "device-one", "actions": many})
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"
    padded = [{**_scan("nonce-0001", registration.token, 1), "gate": "x" * 60, "pad": "y" * 300_000}]
    response = client.post(SYNC.format(slug=seminar.slug), data=json.dumps({"device": "device-one",
                                                                             "actions": padded}),
                           content_type="application/json")
    assert response.status_code == 413
    assert _rows(session, seminar) == []
    assert session.get(Registration, registration.id).checked_in_at is None


def test_the_sync_api_answers_every_nonce_as_documented(client, login, session, seminar, key):
    registration = factories.make_registration(session, seminar)
    session.commit()
    login("staff")
    batch = {"device": "device-one", "actions": [_scan("nonce-0001", tickets.ticket_payload(registration), 2)]}
    response = client.post(SYNC.format(slug=seminar.slug), json=batch)
    assert response.status_code == 200
    assert_matches_openapi(client, "POST", SYNC.format(slug=seminar.slug), response)
    assert response.get_json() == {"checked_in": 1, "results": {
        "nonce-0001": {"outcome": "admitted", "reason": "", "registration_id": registration.id}}}
    assert client.post(SYNC.format(slug=seminar.slug), json=batch).get_json() == response.get_json()


def test_the_same_batch_from_two_requests_at_once_is_applied_once(app, session, seminar, door):
    registrations = [factories.make_registration(session, seminar) for _ in range(5)]
    seminar_id, door_id, ids = seminar.id, door.id, [r.id for r in registrations]
    batch = [_scan(f"nonce-{n:04d}", r.token, n) for n, r in enumerate(registrations)]
    other = [_scan(f"other-{n:04d}", r.token, 30 + n, gate="Door 2") for n, r in enumerate(registrations)]
    session.commit()  # and no reads after it: on SQLite a new transaction would hold the write lock
    barrier = threading.Barrier(3, timeout=30)
    failures = []

    def send(device, actions):
        with app.app_context():
            try:
                seminar_copy = db.session.get(Seminar, seminar_id)
                user = db.session.get(User, door_id)
                db.session.commit()
                barrier.wait()
                _sync(db.session, seminar_copy, user, device, actions)
            except Exception as error:  # noqa: BLE001 (reported to the test below)
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=args)
               for args in (("device-one", batch), ("device-one", batch), ("device-two", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = session.scalars(select(OfflineAction).where(OfflineAction.seminar_id == seminar_id)).all()
    assert sorted(r.outcome for r in rows) == ["admitted"] * 5 + ["conflict"] * 5
    assert {session.get(Registration, i).checked_in_gate for i in ids} == {"Door 1"}


# --- what the organizer sees -------------------------------------------------------------------------------


def test_the_door_page_and_the_report_show_offline_conflicts_and_invalid_admissions(client, login, session, seminar,
                                                                                    door):
    twice = factories.make_registration(session, seminar, full_name="Dana Serikova")
    cancelled = factories.make_registration(session, seminar, full_name="Erlan Ospanov", status="cancelled")
    session.commit()
    _sync(session, seminar, door, "device-one", [_scan("door1-0001", twice.token, 41, gate="Door 1"),
                                                  _scan("door1-0002", cancelled.token, 42, gate="Door 1")])
    _sync(session, seminar, door, "device-two", [_scan("door2-0001", twice.token, 43, gate="Door 2")])
    local = [(_START + timedelta(minutes=m)).astimezone(seminar.zone).strftime("%H:%M") for m in (41, 42, 43)]
    login("organizer")
    for url in (f"/checkin/s/{seminar.slug}/", f"/reports/s/{seminar.slug}/"):
        page = " ".join(client.get(url).get_data(as_text=True).split())
        assert f"<strong>Dana Serikova</strong>: admitted twice while offline: Door 1 {local[0]}, Door 2 {local[2]}" \
            in page, url
        assert f"<strong>Erlan Ospanov</strong>: admitted offline, not valid (cancelled), Door 1 {local[1]}" in page


def test_staff_at_the_door_do_not_get_the_organizers_list(client, login, session, seminar, door):
    registration = factories.make_registration(session, seminar, status="cancelled")
    session.commit()
    _sync(session, seminar, door, "device-one", [_scan("door1-0001", registration.token, 1)])
    login("staff")
    assert "admitted offline, not valid" not in client.get(f"/checkin/s/{seminar.slug}/").get_data(as_text=True)


# --- the installable app -----------------------------------------------------------------------------------


def test_the_worker_and_the_manifest_describe_the_door_app(client):
    worker = client.get("/checkin/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    text = worker.get_data(as_text=True)
    version = pwa.door_version()
    assert f'var VERSION = "{version}";' in text
    for name in pwa.DOOR_FILES:  # as the door page asks for them: with their version, but for the decoder's wasm
        assert (f'"/static/{name}"' if name in pwa.BY_FOLDER else f'"/static/{name}?v=') in text
    manifest = client.get("/checkin/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert (body["start_url"], body["scope"], body["display"]) == ("/checkin/", "/checkin/", "standalone")


def test_the_version_changes_with_any_door_file_so_a_deploy_installs_a_new_worker(tmp_path):
    for name in pwa.DOOR_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    template = tmp_path / "door-sw.js"
    template.write_text("worker")
    first = pwa._version(str(tmp_path), str(template))
    (tmp_path / "js/scanner.js").write_text("a new scanner")
    pwa._version.cache_clear()
    second = pwa._version(str(tmp_path), str(template))
    template.write_text("a new worker")
    pwa._version.cache_clear()
    assert len({first, second, pwa._version(str(tmp_path), str(template))}) == 3


def test_a_queued_walk_in_is_registered_and_checked_in_once_or_recorded_as_not_valid(session, seminar, door):
    business = str(factories.category(seminar, "business").id)
    person = {"full_name": "Ерлан Есенов", "email": "erlan@example.kz", "organization": "Astana Hub",
              "category_id": business}
    walk_in = {"nonce": "walkin-0001", "kind": "walk_in", "at": _at(12), "gate": "Door 1", "person": person}
    again = {**walk_in, "nonce": "walkin-0002", "at": _at(13)}  # the same person, typed in at a second door
    results = _sync(session, seminar, door, "device-one", [walk_in, again])
    assert _sync(session, seminar, door, "device-one", [walk_in]) == {"walkin-0001": results["walkin-0001"]}
    assert results["walkin-0001"]["outcome"] == "admitted"
    assert (results["walkin-0002"]["outcome"], results["walkin-0002"]["reason"]) == ("not_valid", "duplicate_email")
    registration = session.get(Registration, results["walkin-0001"]["registration_id"])
    assert (registration.source, registration.status, registration.checked_in_gate) == ("walk_in", "confirmed",
                                                                                         "Door 1")
    assert registration.checked_in_at.isoformat() == _at(12)
    _, not_valid = offline.offline_problems(session, seminar)
    assert [(n.walk_in, n.reason) for n in not_valid] == [(True, "duplicate_email")]


def test_a_queued_walk_in_with_unknown_fields_is_refused_whole(session, seminar):
    with pytest.raises(offline.BatchRefused) as refused:
        offline.read_batch({"device": "device-one", "actions": [
            {"nonce": "walkin-0001", "kind": "walk_in", "at": _at(1), "person": {"password": "x"}}]})
    assert "actions.0.person" in refused.value.fields
