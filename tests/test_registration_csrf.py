"""With CSRF on, as in production: a forged or missing token is refused and nothing is written."""

import re

import pytest
from sqlalchemy import func, select

from eventreg.models import Registration
from tests.factories import category, make_registration, make_seminar


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
