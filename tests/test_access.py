"""Every route in the URL map, for anonymous, staff, organizer and admin: who gets in and who does not.

Routes are collected from app.url_map, so a new route cannot be forgotten: a view without a role
rule must be listed in PUBLIC_ENDPOINTS, or this test fails.
"""

import re

import pytest

from tests import factories

ROLES = [None, "staff", "organizer", "admin"]
RANK = {None: -1, "staff": 0, "organizer": 1, "admin": 2}

# Endpoints anyone may open (the token in a ticket URL is its own key).
PUBLIC_ENDPOINTS = {
    "static",
    "site.set_language",
    "operations.health",
    "operations.ready",
    "site.favicon",
    "seminars.index",
    "seminars.show",
    "seminars.ics",
    "api.list_seminars",
    "api.get_seminar",
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.reset_with_token",
    "api.openapi_document",
    "registration.signup",
    "registration.registered",
    "registration.resend",
    "registration.ticket",
    "registration.ticket_qr",
    "registration.ticket_png",
    "registration.ticket_pdf",
    "registration.ticket_ics",
    "registration.cancel",
    # The door app's service worker and manifest: static files' names and a version, nothing of anyone's.
    "checkin.service_worker",
    "checkin.manifest",
}

def _url_for_rule(rule):
    def fill(match):
        converter = match.group(1) or ""
        return "999999" if converter.startswith("int") else "no-such-thing"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", fill, rule.rule)


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _client_as(app, session, role, users):
    client = app.test_client()
    if role is not None:
        if role not in users:  # one account per role for the whole walk, not one per route
            users[role] = factories.make_user(session, role=role)
            session.commit()
        with client.session_transaction() as flask_session:
            # A login of its own for each client: the walk posts to /logout, which ends the login it is sent with.
            flask_session["_user_id"] = factories.login_id(session, users[role])
            flask_session["_fresh"] = True
    return client


def test_every_route_has_an_access_rule(app):
    missing = []
    for rule, _method in _routes(app):
        view = app.view_functions[rule.endpoint]
        public = rule.endpoint in PUBLIC_ENDPOINTS
        if getattr(view, "required_role", None) is None and not public:
            missing.append(rule.endpoint)
    assert not missing, f"routes with neither a role rule nor a place in PUBLIC_ENDPOINTS: {sorted(set(missing))}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_it_may(app, session, role):
    users = {}
    wrong = []
    for rule, method in _routes(app):
        view = app.view_functions[rule.endpoint]
        required = getattr(view, "required_role", None)
        url = _url_for_rule(rule)
        client = _client_as(app, session, role, users)
        response = client.open(url, method=method)
        is_api = url.startswith("/api/")
        if required is None:
            if response.status_code in (401, 403):
                wrong.append((method, url, role, response.status_code, "public"))
            continue
        if role is None:
            expected = (401,) if is_api else (302,)
            if response.status_code not in expected or (not is_api and "/login" not in response.location):
                wrong.append((method, url, role, response.status_code, f"needs {required}"))
        elif RANK[role] < RANK[required]:
            if response.status_code != 403:
                wrong.append((method, url, role, response.status_code, f"needs {required}"))
        elif response.status_code in (401, 403):
            wrong.append((method, url, role, response.status_code, f"needs {required}"))
    assert not wrong, "\n".join(map(str, wrong))


# -- object-level checks: the right role is not enough, the object must belong to the URL ----------------------


def _state(session):
    from sqlalchemy import select

    from eventreg.models import Registration

    session.expire_all()
    return sorted(session.execute(select(Registration.id, Registration.status, Registration.full_name,
                                         Registration.email, Registration.checked_in_at,
                                         Registration.anonymised_at)).all())


def _fill(rule, values):
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_a_registration_of_one_seminar_cannot_be_reached_through_another_seminars_urls(app, session, api_token):
    from eventreg.registration.views import ACTIONS

    mine = factories.make_seminar(session)
    theirs = factories.make_seminar(session)
    registration = factories.make_registration(session, theirs, status="pending", full_name="Their Guest")
    session.commit()
    admin = _client_as(app, session, "admin", {})
    bearer = {"Authorization": f"Bearer {api_token('admin')}"}
    before = _state(session)
    reached = []
    tried = 0
    for rule in app.url_map.iter_rules():
        if "<slug>" not in rule.rule or "registration_id" not in rule.arguments:
            continue
        for action in sorted(ACTIONS) if "action" in rule.arguments else [None]:
            url = _fill(rule, {"slug": mine.slug, "registration_id": registration.id, "action": action})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                client, headers = (app.test_client(), bearer) if url.startswith("/api/") else (admin, {})
                body = {"full_name": "Changed", "email": "changed@example.kz", "gate": "x"}
                response = client.open(url, method=method, headers=headers,
                                       **({"json": body} if url.startswith("/api/") else {"data": body}))
                tried += 1
                if response.status_code != 404:
                    reached.append((method, url, response.status_code))
    assert tried >= 5
    assert not reached, f"another seminar's registration answered through these URLs: {reached}"
    assert _state(session) == before


def test_checking_in_by_id_through_another_seminar_is_refused(client, session, api_token):
    mine = factories.make_seminar(session)
    theirs = factories.make_seminar(session)
    registration = factories.make_registration(session, theirs)
    session.commit()
    bearer = {"Authorization": f"Bearer {api_token('organizer')}"}
    before = _state(session)
    by_id = client.post(f"/api/v1/seminars/{mine.slug}/checkins", json={"registration_id": registration.id},
                        headers=bearer)
    assert by_id.status_code == 404
    by_code = client.post(f"/api/v1/seminars/{mine.slug}/checkins", json={"code": registration.token},
                          headers=bearer)
    assert by_code.get_json()["status"] == "wrong_seminar"
    assert _state(session) == before


def test_a_ticket_link_opens_only_its_own_registration(client, session):
    seminar = factories.make_seminar(session)
    mine = factories.make_registration(session, seminar, full_name="Alma Tokayeva", email="alma@example.kz")
    other = factories.make_registration(session, seminar, full_name="Bolat Serikov", email="bolat@example.kz")
    session.commit()
    for path in ("", "registered", "cancel"):
        body = client.get(f"/t/{mine.token}/{path}").get_data(as_text=True)
        assert "Bolat" not in body and "bolat@example.kz" not in body
    assert "Alma Tokayeva" in client.get(f"/t/{mine.token}/").get_data(as_text=True)
    for suffix in ("x", mine.token[:-1], mine.token.upper() if mine.token.upper() != mine.token else "Z" * 24,
                   mine.token + "/../" + other.token):
        assert client.get(f"/t/{suffix}/").status_code == 404
    assert client.post(f"/t/{mine.token}/cancel").status_code == 302
    state = dict((row[0], row[1]) for row in _state(session))
    assert state == {mine.id: "cancelled", other.id: "confirmed"}
