"""Web hardening: security headers on every kind of answer, cookies, CSRF on every form, tokens, passwords,
and the self-service password reset (no account enumeration, one-time hashed links)."""

import base64
import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from eventreg import create_app
from eventreg.auth import services
from eventreg.models import (
    ApiToken,
    AuditEntry,
    OutboxMessage,
    PasswordResetToken,
    User,
    hash_secret,
    new_ticket_token,
    utcnow,
)
from eventreg.security import SECRET_URL_ENDPOINTS
from tests import factories
from tests.conftest import BASE_CONFIG, PASSWORD
from tests.test_access import _client_as, _url_for_rule

CSRF_ON = {"WTF_CSRF_ENABLED": True}
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _assert_security_headers(response, what):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, what
    assert "default-src 'self'" in csp, what
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval'" not in script_src.replace("wasm-unsafe-eval'", ""), what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "same-origin"), what
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Permissions-Policy",
                 "Referrer-Policy", "Cache-Control"):
        assert len(headers.getlist(name)) <= 1, (what, name, headers.getlist(name))


def test_every_kind_of_answer_carries_the_security_headers(client, session, login):
    answers = {
        "html page": client.get("/"),
        "html 404": client.get("/no/such/page"),
        "redirect": client.get("/organizer/"),
        "api json": client.get("/api/v1/openapi.json"),
        "api 401": client.get("/api/v1/me"),
        "api 404": client.get("/api/v1/no-such-thing"),
        "api 405": client.delete("/api/v1/me"),
        "static css": client.get("/static/css/app.css"),
        "static js": client.get("/static/js/app.js"),
        "health": client.get("/healthz"),
    }
    seminar = factories.make_seminar(session)
    session.commit()
    login("admin")
    answers["staff page"] = client.get("/admin/users")
    answers["export"] = client.get(f"/reports/s/{seminar.slug}/registrations.csv")  # sets its own Cache-Control
    for what, response in answers.items():
        _assert_security_headers(response, what)
        response.close()
    assert answers["staff page"].headers["Cache-Control"] == "no-store"
    assert answers["export"].headers["Cache-Control"] == "no-store"
    assert answers["api 404"].is_json and answers["api 404"].get_json()["error"] == "not_found"


def test_staff_pages_are_not_cached_but_static_files_may_be(client, login):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login("organizer")
    assert client.get("/organizer/").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_https_answers_ask_browsers_to_stay_on_https(client):
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_a_trusted_proxy_gives_the_client_address_and_scheme(tmp_path):
    app = create_app({**BASE_CONFIG, "TRUSTED_PROXIES": 1, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=str(tmp_path))
    seen = {}

    @app.get("/whoami-test")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    app.test_client().get("/whoami-test", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "203.0.113.7", "secure": True}


# -- cookies ------------------------------------------------------------------------------------------------------


def _cookie_attributes(response, name):
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))
    return {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}


def test_production_cookies_are_secure_httponly_and_lax(tmp_path):
    app = create_app({"SECRET_KEY": "production-key", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=str(tmp_path))
    response = app.test_client().get("/login")  # renders a CSRF token, so the session cookie is set
    attributes = _cookie_attributes(response, "session")
    assert "secure" in attributes and "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_remember_me_cookie_is_httponly_and_lax(client, session):
    user = factories.make_user(session)
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    for name in ("session", "remember_token"):
        attributes = _cookie_attributes(response, name)
        assert "httponly" in attributes and attributes["samesite"].lower() == "samesite=lax", name


# -- CSRF ---------------------------------------------------------------------------------------------------------


def _unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(UNSAFE_METHODS)):
            yield rule, method


@pytest.mark.parametrize("app_config", [CSRF_ON])
def test_every_form_and_cookie_api_write_without_csrf_token_is_refused(app, session, app_config):
    routes = list(_unsafe_routes(app))
    assert len(routes) > 5
    admin = factories.make_user(session, role="admin")
    session.commit()
    accepted = []
    for user in (None, admin):
        client = _client_as(app, user)
        for rule, method in routes:
            response = client.open(_url_for_rule(rule), method=method, data={"x": "1"})
            if response.status_code != 400:
                accepted.append((user and user.role, method, rule.rule, response.status_code))
            elif rule.rule.startswith("/api/"):
                assert response.is_json
    assert not accepted, f"unsafe requests answered without a CSRF token: {accepted}"


@pytest.mark.parametrize("app_config", [CSRF_ON])
def test_a_form_with_its_token_is_accepted(client, session, app_config):
    user = factories.make_user(session)
    session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


# -- tokens and passwords -----------------------------------------------------------------------------------------


def _bits(urlsafe):
    return len(base64.urlsafe_b64decode(urlsafe + "=" * (-len(urlsafe) % 4))) * 8


def test_ticket_tokens_have_at_least_128_random_bits():
    tokens = {new_ticket_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(_bits(t) >= 128 for t in tokens)


def test_api_tokens_have_at_least_128_bits_and_only_their_hash_is_stored(session):
    user = factories.make_user(session)
    token, plain = services.issue_api_token(session, user, "door")
    session.commit()
    assert _bits(plain.removeprefix(ApiToken.PREFIX)) >= 128
    assert token.token_hash == hash_secret(plain) and plain not in token.token_hash
    stored = session.execute(select(ApiToken.token_hash, ApiToken.prefix)).one()
    assert plain not in "".join(stored) and len(stored.prefix) < len(plain) // 2


def test_passwords_are_hashed_with_a_slow_function_and_need_a_minimum_length(session):
    user = services.create_user(session, email="new@example.kz", name="N", role="staff", password=PASSWORD)
    method, work_factor = user.password_hash.split("$", 1)[0].split(":")[:2]
    assert method == "scrypt" and int(work_factor) >= 2**15  # werkzeug's default: 32 MiB of memory per guess
    assert PASSWORD not in user.password_hash
    assert services.authenticate(session, "new@example.kz", PASSWORD) == user
    with pytest.raises(services.AccountRefused) as refused:
        services.create_user(session, email="short@example.kz", name="S", role="staff", password="123456789")
    assert refused.value.code == "password_too_short"


# -- password reset -----------------------------------------------------------------------------------------------


def _reset_mails(session):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all()


def _link_in(outbox):
    message = message_from_bytes(outbox.message, policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/password/reset/[A-Za-z0-9_-]+", text).group(0)


def _ask_for_reset(client, email, **kwargs):
    return client.post("/password/forgot", data={"email": email}, **kwargs)


def test_reset_request_answers_the_same_whether_or_not_the_account_exists(client, session):
    factories.make_user(session, email="known@example.kz")
    factories.make_user(session, email="gone@example.kz", active=False)
    session.commit()
    answers = [_ask_for_reset(client, email) for email in ("known@example.kz", "nobody@example.kz",
                                                           "gone@example.kz")]
    assert {(a.status_code, a.location) for a in answers} == {(302, "/login")}
    flashes = [client.get("/login").get_data(as_text=True) for _ in answers[:1]]
    assert "If known@example.kz belongs to a staff account" in flashes[0]
    mails = _reset_mails(session)
    assert [m.recipient for m in mails] == ["known@example.kz"]


def test_reset_link_works_once_and_ends_other_sessions(app, client, session, login):
    user = login("organizer", email="olzhas@example.kz")
    other_device = app.test_client()
    login_response = other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert login_response.status_code == 302
    anonymous = app.test_client()
    _ask_for_reset(anonymous, "Olzhas@example.kz ")
    link = _link_in(_reset_mails(session)[0])
    assert link.startswith("http://localhost/password/reset/")
    token = link.rsplit("/", 1)[1]
    assert session.scalar(select(PasswordResetToken.token_hash)) == hash_secret(token)

    page = anonymous.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "same-origin" and page.headers["Cache-Control"] == "no-store"
    differ = anonymous.post(link, data={"password": "new-password-123", "confirm": "other-password-123"})
    assert differ.status_code == 400 and "The passwords differ." in differ.get_data(as_text=True)
    done = anonymous.post(link, data={"password": "new-password-123", "confirm": "new-password-123"})
    assert done.status_code == 302 and done.location == "/login"

    session.expire_all()
    assert session.get(User, user.id).check_password("new-password-123")
    assert other_device.get("/organizer/").status_code == 302  # logged out there
    again = anonymous.post(link, data={"password": "another-password-1", "confirm": "another-password-1"})
    assert again.status_code == 404 and "no longer works" in again.get_data(as_text=True)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "password_reset"))
    assert entry.user_id == user.id


def test_reset_link_expires_and_unknown_links_are_refused(app, client, session):
    user = factories.make_user(session, email="timur@example.kz")
    long_ago = utcnow() - timedelta(hours=2)
    with app.test_request_context():  # as from the view: the e-mail is written in the visitor's language
        services.request_password_reset(session, user.email, now=long_ago,
                                        link_for=lambda t: f"http://localhost/password/reset/{t}")
    session.commit()
    link = _link_in(_reset_mails(session)[0])
    assert client.get(link).status_code == 404
    assert client.get("/password/reset/not-a-real-token").status_code == 404
    with pytest.raises(services.AccountRefused):
        services.reset_password_with_token(session, link.rsplit("/", 1)[1], "long-enough-password")


def test_reset_link_ignores_a_forged_host_header(client, session):
    factories.make_user(session, email="host@example.kz")
    session.commit()
    _ask_for_reset(client, "host@example.kz", headers={"Host": "evil.example"})
    assert _link_in(_reset_mails(session)[0]).startswith("http://localhost/")


def test_a_new_password_must_be_long_enough(client, session):
    user = factories.make_user(session)
    session.commit()
    _ask_for_reset(client, user.email)
    link = _link_in(_reset_mails(session)[0])
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    session.expire_all()
    assert session.get(User, user.id).check_password(PASSWORD)
    assert session.scalar(select(func.count()).select_from(PasswordResetToken)
                          .where(PasswordResetToken.used_at.is_(None))) == 1


def test_secret_url_pages_send_no_referrer_elsewhere_and_are_not_stored(app, client, session):
    assert SECRET_URL_ENDPOINTS <= set(app.view_functions), "a secret-URL endpoint was renamed or removed"
    seminar = factories.make_seminar(session)
    registration = factories.make_registration(session, seminar)
    session.commit()
    for path in ("", "qr.svg", "qr.png", "ticket.pdf", "calendar.ics", "cancel", "registered"):
        with client.get(f"/t/{registration.token}/{path}") as response:
            assert response.status_code == (302 if path == "registered" else 200), path
            assert response.headers["Referrer-Policy"] == "same-origin", path
            assert response.headers["Cache-Control"] == "no-store", path
            _assert_security_headers(response, path)
    unknown = client.get("/t/AAAAAAAAAAAAAAAAAAAAAAAA/")
    assert unknown.status_code == 404 and unknown.headers["Referrer-Policy"] == "same-origin"


# -- no user-supplied text is ever rendered unescaped -------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(1)>"
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror", "<svg onload")
FORMULA = '=HYPERLINK("http://evil.example","x")'
FORMULA_STARTS = ("=", "+", "-", "@")


def _hostile_world(session):
    """A seminar in progress where every text a person or organizer can type carries markup."""
    from eventreg.models import AgendaItem, Answer, Question, SeminarDay, SeminarSession, Speaker

    seminar = factories.make_seminar(
        session, starts_at=utcnow() - timedelta(hours=1), title=f"Forum {SCRIPT}", description=f"About {IMG}",
        venue=SVG, address=IMG, organizer_name=SCRIPT, contact_email="x@example.kz",
    )
    hostile_category = factories.make_category(session, seminar, label=SCRIPT)
    speaker = Speaker(seminar=seminar, name=SCRIPT, honorific=IMG, position=SVG, affiliation=IMG)
    session.add(speaker)
    session.add(AgendaItem(seminar=seminar, position=1, starts_at=seminar.starts_at, title=IMG, kind="talk",
                           description=SCRIPT, speakers=[speaker]))
    person = factories.make_registration(
        session, seminar, full_name=f"{SCRIPT} {IMG}", email="x.<svg.onload=alert(1)>@example.kz",
        organization=FORMULA + SVG, position=IMG, phone="@" + SVG[2:], category=hostile_category,
    )
    student = factories.make_registration(
        session, seminar, category_key="student", full_name=f"+{SVG}", email="student@example.kz",
        university=SCRIPT, programme=IMG, organization=f"-{SCRIPT}", position=f"@{IMG}",
    )
    student.checked_in_at = utcnow()
    student.checked_in_gate = SVG
    student.checked_in_method = "camera"
    factories.make_registration(session, seminar, status="waitlisted", full_name=IMG, organization=SCRIPT)
    question = Question(seminar=seminar, key="hostile", kind="multiple_choice", label=SCRIPT, help_text=IMG,
                        position=0, choices=[{"key": "a", "label": SVG}, {"key": "b", "label": FORMULA}],
                        categories=[hostile_category], translations={"label": {"ru": IMG}})
    note = Question(seminar=seminar, key="note", kind="short_text", label=IMG, position=1)
    session.add_all([question, note])
    session.flush()
    session.add_all([Answer(registration_id=person.id, question_id=question.id, value="a,b"),
                     Answer(registration_id=person.id, question_id=note.id, value=FORMULA + SCRIPT)])
    day = SeminarDay(seminar=seminar, starts_at=seminar.starts_at, ends_at=seminar.ends_at)
    session.add(SeminarSession(seminar_id=seminar.id, day=day, title=SCRIPT, room=IMG, starts_at=seminar.starts_at,
                               ends_at=seminar.ends_at, capacity=5, translations={"title": {"ru": SVG}}))
    admin = factories.make_user(session, role="admin", name=SCRIPT)
    services.issue_api_token(session, admin, IMG)
    session.commit()
    return seminar, person, admin, speaker


def _hostile_certificate(session, seminar, person):
    """Certificate settings and a certificate printing the hostile texts; the URL values that name them."""
    from eventreg.certificates import services as certificates
    from eventreg.models import Certificate

    certificates.save_settings(session, seminar, {"enabled": True, "title_line": {"en": SCRIPT},
                                                  "body_text": {"en": IMG}, "signatories": [{"name": SVG}]},
                               languages={"en": "English"}, by=None)
    certificate = Certificate(seminar_id=seminar.id, registration_id=person.id, number="hostile-1",
                              holder_name=person.full_name)
    session.add(certificate)
    session.commit()
    return {"certificate_id": certificate.id, "code": certificate.code}


def _fill_rule(rule, values):
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _check_body(url, response):
    kind = response.content_type or ""
    data = response.get_data()
    problems = []
    if "html" in kind:
        text = data.decode()
        problems += [(url, marker) for marker in RAW_MARKERS if marker in text]
    elif "csv" in kind:
        import csv
        import io

        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            problems += [(url, cell) for cell in row if cell.startswith(FORMULA_STARTS)]
    elif "spreadsheetml" in kind:
        import io

        from openpyxl import load_workbook

        for sheet in load_workbook(io.BytesIO(data)).worksheets:
            problems += [(url, cell.value) for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    elif url.startswith("/api/") and response.status_code != 404:
        assert response.is_json or kind.startswith(("text/csv", "application/pdf")), (url, kind)
    return problems


def test_no_user_supplied_text_is_rendered_unescaped_on_any_page(app, client, session, login, api_token):
    from eventreg.models import Category

    seminar, person, _admin, speaker = _hostile_world(session)
    login("admin")
    bearer = {"Authorization": f"Bearer {api_token('admin')}"}
    category = session.scalar(select(Category).where(Category.seminar_id == seminar.id, Category.label == SCRIPT))
    user = session.scalar(select(User).where(User.name == SCRIPT))
    item_id = seminar.agenda_items[0].id
    values = {"slug": seminar.slug, "token": person.token, "registration_id": person.id, "item_id": item_id,
              "speaker_id": speaker.id, "category_id": category.id, "user_id": user.id, "action": "confirm",
              "question_id": seminar.questions[0].id, "day_id": seminar.days[0].id,
              "session_id": seminar.sessions[0].id}
    # A check-in through the API first, so the door's log and the reports hold the hostile gate name too.
    scan = client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": person.token, "gate": SVG},
                       headers=bearer)
    assert scan.status_code == 200 and scan.is_json and scan.get_json()["status"] == "checked_in"
    values.update(_hostile_certificate(session, seminar, person))

    reflected = {"q": IMG, "status": IMG, "category": SCRIPT, "next": IMG, "gate": SVG}
    problems, visited = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if "list_name" in rule.arguments:
            urls = [rule.rule.replace("<slug>", seminar.slug).replace("<list_name>", name).replace("<fmt>", fmt)
                    for name in ("attendance", "registrations", "no-shows") for fmt in ("csv", "xlsx")]
        else:
            urls = [_fill_rule(rule, values)]
        for url in urls:
            headers = bearer if url.startswith("/api/") else {}
            for query in ({}, reflected):
                response = client.get(url, query_string=query, headers=headers)
                assert response.status_code < 500, (url, query, response.status_code)
                problems += _check_body(url, response)
                visited += 1
    assert visited > 60
    assert not problems, problems

    # The people really were shown (escaped), not just left out.
    for url in (f"/organizer/s/{seminar.slug}/registrations", f"/t/{person.token}/", f"/s/{seminar.slug}/",
                f"/checkin/s/{seminar.slug}/search?q=alert", f"/organizer/s/{seminar.slug}/days"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(url).get_data(as_text=True), url


def test_the_escaping_check_catches_raw_markup_and_formulas(app):
    page = app.response_class(f"<p>{SCRIPT}</p>", mimetype="text/html")
    sheet = app.response_class("\ufeffname,org\r\nA,=1+1\r\n", mimetype="text/csv")
    assert _check_body("/page", page) and _check_body("/export.csv", sheet)


def test_templates_need_no_inline_script_or_style(app):
    """The Content-Security-Policy blocks inline code; a template that relies on it breaks in the browser."""
    from pathlib import Path

    inline = re.compile(r'style="|<style|<script(?![^>]*\bsrc=)|\son[a-z]+\s*=', re.IGNORECASE)
    root = Path(app.template_folder)
    offenders = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.html")) if "email" not in path.relative_to(root).parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if inline.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def _token_lookups(app, action):
    """The SQL statements that look a registration up by its token while `action` runs."""
    from sqlalchemy import event

    from eventreg.extensions import db

    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "registration.token =" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return seen


def test_known_and_unknown_ticket_tokens_take_the_same_lookup(app, client, session, api_token):
    seminar = factories.make_seminar(session, starts_at=utcnow())
    registration = factories.make_registration(session, seminar)
    session.commit()
    unknown = new_ticket_token()
    bearer = {"Authorization": f"Bearer {api_token('staff')}"}
    for path in ("", "qr.svg"):
        known_sql = _token_lookups(app, lambda p=path: client.get(f"/t/{registration.token}/{p}"))
        unknown_sql = _token_lookups(app, lambda p=path: client.get(f"/t/{unknown}/{p}"))
        assert known_sql and known_sql == unknown_sql  # one indexed equality lookup; no early exit on a prefix

    def scan(code):
        return lambda: client.post(f"/api/v1/seminars/{seminar.slug}/checkins", json={"code": code}, headers=bearer)

    assert _token_lookups(app, scan(unknown))[0] == _token_lookups(app, scan(registration.token))[0]
