"""The seminar pages as people use them: the public home and seminar page, the organizer's forms."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventreg.models import Seminar, utcnow
from eventreg.seminars import services
from eventreg.seminars.views import paragraphs
from tests.factories import aware, category, make_registration, make_seminar

FORM = {
    "title": "Digital Silk Road",
    "slug": "",
    "description": "",
    "organizer_name": "China Studies Centre",
    "venue": "Beijing Palace",
    "address": "Sauran 10, Astana",
    "timezone": "Asia/Almaty",
    "starts_at": "2031-03-14T10:00",
    "ends_at": "2031-03-14T13:00",
    "capacity": "120",
    "waitlist_enabled": "y",
    "registration_opens_at": "",
    "registration_closes_at": "",
    "contact_email": "",
}


def page(response):
    return response.get_data(as_text=True)


def by_slug(session, slug):
    session.expire_all()
    return session.scalar(select(Seminar).where(Seminar.slug == slug))


# --- visibility: draft/published/closed/cancelled x anonymous/organizer -----------------------------------------

@pytest.mark.parametrize(("status", "anonymous_sees"), [
    ("draft", False), ("published", True), ("closed", True), ("cancelled", True)])
def test_who_sees_a_seminar_page(app, session, client, login, status, anonymous_sees):
    make_seminar(session, slug="s", status=status, title="Silk Road")
    session.commit()
    for url in ("/s/s/", "/s/s/calendar.ics"):
        assert client.get(url).status_code == (200 if anonymous_sees else 404)
    assert ("Silk Road" in page(client.get("/"))) == anonymous_sees
    organizer = app.test_client()
    login("organizer", test_client=organizer)
    assert organizer.get("/s/s/").status_code == 200
    assert organizer.get("/s/s/calendar.ics").status_code == 200


def test_unknown_slug_is_404(client):
    assert client.get("/s/no-such-seminar/").status_code == 404
    assert client.get("/s/no-such-seminar/calendar.ics").status_code == 404


def test_cancelled_seminar_shows_a_notice_and_no_button(client, session):
    make_seminar(session, slug="gone", status="cancelled")
    session.commit()
    html = page(client.get("/s/gone/"))
    assert "This seminar is cancelled." in html
    assert "/s/gone/register" not in html
    assert ">Register</a>" not in html and "Join the waiting list" not in html


@pytest.mark.parametrize(("setup", "says", "button"), [
    ({}, "100 seats left", "Register"),
    ({"capacity": 1, "seats_taken": 1}, "you get a seat automatically", "Join the waiting list"),
    ({"capacity": 1, "seats_taken": 1, "waitlist_enabled": False}, "Full: all seats are taken.", None),
    ({"registration_opens_at": aware(2099, 1, 1, 4)}, "Registration opens on 1 January 2099, 09:00", None),
    ({"status": "closed"}, "Registration closed", None),
])
def test_registration_button_follows_the_state(client, session, setup, says, button):
    make_seminar(session, slug="s", categories=False, **setup)
    session.commit()
    html = page(client.get("/s/s/"))
    assert says in html
    link = 'href="/s/s/register">'
    assert (link in html) == (button is not None)
    if button:
        assert html.split(link, 1)[1].startswith(button + "</a>")


def test_times_are_shown_in_the_seminars_zone_with_the_zone(client, session):
    seminar = make_seminar(session, slug="s", starts_at=aware(2031, 3, 14, 5))
    services.save_agenda_item(session, seminar, {"title": "Welcome", "starts_at": aware(2031, 3, 14, 5, 10)})
    berlin = make_seminar(session, slug="b", timezone="Europe/Berlin", starts_at=aware(2031, 3, 14, 5))
    session.commit()
    html = page(client.get("/s/s/"))
    assert "Friday, 14 March 2031, 10:00" in html and "13:00" in html
    assert "Asia/Almaty (UTC+05:00)" in html
    assert "10:10" in html
    assert berlin.timezone in page(client.get("/s/b/")) and "06:00" in page(client.get("/s/b/"))


def test_home_lists_upcoming_with_seats_and_an_archive(client, session):
    now = utcnow()
    make_seminar(session, title="Coming soon", capacity=50, seats_taken=8)
    make_seminar(session, title="Long ago", starts_at=now - timedelta(days=100), status="closed")
    session.commit()
    html = page(client.get("/"))
    upcoming, archive = html.split("Past seminars")
    assert "Coming soon" in upcoming and "42 seats left" in upcoming
    assert "Long ago" in archive


def test_calendar_download(client, session):
    make_seminar(session, slug="s", title="Digital Silk Road", starts_at=aware(2031, 3, 14, 5))
    session.commit()
    response = client.get("/s/s/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == aware(2031, 3, 14, 5)  # 10:00 in Astana
    assert str(event["url"]) == "http://localhost/s/s/"


def test_description_is_escaped_with_paragraphs_and_links(app):
    with app.test_request_context():
        html = str(paragraphs("Hello <b>world</b> & co.\n\nSee https://example.org/a?b=1&c=2.\nBye"))
    assert html == ('<p>Hello &lt;b&gt;world&lt;/b&gt; &amp; co.</p>\n'
                    '<p>See <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">'
                    'https://example.org/a?b=1&amp;c=2</a>.<br>\nBye</p>')
    assert "<script>" not in str(paragraphs("<script>x</script>"))


# --- the organizer --------------------------------------------------------------------------------------------

def test_pages_need_an_organizer(app, client, session, login):
    make_seminar(session, slug="s")
    session.commit()
    assert client.get("/organizer/seminars/new").status_code == 302
    login("staff")
    assert client.get("/organizer/s/s/edit").status_code == 403


def test_organizer_creates_a_seminar_through_the_form(client, session, login):
    login("organizer")
    assert client.get("/organizer/seminars/new").status_code == 200
    response = client.post("/organizer/seminars/new", data=FORM)
    assert response.status_code == 302
    seminar = by_slug(session, "digital-silk-road")
    assert response.location.endswith("/organizer/s/digital-silk-road/")
    assert (seminar.status, seminar.capacity, seminar.starts_at) == ("draft", 120, aware(2031, 3, 14, 5))
    assert seminar.waitlist_enabled and not seminar.requires_approval
    html = page(client.get(response.location))
    assert "Digital Silk Road" in html and "Publish" in html and "Student" in html


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "This field is required."),
    ({"ends_at": "2031-03-14T09:00"}, "The end must be after the start."),
    ({"registration_closes_at": "2031-03-14T14:00"}, "Registration must close no later than the end"),
    ({"slug": "taken"}, "Another seminar already uses this address"),
    ({"slug": "No Spaces!"}, "Use lower-case Latin letters"),
    ({"capacity": "-3"}, "Must be 0 or more."),
])
def test_form_shows_each_problem_next_to_its_field(client, session, login, change, message):
    make_seminar(session, slug="taken")
    session.commit()
    login("organizer")
    response = client.post("/organizer/seminars/new", data={**FORM, **change})
    assert response.status_code == 400
    html = page(response)
    field = next(iter(change))
    error = html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error


def test_edit_form_shows_local_times_and_refuses_capacity_below_confirmed(client, session, login):
    seminar = make_seminar(session, slug="s", capacity=5, starts_at=aware(2031, 3, 14, 5))
    make_registration(session, seminar)
    make_registration(session, seminar)
    session.commit()
    login("organizer")
    html = page(client.get("/organizer/s/s/edit"))
    assert 'value="2031-03-14T10:00"' in html
    response = client.post("/organizer/s/s/edit", data={**FORM, "slug": "s", "capacity": "1"})
    assert response.status_code == 400
    assert "2 people are already confirmed" in page(response)
    assert client.post("/organizer/s/s/edit", data={**FORM, "slug": "s", "capacity": "2"}).status_code == 302
    assert by_slug(session, "s").capacity == 2


def test_publish_close_and_cancel_from_the_manage_page(client, session, login):
    seminar = make_seminar(session, slug="s", status="draft")
    registration = make_registration(session, seminar)
    session.commit()
    login("organizer")
    client.post("/organizer/s/s/publish")
    assert by_slug(session, "s").status == "published"
    client.post("/organizer/s/s/close")
    assert by_slug(session, "s").status == "closed"
    confirm = page(client.get("/organizer/s/s/cancel"))
    assert "data-confirm" in confirm and "Yes, cancel the seminar" in confirm
    assert by_slug(session, "s").status == "closed"  # asking is not cancelling
    response = client.post("/organizer/s/s/cancel", follow_redirects=True)
    assert "every registrant will get an e-mail" in page(response)
    assert by_slug(session, "s").status == "cancelled"
    from eventreg.models import OutboxMessage
    assert session.scalars(select(OutboxMessage.recipient)).all() == [registration.email]


def test_duplicate_through_the_page(client, session, login):
    make_seminar(session, slug="s", title="Silk Road", starts_at=aware(2031, 3, 14, 5))
    session.commit()
    login("organizer")
    assert "Silk Road" in page(client.get("/organizer/s/s/duplicate"))
    response = client.post("/organizer/s/s/duplicate", data={"title": "Silk Road II", "starts_on": "2031-09-12"})
    assert response.status_code == 302
    copy = by_slug(session, "silk-road-ii-2031-09-12")
    assert (copy.status, copy.starts_at) == ("draft", aware(2031, 9, 12, 5))


def test_programme_speakers_and_reorder_without_javascript(client, session, login):
    seminar = make_seminar(session, slug="s", starts_at=aware(2031, 3, 14, 5))
    session.commit()
    login("organizer")
    client.post("/organizer/s/s/speakers/new", data={"honorific": "Prof.", "name": "Yerlan Kudys",
                                                     "position": "Professor", "affiliation": "ENU"})
    speaker = by_slug(session, "s").speakers[0]
    form = page(client.get("/organizer/s/s/agenda/new"))
    assert 'value="2031-03-14"' in form and 'value="10:00"' in form and "Prof. Yerlan Kudys" in form
    for title, start in (("Welcome", "10:00"), ("Trade figures", "10:20")):
        response = client.post("/organizer/s/s/agenda/new", data={
            "title": title, "kind": "talk", "day": "2031-03-14", "starts_at": start, "ends_at": "",
            "speaker_ids": [str(speaker.id)], "description": ""})
        assert response.status_code == 302
    bad = client.post("/organizer/s/s/agenda/new", data={"title": "Late", "kind": "talk", "day": "2031-03-14",
                                                         "starts_at": "11:00", "ends_at": "10:00"})
    assert bad.status_code == 400 and "The end must not be before the start." in page(bad)
    seminar = by_slug(session, "s")
    second = seminar.agenda_items[1]
    assert second.starts_at == aware(2031, 3, 14, 5, 20) and second.speakers[0].name == "Yerlan Kudys"
    client.post(f"/organizer/s/s/agenda/{second.id}/move", data={"direction": "up"})
    assert [i.title for i in by_slug(session, "s").agenda_items] == ["Trade figures", "Welcome"]
    public = page(client.get("/s/s/"))
    assert public.index("Trade figures") < public.index("Welcome") and "Prof. Yerlan Kudys" in public
    client.post(f"/organizer/s/s/agenda/{second.id}/delete")
    assert [i.title for i in by_slug(session, "s").agenda_items] == ["Welcome"]


def test_categories_through_the_pages(client, session, login):
    seminar = make_seminar(session, slug="s")
    make_registration(session, seminar, category_key="media")
    session.commit()
    login("organizer")
    client.post("/organizer/s/s/categories/new", data={"label": "Embassy", "key": "", "quota": "5"})
    embassy = category(by_slug(session, "s"), "embassy")
    assert (embassy.quota, embassy.is_public) == (5, False)  # an unticked box is "no"
    media = category(by_slug(session, "s"), "media")
    response = client.post(f"/organizer/s/s/categories/{media.id}/delete", follow_redirects=True)
    assert "cannot be removed" in page(response)
    other = make_seminar(session, slug="other")
    session.commit()
    stranger = category(other, "general")
    assert client.post(f"/organizer/s/s/categories/{stranger.id}/delete").status_code == 404


def test_dashboard_shows_every_seminar_with_counts(client, session, login):
    make_seminar(session, title="Draft one", status="draft")
    published = make_seminar(session, title="Published one", capacity=40)
    make_registration(session, published)
    session.commit()
    login("organizer")
    html = page(client.get("/organizer/"))
    assert html.index("Draft one") < html.index("Published one")
    assert "1 / 40" in html and "New seminar" in html
    slug = published.slug
    for link in (f"/organizer/s/{slug}/", f"/organizer/s/{slug}/registrations", f"/checkin/s/{slug}/",
                 f"/reports/s/{slug}/"):
        assert f'href="{link}"' in html
