"""API authorisation: bearer tokens (valid, revoked, wrong role), sessions with CSRF, the OpenAPI document."""

from openapi_spec_validator import validate

from eventreg.auth import services
from eventreg.models import ApiToken, User
from tests import factories
from tests.openapi_check import assert_matches_openapi


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_is_valid(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_valid_token_identifies_its_user(client, api_token):
    token = api_token("organizer")
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 200
    assert response.get_json()["role"] == "organizer"
    assert_matches_openapi(client, "GET", "/api/v1/me", response)


def test_missing_or_wrong_token_is_401_json(client):
    for headers in ({}, _bearer("er_not-a-token"), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"
        assert_matches_openapi(client, "GET", "/api/v1/me", response)


def test_revoked_token_is_refused(client, session):
    user = factories.make_user(session, role="staff")
    token, plain = services.issue_api_token(session, user, "door")
    session.commit()
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 200
    services.revoke_api_token(session, session.get(ApiToken, token.id))
    session.commit()
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 401


def test_token_of_deactivated_user_is_refused(client, session):
    factories.make_user(session, role="admin")
    user = factories.make_user(session, role="staff")
    _, plain = services.issue_api_token(session, user, "door")
    session.commit()
    services.deactivate_user(session, session.get(User, user.id))
    session.commit()
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 401


def test_tokens_are_stored_hashed_and_shown_once(client, session, login):
    login("staff")
    response = client.post("/profile/tokens", data={"token-name": "Door 1 scanner"})
    body = response.get_data(as_text=True)
    token = session.query(ApiToken).one()
    start = body.index('id="new-token">') + len('id="new-token">')
    plain = body[start:body.index("<", start)]
    assert plain.startswith("er_") and len(plain) > 40
    assert plain not in token.token_hash
    assert plain not in client.get("/profile").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 200


def test_user_revokes_own_token_but_not_anothers(client, session, login):
    me = login("staff")
    mine, _ = services.issue_api_token(session, session.get(User, me.id), "mine")
    other = factories.make_user(session, role="staff")
    theirs, _ = services.issue_api_token(session, other, "theirs")
    session.commit()
    assert client.post(f"/profile/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/profile/tokens/{mine.id}/revoke").status_code == 302
    session.expire_all()
    assert session.get(ApiToken, mine.id).is_revoked and not session.get(ApiToken, theirs.id).is_revoked


def test_token_has_no_power_outside_the_api(client, api_token):
    token = api_token("admin")
    response = client.get("/admin/users", headers=_bearer(token))
    assert response.status_code == 302  # to the login page: tokens are for /api/ only


def test_token_carries_its_users_role(client, api_token):
    """A staff token reaches the door's endpoints but not the organizer's: 403 JSON, nothing created."""
    body = {"title": "Made by a door token"}
    response = client.post("/api/v1/seminars", json=body, headers=_bearer(api_token("staff")))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert client.get("/api/v1/seminars").get_json() is not None
    listed = client.get("/api/v1/seminars", headers=_bearer(api_token("organizer"))).get_data(as_text=True)
    assert "Made by a door token" not in listed
