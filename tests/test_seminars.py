"""Seminar rules (services) and the seminar API: validation, slugs, life cycle, duplicate, programme order,
the calendar file, and what anonymous callers and organizers may see."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventreg.models import AgendaItem, AuditEntry, OutboxMessage, Seminar, Speaker, utcnow
from eventreg.registration.calendar import seminar_calendar
from eventreg.seminars import queries, services
from eventreg.seminars.services import SeminarRefused
from tests.factories import aware, category, make_registration, make_seminar, make_user
from tests.openapi_check import assert_matches_openapi

VALID = {
    "title": "Digital Silk Road",
    "starts_at": "2031-03-14T10:00",
    "ends_at": "2031-03-14T13:00",
}


def refusal(call, *args, **kwargs):
    with pytest.raises(SeminarRefused) as caught:
        call(*args, **kwargs)
    return caught.value


# --- slugs -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "slug"), [
    ("Belt and Road: The Second «Golden» Decade", "belt-and-road-the-second-golden-decade"),
    ("Цифровой Шёлковый путь", "tsifrovoi-shelkovyi-put"),
    ("Қазақстан мен Қытай: әріптестік", "qazaqstan-men-qytai-ariptestik"),
    ("Café  Ünïcode -- 2031!", "cafe-unicode-2031"),
])
def test_slug_is_made_from_the_title_in_latin_letters(title, slug):
    assert services.slugify(title) == slug


def test_a_generated_slug_never_collides(session):
    make_seminar(session, slug="digital-silk-road")
    seminar = services.create_seminar(session, dict(VALID))
    assert seminar.slug == "digital-silk-road-2"


def test_new_seminar_is_a_draft_with_the_default_categories_and_times_in_utc(session):
    seminar = services.create_seminar(session, {**VALID, "timezone": "Asia/Almaty"})
    assert seminar.status == "draft"
    assert [c.key for c in seminar.categories] == [
        "expert", "government", "business", "academic", "student", "media", "general"]
    assert category(seminar, "student").is_student
    assert seminar.starts_at == aware(2031, 3, 14, 5)  # 10:00 in Almaty is 05:00 UTC
    assert seminar.timezone == "Asia/Almaty"


def test_timezone_defaults_to_almaty_and_another_zone_is_honoured(session):
    almaty = services.create_seminar(session, dict(VALID))
    berlin = services.create_seminar(session, {**VALID, "timezone": "Europe/Berlin"})
    assert almaty.timezone == "Asia/Almaty"
    assert berlin.starts_at == aware(2031, 3, 14, 9)


# --- each validation rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"title": "  "}, "title"),
    ({"starts_at": None}, "starts_at"),
    ({"ends_at": "not a date"}, "ends_at"),
    ({"ends_at": "2031-03-14T10:00"}, "ends_at"),  # end equal to start
    ({"ends_at": "2031-03-14T09:00"}, "ends_at"),  # end before start
    ({"registration_closes_at": "2031-03-14T13:30"}, "registration_closes_at"),
    ({"registration_opens_at": "2031-03-10T09:00", "registration_closes_at": "2031-03-09T09:00"},
     "registration_closes_at"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"slug": "Not A Slug"}, "slug"),
    ({"contact_email": "nobody"}, "contact_email"),
    ({"requires_approval": "yes"}, "requires_approval"),
    ({"colour": "red"}, "colour"),
])
def test_each_invalid_field_is_refused_with_a_message_for_that_field(session, change, field):
    error = refusal(services.create_seminar, session, {**VALID, **change})
    assert error.code == "invalid"
    assert list(error.fields) == [field]
    assert error.fields[field]


def test_registration_may_close_exactly_when_the_seminar_ends(session):
    seminar = services.create_seminar(session, {**VALID, "registration_closes_at": "2031-03-14T13:00"})
    assert seminar.registration_closes_at == seminar.ends_at


def test_capacity_cannot_go_below_the_people_already_confirmed(session):
    seminar = make_seminar(session, capacity=10)
    for _ in range(3):
        make_registration(session, seminar)
    error = refusal(services.update_seminar, session, seminar, {"capacity": 2})
    assert error.code == "invalid" and list(error.fields) == ["capacity"]
    services.update_seminar(session, seminar, {"capacity": 3})
    assert seminar.capacity == 3


def test_raising_the_capacity_gives_the_seats_to_the_waiting_list(session):
    seminar = make_seminar(session, capacity=1)
    make_registration(session, seminar)
    first, second = (make_registration(session, seminar, status="waitlisted") for _ in range(2))
    session.commit()
    services.update_seminar(session, seminar, {"capacity": 2}, now=utcnow())
    session.commit()
    assert (first.status, second.status, seminar.seats_taken) == ("confirmed", "waitlisted", 2)


def test_raising_a_category_quota_gives_its_seats_to_the_waiting_list(session):
    seminar = make_seminar(session, capacity=None)
    media = category(seminar, "media")
    media.quota = 1
    make_registration(session, seminar, category_key="media")
    waiting = make_registration(session, seminar, category_key="media", status="waitlisted")
    session.commit()
    services.save_category(session, seminar, {"label": "Media", "quota": 2}, category=media, now=utcnow())
    session.commit()
    assert waiting.status == "confirmed"


def test_a_slug_in_use_is_refused_as_a_conflict(session):
    make_seminar(session, slug="taken")
    error = refusal(services.create_seminar, session, {**VALID, "slug": "taken"})
    assert error.code == "slug_taken" and list(error.fields) == ["slug"]
    own = make_seminar(session, slug="mine")
    services.update_seminar(session, own, {"slug": "mine", "title": "Renamed"})
    assert own.slug == "mine"


def test_all_problems_are_reported_at_once(session):
    error = refusal(services.create_seminar, session, {"title": "", "starts_at": "x", "capacity": -5})
    assert set(error.fields) == {"title", "starts_at", "ends_at", "capacity"}


def test_a_patch_changes_only_what_it_names_and_the_change_is_audited(session):
    seminar = make_seminar(session, venue="Old hall")
    services.update_seminar(session, seminar, {"venue": "New hall"})
    assert (seminar.venue, seminar.title) == ("New hall", seminar.title)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "seminar_edit")).one()
    assert entry.details == {"fields": ["venue"]}


# --- life cycle ---------------------------------------------------------------------------------------------

def test_publish_close_reopen_and_cancel(session):
    seminar = services.create_seminar(session, dict(VALID))
    assert refusal(services.set_status, session, seminar, "closed").code == "bad_transition"
    services.set_status(session, seminar, "published")
    services.set_status(session, seminar, "closed")
    services.set_status(session, seminar, "published")
    services.set_status(session, seminar, "cancelled")
    assert seminar.status == "cancelled"
    assert refusal(services.set_status, session, seminar, "published").code == "bad_transition"
    assert refusal(services.update_seminar, session, seminar, {"title": "Back again"}).code == "cancelled"


def test_cancelling_queues_an_email_to_every_active_registrant(session):
    seminar = make_seminar(session, capacity=1)
    confirmed = make_registration(session, seminar)
    waiting = make_registration(session, seminar, status="waitlisted")
    make_registration(session, seminar, status="cancelled")
    session.commit()
    services.set_status(session, seminar, "cancelled", now=utcnow())
    session.commit()
    recipients = set(session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {confirmed.email, waiting.email}


# --- duplicate ----------------------------------------------------------------------------------------------

def test_duplicate_copies_everything_but_registrations_and_shifts_the_dates(session):
    seminar = make_seminar(session, starts_at=aware(2031, 3, 14, 5), registration_opens_at=aware(2031, 3, 1, 4),
                           registration_closes_at=aware(2031, 3, 14, 4), capacity=50)
    speaker = services.save_speaker(session, seminar, {"name": "Xin Fangfang", "honorific": "Dr."})
    for hour, title in ((5, "Welcome"), (6, "Trade")):
        services.save_agenda_item(session, seminar, {"title": title, "starts_at": aware(2031, 3, 14, hour),
                                                     "speaker_ids": [speaker.id]})
    services.save_category(session, seminar, {"label": "Embassy", "quota": 5, "is_public": False})
    make_registration(session, seminar)

    copy = services.duplicate_seminar(session, seminar, starts_on=date(2031, 9, 12), title="Silk Road II")

    assert (copy.status, copy.title, copy.seats_taken, copy.capacity) == ("draft", "Silk Road II", 0, 50)
    assert copy.slug != seminar.slug
    assert copy.starts_at == aware(2031, 9, 12, 5) and copy.ends_at == aware(2031, 9, 12, 8)
    assert copy.registration_opens_at == aware(2031, 8, 30, 4)
    assert [(i.title, i.starts_at) for i in copy.agenda_items] == [
        ("Welcome", aware(2031, 9, 12, 5)), ("Trade", aware(2031, 9, 12, 6))]
    copied_speaker = copy.agenda_items[0].speakers[0]
    assert copied_speaker.display_name == "Dr. Xin Fangfang" and copied_speaker.seminar is copy
    assert copy.agenda_items[1].speakers == [copied_speaker]
    embassy = category(copy, "embassy")
    assert (embassy.quota, embassy.is_public, embassy.seats_taken) == (5, False, 0)
    assert all(c.seats_taken == 0 for c in copy.categories)
    assert copy.id != seminar.id and len(seminar.agenda_items) == 2


def test_duplicate_keeps_local_times_across_a_daylight_saving_change(session):
    seminar = make_seminar(session, timezone="Europe/Berlin", starts_at=aware(2031, 3, 14, 9))  # 10:00 CET
    copy = services.duplicate_seminar(session, seminar, starts_on=date(2031, 6, 13))
    assert copy.local(copy.starts_at).hour == 10  # 10:00 CEST is 08:00 UTC
    assert copy.starts_at == aware(2031, 6, 13, 8)


# --- programme, speakers, categories --------------------------------------------------------------------------

def _titles(session, seminar):
    session.expire(seminar, ["agenda_items"])
    return [item.title for item in seminar.agenda_items]


def test_agenda_items_are_added_in_order_and_move_up_and_down(session):
    seminar = make_seminar(session)
    items = [services.save_agenda_item(session, seminar, {"title": t, "starts_at": seminar.starts_at})
             for t in ("A", "B", "C")]
    services.move_agenda_item(session, items[2], "up")
    assert _titles(session, seminar) == ["A", "C", "B"]
    services.move_agenda_item(session, items[0], "down")
    assert _titles(session, seminar) == ["C", "A", "B"]
    services.move_agenda_item(session, items[2], "up")  # already first: nothing moves
    assert _titles(session, seminar) == ["C", "A", "B"]
    services.delete_agenda_item(session, items[0])
    assert _titles(session, seminar) == ["C", "B"]
    assert [i.position for i in seminar.agenda_items] == [0, 1]


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "", "starts_at": "2031-03-14T10:00"}, "title"),
    ({"title": "Talk"}, "starts_at"),
    ({"title": "Talk", "starts_at": "2031-03-14T10:00", "ends_at": "2031-03-14T09:00"}, "ends_at"),
    ({"title": "Talk", "starts_at": "2031-03-14T10:00", "kind": "dance"}, "kind"),
    ({"title": "Talk", "starts_at": "2031-03-14T10:00", "speaker_ids": [999999]}, "speaker_ids"),
])
def test_agenda_item_validation(session, data, field):
    seminar = make_seminar(session)
    error = refusal(services.save_agenda_item, session, seminar, data)
    assert list(error.fields) == [field]


def test_a_speaker_can_appear_in_several_items_and_removing_them_clears_the_items(session):
    seminar = make_seminar(session)
    speaker = services.save_speaker(session, seminar, {"name": "Yerlan Kudys", "honorific": "Prof."})
    assert list(refusal(services.save_speaker, session, seminar, {"name": ""}).fields) == ["name"]
    first, second = (services.save_agenda_item(session, seminar, {"title": t, "starts_at": seminar.starts_at,
                                                                  "speaker_ids": [speaker.id]})
                     for t in ("Panel", "Q&A"))
    assert speaker.agenda_items == [first, second]
    services.delete_speaker(session, speaker)
    session.expire_all()
    assert session.scalars(select(Speaker)).all() == []
    assert [len(i.speakers) for i in session.scalars(select(AgendaItem))] == [0, 0]


def test_speaker_of_another_seminar_cannot_be_attached(session):
    seminar, other = make_seminar(session), make_seminar(session)
    stranger = services.save_speaker(session, other, {"name": "Stranger"})
    error = refusal(services.save_agenda_item, session, seminar,
                    {"title": "Talk", "starts_at": seminar.starts_at, "speaker_ids": [stranger.id]})
    assert list(error.fields) == ["speaker_ids"]


def test_categories_key_quota_and_removal(session):
    seminar = make_seminar(session)
    embassy = services.save_category(session, seminar, {"label": "Посольство", "quota": 10, "is_public": False})
    assert (embassy.key, embassy.is_public, embassy.quota) == ("posolstvo", False, 10)
    assert refusal(services.save_category, session, seminar, {"label": "Media", "key": "media"}).fields.keys() \
        == {"key"}
    assert refusal(services.save_category, session, seminar, {"label": ""}).fields.keys() == {"label"}
    assert refusal(services.save_category, session, seminar, {"label": "X", "quota": -1}).fields.keys() \
        == {"quota"}
    make_registration(session, seminar, category=embassy)
    make_registration(session, seminar, category=embassy)
    assert refusal(services.save_category, session, seminar, {"label": "Embassy", "quota": 1},
                   category=embassy).fields.keys() == {"quota"}
    assert refusal(services.delete_category, session, embassy).code == "in_use"
    media = category(seminar, "media")
    services.delete_category(session, media)
    assert "media" not in [c.key for c in seminar.categories]


# --- what people see ----------------------------------------------------------------------------------------

def test_calendar_file_is_valid_icalendar_in_utc(session):
    seminar = make_seminar(session, title="Digital Silk Road", starts_at=aware(2031, 3, 14, 5),
                           venue="Beijing Palace", address="Sauran 10, Astana")
    seminar.starts_at = aware(2031, 3, 14, 5)
    body = seminar_calendar(seminar, url="http://localhost/s/x/", now=utcnow())
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == aware(2031, 3, 14, 5) and start.utcoffset() == timedelta(0)
    assert seminar.local(start).hour == 10  # 10:00 in Astana
    assert event.decoded("dtend") == aware(2031, 3, 14, 8)
    assert str(event["summary"]) == "Digital Silk Road"
    assert str(event["location"]) == "Beijing Palace, Sauran 10, Astana"
    assert str(event["status"]) == "CONFIRMED"


def test_dashboard_lists_drafts_then_upcoming_then_past_with_live_counts(session):
    now = utcnow()
    past = make_seminar(session, title="Past", starts_at=now - timedelta(days=30), status="closed")
    later = make_seminar(session, title="Later", starts_at=now + timedelta(days=60))
    sooner = make_seminar(session, title="Sooner", starts_at=now + timedelta(days=3))
    draft = make_seminar(session, title="Draft", starts_at=now + timedelta(days=90), status="draft")
    make_registration(session, sooner)
    make_registration(session, sooner, status="waitlisted")
    make_registration(session, sooner, status="pending")
    make_registration(session, sooner, checked_in_at=now)
    rows = queries.dashboard_rows(session, now, make_user(session, role="admin"))
    assert [row[0] for row in rows] == [draft, sooner, later, past]
    assert tuple(rows[1][1:5]) == (2, 1, 1, 1)


# --- the API ------------------------------------------------------------------------------------------------

def test_api_lists_what_the_public_sees_and_organizers_also_drafts(client, session, api_token):
    make_seminar(session, slug="public-one")
    make_seminar(session, slug="secret-draft", status="draft")
    session.commit()
    response = client.get("/api/v1/seminars")
    assert response.status_code == 200
    assert [s["slug"] for s in response.get_json()["seminars"]] == ["public-one"]
    assert_matches_openapi(client, "GET", "/api/v1/seminars", response)
    organizer = client.get("/api/v1/seminars", headers={"Authorization": f"Bearer {api_token('organizer')}"})
    assert [s["slug"] for s in organizer.get_json()["seminars"]] == ["public-one", "secret-draft"]


def test_api_seminar_detail_has_agenda_categories_and_seats_left(client, session):
    seminar = make_seminar(session, slug="detail", capacity=10, starts_at=aware(2031, 3, 14, 5))
    speaker = services.save_speaker(session, seminar, {"name": "Xu Hai", "affiliation": "Huawei"})
    services.save_agenda_item(session, seminar, {"title": "AI and 5G", "starts_at": aware(2031, 3, 14, 6),
                                                 "speaker_ids": [speaker.id]})
    services.save_category(session, seminar, {"label": "Embassy", "is_public": False})
    make_registration(session, seminar)
    session.commit()
    response = client.get("/api/v1/seminars/detail")
    body = response.get_json()
    assert body["seats_left"] == 9
    assert body["starts_at"] == "2031-03-14T05:00:00Z"
    assert body["starts_at_local"] == "2031-03-14T10:00:00+05:00"
    assert body["agenda"][0]["speakers"][0]["name"] == "Xu Hai"
    assert "embassy" not in [c["key"] for c in body["categories"]]
    assert_matches_openapi(client, "GET", "/api/v1/seminars/detail", response)


@pytest.mark.parametrize("status", ["draft", "published", "closed", "cancelled"])
def test_api_visibility_anonymous_and_organizer(client, session, api_token, status):
    make_seminar(session, slug="s", status=status)
    session.commit()
    token = api_token("organizer")
    anonymous = client.get("/api/v1/seminars/s")
    organizer = client.get("/api/v1/seminars/s", headers={"Authorization": f"Bearer {token}"})
    assert anonymous.status_code == (404 if status == "draft" else 200)
    assert organizer.status_code == 200
    assert_matches_openapi(client, "GET", "/api/v1/seminars/s", anonymous)


def test_api_create_and_patch_with_an_organizer_token(client, session, api_token):
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    created = client.post("/api/v1/seminars", json={**VALID, "capacity": 200}, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert_matches_openapi(client, "POST", "/api/v1/seminars", created)
    body = created.get_json()
    assert (body["slug"], body["status"], body["starts_at"]) == ("digital-silk-road", "draft",
                                                                  "2031-03-14T05:00:00Z")
    assert len(body["categories"]) == 7

    patched = client.patch("/api/v1/seminars/digital-silk-road", json={"venue": "Hall B", "status": "published"},
                           headers=headers)
    assert patched.status_code == 200
    assert_matches_openapi(client, "PATCH", "/api/v1/seminars/digital-silk-road", patched)
    seminar = session.scalar(select(Seminar).where(Seminar.slug == "digital-silk-road"))
    session.refresh(seminar)
    assert (seminar.venue, seminar.status, seminar.capacity) == ("Hall B", "published", 200)
    assert client.get("/api/v1/seminars/digital-silk-road").status_code == 200


def test_api_errors_carry_the_field_messages(client, session, api_token):
    make_seminar(session, slug="taken")
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    invalid = client.post("/api/v1/seminars", json={**VALID, "ends_at": "2031-03-14T09:00"}, headers=headers)
    assert invalid.status_code == 400
    assert invalid.get_json()["error"] == "invalid" and list(invalid.get_json()["fields"]) == ["ends_at"]
    assert_matches_openapi(client, "POST", "/api/v1/seminars", invalid)
    conflict = client.post("/api/v1/seminars", json={**VALID, "slug": "taken"}, headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["error"] == "slug_taken"
    assert_matches_openapi(client, "POST", "/api/v1/seminars", conflict)
    not_json = client.patch("/api/v1/seminars/taken", data="x", headers=headers)
    assert not_json.status_code == 400
    missing = client.patch("/api/v1/seminars/nope", json={}, headers=headers)
    assert missing.status_code == 404
    assert_matches_openapi(client, "PATCH", "/api/v1/seminars/nope", missing)


def test_api_writes_need_an_organizer(client, session, api_token):
    staff = {"Authorization": f"Bearer {api_token('staff')}"}
    assert client.post("/api/v1/seminars", json=VALID).status_code == 401
    forbidden = client.post("/api/v1/seminars", json=VALID, headers=staff)
    assert forbidden.status_code == 403
    assert_matches_openapi(client, "POST", "/api/v1/seminars", forbidden)


def test_api_status_changes_follow_the_same_life_cycle(client, session, api_token):
    seminar = make_seminar(session, slug="s", status="draft")
    registration = make_registration(session, seminar)
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    refused = client.patch("/api/v1/seminars/s", json={"status": "closed"}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"] == "bad_transition"
    assert_matches_openapi(client, "PATCH", "/api/v1/seminars/s", refused)
    cancelled = client.patch("/api/v1/seminars/s", json={"status": "cancelled"}, headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["registration_state"] == "cancelled"
    assert session.scalars(select(OutboxMessage.recipient)).all() == [registration.email]
    frozen = client.patch("/api/v1/seminars/s", json={"title": "Again"}, headers=headers)
    assert frozen.status_code == 409 and frozen.get_json()["error"] == "cancelled"
