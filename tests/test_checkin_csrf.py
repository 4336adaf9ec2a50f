"""The scanner page talks to the API with its login cookie: such writes need the page's CSRF token."""

import re
from datetime import timedelta

import pytest

from eventreg.models import utcnow
from tests import factories


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_the_scanner_page_token_lets_its_script_check_in_and_nothing_else_does(client, session):
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    registration = factories.make_registration(session, seminar)
    user = factories.make_user(session, role="staff")
    factories.add_member(session, seminar, user, "door")
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = factories.login_id(session, user)
        flask_session["_fresh"] = True
    url = f"/api/v1/seminars/{seminar.slug}/checkins"

    forged = client.post(url, json={"code": registration.token})
    assert forged.status_code == 400

    page = client.get(f"/checkin/s/{seminar.slug}/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post(url, json={"code": registration.token}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "checked_in"
    undo = client.delete(f"{url}/{registration.id}", headers={"X-CSRFToken": token})
    assert undo.get_json()["status"] == "undone"
