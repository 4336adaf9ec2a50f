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
    "site.health",
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
        user = users.setdefault(role, factories.make_user(session, role=role))
        session.commit()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
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
