"""The organizer's live view (issue #23 item 5): checked in / expected, arrivals per 5 minutes in the seminar's
zone, per gate, the last 20 arrivals and the VIPs, as a page and as the JSON it polls (with an ETag)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventreg.checkin.services import check_in
from eventreg.live import services
from eventreg.models import Registration, utcnow
from eventreg.registration import services as registration_services
from tests import factories
from tests.openapi_check import assert_matches_openapi

KATHMANDU = ZoneInfo("Asia/Kathmandu")  # UTC+05:45: a bucket labelled in UTC would read 03:45, not 09:30


def _kathmandu(hour, minute, second=0):
    return datetime(2024, 9, 13, hour, minute, second, tzinfo=KATHMANDU).astimezone(UTC)


def _arrive(session, seminar, registration, *, gate="Door 1", at=None):
    result = check_in(session, seminar, registration.token, gate=gate, by=None, method="manual", now=at,
                      override_window=True)
    assert result.accepted
    session.commit()


def _live(client, seminar, **headers):
    return client.get(f"/api/v1/seminars/{seminar.slug}/live", headers=headers)


def _page(client, seminar):
    return client.get(f"/organizer/s/{seminar.slug}/live")


def test_the_figures_after_check_ins_at_two_gates(client, session, login):
    seminar = factories.make_seminar(session)
    people = [factories.make_registration(session, seminar, full_name=f"Guest {n}") for n in range(1, 6)]
    factories.make_registration(session, seminar, status="pending")
    factories.make_registration(session, seminar, status="cancelled")
    other = factories.make_seminar(session)
    _arrive(session, other, factories.make_registration(session, other))
    login("organizer", seminars=[seminar])
    for person, gate in zip(people[:3], ("Door 1", "Door 2", "Door 1"), strict=True):
        answer = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": person.token, "gate": gate})
        assert answer.get_json()["status"] == "checked_in"

    response = _live(client, seminar)
    assert_matches_openapi(client, "GET", f"/api/v1/seminars/{seminar.slug}/live", response)
    state = response.get_json()
    assert (state["checked_in"], state["expected"], state["percent"]) == (3, 5, 60)
    assert state["gates"] == [{"gate": "Door 1", "label": "Door 1", "count": 2},
                              {"gate": "Door 2", "label": "Door 2", "count": 1}]
    assert sum(bucket["count"] for bucket in state["arrivals"]) == 3
    assert [a["full_name"] for a in state["latest"]] == ["Guest 3", "Guest 2", "Guest 1"]
    assert [a["gate"] for a in state["latest"]] == ["Door 1", "Door 2", "Door 1"]

    page = _page(client, seminar).get_data(as_text=True)
    assert 'id="live-checked-in">3<' in page and 'id="live-expected">5<' in page and "60%" in page
    assert "Guest 3" in page and "Door 2" in page


def test_the_last_20_arrivals_newest_first(session):
    seminar = factories.make_seminar(session)
    start = seminar.starts_at - timedelta(hours=1)
    for n in range(22):
        person = factories.make_registration(session, seminar, full_name=f"Arrival {n:02d}")
        _arrive(session, seminar, person, at=start + timedelta(minutes=n))
    # Two in the same instant: the one checked in later (the later row) comes first.
    twins = [factories.make_registration(session, seminar, full_name=name) for name in ("Twin A", "Twin B")]
    for twin in twins:
        _arrive(session, seminar, twin, at=start + timedelta(minutes=30))

    latest = services.snapshot(session, seminar, with_names=True, now=start + timedelta(minutes=31))["latest"]
    assert [a["full_name"] for a in latest] == ["Twin B", "Twin A"] + [f"Arrival {n:02d}" for n in range(21, 3, -1)]
    assert len(latest) == 20


def test_a_vip_by_category_or_by_registration(client, session, login):
    seminar = factories.make_seminar(session)
    embassy = factories.make_category(session, seminar, key="embassy", label="Embassy guests", is_vip=True)
    ambassador = factories.make_registration(session, seminar, category=embassy, full_name="Ambassador Li")
    minister = factories.make_registration(session, seminar, full_name="Minister Serikova", is_vip=True)
    guest = factories.make_registration(session, seminar, full_name="Plain Guest")
    factories.make_registration(session, seminar, category=embassy, full_name="Consul Not Yet")
    factories.make_registration(session, seminar, category=embassy, status="cancelled", full_name="Cancelled VIP")
    for person in (ambassador, minister, guest):
        _arrive(session, seminar, person)
    login("organizer", seminars=[seminar])

    state = _live(client, seminar).get_json()
    assert (state["vips_checked_in"], state["vips_expected"]) == (2, 3)
    assert [a["full_name"] for a in state["vips"]] == ["Minister Serikova", "Ambassador Li"]
    assert {a["full_name"]: a["is_vip"] for a in state["latest"]} == {
        "Plain Guest": False, "Minister Serikova": True, "Ambassador Li": True}
    page = _page(client, seminar).get_data(as_text=True)
    assert page.count('class="live-arrival live-arrival-vip"') == 4  # both in the last arrivals and the VIP list
    assert page.count('class="live-arrival"') == 1


def test_arrivals_are_counted_per_5_minutes_of_the_seminars_clock(session):
    seminar = factories.make_seminar(session, timezone="Asia/Kathmandu", starts_at=_kathmandu(10, 0),
                                     ends_at=_kathmandu(13, 0))
    for at in (_kathmandu(9, 31), _kathmandu(9, 34, 59), _kathmandu(9, 35), _kathmandu(10, 2)):
        _arrive(session, seminar, factories.make_registration(session, seminar), at=at)

    arrivals = services.snapshot(session, seminar, with_names=False, now=_kathmandu(10, 3))["arrivals"]
    assert len(arrivals) == services.WINDOW_BUCKETS
    assert [(b["time"], b["count"], b["is_start"]) for b in arrivals[-7:]] == [
        ("09:30", 2, False), ("09:35", 1, False), ("09:40", 0, False), ("09:45", 0, False), ("09:50", 0, False),
        ("09:55", 0, False), ("10:00", 1, True)]
    assert arrivals[0]["time"] == "07:05"  # three hours of buckets, the current one last


def test_an_undone_check_in_leaves_the_figures(client, session, login):
    seminar = factories.make_seminar(session, starts_at=utcnow() + timedelta(minutes=30))
    person = factories.make_registration(session, seminar, full_name="Mistaken Entry")
    _arrive(session, seminar, person)
    login("organizer", seminars=[seminar])
    assert _live(client, seminar).get_json()["checked_in"] == 1
    assert client.delete(f"/api/v1/seminars/{seminar.slug}/checkins/{person.id}", json={}).status_code == 200
    state = _live(client, seminar).get_json()
    assert (state["checked_in"], state["gates"], state["latest"]) == (0, [], [])


def test_an_unchanged_state_is_answered_304_without_a_body(client, session, login, monkeypatch):
    # The clock held still: polls on both sides of a 5-minute boundary would rightly differ (a new bucket).
    now = utcnow()
    monkeypatch.setattr(services, "utcnow", lambda: now)
    seminar = factories.make_seminar(session)
    first, second = factories.make_registration(session, seminar), factories.make_registration(session, seminar)
    _arrive(session, seminar, first)
    login("organizer", seminars=[seminar])
    url = f"/api/v1/seminars/{seminar.slug}/live"
    answer = _live(client, seminar)
    etag = answer.headers["ETag"]

    again = _live(client, seminar, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert_matches_openapi(client, "GET", url, again)

    _arrive(session, seminar, second)
    changed = _live(client, seminar, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["checked_in"] == 2


@pytest.mark.parametrize("seminar_role", ["door", "viewer"])
def test_door_and_viewer_members_see_the_figures_without_names(client, session, login, seminar_role):
    seminar = factories.make_seminar(session)
    _arrive(session, seminar, factories.make_registration(session, seminar, full_name="Private Person",
                                                          is_vip=True))
    login("staff", seminars=[seminar], seminar_role=seminar_role)

    response = _live(client, seminar)
    assert_matches_openapi(client, "GET", f"/api/v1/seminars/{seminar.slug}/live", response)
    state = response.get_json()
    assert state["checked_in"] == 1 and state["vips_checked_in"] == 1
    assert "latest" not in state and "vips" not in state
    page = _page(client, seminar)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Private Person" not in text and "shown to the seminar's organizers only" in text


def test_someone_off_the_team_finds_no_live_view(client, session, login):
    seminar = factories.make_seminar(session)
    _arrive(session, seminar, factories.make_registration(session, seminar, full_name="Private Person"))
    login("organizer", seminars=[])
    assert _page(client, seminar).status_code == 404
    response = _live(client, seminar)
    assert response.status_code == 404
    assert_matches_openapi(client, "GET", f"/api/v1/seminars/{seminar.slug}/live", response)


def test_without_javascript_the_page_says_to_reload(client, session, login):
    seminar = factories.make_seminar(session)
    login("organizer", seminars=[seminar])
    page = _page(client, seminar).get_data(as_text=True)
    assert "reload it to see new arrivals" in page
    assert "Nobody has arrived yet." in page and "No VIP has arrived yet." in page
    assert '<svg class="chart"' in page and 'src="/static/js/live.js' in page


def test_the_live_view_is_linked_from_the_seminar_and_the_door(client, session, login):
    seminar = factories.make_seminar(session, starts_at=utcnow() + timedelta(minutes=30))
    login("organizer", seminars=[seminar])
    link = f'href="/organizer/s/{seminar.slug}/live"'
    assert link in client.get(f"/organizer/s/{seminar.slug}/").get_data(as_text=True)
    assert link in client.get("/checkin/").get_data(as_text=True)


def test_organizers_mark_vips_on_a_category_and_on_a_registration(client, session, login):
    seminar = factories.make_seminar(session)
    person = factories.make_registration(session, seminar, full_name="Dana Guest")
    login("organizer", seminars=[seminar])
    base = f"/organizer/s/{seminar.slug}"

    assert client.post(f"{base}/categories/new", data={"label": "Speakers", "is_vip": "y"}).status_code == 302
    speakers = next(c for c in seminar.categories if c.label == "Speakers")
    assert speakers.is_vip
    assert 'badge badge-vip' in client.get(f"{base}/").get_data(as_text=True)
    assert client.post(f"{base}/categories/{speakers.id}/edit", data={"label": "Speakers"}).status_code == 302
    session.refresh(speakers)
    assert not speakers.is_vip

    data = {"full_name": "Dana Guest", "email": person.email, "category_id": str(person.category_id),
            "language": "en", "is_vip": "y"}
    assert client.post(f"{base}/registrations/{person.id}/edit", data=data).status_code == 302
    session.refresh(person)
    assert person.is_vip
    assert 'checked id="is_vip"' in client.get(f"{base}/registrations/{person.id}/edit").get_data(as_text=True)


def test_only_an_organizer_makes_a_vip(session):
    seminar = factories.make_seminar(session)
    data = {"full_name": "Self Declared", "email": "self@example.kz", "consent_data": True, "is_vip": True,
            "category_id": factories.category(seminar, "general").id}
    for source in ("online", "import", "api"):
        registration = registration_services.register(session, seminar, {**data, "email": f"{source}@example.kz"},
                                                      source=source, ignore_window=True)
        assert registration.is_vip is False
    chosen = registration_services.register(session, seminar, {**data, "email": "chosen@example.kz"},
                                            source="organizer", ignore_window=True)
    assert session.get(Registration, chosen.id).is_vip is True
