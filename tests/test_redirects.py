"""Open redirects: every `next` a page follows (login, the language switch, the organizer's actions) stays on
this site, however it is disguised."""

import pytest

from eventreg.redirects import safe_next
from tests import factories
from tests.conftest import PASSWORD

OFF_SITE = [
    "https://evil.example/",
    "//evil.example",
    "/\t/evil.example",  # a browser drops the tab: //evil.example
    "/%09/evil.example",
    "/%2509/evil.example",  # encoded twice
    "/\\evil.example",  # a browser reads the backslash as a slash
    "/%5Cevil.example",
    " //evil.example",
    "/\r\nLocation: https://evil.example/",
    "/%0d%0aSet-Cookie:%20x=1",
    "javascript:alert(1)",
    "/\u2028/evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_disguised_off_site_next_falls_back_to_the_site(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/organizer/", "/s/astana-2026/?tab=agenda", "/checkin/s/x/#scan"])
def test_a_path_on_this_site_is_followed(target):
    assert safe_next(target, "/home") == target


def _log_in_with_next(client, session, next_value):
    user = factories.make_user(session, role="organizer", password=PASSWORD)
    session.commit()
    return client.post("/login", query_string={"next": next_value},
                       data={"email": user.email, "password": PASSWORD})


def test_login_next_with_tab_does_not_redirect_off_site(client, session):
    response = client.post("/login?next=/%09/evil.example", data={})  # the form shown again: no redirect yet
    assert response.status_code in (200, 400)
    user = factories.make_user(session, role="organizer", password=PASSWORD)
    session.commit()
    response = client.post("/login?next=/%09/evil.example", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_login_next_with_carriage_return_is_refused_without_an_error(client, session):
    assert client.get("/login?next=/%0d%0aSet-Cookie:%20x=1").status_code == 200
    response = _log_in_with_next(client, session, "/\r\nSet-Cookie: x=1")
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers["Location"] and "x=1" not in response.headers.get("Set-Cookie", "")


def test_language_switch_next_with_tab_does_not_redirect_off_site(client):
    for target in ("/\t/evil.example", "/\\evil.example", "//evil.example", "/\r/evil.example"):
        response = client.post("/language", data={"language": "en", "next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/", target


def test_an_organizer_action_next_off_site_goes_back_to_the_registrations(client, session, login):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar, status="pending")
    session.commit()
    login("organizer")
    response = client.post(f"/organizer/s/{seminar.slug}/registrations/{registration.id}/approve",
                           data={"next": "/\t/evil.example"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organizer/s/{seminar.slug}/registrations")
