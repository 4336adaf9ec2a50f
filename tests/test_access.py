"""Every route in the URL map, for every kind of person, on their own seminar and on another's.

Routes are collected from app.url_map, so a new route cannot be forgotten: a view must carry a site role rule
(`required_role`), a seminar rule (`seminar_action`, from auth/permissions.seminar_access), or be listed in
PUBLIC_ENDPOINTS. The walk then opens every route as anonymous, a site administrator, each seminar role on the
first seminar (owner, organizer, door, viewer) and the owner of another seminar, on both seminars, with a
session and (for the API) with a bearer token: someone not on a seminar's team gets 404 and changes nothing.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventreg.auth.permissions import ROLE_ACTIONS
from eventreg.extensions import db
from eventreg.models import (
    AgendaItem,
    ApiToken,
    AuditEntry,
    Category,
    Certificate,
    CheckInEvent,
    Question,
    Registration,
    Seminar,
    SeminarDay,
    SeminarMember,
    SeminarSession,
    Speaker,
    TeamInvitation,
    utcnow,
)
from tests import factories

SITE_RANK = {None: -1, "staff": 0, "organizer": 1, "admin": 2}

# Endpoints anyone may open (the token in a ticket or invitation URL is its own key).
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
    "registration.registered_link",
    "registration.resend",
    "registration.ticket",
    "registration.ticket_qr",
    "registration.ticket_png",
    "registration.ticket_pdf",
    "registration.ticket_ics",
    "registration.cancel",
    "registration.confirm_email",
    "registration.ticket_sessions",
    # The door app's service worker and manifest: static files' names and a version, nothing of anyone's.
    "checkin.service_worker",
    "checkin.manifest",
    "teams.join",
    "certificates.ticket_certificate",
    "certificates.verify",
    # The signed link in an organizer's message: it is its own key.
    "messages.unsubscribe",
}

# Who walks: (site role, seminar role on the first seminar, seminar role on the second).
IDENTITIES = {
    "anonymous": None,
    "admin": ("admin", None, None),
    "owner": ("organizer", "owner", None),
    "organizer": ("staff", "organizer", None),
    "door": ("staff", "door", None),
    "viewer": ("staff", "viewer", None),
    "other_seminars_owner": ("organizer", None, "owner"),
}
# Values for the parts of a URL that are not ids: real ones, so a refusal is the access rule's and not a 404.
NAMED_PARTS = {"list_name": "attendance", "fmt": "csv", "action": "cancel", "token": "no-such-token"}


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


def _client_as(app, user):
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as flask_session:
            # A login of its own for each client: the walk posts to /logout, which ends the login it is sent with.
            flask_session["_user_id"] = factories.login_id(db.session, user)
            flask_session["_fresh"] = True
    return client


def _open(client, url, **kwargs):
    """A request, read to its end and closed (a streamed export keeps its request context open until then)."""
    response = client.open(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_every_route_has_an_access_rule(app):
    missing = []
    for rule, _method in _routes(app):
        view = app.view_functions[rule.endpoint]
        ruled = getattr(view, "required_role", None) or getattr(view, "seminar_action", None)
        if not ruled and rule.endpoint not in PUBLIC_ENDPOINTS:
            missing.append(rule.endpoint)
    assert not missing, f"routes with no access rule and no place in PUBLIC_ENDPOINTS: {sorted(set(missing))}"


def test_every_route_that_names_a_seminar_asks_its_team(app):
    """A page of one seminar must not get by with a site role alone."""
    site_only = [rule.endpoint for rule, _ in _routes(app) if "slug" in rule.arguments
                 and rule.endpoint not in PUBLIC_ENDPOINTS
                 and getattr(app.view_functions[rule.endpoint], "seminar_action", None) is None]
    assert not site_only, f"seminar routes checked by a site role only: {sorted(set(site_only))}"


def _objects(session, seminar):
    """One of each thing a URL may name by id, belonging to `seminar`."""
    item = AgendaItem(seminar=seminar, title="Opening", kind="welcome", starts_at=seminar.starts_at, position=0)
    speaker = Speaker(seminar=seminar, name="Dr. Speaker")
    session.add_all([item, speaker])
    category = factories.make_category(session, seminar)
    registration = factories.make_registration(session, seminar, status="pending")
    helper = factories.make_user(session)
    member = factories.add_member(session, seminar, helper, "viewer")
    invitation = TeamInvitation(seminar_id=seminar.id, email=f"invited-{seminar.id}@example.org", role="door",
                                token_hash=f"{seminar.id:064d}", expires_at=utcnow() + timedelta(days=7))
    question = Question(seminar=seminar, key="meal", kind="single_choice", label="Meal", position=0,
                        choices=[{"key": "halal", "label": "Halal"}, {"key": "vegetarian", "label": "Vegetarian"}])
    session.add_all([invitation, question])
    session.flush()
    certificate = Certificate(seminar_id=seminar.id, registration_id=registration.id, holder_name="Guest",
                              number=f"walk-{seminar.id}")
    day = SeminarDay(seminar=seminar, starts_at=seminar.starts_at, ends_at=seminar.ends_at)
    part = SeminarSession(seminar_id=seminar.id, day=day, title="Workshop", starts_at=seminar.starts_at,
                          ends_at=seminar.ends_at, capacity=10)
    session.add_all([certificate, day, part])
    session.flush()
    return {"day_id": day.id, "session_id": part.id,
            "slug": seminar.slug, "item_id": item.id, "speaker_id": speaker.id, "category_id": category.id,
            "registration_id": registration.id, "member_id": member.id, "invitation_id": invitation.id,
            "certificate_id": certificate.id, "question_id": question.id}


def _fill(rule, values):
    def fill(match):
        name = match.group(1)
        if name in values:
            return str(values[name])
        return NAMED_PARTS.get(name, "999999")

    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def _state(session):
    """Everything a request could change about the seminars, their people and their teams."""
    session.expire_all()
    tables = (Seminar, Registration, AgendaItem, Speaker, Category, SeminarMember, TeamInvitation, ApiToken,
              CheckInEvent, Question)
    counts = tuple(session.scalar(select(func.count()).select_from(t)) for t in tables)
    return counts, sorted(session.execute(select(
        Seminar.id, Seminar.status, Seminar.title, Seminar.updated_at)).all()), sorted(session.execute(select(
            Registration.id, Registration.status, Registration.full_name, Registration.checked_in_at,
            Registration.anonymised_at)).all()), sorted(session.execute(select(
                SeminarMember.id, SeminarMember.role)).all()), sorted(session.execute(select(
                    Category.id, Category.label, Category.quota)).all()), sorted(session.execute(select(
                        Question.id, Question.label, Question.hidden, Question.position)).all())


@pytest.fixture
def walk(app, session):
    """Two seminars (the first open at the door now), their objects, and one account per identity."""
    from eventreg.auth.services import issue_api_token

    starts = utcnow() + timedelta(minutes=30)
    first = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    second = factories.make_seminar(session)
    objects = {"first": _objects(session, first), "second": _objects(session, second)}
    accounts, tokens = {}, {}
    for name, spec in IDENTITIES.items():
        if spec is None:
            accounts[name] = None
            continue
        site_role, on_first, on_second = spec
        user = factories.make_user(session, role=site_role)
        for seminar, role in ((first, on_first), (second, on_second)):
            if role is not None:
                factories.add_member(session, seminar, user, role)
        accounts[name] = user
        tokens[name] = issue_api_token(session, user, "walk")[1]
    session.commit()
    return {"seminars": {"first": first, "second": second}, "objects": objects, "accounts": accounts,
            "tokens": tokens}


def _seminar_role(identity, which):
    spec = IDENTITIES[identity]
    if spec is None:
        return None
    if spec[0] == "admin":
        return "admin"
    return spec[1] if which == "first" else spec[2]


def _expected(view, identity, which, is_api):
    """What the access rule must answer: a status set that is allowed, or None (anything but a refusal)."""
    action = getattr(view, "seminar_action", None)
    required = getattr(view, "required_role", None)
    if identity == "anonymous":
        return {401} if is_api else {302}
    if action is not None:
        role = _seminar_role(identity, which)
        if role == "admin":
            return None
        if role is None:
            return {404}
        return None if action in ROLE_ACTIONS[role] else {403}
    site_role = IDENTITIES[identity][0]
    if required is not None and SITE_RANK[site_role] < SITE_RANK[required]:
        return {403}
    return None


@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_each_identity_reaches_exactly_what_its_team_role_allows(app, session, walk, identity):
    """Someone not on a seminar's team gets 404 there, nothing else; a member's role decides 403 or entry."""
    wrong = []
    user = walk["accounts"][identity]
    before = _state(session)
    for rule, method in _routes(app):
        view = app.view_functions[rule.endpoint]
        public = rule.endpoint in PUBLIC_ENDPOINTS
        places = ("first", "second") if "slug" in rule.arguments else (None,)
        for which in places:
            url = _fill(rule, walk["objects"][which]) if which else _url_for_rule(rule)
            is_api = url.startswith("/api/")
            ways = [("session", _client_as(app, user), {})]
            if is_api and user is not None:
                ways.append(("token", app.test_client(), {"Authorization": f"Bearer {walk['tokens'][identity]}"}))
            for way, client, headers in ways:
                response = _open(client, url, method=method, headers=headers)
                status = response.status_code
                if public:
                    if status in (401, 403):
                        wrong.append((method, url, way, status, "public"))
                    continue
                expected = _expected(view, identity, which, is_api)
                if expected is None:
                    if status in (401, 403) or (status == 404 and method == "GET"):
                        wrong.append((method, url, way, status, "should get in"))
                elif status not in expected:
                    wrong.append((method, url, way, status, f"expected {sorted(expected)}"))
                elif not is_api and identity == "anonymous" and "/login" not in response.location:
                    wrong.append((method, url, way, status, "not sent to the login page"))
    assert not wrong, "\n".join(map(str, wrong))
    if identity in ("anonymous", "viewer", "other_seminars_owner"):
        # Nothing they were refused changed anything (the owner of the other seminar may change theirs only).
        after = _state(session)
        if identity != "other_seminars_owner":
            assert after == before


def test_the_owner_of_another_seminar_changes_nothing_of_mine(app, session, walk):
    """Every route of my seminar, with their session and their token: 404, and my seminar as it was."""
    def mine(session):
        session.expire_all()
        first = walk["seminars"]["first"]
        return (
            sorted(session.execute(select(Registration.id, Registration.status, Registration.full_name,
                                          Registration.checked_in_at, Registration.anonymised_at)
                                   .where(Registration.seminar_id == first.id)).all()),
            sorted(session.execute(select(SeminarMember.user_id, SeminarMember.role)
                                   .where(SeminarMember.seminar_id == first.id)).all()),
            session.execute(select(Seminar.status, Seminar.title, Seminar.updated_at)
                            .where(Seminar.id == first.id)).one(),
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.seminar_id == first.id)),
        )

    before = mine(session)
    user = walk["accounts"]["other_seminars_owner"]
    reached = []
    body = {"full_name": "Changed", "email": "changed@example.kz", "title": "Taken over", "role": "owner",
            "code": "x", "registration_id": walk["objects"]["first"]["registration_id"]}
    for rule, method in _routes(app):
        if "slug" not in rule.arguments or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _fill(rule, walk["objects"]["first"])
        ways = [({}, _client_as(app, user))]
        if url.startswith("/api/"):
            ways.append(({"Authorization": f"Bearer {walk['tokens']['other_seminars_owner']}"}, app.test_client()))
        for headers, client in ways:
            kwargs = {"json": body} if url.startswith("/api/") else {"data": body}
            response = _open(client, url, method=method, headers=headers, **kwargs)
            if response.status_code != 404:
                reached.append((method, url, bool(headers), response.status_code))
    assert not reached, f"another seminar's owner reached: {reached}"
    assert mine(session) == before


# -- object-level checks: the right role is not enough, the object must belong to the URL ----------------------


def _registrations(session):
    session.expire_all()
    return sorted(session.execute(select(Registration.id, Registration.status, Registration.full_name,
                                         Registration.email, Registration.checked_in_at,
                                         Registration.anonymised_at)).all())


def test_ids_of_another_seminar_through_my_seminars_urls_are_not_found(app, session, walk):
    """Agenda items, speakers, categories, registrations, team members and invitations of the second seminar, named
    in the first seminar's URLs, by its administrator (who may open both): 404 and nothing changed."""
    mixed = {**walk["objects"]["second"], "slug": walk["objects"]["first"]["slug"]}
    id_names = set(mixed) - {"slug"}
    admin = _client_as(app, walk["accounts"]["admin"])
    bearer = {"Authorization": f"Bearer {walk['tokens']['admin']}"}
    before = _state(session)
    reached, tried = [], set()
    for rule, method in _routes(app):
        if "slug" not in rule.arguments or not (id_names & rule.arguments):
            continue
        url = _fill(rule, mixed)
        is_api = url.startswith("/api/")
        body = {"full_name": "Changed", "email": "changed@example.kz", "role": "owner", "title": "Changed",
                "direction": "up", "label": "Changed", "name": "Changed"}
        response = _open(app.test_client() if is_api else admin, url, method=method,
                         headers=bearer if is_api else {}, **({"json": body} if is_api else {"data": body}))
        tried.add(rule.endpoint)
        if response.status_code != 404:
            reached.append((method, url, response.status_code))
    assert {"seminars.agenda_edit", "seminars.speaker_delete", "seminars.category_edit", "registration.edit",
            "teams.remove", "teams.revoke_invitation", "privacy.anonymise", "api.undo_check_in", "questions.edit",
            "questions.delete", "questions.visibility", "questions.move", "seminars.day_edit", "seminars.day_delete",
            "seminars.session_edit", "seminars.session_delete", "seminars.session_people"} <= tried
    assert not reached, f"another seminar's objects answered through these URLs: {reached}"
    assert _state(session) == before


def test_a_registration_of_one_seminar_cannot_be_reached_through_another_seminars_urls(app, session, api_token):
    from eventreg.registration.views import ACTIONS

    mine = factories.make_seminar(session)
    theirs = factories.make_seminar(session)
    registration = factories.make_registration(session, theirs, status="pending", full_name="Their Guest")
    session.commit()
    admin = _client_as(app, factories.make_user(session, role="admin"))
    session.commit()
    bearer = {"Authorization": f"Bearer {api_token('admin')}"}
    before = _registrations(session)
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
    assert _registrations(session) == before


def test_checking_in_by_id_through_another_seminar_is_refused(client, session, api_token):
    mine = factories.make_seminar(session)
    theirs = factories.make_seminar(session)
    registration = factories.make_registration(session, theirs)
    session.commit()
    bearer = {"Authorization": f"Bearer {api_token('organizer')}"}
    before = _registrations(session)
    by_id = client.post(f"/api/v1/seminars/{mine.slug}/checkins", json={"registration_id": registration.id},
                        headers=bearer)
    assert by_id.status_code == 404
    by_code = client.post(f"/api/v1/seminars/{mine.slug}/checkins", json={"code": registration.token},
                          headers=bearer)
    assert by_code.get_json()["status"] == "wrong_seminar"
    assert _registrations(session) == before


def test_a_ticket_link_opens_only_its_own_registration(client, session):
    seminar = factories.make_seminar(session)
    mine = factories.make_registration(session, seminar, full_name="Alma Tokayeva", email="alma@example.kz")
    other = factories.make_registration(session, seminar, full_name="Bolat Serikov", email="bolat@example.kz")
    session.commit()
    for path in ("", "registered", "cancel"):
        body = client.get(f"/t/{mine.token}/{path}", follow_redirects=True).get_data(as_text=True)
        assert "Bolat" not in body and "bolat@example.kz" not in body
    assert "Alma Tokayeva" in client.get(f"/t/{mine.token}/").get_data(as_text=True)
    assert client.get(f"/t/{mine.token}/registered").location == f"/t/{mine.token}/"  # an old link opens the ticket
    for suffix in ("x", mine.token[:-1], mine.token.upper() if mine.token.upper() != mine.token else "Z" * 24,
                   mine.token + "/../" + other.token):
        assert client.get(f"/t/{suffix}/").status_code == 404
    assert client.post(f"/t/{mine.token}/cancel").status_code == 302
    state = dict((row[0], row[1]) for row in _registrations(session))
    assert state == {mine.id: "cancelled", other.id: "confirmed"}
