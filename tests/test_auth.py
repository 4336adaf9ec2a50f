"""Staff login, logout, deactivation, passwords and the admin's user pages."""

import pytest
from sqlalchemy import select

from eventreg.auth import services
from eventreg.models import User
from tests import factories
from tests.conftest import PASSWORD


def test_login_and_logout(client, session):
    user = factories.make_user(session, role="organizer", email="aliya@example.kz")
    session.commit()
    response = client.post("/login", data={"email": "ALIYA@example.kz ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/organizer/"
    assert client.get("/organizer/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/organizer/").status_code == 302
    assert session.get(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    factories.make_user(session, email="known@example.kz")
    session.commit()
    wrong = client.post("/login", data={"email": "known@example.kz", "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "nobody@example.kz", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)


def test_login_keeps_the_typed_email_on_error(client):
    body = client.post("/login", data={"email": "typed@example.kz", "password": "x"}).get_data(as_text=True)
    assert 'value="typed@example.kz"' in body


def test_next_parameter_only_redirects_inside_the_site(client, session):
    factories.make_user(session, role="admin", email="a@example.kz")
    session.commit()
    response = client.post("/login?next=https://evil.example/", data={"email": "a@example.kz", "password": PASSWORD})
    assert response.headers["Location"] == "/organizer/"


def test_deactivated_user_is_logged_out_on_next_request(app, client, session, login):
    user = login("organizer")
    assert client.get("/organizer/").status_code == 200
    admin = factories.make_user(session, role="admin")
    services.deactivate_user(session, session.get(User, user.id))
    session.commit()
    assert admin.active
    response = client.get("/organizer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    again = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "Wrong e-mail or password." in again.get_data(as_text=True)


def test_admin_creates_deactivates_and_resets_users(client, session, login):
    login("admin")
    response = client.post("/admin/users", data={"name": "Daniyar", "email": "Door2@Example.kz", "role": "staff",
                                                 "password": "long-enough-pw"})
    assert response.status_code == 302
    created = session.scalar(select(User).where(User.email == "door2@example.kz"))
    assert created.role == "staff"
    duplicate = client.post("/admin/users", data={"name": "X", "email": "door2@example.kz", "role": "staff",
                                                  "password": "long-enough-pw"})
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.get_data(as_text=True)
    short = client.post("/admin/users", data={"name": "Y", "email": "y@example.kz", "role": "staff",
                                              "password": "short"})
    assert short.status_code == 400 and 'value="y@example.kz"' in short.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == "y@example.kz")) is None

    client.post(f"/admin/users/{created.id}/password", data={"password": "brand-new-password"})
    session.expire_all()
    assert session.get(User, created.id).check_password("brand-new-password")
    client.post(f"/admin/users/{created.id}/deactivate")
    session.expire_all()
    assert not session.get(User, created.id).active
    client.post(f"/admin/users/{created.id}/activate")
    client.post(f"/admin/users/{created.id}/role", data={"role": "organizer"})
    session.expire_all()
    assert session.get(User, created.id).active and session.get(User, created.id).role == "organizer"


def test_last_admin_cannot_be_deactivated(client, session, login):
    admin = login("admin")
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "last active administrator" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, admin.id).active


def test_password_change_logs_out_other_devices(app, client, session, login):
    user = login("staff")
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/profile").status_code == 200
    response = client.post("/profile/password", data={"pw-current_password": PASSWORD,
                                                      "pw-password": "a-new-long-password",
                                                      "pw-confirm": "a-new-long-password"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302


def test_wrong_current_password_is_refused(client, login):
    login("staff")
    response = client.post("/profile/password", data={"pw-current_password": "not-it-at-all",
                                                      "pw-password": "a-new-long-password",
                                                      "pw-confirm": "a-new-long-password"})
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)


def test_passwords_are_stored_hashed(session):
    user = services.create_user(session, email="new@example.kz", name="N", role="staff", password="plain-text-secret")
    assert "plain-text-secret" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_an_account_is_found_by_its_address_written_another_way(client, session):
    """NFC, an IDNA domain and case: one address, one account (no second account beside the first)."""
    user = services.create_user(session, email="Aigerim@ПРИМЕР.kz", name="Aigerim", role="staff",
                                password="correct-horse-battery")
    session.commit()
    assert user.email == "aigerim@xn--e1afmkfd.kz"
    with pytest.raises(services.AccountRefused, match="email_taken"):
        services.create_user(session, email="aigerim@xn--e1afmkfd.KZ", name="Twin", role="staff",
                             password="correct-horse-battery")
    session.rollback()
    response = client.post("/login", data={"email": " AIGERIM@пример.kz", "password": "correct-horse-battery"})
    assert response.status_code == 302
