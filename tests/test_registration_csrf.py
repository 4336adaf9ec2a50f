"""With CSRF on, as in production: a forged or missing token is refused and nothing is written."""

import re

import pytest
from sqlalchemy import func, select

from eventreg.models import Registration
from tests.factories import add_member, category, login_id, make_registration, make_seminar, make_user


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Registration))


def test_a_forged_csrf_token_is_refused_and_nothing_is_written(session, client):
    seminar = make_seminar(session)
    session.commit()
    data = {"full_name": "Ерлан Қасымов", "email": "erlan@example.kz", "language": "en", "consent_data": "y",
            "category_id": str(category(seminar, "general").id)}
    for token in ("forged-token", ""):
        response = client.post(f"/s/{seminar.slug}/register", data={**data, "csrf_token": token})
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    assert _count(session) == 0
    # With the real token from the form, it works.
    page = client.get(f"/s/{seminar.slug}/register").get_data(as_text=True)
    real = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/s/{seminar.slug}/register", data={**data, "csrf_token": real}).status_code == 302
    assert _count(session) == 1


def test_cancelling_a_ticket_needs_the_form_token(session, client):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar)
    session.commit()
    assert client.post(f"/t/{registration.token}/cancel", data={"csrf_token": "forged"}).status_code == 400
    session.expire_all()
    assert registration.status == "confirmed"


def test_a_ticket_cancelled_over_https_is_cancelled(session, app):
    """Over HTTPS, Flask-WTF also wants a same-site Referer. The ticket pages' policy must let the browser send
    one back to us (and to nobody else), or every cancellation and reset in production fails with a 400."""
    seminar = make_seminar(session)
    registration = make_registration(session, seminar)
    session.commit()
    browser = app.test_client()
    url = f"https://eventreg.example/t/{registration.token}/cancel"
    page = browser.get(url)
    assert page.headers["Referrer-Policy"] == "same-origin"  # sent back to this site, never to another
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = browser.post(url, data={"csrf_token": token}, headers={"Referer": url})
    assert response.status_code == 302
    session.expire_all()
    assert registration.status == "cancelled"


def test_a_bulk_action_needs_the_lists_token_and_its_confirmation_carries_it(session, client):
    seminar = make_seminar(session)
    people = [make_registration(session, seminar) for _ in range(2)]
    organizer = make_user(session, role="organizer")
    add_member(session, seminar, organizer, "organizer")
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = login_id(session, organizer)
        flask_session["_fresh"] = True
    url = f"/organizer/s/{seminar.slug}/registrations/bulk"
    for token in ("forged-token", ""):
        forged = client.post(url, data={"action": "cancel", "scope": "selected", "ids": [str(r.id) for r in people],
                                        "csrf_token": token}, follow_redirects=True)
        assert "CSRF" in forged.get_data(as_text=True)
    data = {"action": "cancel", "scope": "filter", "status": "confirmed"}
    page = client.get(f"/organizer/s/{seminar.slug}/registrations").get_data(as_text=True)
    token = re.search(r'id="bulk-form".*?name="csrf_token" type="hidden" value="([^"]+)"', page, re.S).group(1)
    confirm = client.post(url, data={**data, "csrf_token": token}).get_data(as_text=True)
    assert "2 registrations" in confirm
    session.expire_all()
    assert [r.status for r in people] == ["confirmed", "confirmed"]  # neither the forged posts nor the count
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm))
    ids = re.findall(r'name="ids" value="(\d+)"', confirm)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm).group(1)
    client.post(url, data={**form, "ids": ids, "csrf_token": token})
    session.expire_all()
    assert [r.status for r in people] == ["cancelled", "cancelled"]
