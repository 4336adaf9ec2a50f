"""API tokens with a scope: one seminar or all of the account's, a role that caps the account's, an expiry.

A door device's token scans at its seminar and nowhere else; a token never does more than its account may on
that seminar; a revoked or expired token, or one whose account left the team, is refused at its next request.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventreg.auth import services
from eventreg.models import ApiToken, AuditEntry, CheckInEvent, SeminarMember, utcnow
from tests import factories


@pytest.fixture
def two(session):
    """Two seminars open at the door now; an owner of the first who is also a door member of the second."""
    starts = utcnow() + timedelta(minutes=30)
    first = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    second = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    owner = factories.make_user(session, role="organizer", email="owner@example.kz")
    factories.add_member(session, first, owner, "owner")
    factories.add_member(session, second, owner, "door")
    session.commit()
    return first, second, owner


def _bearer(plain):
    return {"Authorization": f"Bearer {plain}"}


def _scans(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(CheckInEvent))


def test_a_door_token_scans_at_its_seminar_and_nowhere_else(client, session, two):
    first, second, owner = two
    at_first = factories.make_registration(session, first)
    at_second = factories.make_registration(session, second)
    _, plain = services.issue_api_token(session, owner, "Door 1 phone", seminar=first, role="door",
                                        expires_at=first.ends_at)
    session.commit()
    scan = client.post(f"/api/v1/seminars/{first.slug}/checkins", json={"code": at_first.token},
                       headers=_bearer(plain))
    assert scan.status_code == 200 and scan.get_json()["status"] == "checked_in"
    assert client.get(f"/api/v1/seminars/{first.slug}/stats", headers=_bearer(plain)).status_code == 200
    before = _scans(session)
    # The account is on the second seminar's door team too, but this token is not for it.
    elsewhere = client.post(f"/api/v1/seminars/{second.slug}/checkins", json={"code": at_second.token},
                            headers=_bearer(plain))
    assert elsewhere.status_code == 404 and elsewhere.get_json()["error"] == "not_found"
    assert _scans(session) == before
    # Door: never the people in bulk, never the seminar's content, never new seminars.
    for method, url in (("GET", f"/api/v1/seminars/{first.slug}/registrations"),
                        ("GET", f"/api/v1/seminars/{first.slug}/exports/attendance.csv"),
                        ("PATCH", f"/api/v1/seminars/{first.slug}"),
                        ("POST", "/api/v1/seminars")):
        response = client.open(url, method=method, json={"title": "Changed"}, headers=_bearer(plain))
        assert response.status_code == 403, (method, url, response.status_code)


def test_a_token_for_all_seminars_with_a_role_is_capped_by_it_on_each(client, session, two):
    first, second, owner = two
    _, plain = services.issue_api_token(session, owner, "figures", role="viewer")
    session.commit()
    assert client.get(f"/api/v1/seminars/{first.slug}/stats", headers=_bearer(plain)).status_code == 200
    assert client.get(f"/api/v1/seminars/{first.slug}/registrations", headers=_bearer(plain)).status_code == 403
    # On the second seminar the account is door, the token viewer: only what both allow (the counts).
    assert client.get(f"/api/v1/seminars/{second.slug}/stats", headers=_bearer(plain)).status_code == 200
    assert client.post(f"/api/v1/seminars/{second.slug}/checkins", json={"code": "x"},
                       headers=_bearer(plain)).status_code == 403


@pytest.mark.parametrize("seminar_role, token_role", [("door", "organizer"), ("door", "owner"),
                                                      ("viewer", "door"), ("organizer", "owner")])
def test_a_token_never_allows_more_than_its_account_on_the_seminar(session, two, seminar_role, token_role):
    first, _, _ = two
    member = factories.make_user(session)
    factories.add_member(session, first, member, seminar_role)
    session.commit()
    with pytest.raises(services.AccountRefused) as refused:
        services.issue_api_token(session, member, "too much", seminar=first, role=token_role)
    assert refused.value.code == "role_too_high"


def test_the_profile_refuses_a_token_beyond_the_account_and_writes_nothing(client, session, two, login):
    first, _, _ = two
    user = login("staff", seminars=[first], seminar_role="door")
    response = client.post("/profile/tokens", data={"token-name": "Too much", "token-seminar": str(first.id),
                                                    "token-role": "organizer"})
    assert response.status_code == 400
    assert "This role allows more than you may do on this seminar." in response.get_data(as_text=True)
    past = client.post("/profile/tokens", data={"token-name": "Late", "token-seminar": str(first.id),
                                                "token-role": "door", "token-expires_on": "2020-01-01"})
    assert past.status_code == 400 and "This day has passed already." in past.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)) == 0


def test_the_profile_lists_tokens_with_scope_expiry_and_last_use(app, client, session, two, login):
    first, _, _ = two
    login("staff", seminars=[first], seminar_role="door")
    made = client.post("/profile/tokens", data={"token-name": "Door 1 phone", "token-seminar": str(first.id),
                                                "token-role": "door", "token-expires_on": "2099-12-31"})
    body = made.get_data(as_text=True)
    plain = body.split('id="new-token">')[1].split("<")[0]
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Door 1 phone"))
    assert (token.seminar_id, token.role) == (first.id, "door")
    assert token.expires_at == datetime(2099, 12, 31, 19, 0, tzinfo=UTC)  # midnight in Astana (UTC+5)
    profile = client.get("/profile").get_data(as_text=True)
    assert first.title in profile and "never" in profile
    device = app.test_client()  # the door's phone: the token, no session
    assert device.get(f"/api/v1/seminars/{first.slug}/stats", headers=_bearer(plain)).status_code == 200
    session.expire_all()
    assert token.last_used_at is not None
    assert "never" not in client.get("/profile").get_data(as_text=True)
    created = session.scalar(select(AuditEntry).where(AuditEntry.action == "token_created"))
    assert created.seminar_id == first.id and created.details["role"] == "door"


def test_an_expired_token_is_refused_at_its_next_request(client, session, two):
    first, _, owner = two
    registration = factories.make_registration(session, first)
    token, plain = services.issue_api_token(session, owner, "short", seminar=first, role="door",
                                            expires_at=utcnow() + timedelta(hours=1))
    session.commit()
    url = f"/api/v1/seminars/{first.slug}/checkins"
    assert client.post(url, json={"code": "unknown"}, headers=_bearer(plain)).status_code == 200  # remembered now
    session.get(ApiToken, token.id).expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    before = _scans(session)
    refused = client.post(url, json={"code": registration.token}, headers=_bearer(plain))
    assert refused.status_code == 401
    assert _scans(session) == before
    assert client.get(f"/api/v1/seminars/{first.slug}/stats", headers=_bearer(plain)).status_code == 401


def test_a_revoked_token_is_refused_at_its_next_request_and_revocation_is_audited(client, session, two, login):
    first, _, owner = two
    registration = factories.make_registration(session, first)
    token, plain = services.issue_api_token(session, owner, "door", seminar=first, role="door")
    session.commit()
    url = f"/api/v1/seminars/{first.slug}/checkins"
    assert client.post(url, json={"code": "unknown"}, headers=_bearer(plain)).status_code == 200
    services.revoke_api_token(session, session.get(ApiToken, token.id), by=owner)
    session.commit()
    assert client.post(url, json={"code": registration.token}, headers=_bearer(plain)).status_code == 401
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "token_revoked"))
    assert entry.seminar_id == first.id and entry.user_id == owner.id


def test_a_member_removed_from_the_team_loses_the_door_at_the_next_request(client, session, two):
    """Nothing about who may do what is remembered between requests."""
    first, _, _ = two
    volunteer = factories.make_user(session)
    factories.add_member(session, first, volunteer, "door")
    registration = factories.make_registration(session, first)
    _, plain = services.issue_api_token(session, volunteer, "phone")
    session.commit()
    url = f"/api/v1/seminars/{first.slug}/checkins"
    assert client.post(url, json={"code": "unknown"}, headers=_bearer(plain)).status_code == 200
    session.delete(session.scalar(select(SeminarMember).where(SeminarMember.user_id == volunteer.id)))
    session.commit()
    before = _scans(session)
    assert client.post(url, json={"code": registration.token}, headers=_bearer(plain)).status_code == 404
    assert _scans(session) == before


def test_create_token_on_the_command_line_for_one_seminar_and_role(runner, session, two):
    first, _, owner = two
    result = runner.invoke(args=["create-token", "owner@example.kz", "--seminar", first.slug, "--role", "door",
                                 "--expires", "2026-12-31", "--name", "Door 2"])
    assert result.exit_code == 0, result.output
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Door 2"))
    assert (token.seminar_id, token.role) == (first.id, "door")
    assert token.expires_at == datetime(2026, 12, 31, 19, 0, tzinfo=UTC)  # the end of the 31st in Astana
    assert services.user_for_api_token(session, result.output.strip(), now=datetime(2026, 12, 31, 18, tzinfo=UTC))
    assert services.user_for_api_token(session, result.output.strip(), now=datetime(2026, 12, 31, 19, tzinfo=UTC)
                                       ) is None


@pytest.mark.parametrize("args, message", [
    (["--seminar", "no-such-seminar"], "no seminar no-such-seminar"),
    (["--expires", "31.12.2026"], "give a date as YYYY-MM-DD"),
    (["--role", "superuser"], "Invalid value for '--role'"),
])
def test_create_token_on_the_command_line_refuses_clearly(runner, session, two, args, message):
    result = runner.invoke(args=["create-token", "owner@example.kz", *args])
    assert result.exit_code != 0 and message in result.output
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_create_token_on_the_command_line_refuses_a_seminar_off_the_team(runner, session, two):
    stranger = factories.make_user(session, email="stranger@example.kz")
    session.commit()
    result = runner.invoke(args=["create-token", stranger.email, "--seminar", two[0].slug, "--role", "door"])
    assert result.exit_code != 0 and "is not on that seminar's team" in result.output
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0
