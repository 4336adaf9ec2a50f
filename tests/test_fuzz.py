"""Bad input never gives a 500: the public forms and the JSON API under arbitrary Unicode, wrong types, missing
fields, malformed JSON, malformed QR payloads and huge bodies. Every refusal is a 4xx (the API's with an
error code and a message), and a refused request leaves the database as it was."""

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eventreg.models import AuditEntry, CheckInEvent, OutboxMessage, PasswordResetToken, Registration, Seminar, User
from eventreg.tickets import PAYLOAD_PREFIX
from tests import factories

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any Unicode a browser can send (lone surrogates cannot be encoded), NUL and control characters included.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
WEIRD = st.one_of(
    TEXT,
    st.sampled_from(["\x00", "' OR 1=1 --", "<script>alert(1)</script>", "%00", "../../etc/passwd", "\u202e",
                     "١٢٣", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ωmega\u0301", " " * 50, "a" * 5000]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | WEIRD,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)


def _counts(session):
    session.expire_all()
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Registration, Seminar, User, OutboxMessage, PasswordResetToken, AuditEntry)}


def _registrations(session):
    session.expire_all()
    return sorted(session.execute(select(Registration.id, Registration.status, Registration.checked_in_at)).all())


def _assert_refused_cleanly(response, what):
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:500])
    if response.status_code >= 400 and response.request.path.startswith("/api/"):
        body = response.get_json()
        assert isinstance(body, dict) and body.get("error") and body.get("message"), (what, body)


def _form(fields):
    return st.dictionaries(st.sampled_from(fields) | TEXT.filter(bool), WEIRD, max_size=len(fields) + 2)


@FUZZ
@given(data=_form(["email", "password", "remember", "next"]), next_url=WEIRD)
def test_login_form(client, session, data, next_url):
    before = _counts(session)
    response = client.post("/login", query_string={"next": next_url}, data=data)
    _assert_refused_cleanly(response, data)
    assert response.status_code in (200, 400)
    assert _counts(session) == before


@FUZZ
@given(data=_form(["email"]))
def test_forgot_password_form(client, session, data):
    before = _counts(session)
    response = client.post("/password/forgot", data=data)
    _assert_refused_cleanly(response, data)
    assert _counts(session) == before  # no account exists, so nothing may be written


@FUZZ
@given(token=TEXT.filter(lambda t: "/" not in t and t not in ("", ".", "..")), data=_form(["password", "confirm"]))
def test_password_reset_page(client, session, token, data):
    before = _counts(session)
    for response in (client.get(f"/password/reset/{token}"), client.post(f"/password/reset/{token}", data=data)):
        _assert_refused_cleanly(response, token)
        assert response.status_code in (400, 404)
    assert _counts(session) == before


@FUZZ
@given(data=_form(["language", "next"]), slug=WEIRD)
def test_language_switch_and_seminar_pages(client, session, data, slug):
    before = _counts(session)
    response = client.post("/language", data=data)
    _assert_refused_cleanly(response, data)
    if response.status_code == 302:  # (400 for a NUL character)
        assert response.location.startswith("/") and not response.location.startswith("//")
    _assert_refused_cleanly(client.get("/s/" + slug.replace("/", "") + "/"), slug)
    _assert_refused_cleanly(client.get("/", query_string={"q": slug, "page": slug}), slug)
    assert _counts(session) == before


# -- the JSON API ---------------------------------------------------------------------------------------------------


@pytest.fixture
def door(session, api_token):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    session.commit()
    return seminar, registration, {"Authorization": f"Bearer {api_token('organizer')}"}


QR_PAYLOADS = st.one_of(
    WEIRD,
    st.builds(lambda t: PAYLOAD_PREFIX + t, WEIRD),
    st.builds(lambda t: "https://example.org/t/" + t + "/", WEIRD),
    st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=10, max_size=70),
)


@FUZZ
@given(code=QR_PAYLOADS, extra=st.dictionaries(st.sampled_from(["gate", "method", "registration_id"]), JSON_VALUES))
def test_check_in_api_with_malformed_scans(client, session, door, code, extra):
    seminar, _, headers = door
    before = _registrations(session)
    response = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": code, **extra}, headers=headers)
    _assert_refused_cleanly(response, (code, extra))
    if response.status_code == 200:
        assert response.get_json()["status"] == "unknown_code"
    assert _registrations(session) == before


@FUZZ
@given(body=JSON_VALUES)
def test_every_api_write_with_arbitrary_json(client, session, door, body):
    seminar, registration, headers = door
    before, registrations = _counts(session), _registrations(session)
    for method, url in (
        ("POST", f"/api/v1/seminars/{seminar.slug}/checkins"),
        ("DELETE", f"/api/v1/seminars/{seminar.slug}/checkins/{registration.id}"),
        ("POST", "/api/v1/seminars"),
        ("PATCH", f"/api/v1/seminars/{seminar.slug}"),
    ):
        response = client.open(url, method=method, json=body, headers=headers)
        _assert_refused_cleanly(response, (method, url, body))
        if response.status_code < 400:
            return  # an arbitrary body that happens to be valid: accepted, nothing more to check
    assert _counts(session) == before and _registrations(session) == registrations


MALFORMED_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b"{", b'{"code": }', b"[1, 2", b"null", b"\xff\xfe{}", b'{"code": "\\ud800"}',
                     b"NaN", b'{"a": 1e999999}', b"[" * 5000 + b"]" * 5000]),
)


CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                 "application/json; charset=latin-1"]


@FUZZ
@given(raw=MALFORMED_BODIES, content_type=st.sampled_from(CONTENT_TYPES))
def test_malformed_json_bodies(client, session, door, raw, content_type):
    seminar, registration, headers = door
    before = _counts(session)
    for method, url in (("POST", f"/api/v1/seminars/{seminar.slug}/checkins"), ("POST", "/api/v1/seminars"),
                        ("PATCH", f"/api/v1/seminars/{seminar.slug}")):
        response = client.open(url, method=method, data=raw, content_type=content_type, headers=headers)
        _assert_refused_cleanly(response, (url, raw[:80]))
    assert _counts(session) == before


def test_a_body_over_the_limit_is_refused_with_413_json(client, door):
    seminar, _, headers = door
    huge = json.dumps({"code": "x" * (6 * 1024 * 1024)})
    response = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", data=huge, content_type="application/json",
                           headers=headers)
    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    page = client.post("/login", data={"email": "x@example.kz", "password": "p" * (6 * 1024 * 1024)})
    assert page.status_code == 413 and "Too much data" in page.get_data(as_text=True)


def test_unknown_check_in_codes_are_logged_but_change_no_registration(client, session, door):
    seminar, registration, headers = door
    before = _registrations(session)
    for code in ("", " ", PAYLOAD_PREFIX, PAYLOAD_PREFIX + registration.token[:-1], registration.token + "x"):
        response = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": code}, headers=headers)
        _assert_refused_cleanly(response, code)
    assert _registrations(session) == before
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(CheckInEvent)) >= 3


# -- the features' public and door forms ----------------------------------------------------------------------------

SIGNUP_FIELDS = ["full_name", "email", "phone", "organization", "position", "category_id", "language", "consent_data",
                 "university", "programme", "study_level", "study_year", "consent_photos"]


@pytest.fixture
def open_seminar(session):
    seminar = factories.make_seminar(session, capacity=5)
    session.commit()
    return seminar


@FUZZ
@given(data=_form(SIGNUP_FIELDS), valid_category=st.booleans())
def test_signup_form(client, session, open_seminar, data, valid_category):
    if valid_category:
        data["category_id"] = str(factories.category(open_seminar, "student").id)
    before = _counts(session)
    response = client.post(f"/s/{open_seminar.slug}/register", data=data)
    _assert_refused_cleanly(response, data)
    if response.status_code != 302:
        assert _counts(session) == before


@FUZZ
@given(data=_form(["email"]))
def test_ticket_resend_form(client, session, open_seminar, data):
    before = _counts(session)
    response = client.post(f"/s/{open_seminar.slug}/resend", data=data)
    _assert_refused_cleanly(response, data)
    assert _counts(session) == before  # nobody is registered, so nothing is sent


@FUZZ
@given(body=st.dictionaries(st.sampled_from(SIGNUP_FIELDS) | TEXT, JSON_VALUES, max_size=10))
def test_registration_api(client, session, door, body):
    seminar, _, headers = door
    before = _counts(session)
    response = client.post(f"/api/v1/seminars/{seminar.slug}/registrations", json=body, headers=headers)
    _assert_refused_cleanly(response, body)
    if response.status_code >= 400:
        assert _counts(session) == before


@FUZZ
@given(query=WEIRD, data=_form(SIGNUP_FIELDS + ["gate"]))
def test_door_search_and_walk_in(client, session, login, door, query, data):
    seminar, _, _ = door
    if not session.scalar(select(func.count()).select_from(User).where(User.role == "staff")):
        login("staff")
    before = _counts(session)
    _assert_refused_cleanly(client.get(f"/checkin/s/{seminar.slug}/search", query_string={"q": query}), query)
    response = client.post(f"/checkin/s/{seminar.slug}/walk-in", data=data)
    _assert_refused_cleanly(response, data)
    if response.status_code != 302:
        assert _counts(session) == before


@FUZZ
@given(content=st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(WEIRD, min_size=1, max_size=6), max_size=6).map(
        lambda rows: "\n".join(",".join(json.dumps(c) for c in r) for r in [["full_name", "email", "category"], *rows])
        .encode("utf-8", "surrogatepass")),
), rows=JSON_VALUES)
def test_csv_import_preview_and_confirm(client, session, login, open_seminar, content, rows):
    import io

    if not session.scalar(select(func.count()).select_from(User).where(User.role == "organizer")):
        login("organizer")
    url = f"/organizer/s/{open_seminar.slug}/import"
    before = _counts(session)
    preview = client.post(url, data={"file": (io.BytesIO(content), "people.csv")}, content_type="multipart/form-data")
    _assert_refused_cleanly(preview, content[:200])
    assert _counts(session) == before
    confirm = client.post(url, data={"step": "confirm", "rows": json.dumps(rows)})
    _assert_refused_cleanly(confirm, rows)
