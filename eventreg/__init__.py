"""eventreg: seminar registration, QR tickets, door check-in and post-event reports."""

import os
import secrets
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException

from eventreg import config as config_module
from eventreg import database
from eventreg.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None, instance_path=None):
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment())
    app.config.update(config or {})
    _finish_config(app)

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)

    from eventreg import assets, auth, formatting, mail, operations, security

    assets.init_app(app)
    auth.init_login(login_manager)
    formatting.init_app(app)
    mail.init_app(app)
    security.init_app(app)
    operations.init_app(app)
    _register_blueprints(app)
    security.apply_rate_limits(app)
    _register_error_pages(app)

    from eventreg import commands

    commands.init_app(app)
    return app


def _finish_config(app):
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "eventreg.sqlite3")
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise RuntimeError("SECRET_KEY must be set (environment variable SECRET_KEY) outside debug mode.")
        app.config["SECRET_KEY"] = _development_secret(app)
    if app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
        app.config["MAIL_SEND_AFTER_REQUEST"] = True
    if app.testing:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False


def _development_secret(app):
    """A development key kept in instance/, so sessions survive a restart of `make run`."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _select_locale():
    """A link's own language (`?lang=`, the ticket link in an e-mail); the visitor's explicit choice (the
    switcher's cookie); on a ticket's pages (the ticket, its PDF and .ics) the language the registrant chose, as in
    their e-mails; else the browser's languages; else, on a page of one seminar, its default language; else the
    site default (also on the API, whose answers carry every language).

    An unknown code anywhere falls through to the next source: a stale cookie or an odd header never errors.
    Each source is asked only when the ones before it gave nothing (the seminar's costs a query). The ticket's
    pages say the registrant's language when they have found the ticket (`g.registrant_language`): asking the
    database again would also make a known and an unknown ticket take different lookups.
    """
    config = current_app.config
    if not has_request_context():  # CLI commands and the outbox sender: the default language
        return config["BABEL_DEFAULT_LOCALE"]
    sources = (lambda: request.args.get("lang"), lambda: request.cookies.get(config["LANGUAGE_COOKIE"]),
               lambda: g.get("registrant_language"), _browser_language, _seminar_language)
    for source in sources:
        if (language := source()) in config["LANGUAGES"]:
            return language
    return config["BABEL_DEFAULT_LOCALE"]


def _browser_language():
    """The browser's best language of ours. A bare `*` ("anything") names none: it would pick the first one
    offered over the seminar's own language."""
    named = LanguageAccept([(value, quality) for value, quality in request.accept_languages if value != "*"])
    return named.best_match(current_app.config["LANGUAGES"])


def _seminar_language():
    from eventreg.seminars.queries import seminar_language

    slug = (request.view_args or {}).get("slug")
    return seminar_language(db.session, slug) if request.blueprint != "api" and slug else None


def _register_blueprints(app):
    """Each blueprint's routes are declared by its views module, so the views modules are what is imported."""
    from eventreg import site
    from eventreg.api import views as api
    from eventreg.auth import views as auth
    from eventreg.badges import views as badges
    from eventreg.certificates import views as certificates
    from eventreg.checkin import views as checkin
    from eventreg.live import views as live
    from eventreg.messages import views as messages
    from eventreg.privacy import views as privacy
    from eventreg.questions import views as questions
    from eventreg.registration import views as registration
    from eventreg.reports import views as reports
    from eventreg.seminars import views as seminars
    from eventreg.teams import views as teams

    app.register_blueprint(site.bp)
    app.register_blueprint(seminars.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(checkin.bp, url_prefix="/checkin")
    app.register_blueprint(reports.bp, url_prefix="/reports")
    app.register_blueprint(auth.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(teams.bp)
    app.register_blueprint(badges.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(questions.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(messages.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")


ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too much data"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}


def wants_json():
    return request.path.startswith("/api/")


def _register_error_pages(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        if wants_json():
            return jsonify(error=_error_code(error), message=error.description), code
        return render_template("error.html", code=code, title=ERROR_TITLES.get(code, error.name),
                               description=error.description), code

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return jsonify(error="internal_error", message=str(ERROR_TITLES[500])), 500
        return render_template("error.html", code=500, title=ERROR_TITLES[500], description=None), 500


def _error_code(error):
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }.get(error.code, "http_error")
