"""POST /api/v1/seminars/<slug>/registrations: the same rules as the form, for organizer and admin tokens."""

from sqlalchemy import func, select

from eventreg.models import ApiToken, AuditEntry, OutboxMessage, Registration
from tests.factories import make_registration, make_seminar
from tests.openapi_check import assert_matches_openapi


def _post(client, token, slug, body):
    url = f"/api/v1/seminars/{slug}/registrations"
    response = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    assert_matches_openapi(client, "POST", url, response)
    return response


def test_an_organizer_token_registers_a_student(session, client, api_token):
    seminar = make_seminar(session)
    token = api_token("organizer")
    response = _post(client, token, seminar.slug, {
        "full_name": "Аружан Сәрсенбаева", "email": "Aruzhan@example.kz", "category": "student",
        "university": "Astana IT University", "programme": "CS", "study_level": "master", "study_year": 1})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed" and body["email"] == "aruzhan@example.kz"
    registration = session.get(Registration, body["id"])
    assert body["ticket_url"].endswith(f"/t/{registration.token}/")
    assert registration.source == "api"
    assert client.get(body["ticket_url"].removeprefix("http://localhost")).status_code == 200
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_registration_added_with_a_token_is_audited_under_the_tokens_account(session, client, api_token):
    seminar = make_seminar(session)
    token = api_token("organizer")
    account_id = session.scalar(select(ApiToken.user_id).order_by(ApiToken.id.desc()).limit(1))
    response = _post(client, token, seminar.slug, {"full_name": "Dana Abenova", "email": "dana@example.kz",
                                                   "organization": "Kazinform", "category": "general"})
    assert response.status_code == 201, response.get_json()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "registration_added")).one()
    assert entry.user_id == account_id and entry.registration_id == response.get_json()["id"]


def test_refusals_answer_their_codes(session, client, api_token):
    token = api_token("admin")
    seminar = make_seminar(session, capacity=1)
    make_registration(session, seminar, email="taken@example.org")
    closed = make_seminar(session, status="closed")
    session.commit()
    before = session.scalar(select(func.count()).select_from(Registration))
    cases = [
        (seminar.slug, {"full_name": "X Y", "email": "taken@example.org", "category": "general"}, 409,
         "duplicate_email"),
        (seminar.slug, {"full_name": "X Y", "email": "new@example.org", "category": "general", "waitlist": False},
         409, "full"),
        (closed.slug, {"full_name": "X Y", "email": "new@example.org", "category": "general"}, 409, "closed"),
        (seminar.slug, {"full_name": "X" * 10_000, "email": "nope", "category": "student"}, 400, "invalid"),
        (seminar.slug, {"full_name": "X Y", "email": "new@example.org", "category": "no-such"}, 400, "invalid"),
        ("no-such-seminar", {"full_name": "X Y", "email": "new@example.org"}, 404, "not_found"),
    ]
    for slug, body, status, code in cases:
        response = _post(client, token, slug, body)
        assert (response.status_code, response.get_json()["error"]) == (status, code), body
    invalid = _post(client, token, seminar.slug, {"full_name": "", "email": "nope", "category": "student"})
    assert {"full_name", "email", "university"} <= set(invalid.get_json()["fields"])
    assert session.scalar(select(func.count()).select_from(Registration)) == before


def test_staff_tokens_and_anonymous_callers_cannot_register(session, client, api_token):
    seminar = make_seminar(session)
    session.commit()
    body = {"full_name": "X Y", "email": "new@example.org", "category": "general"}
    assert _post(client, api_token("staff"), seminar.slug, body).status_code == 403
    assert client.post(f"/api/v1/seminars/{seminar.slug}/registrations", json=body).status_code == 401
    assert session.scalar(select(func.count()).select_from(Registration)) == 0
