"""Issue #27: the attacks of an outsider's trial, one test (or a few) per attack, each named for what it stops.

Every test here runs on SQLite and PostgreSQL (the `app` fixture). docs/security.md lists them next to the
promises they back.
"""

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventreg import mail
from eventreg.auth import services as accounts
from eventreg.checkin import services as checkin
from eventreg.models import (
    ApiToken,
    AuditEntry,
    OutboxMessage,
    Registration,
    Seminar,
    StaffSession,
    User,
    utcnow,
)
from eventreg.registration import emails
from eventreg.reports import exports
from eventreg.seminars import services as seminars
from tests import factories
from tests.conftest import PASSWORD
from tests.openapi_check import assert_matches_openapi
from tests.test_registration import form_data
from tests.test_reports import make_report_seminar


def _copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        target.set_cookie(name, cookie.value)


def _log_in(client, user, **extra):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


# --- 2. Logout ends the session on the server ---------------------------------------------------------------

def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, client, session):
    user = factories.make_user(session, role="organizer")
    session.commit()
    _log_in(client, user)
    thief = app.test_client()
    _copy_cookies(client, thief, "session")
    assert thief.get("/organizer/").status_code == 200

    client.post("/logout")

    response = thief.get("/organizer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_remember_cookie_is_new_at_each_login_and_dies_at_logout(app, client, session):
    user = factories.make_user(session, role="organizer")
    session.commit()
    _log_in(client, user, remember="y")
    first = client.get_cookie("remember_token").value
    client.post("/logout")
    _log_in(client, user, remember="y")
    second = client.get_cookie("remember_token").value
    assert first != second

    thief = app.test_client()  # only the remember cookie: Flask-Login logs in from it
    thief.set_cookie("remember_token", second)
    assert thief.get("/organizer/").status_code == 200
    client.post("/logout")
    fresh_thief = app.test_client()
    fresh_thief.set_cookie("remember_token", second)
    assert fresh_thief.get("/organizer/").status_code == 302
    old_thief = app.test_client()
    old_thief.set_cookie("remember_token", first)
    assert old_thief.get("/organizer/").status_code == 302


def test_logging_out_one_device_keeps_the_others(app, client, session):
    user = factories.make_user(session, role="staff")
    session.commit()
    laptop = app.test_client()
    _log_in(client, user)
    _log_in(laptop, user)
    client.post("/logout")
    assert laptop.get("/checkin/").status_code == 200


@pytest.mark.parametrize("change", ["password", "role", "deactivation"])
def test_a_password_role_or_deactivation_change_ends_every_copy_of_the_session(app, client, session, change):
    user = factories.make_user(session, role="organizer")
    factories.make_user(session, role="admin")
    session.commit()
    _log_in(client, user, remember="y")
    thief = app.test_client()
    _copy_cookies(client, thief, "session", "remember_token")
    user = session.get(User, user.id)
    if change == "password":
        accounts.set_password(session, user, "a-quite-new-secret")
    elif change == "role":
        accounts.change_role(session, user, "staff")
    else:
        accounts.deactivate_user(session, user)
    session.commit()

    for stale in (client, thief):
        response = stale.get("/checkin/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert session.scalar(select(StaffSession.id).where(StaffSession.user_id == user.id,
                                                        StaffSession.ended_at.is_(None))) is None


def test_changing_my_own_password_keeps_me_logged_in_here_only(app, client, session):
    user = factories.make_user(session, role="staff")
    session.commit()
    _log_in(client, user)
    other = app.test_client()
    _log_in(other, user)
    response = client.post("/profile/password", data={
        "pw-current_password": PASSWORD, "pw-password": "a-quite-new-secret", "pw-confirm": "a-quite-new-secret"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other.get("/profile").status_code == 302


def test_a_csrf_token_planted_before_login_is_worthless_after_it(app, client, session):
    app.config["WTF_CSRF_ENABLED"] = True
    user = factories.make_user(session, role="staff")
    session.commit()
    page = client.get("/login").get_data(as_text=True)
    before = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302
    with client.session_transaction() as cookie_session:
        assert cookie_session.get("csrf_token") is None  # a fresh one is made for the first form after login

    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert client.get("/checkin/").status_code == 200


# --- 4. CSV safe in every Excel locale -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Acme;=cmd|' /C calc'!A0;",
    "Acme,=cmd|' /C calc'!A0",
    "Acme\n=1+1",
    "Acme\r\n+SUM(A1)",
    "Acme\t@A1",
    "Acme; -2+3",
])
def test_a_formula_after_a_separator_or_line_break_inside_a_cell_cannot_run(text):
    safe = exports.neutralise(text)
    for separator in (",", ";", "\t", "\n", "\r"):
        for piece in safe.split(separator):
            assert not piece.lstrip(" \t").startswith(("=", "+", "-", "@")), (text, safe)
    assert safe.replace("'", "") == text.replace("'", "")


def _csv_rows(response, delimiter):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return body.decode("utf-8-sig"), list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""),
                                                    delimiter=delimiter))


def test_a_semicolon_excel_reading_an_export_never_sees_a_formula_cell(client, session, login):
    seminar = make_report_seminar(session)
    registration = session.scalars(select(Registration).where(Registration.seminar_id == seminar.id)).first()
    registration.organization = "Acme;=cmd|' /C calc'!A0;"
    session.commit()
    login("organizer")
    for sep, delimiter in (("comma", ","), ("semicolon", ";")):
        text, rows = _csv_rows(client.get(f"/reports/s/{seminar.slug}/registrations.csv?sep={sep}"), delimiter)
        assert rows[0][0] == "Name"
        # Every field quoted, and what a ;-splitting Excel would see as cells starts with no formula character.
        for line in text.splitlines()[1:]:
            assert line.startswith('"')
            for naive_cell in line.replace(",", ";").split(";"):
                assert not naive_cell.strip('"').startswith(("=", "+", "@")), line
        organization = rows[0].index("Organization")
        assert "Acme;'=cmd|' /C calc'!A0;" in [row[organization] for row in rows[1:]]


@pytest.mark.parametrize("language, delimiter", [("ru", ";"), ("kk", ";"), ("en", ","), ("zh", ",")])
def test_the_csv_separator_defaults_to_the_organizers_language(app, client, session, login, language, delimiter):
    app.config["LANGUAGES"] = {"en": "English", "ru": "Русский", "kk": "Қазақша", "zh": "中文"}
    seminar = make_report_seminar(session)
    session.commit()
    login("organizer")
    client.post("/language", data={"language": language})
    text, rows = _csv_rows(client.get(f"/reports/s/{seminar.slug}/attendance.csv"), delimiter)
    assert len(rows[0]) == len(exports.COLUMNS["attendance"])


def test_the_summary_offers_a_csv_for_semicolon_excel(client, session, login):
    seminar = make_report_seminar(session)
    session.commit()
    login("organizer")
    page = client.get(f"/reports/s/{seminar.slug}/").get_data(as_text=True)
    assert "CSV for Excel (;)" in page and 'name="sep" value="semicolon"' in page
    assert client.get(f"/reports/s/{seminar.slug}/attendance.csv?sep=tab").status_code == 302


# --- 8. Enumeration ---------------------------------------------------------------------------------------

def test_forgot_password_does_the_same_work_whether_or_not_the_account_exists(client, session, monkeypatch):
    factories.make_user(session, email="known@example.kz")
    session.commit()
    rendered = []
    real_render = mail.render
    monkeypatch.setattr(mail, "render", lambda outbox, content: rendered.append(outbox.recipient)
                        or real_render(outbox, content))
    for email in ("known@example.kz", "nobody@example.kz"):
        assert client.post("/password/forgot", data={"email": email}).status_code == 302
    assert rendered == ["known@example.kz", "nobody@example.kz"]
    assert [m.recipient for m in session.scalars(select(OutboxMessage)).all()] == ["known@example.kz"]


def _without_csrf(response):
    """A page's HTML without its CSRF token, the one part that differs between two visitors."""
    return re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))


def _answer(response):
    """What a signup's answer says, beyond the page: its status and headers (the request id and the session
    cookie's signature differ for any two requests; the cookie's content is compared through the page it opens)."""
    headers = {name: value for name, value in response.headers if name not in ("X-Request-Id", "Set-Cookie")}
    cookie = response.headers.get("Set-Cookie", "")
    return response.status_code, headers, cookie.split("=", 1)[0], cookie.split(";", 1)[-1]


def test_the_public_signup_answers_the_same_for_a_registered_and_a_new_address(app, session):
    """The same form, sent first for an address nobody registered and then, from another browser, for the same
    address now registered: the same status, headers and page, and only the inbox's owner hears the difference."""
    seminar = factories.make_seminar(session)
    session.commit()
    answers, pages = [], []
    for _ in ("new", "registered"):
        browser = app.test_client()
        response = browser.post(f"/s/{seminar.slug}/register", data=form_data(seminar, email="aliya@example.kz",
                                                                              full_name="Aliya Nurlanova"))
        answers.append(_answer(response))
        pages.append(_without_csrf(browser.get(response.headers["Location"])))
    assert answers[0] == answers[1] and answers[0][0] == 302
    assert pages[0] == pages[1] and "aliya@example.kz" in pages[0] and "Thank you, Aliya Nurlanova" in pages[0]
    registration = session.scalars(select(Registration)).one()
    told = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.recipient, m.registration_id) for m in told] == [
        ("confirmation", "aliya@example.kz", registration.id), ("ticket_resend", "aliya@example.kz", registration.id)]


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "not_yet"])
def test_a_stranger_cannot_see_the_ticket_of_an_address_they_typed(app, client, session, registered):
    """Whether the victim's address is registered already or the stranger registers it now, the ticket goes to
    the victim's inbox only: not in the answer's URL, headers, cookie or page."""
    seminar = factories.make_seminar(session)
    if registered:
        factories.make_registration(session, seminar, email="victim@example.kz")
    session.commit()
    response = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, email="victim@example.kz"))
    page = client.get(response.headers["Location"])
    token = session.scalars(select(Registration.token).where(Registration.email == "victim@example.kz")).one()
    seen = [response.headers["Location"], str(response.headers), page.get_data(as_text=True), str(page.headers)]
    with client.session_transaction() as cookie:
        seen.append(str(dict(cookie)))
    assert all(token not in text for text in seen)
    assert client.get(f"/t/{token}/").status_code == 200  # the token is the real ticket: only its inbox has it


def test_a_stranger_cannot_flood_a_registered_address_by_signing_it_up_again(app, session):
    """Each signup of a registered address would e-mail its owner: at most one such e-mail an hour."""
    from eventreg.registration import services as registrations

    seminar = factories.make_seminar(session)
    owner = factories.make_registration(session, seminar, email="owner@example.kz")
    session.commit()
    for n in range(5):
        response = app.test_client().post(f"/s/{seminar.slug}/register",
                                          data=form_data(seminar, email="owner@example.kz", full_name=f"Bot {'x' * n}"))
        assert response.status_code == 302
    an_hour_later = utcnow() + timedelta(hours=1)
    registrations.public_signup(session, seminar, form_data(seminar, email="owner@example.kz"), key=None,
                                now=an_hour_later)
    session.commit()
    told = session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.registration_id) for m in told] == [("ticket_resend", owner.id)] * 2
    assert session.scalar(select(func.count()).select_from(Registration)) == 1


def _held(session, seminar, email="held@example.kz", **extra):
    """A public signup for a seminar that confirms addresses, its address not confirmed yet."""
    from eventreg.registration import services as registrations

    registration = registrations.register(session, seminar, {
        "full_name": "Held Person", "email": email, "consent_data": True,
        "category_id": factories.category(seminar, "general").id, **extra})
    assert registration.awaits_email_confirmation
    return registration


def test_a_held_seat_is_freed_when_the_email_is_not_confirmed_in_time(app, client, session, runner):
    """Someone signs up with addresses that are not theirs to fill the seats: unconfirmed, each seat goes back,
    to the first person waiting, and the address typed gets nothing but the one link."""
    seminar = factories.make_seminar(session, capacity=1, email_confirmation_hours=24)
    session.commit()
    assert client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, email="stranger@example.kz")
                       ).status_code == 302
    held = session.scalars(select(Registration)).one()
    assert (held.status, held.email_confirmed_at, held.source) == ("confirmed", None, "online")
    waiting = factories.make_registration(session, seminar, status="waitlisted", email="waiting@example.kz")
    session.commit()
    hold_ends = held.hold_expires_at
    assert 23 <= (hold_ends - held.created_at).total_seconds() / 3600 <= 24
    assert client.get(f"/t/{held.token}/qr.svg").status_code == 404  # a held seat is no ticket

    from eventreg.registration import services as registrations
    assert registrations.expire_holds(session, now=hold_ends - timedelta(minutes=1)) == 0
    session.execute(Registration.__table__.update().where(Registration.id == held.id)
                    .values(hold_expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    result = runner.invoke(args=["expire-holds"])
    assert result.exit_code == 0 and "Released 1" in result.output, result.output
    session.expire_all()
    held, waiting = session.get(Registration, held.id), session.get(Registration, waiting.id)
    assert (held.status, waiting.status) == ("cancelled", "confirmed")
    assert session.get(Seminar, seminar.id).seats_taken == 1
    told = [(m.recipient, m.kind) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert told == [("stranger@example.kz", "confirm_email"), ("waiting@example.kz", "promoted")]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.registration_id == held.id)).one()
    assert (entry.action, entry.details) == ("registration_cancelled", {"was": "confirmed",
                                                                        "reason": "email_not_confirmed"})
    assert runner.invoke(args=["expire-holds"]).output.startswith("Released 0")


def test_the_door_refuses_a_registration_whose_email_is_not_confirmed(client, session, api_token, login):
    """A seat taken with someone else's address is no way in, online or offline, until the link is followed."""
    from eventreg.checkin import offline

    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3),
                                     email_confirmation_hours=24)
    held = _held(session, seminar)
    session.commit()
    url = f"/api/v1/seminars/{seminar.slug}/checkins"
    door_token = _bearer(api_token, "staff")
    scan = client.post(url, json={"code": held.token}, headers=door_token)
    assert scan.status_code == 200 and scan.get_json()["status"] == "email_not_confirmed"
    assert scan.get_json()["title"] == "E-mail not confirmed"
    assert_matches_openapi(client, "POST", url, scan)
    session.expire_all()
    assert session.get(Registration, held.id).checked_in_at is None
    ticket = client.get(f"/t/{held.token}/").get_data(as_text=True)
    assert "Confirm your e-mail address first" in ticket and "<svg" not in ticket
    for suffix in ("qr.svg", "qr.png", "ticket.pdf"):
        assert client.get(f"/t/{held.token}/{suffix}").status_code == 404
    door = factories.make_user(session, role="staff")
    session.commit()
    device, actions = offline.read_batch({"device": "device-one", "actions": [
        {"nonce": "nonce-0001", "kind": "check_in", "at": utcnow().isoformat(), "code": held.token}]})
    assert offline.apply_batch(session, seminar, device, actions, by=door, now=utcnow(),
                               override_window=True)["nonce-0001"]["reason"] == "email_not_confirmed"
    session.commit()
    login("staff")
    entry = client.get(f"/api/v1/seminars/{seminar.slug}/roster").get_json()["entries"][0]
    assert (entry["hash"], entry["email_confirmed"]) == (offline.token_hash(held.token), False)

    assert client.post(f"/t/{held.token}/confirm").status_code == 302  # the link in the e-mail, followed
    assert "<svg" in client.get(f"/t/{held.token}/").get_data(as_text=True)
    again = client.post(url, json={"code": held.token}, headers=door_token)
    assert again.get_json()["status"] == "checked_in"


def _confirm_in_thread(app, registration_ids, now, barrier, outcomes):
    from eventreg.extensions import db
    from eventreg.registration import services as registrations

    with app.app_context():
        barrier.wait()
        for registration_id in registration_ids:
            try:
                registrations.confirm_email(db.session, db.session.get(Registration, registration_id), now=now)
                db.session.commit()
                outcomes[registration_id] = "confirmed"
            except registrations.RegistrationRefused as refusal:
                db.session.rollback()
                outcomes[registration_id] = refusal.code
        db.session.remove()


def _expire_in_thread(app, now, barrier, released):
    from eventreg.extensions import db
    from eventreg.registration import services as registrations

    with app.app_context():
        barrier.wait()
        released.append(registrations.expire_holds(db.session, now=now))
        db.session.commit()
        db.session.remove()


def test_confirming_and_expiring_at_once_do_not_both_happen(app, session):
    """The link followed in the last second while the expiry runs (its clock a second ahead): each registration is
    confirmed or released, never both, and the seats add up."""
    seminar = factories.make_seminar(session, capacity=20, email_confirmation_hours=1)
    held = [_held(session, seminar, email=f"held{n}@example.kz") for n in range(12)]
    session.flush()
    ends = held[0].hold_expires_at
    session.execute(Registration.__table__.update().values(hold_expires_at=ends))
    ids = [registration.id for registration in held]
    session.commit()  # and no reads after it: on SQLite a new transaction would hold the write lock
    barrier, outcomes, released = threading.Barrier(2, timeout=30), {}, []
    # The expiry goes through them oldest first, the person from the newest: they meet somewhere in the middle.
    threads = [threading.Thread(target=_confirm_in_thread,
                                args=(app, ids[::-1], ends - timedelta(seconds=1), barrier, outcomes)),
               threading.Thread(target=_expire_in_thread, args=(app, ends + timedelta(seconds=1), barrier, released))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.expire_all()
    rows = {r.id: r for r in session.scalars(select(Registration)).all()}
    for registration_id, outcome in outcomes.items():
        row = rows[registration_id]
        if outcome == "confirmed":
            assert (row.status, row.email_confirmed_at is not None) == ("confirmed", True)
        else:  # the hold ran out under the person's click, or had been released when they clicked
            assert outcome in ("hold_expired", "not_active")
            assert (row.status, row.email_confirmed_at) == ("cancelled", None)
    assert released == [sum(outcome != "confirmed" for outcome in outcomes.values())]
    kept = sum(r.status == "confirmed" for r in rows.values())
    assert session.get(Seminar, seminar.id).seats_taken == kept
    mailed = session.scalars(select(OutboxMessage.registration_id).where(OutboxMessage.kind == "confirmation")).all()
    assert sorted(mailed) == sorted(i for i, outcome in outcomes.items() if outcome == "confirmed")


# --- 9. Passwords ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("password, code", [
    ("aliya.nurlanova@enu.kz", "password_is_email"),
    ("aliya.nurlanova2024!", "password_is_email"),
    ("aaaaaaaaaaaa", "password_repetitive"),
    ("abcabcabcabc", "password_repetitive"),
    ("abcdefghijkl", "password_repetitive"),
    ("9876543210", "password_repetitive"),
    ("password123", "password_common"),
    ("qwertyuiop", "password_common"),
    ("iloveyou2024!", "password_common"),
])
def test_guessable_passwords_are_refused_with_a_reason(session, password, code):
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.create_user(session, email="aliya.nurlanova@enu.kz", name="A", role="staff", password=password)
    assert refused.value.code == code


def test_the_common_password_list_is_long_enough():
    assert len(accounts.common_passwords()) >= 10_000


def test_a_guessable_new_password_is_explained_on_every_form(client, session, login):
    admin = login("admin")
    response = client.post("/admin/users", data={"name": "D", "email": "d@example.kz", "role": "staff",
                                                  "password": "password123"})
    assert response.status_code == 400
    assert "commonest passwords" in response.get_data(as_text=True)
    assert 'value="d@example.kz"' in response.get_data(as_text=True)
    response = client.post("/profile/password", data={
        "pw-current_password": PASSWORD, "pw-password": "abcdefghijk", "pw-confirm": "abcdefghijk"})
    assert response.status_code == 400 and "runs in sequence" in response.get_data(as_text=True)
    assert session.get(User, admin.id).check_password(PASSWORD)


# --- 5. E-mail header injection and frozen subjects ------------------------------------------------------------

SEMINAR = {"title": "Digital Silk Road", "starts_at": "2031-03-14T10:00", "ends_at": "2031-03-14T13:00"}


def _bearer(api_token, role="organizer"):
    return {"Authorization": f"Bearer {api_token(role)}"}


@pytest.mark.parametrize("field", ["title", "organizer_name", "venue", "address"])
def test_a_line_break_in_a_seminar_field_is_refused_by_the_api(client, session, api_token, field):
    headers = _bearer(api_token)
    response = client.post("/api/v1/seminars", json={**SEMINAR, field: "Silk Road\r\nBcc: all@evil.example"},
                           headers=headers)
    assert response.status_code == 400
    assert "control characters" in response.get_json()["fields"][field][0]
    assert session.scalar(select(func.count()).select_from(Seminar)) == 0
    assert client.post("/api/v1/seminars", json={**SEMINAR, "description": "Line one\r\nLine two\tend"},
                       headers=headers).status_code == 201


@pytest.mark.parametrize("field", ["organization", "position"])
def test_a_control_character_in_a_registrant_field_is_refused_by_the_api(client, session, api_token, field):
    seminar = factories.make_seminar(session)
    session.commit()
    response = client.post(f"/api/v1/seminars/{seminar.slug}/registrations", headers=_bearer(api_token),
                           json={"full_name": "Aliya Nurlanova", "email": "aliya@example.kz",
                                 "category": "general", field: "Acme\nBcc: x@evil.example"})
    assert response.status_code == 400 and list(response.get_json()["fields"]) == [field]
    assert session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_control_character_in_a_staff_name_is_refused_by_the_form(client, session, login):
    login("admin")
    response = client.post("/admin/users", data={"name": "Door\r\nBcc: x", "email": "d@example.kz", "role": "staff",
                                                  "password": "a-quite-new-secret"})
    assert response.status_code == 400 and "control characters" in response.get_data(as_text=True)
    assert accounts.find_user(session, "d@example.kz") is None


def test_a_subject_is_written_at_sending_from_the_corrected_title(app, session, smtp_server):
    seminar = factories.make_seminar(session, title="Silk Road\r\nBcc: all@evil.example")  # stored before #27
    registration = factories.make_registration(session, seminar, email="aliya@example.kz")
    emails.queue(session, registration, "confirmation")
    session.commit()
    seminars.update_seminar(session, seminar, {"title": "Digital Silk Road"})
    session.commit()
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert message["Subject"] == "Your ticket: Digital Silk Road"
    assert message["Bcc"] is None
    assert session.scalar(select(OutboxMessage.subject)) == "Your ticket: Digital Silk Road"


def test_a_broken_title_already_stored_cannot_inject_a_header(app, session, smtp_server):
    seminar = factories.make_seminar(session, title="Silk Road\r\nBcc: all@evil.example")
    emails.queue(session, factories.make_registration(session, seminar), "confirmation")
    session.commit()
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert message["Bcc"] is None and "\n" not in message["Subject"]
    assert [rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts] == [message["To"]]


def test_a_message_that_gave_up_is_retried_once_its_seminar_is_corrected(app, session, smtp_server):
    seminar = factories.make_seminar(session, title="Old title")
    emails.queue(session, factories.make_registration(session, seminar), "confirmation")
    session.commit()
    outbox = session.scalars(select(OutboxMessage)).one()
    outbox.attempts, outbox.last_error = mail.MAX_ATTEMPTS, "ValueError: the header had a line break"
    session.commit()
    assert mail.send_due(session) == (0, 0)  # given up

    seminars.update_seminar(session, seminar, {"title": "New title"})
    session.commit()
    assert mail.send_due(session) == (1, 0)
    assert smtp_server.messages[0]["Subject"].endswith("New title")


# --- 6. No 500 for any input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"capacity": 2**31}, {"capacity": 2**63}, {"starts_at": "0001-01-01T00:00"}, {"ends_at": "9999-12-31T23:59"},
    {"registration_opens_at": "0001-01-01T10:00"}, {"starts_at": "9999-12-31T23:59", "ends_at": "9999-12-31T23:59"},
])
def test_huge_numbers_and_extreme_years_get_a_clear_400(client, session, api_token, change):
    response = client.post("/api/v1/seminars", json={**SEMINAR, **change}, headers=_bearer(api_token))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid" and set(change) & set(body["fields"])
    assert session.scalar(select(func.count()).select_from(Seminar)) == 0


@pytest.mark.parametrize("query", ["page=2147483648", "per_page=2147483648", "page=99999999999999999999999",
                                   "page=%0d", "page=%C2%B2"])
def test_huge_page_numbers_and_control_characters_in_parameters_get_a_400(client, session, api_token, query):
    seminar = factories.make_seminar(session)
    session.commit()
    response = client.get(f"/api/v1/seminars/{seminar.slug}/registrations?{query}", headers=_bearer(api_token))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_filter"


def test_huge_ids_in_urls_are_404_not_500(client, session, login, api_token):
    seminar = factories.make_seminar(session)
    session.commit()
    headers = _bearer(api_token)
    for method, url in (("DELETE", f"/api/v1/seminars/{seminar.slug}/checkins/{2**31}"),
                        ("DELETE", f"/api/v1/seminars/{seminar.slug}/checkins/{2**64}"),
                        ("POST", f"/api/v1/seminars/{seminar.slug}/checkins")):
        response = client.open(url, method=method, headers=headers,
                               json={"registration_id": 2**63} if method == "POST" else None)
        assert 400 <= response.status_code < 500, (url, response.status_code)
    login("organizer")
    for url in (f"/organizer/s/{seminar.slug}/registrations/{2**31}/edit",
                f"/organizer/s/{seminar.slug}/registrations/{2**70}/edit",
                f"/organizer/s/{seminar.slug}/registrations?page={2**40}"):
        assert client.get(url).status_code < 500, url


def test_a_field_over_128_kib_is_refused_with_a_message_and_changes_nothing(client, session, api_token):
    seminar = factories.make_seminar(session)
    session.commit()
    huge = "Ә" * (130 * 1024)
    headers = _bearer(api_token)
    answers = [
        client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, organization=huge)),
        client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, full_name=huge)),
        client.post(f"/api/v1/seminars/{seminar.slug}/registrations", headers=headers,
                    json={"full_name": "Aliya Nurlanova", "email": "aliya@example.kz", "category": "general",
                          "position": huge}),
        client.post("/api/v1/seminars", headers=headers, json={**SEMINAR, "description": huge}),
        client.patch(f"/api/v1/seminars/{seminar.slug}", headers=headers, json={"title": huge}),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 400]
    assert "At most" in answers[0].get_data(as_text=True)
    assert all(a.get_json()["fields"] for a in answers[2:])
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Registration)) == 0
    assert session.scalar(select(func.count()).select_from(Seminar)) == 1


# --- 10. API consistency -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_a_revoked_or_unknown_token_gets_401_json_not_a_csrf_400(app, client, session, api_token, method):
    app.config["WTF_CSRF_ENABLED"] = True
    seminar = factories.make_seminar(session)
    plain = api_token("organizer")
    accounts.revoke_api_token(session, session.scalars(select(ApiToken)).one())
    session.commit()
    urls = {"GET": f"/api/v1/seminars/{seminar.slug}/registrations", "POST": "/api/v1/seminars",
            "PATCH": f"/api/v1/seminars/{seminar.slug}", "DELETE": f"/api/v1/seminars/{seminar.slug}/checkins/1"}
    for token in (plain, "er_unknown", "nonsense"):
        response = client.open(urls[method], method=method, json={}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (token, response.get_data(as_text=True))
        assert response.get_json()["error"] == "unauthorized"


def test_paging_through_registrations_by_api_is_audited_like_an_export(client, session, api_token):
    seminar = factories.make_seminar(session)
    for _ in range(3):
        factories.make_registration(session, seminar)
    session.commit()
    headers = _bearer(api_token)
    for page in (1, 2, 3):
        assert client.get(f"/api/v1/seminars/{seminar.slug}/registrations?per_page=1&page={page}",
                          headers=headers).status_code == 200
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)).all()
    assert [(e.seminar_id, e.details["format"], e.details["page"]) for e in entries] == [
        (seminar.id, "api", 1), (seminar.id, "api", 2), (seminar.id, "api", 3)]
    assert all(e.user_id is not None for e in entries)


def test_a_retried_post_after_a_lost_answer_gets_the_first_answer_not_a_second_registration(client, session,
                                                                                           api_token):
    seminar = factories.make_seminar(session)
    session.commit()
    url = f"/api/v1/seminars/{seminar.slug}/registrations"
    headers = {**_bearer(api_token), "Idempotency-Key": "kiosk-7-0001"}
    body = {"full_name": "Aliya Nurlanova", "email": "aliya@example.kz", "category": "general"}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert session.scalar(select(func.count()).select_from(Registration)) == 1
    assert len([m for m in session.scalars(select(OutboxMessage)).all() if m.kind == "confirmation"]) == 1

    without_key = client.post(url, json=body, headers=_bearer(api_token))
    assert without_key.status_code == 409  # the duplicate rule still holds for a request that is not a retry
    reused = client.patch(f"/api/v1/seminars/{seminar.slug}", json={"venue": "Hall B"}, headers=headers)
    assert reused.status_code == 422 and reused.get_json()["error"] == "idempotency_key_reused"
    bad = client.post(url, json=body, headers={**_bearer(api_token), "Idempotency-Key": "a" * 101})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_idempotency_key"
    for method, answer in (("POST", again), ("PATCH", reused), ("POST", bad)):
        assert_matches_openapi(client, method, url if method == "POST" else f"/api/v1/seminars/{seminar.slug}",
                               answer)


def test_the_api_document_offers_the_idempotency_key_on_every_write(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    writes = [(path, method, operation) for path, operations in spec["paths"].items()
              for method, operation in operations.items() if method in ("post", "put", "patch", "delete")]
    assert len(writes) >= 6
    for path, method, operation in writes:
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"], (method, path)
    assert spec["components"]["parameters"]["IdempotencyKey"]["in"] == "header"


def test_the_same_post_sent_twice_at_the_same_instant_makes_one_registration(app, session, api_token):
    seminar = factories.make_seminar(session)
    url = f"/api/v1/seminars/{seminar.slug}/registrations"
    headers = {**_bearer(api_token), "Idempotency-Key": "twin-0001"}
    session.commit()  # and no reads after it: on SQLite a new transaction would hold the write lock
    barrier, answers = threading.Barrier(2, timeout=30), []

    def send():
        client = app.test_client()
        barrier.wait()
        response = client.post(url, json={"full_name": "Aliya Nurlanova", "email": "aliya@example.kz",
                                          "category": "general"}, headers=headers)
        answers.append((response.status_code, (response.get_json() or {}).get("error")))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (201, None) in answers
    # The twin gets the first answer, or is told the first is still being processed: never a second registration
    # and never "duplicate_email".
    assert all(answer in ((201, None), (409, "idempotency_key_in_use")) for answer in answers), answers
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_refused_write_leaves_its_idempotency_key_free_for_the_corrected_request(client, session, api_token):
    seminar = factories.make_seminar(session)
    session.commit()
    url = f"/api/v1/seminars/{seminar.slug}/registrations"
    headers = {**_bearer(api_token), "Idempotency-Key": "retry-me"}
    assert client.post(url, json={"full_name": "A", "email": "x"}, headers=headers).status_code == 400
    fixed = client.post(url, json={"full_name": "Aliya Nurlanova", "email": "aliya@example.kz", "category": "general"},
                        headers=headers)
    assert fixed.status_code == 201


def test_one_clients_idempotency_key_never_replays_anothers_answer(client, session, api_token):
    seminar = factories.make_seminar(session)
    session.commit()
    url = f"/api/v1/seminars/{seminar.slug}/registrations"
    first = client.post(url, json={"full_name": "Aliya Nurlanova", "email": "aliya@example.kz", "category": "general"},
                        headers={**_bearer(api_token), "Idempotency-Key": "same"})
    second = client.post(url, json={"full_name": "Dana Seitova", "email": "dana@example.kz", "category": "general"},
                         headers={**_bearer(api_token), "Idempotency-Key": "same"})
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]


def test_a_signup_form_sent_twice_makes_one_registration_and_shows_it_both_times(client, session):
    seminar = factories.make_seminar(session)
    session.commit()
    page = client.get(f"/s/{seminar.slug}/register").get_data(as_text=True)
    key = page.split('name="submission_key" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert len(key) >= 16
    data = form_data(seminar, submission_key=key)
    first = client.post(f"/s/{seminar.slug}/register", data=data)
    first_page = _without_csrf(client.get(first.headers["Location"]))
    again = client.post(f"/s/{seminar.slug}/register", data=data)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert _without_csrf(client.get(again.headers["Location"])) == first_page
    assert session.scalar(select(func.count()).select_from(Registration)) == 1
    assert [m.kind for m in session.scalars(select(OutboxMessage))] == ["confirmation"]  # and one e-mail
    # A different form with the same e-mail: the duplicate rule holds (one registration), with the same answer.
    other_form = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, submission_key="x" * 22))
    assert other_form.status_code == 302 and other_form.headers["Location"] == first.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Registration)) == 1


# --- 12. Undo at the door only during the seminar --------------------------------------------------------------

def _finished_seminar_with_an_arrival(session):
    starts = utcnow() - timedelta(days=2)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    registration = factories.make_registration(session, seminar)
    registration.checked_in_at, registration.checked_in_gate = starts, "Door 1"
    session.commit()
    return seminar, registration


def test_a_door_account_cannot_undo_a_check_in_after_the_window_closed(client, session, api_token):
    seminar, registration = _finished_seminar_with_an_arrival(session)
    response = client.delete(f"/api/v1/seminars/{seminar.slug}/checkins/{registration.id}",
                             json={"reason": "oops"}, headers=_bearer(api_token, "staff"))
    assert response.status_code == 403 and response.get_json()["error"] == "window_closed"
    session.expire_all()
    assert session.get(Registration, registration.id).checked_in_at is not None


def test_an_organizer_corrects_attendance_afterwards_only_with_a_reason_in_the_audit(client, session, api_token):
    seminar, registration = _finished_seminar_with_an_arrival(session)
    url = f"/api/v1/seminars/{seminar.slug}/checkins/{registration.id}"
    headers = _bearer(api_token)
    refused = client.delete(url, json={}, headers=headers)
    assert refused.status_code == 400 and refused.get_json()["error"] == "reason_required"
    session.expire_all()
    assert session.get(Registration, registration.id).checked_in_at is not None

    done = client.delete(url, json={"reason": "Scanned the wrong ticket; she left before the start."}, headers=headers)
    assert done.status_code == 200
    session.expire_all()
    assert session.get(Registration, registration.id).checked_in_at is None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance_corrected")).one()
    assert (entry.registration_id, entry.details["change"]) == (registration.id, "check_in_undone")
    assert entry.details["reason"].startswith("Scanned the wrong ticket")


def test_an_organizer_corrects_attendance_on_the_registration_page_with_a_reason(client, session, login):
    seminar, registration = _finished_seminar_with_an_arrival(session)
    absent = factories.make_registration(session, seminar)
    session.commit()
    login("organizer")
    page = client.get(f"/organizer/s/{seminar.slug}/registrations/{absent.id}/edit").get_data(as_text=True)
    assert "Correct the attendance" in page and "Not checked in." in page
    url = f"/organizer/s/{seminar.slug}/registrations/{absent.id}/attendance"
    refused = client.post(url, data={"attended": "yes", "reason": ""})
    assert refused.status_code == 400
    done = client.post(url, data={"attended": "yes", "reason": "Signed the paper sheet; the scanner was down."})
    assert done.status_code == 302
    taken_back = client.post(f"/organizer/s/{seminar.slug}/registrations/{registration.id}/attendance",
                             data={"attended": "no", "reason": "Wrong ticket scanned."})
    assert taken_back.status_code == 302
    session.expire_all()
    assert session.get(Registration, absent.id).checked_in_at is not None
    assert session.get(Registration, registration.id).checked_in_at is None
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "attendance_corrected")
                              .order_by(AuditEntry.id)).all()
    assert [(e.registration_id, e.details["change"]) for e in entries] == [
        (absent.id, "checked_in"), (registration.id, "check_in_undone")]


def test_the_door_may_still_undo_while_the_window_is_open(session):
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))
    door = factories.make_user(session, role="staff")
    registration = factories.make_registration(session, seminar)
    checkin.check_in(session, seminar, registration.token, gate="Door 1", by=door, method="camera")
    checkin.undo_check_in(session, seminar, registration, by=door, gate="Door 1")
    with pytest.raises(checkin.CheckInRefused) as refused:
        checkin.undo_check_in(session, seminar, registration, by=door, gate="Door 1",
                              now=starts + timedelta(hours=4))
    assert refused.value.code in ("not_checked_in", "window_closed")


# --- docs/security.md names real tests ------------------------------------------------------------------------

def test_every_test_named_in_the_security_page_exists():
    """docs/security.md lists the test next to each promise (`file.py::test`, then `::test` for the same file):
    a renamed or deleted test must not leave a promise without its proof."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "security.md").read_text(encoding="utf-8")
    named, current = [], None
    for file_name, test_name in re.findall(r"`(?:(test_\w+\.py))?::(test_\w+)`", text):
        current = file_name or current
        named.append((current, test_name))
    assert len(named) > 60
    defined = {}
    for file_name in {f for f, _ in named}:
        tree = ast.parse((root / "tests" / file_name).read_text(encoding="utf-8"))
        defined[file_name] = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [f"{f}::{t}" for f, t in named if t not in defined[f]]
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
