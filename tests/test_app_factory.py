import pytest

from eventreg import create_app
from eventreg.config import from_environment, normalise_database_url


def test_refuses_to_start_in_production_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}, instance_path=str(tmp_path))


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = create_app({"DEBUG": True}, instance_path=str(tmp_path))
    second = create_app({"DEBUG": True}, instance_path=str(tmp_path))
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_default_database_is_a_sqlite_file_in_instance(tmp_path):
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/eventreg.sqlite3"


def test_environment_overrides_defaults():
    found = from_environment({"DATABASE_URL": "postgres://u@h/db", "SECRET_KEY": "s", "EVENTREG_MAIL_PORT": "2525",
                              "EVENTREG_MAIL_USE_TLS": "true", "PATH": "/bin"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db", "SECRET_KEY": "s",
                     "MAIL_PORT": 2525, "MAIL_USE_TLS": True}


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_production_cookies_are_secure(tmp_path):
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_wsgi_module_exposes_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/w.db")
    import importlib

    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.config["SECRET_KEY"] == "from-env"


def test_home_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Upcoming seminars" in response.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_unexpected_error_is_a_500_page_and_json_under_api(app, client):
    @app.get("/boom")
    def boom():
        raise ValueError("boom")

    @app.get("/api/v1/boom")
    def api_boom():
        raise ValueError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/boom").status_code == 500
    response = client.get("/api/v1/boom")
    assert response.status_code == 500 and response.get_json()["error"] == "internal_error"


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_language_switch_remembers_choice_and_refuses_foreign_redirects(client):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = client.post("/language", data={"language": "en", "next": "/organizer/"})
    assert response.headers["Location"] == "/organizer/"


def test_translated_text_renders_outside_a_request(app):
    """CLI commands and the outbox sender render translated strings with no request: the default language."""
    from flask_babel import get_locale
    from flask_babel import lazy_gettext as _l

    assert str(get_locale()) == "en"
    assert str(_l("Seminars")) == "Seminars"


def test_a_forced_locale_inside_a_request_is_translated_and_the_request_keeps_its_own(tmp_path):
    """The catalogue is found once per request (eventreg.extensions); an e-mail rendered in the registrant's
    language inside a staff member's request must still come out in that language, and the page in theirs."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from flask_babel import force_locale, gettext

    from eventreg.extensions import babel

    catalogue = Catalog(locale="kk")
    catalogue.add("Unknown code", "Белгісіз код")
    (tmp_path / "kk" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "kk" / "LC_MESSAGES" / "messages.mo", "wb") as file:
        write_mo(file, catalogue)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 40,
                      "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
                      "LANGUAGES": {"en": "English", "kk": "Қазақша"}}, instance_path=str(tmp_path))
    try:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            assert gettext("Unknown code") == "Unknown code"
            with force_locale("kk"):
                assert gettext("Unknown code") == "Белгісіз код"
            assert gettext("Unknown code") == "Unknown code"
        with app.test_request_context(headers={"Accept-Language": "kk"}):
            assert gettext("Unknown code") == "Белгісіз код"
    finally:
        babel.domain_instance.cache.clear()  # the catalogues are kept per process; this one was the test's
