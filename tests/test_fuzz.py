"""Bad input never gives a 500: the public forms and the JSON API under arbitrary Unicode, wrong types, missing
fields, malformed JSON, malformed QR payloads and huge bodies. Every refusal is a 4xx (the API's with an
error code and a message), and a refused request leaves the database as it was."""

import json
import string
from datetime import datetime

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


# -- the shapes of the attacker's trial (issue #27): huge numbers, extreme dates, control characters, %0d ----------

BIG_INTEGERS = st.one_of(st.integers(min_value=2**31 - 2, max_value=2**70), st.integers(max_value=-(2**31) + 2),
                         st.sampled_from([2**31, 2**32, 2**63, 2**64]))
EXTREME_DATES = st.one_of(
    st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31T23:59:59+14:00",
                     "1969-12-31T23:59:59-12:00", "2031-02-30T10:00"]),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda d: d.isoformat()),
)
CONTROL_CHARACTERS = st.sampled_from(["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028",
                                      "\u2029", "\t"])
# A value someone could mean, with a control character somewhere in it.
WITH_CONTROL = st.builds(lambda before, control, after: before + control + after,
                         st.sampled_from(["Digital Silk Road", "Acme", "Hall B", "Astana"]), CONTROL_CHARACTERS,
                         st.sampled_from(["", "Bcc: all@evil.example", "=cmd|' /C calc'!A0", "x"]))
SEMINAR_FIELDS = ["title", "description", "organizer_name", "venue", "address", "contact_email", "timezone",
                  "starts_at", "ends_at", "capacity", "registration_opens_at", "registration_closes_at", "slug"]
ONE_LINE_SEMINAR_FIELDS = {"title", "organizer_name", "venue", "address"}
def _has_control(value):
    """A control character inside the value once the outer blanks are stripped, as every field is."""
    return isinstance(value, str) and any(c in value.strip() for c in "\r\n\x0b\x0c\x1b\x7f\x85\u2028\u2029\t")


VALID_SEMINAR = {"title": "Digital Silk Road", "starts_at": "2031-03-14T10:00", "ends_at": "2031-03-14T13:00"}


@FUZZ
@given(field=st.sampled_from(SEMINAR_FIELDS), value=st.one_of(BIG_INTEGERS, EXTREME_DATES, WITH_CONTROL))
def test_seminar_api_with_huge_numbers_extreme_dates_and_control_characters(client, session, door, field, value):
    seminar, _, headers = door
    before = _counts(session)
    for method, url in (("POST", "/api/v1/seminars"), ("PATCH", f"/api/v1/seminars/{seminar.slug}")):
        body = {**VALID_SEMINAR, field: value} if method == "POST" else {field: value}
        response = client.open(url, method=method, json=body, headers=headers)
        _assert_refused_cleanly(response, (method, field, value))
        if field in ONE_LINE_SEMINAR_FIELDS and _has_control(value):
            assert response.status_code == 400, (method, field, value)
        if response.status_code >= 400 and method == "POST":
            assert _counts(session) == before


REGISTRANT_TEXT_FIELDS = ["full_name", "email", "phone", "organization", "position", "university", "programme"]


@FUZZ
@given(field=st.sampled_from(REGISTRANT_TEXT_FIELDS + ["study_year", "category_id"]),
       value=st.one_of(WITH_CONTROL, BIG_INTEGERS.map(str)))
def test_every_registrant_field_of_form_api_and_walk_in_refuses_control_characters_and_huge_numbers(
        client, session, login, door, field, value):
    from tests.test_registration import form_data

    seminar, _, headers = door
    if not session.scalar(select(func.count()).select_from(User).where(User.role == "staff")):
        login("staff")
    before = _counts(session)
    data = {**form_data(seminar, "student", email="fuzz@example.kz"), field: value}
    refusable = _has_control(value)
    for response in (
        client.post(f"/s/{seminar.slug}/register", data=data),
        client.post(f"/checkin/s/{seminar.slug}/walk-in", data={**data, "gate": "Door 1"}),
        client.post(f"/api/v1/seminars/{seminar.slug}/registrations", headers=headers,
                    json={**data, "category": "student", "category_id": None} if field != "category_id" else data),
    ):
        _assert_refused_cleanly(response, (field, value))
    # Nothing with a control character is stored: refused, or (a name's blanks) folded into one space.
    stored = session.execute(select(*(getattr(Registration, name) for name in REGISTRANT_TEXT_FIELDS))).all()
    assert not any(_has_control(text) for row in stored for text in row if text), stored
    if refusable and field not in ("full_name",):
        assert _counts(session) == before


def test_every_get_route_with_huge_ids_and_control_characters_in_its_parameters_answers_below_500(
        app, client, session, login):
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    session.commit()
    login("admin")
    values = {"slug": seminar.slug, "token": registration.token, "list_name": "registrations", "fmt": "csv",
              "action": "approve", "filename": "css/app.css", "lang": "en"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for big in (2**31, 2**63, 2**70):
            arguments = {name: big if rule._converters[name].__class__.__name__ == "DatabaseInteger"
                         else values.get(name, "x") for name in rule.arguments}
            url = rule.build(arguments, append_unknown=False)[1]
            response = client.get(url, query_string={"page": "%0d\r", "q": "\r\n", "next": "/\r\nx", "status": "\x0b",
                                                     "per_page": str(big), "sort": "\u2028", "sep": "\x85"})
            assert response.status_code < 500, (url, response.status_code)
            checked += 1
    assert checked > 30
