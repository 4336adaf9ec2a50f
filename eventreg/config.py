"""Configuration: defaults here, then instance/config.py, then the environment, then the mapping
passed to create_app. Names follow Flask and its extensions so their docs apply unchanged."""

import os

# The interface's languages, each named in itself (a visitor looks for their own language's name); Kazakh in
# Cyrillic, as in official documents today.
LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English", "zh": "中文"}
# The cookie that remembers a visitor's explicit choice of language (it outlives a logout, unlike the session).
LANGUAGE_COOKIE = "eventreg_language"
# A new seminar's time zone unless the organizer picks another (Astana and Almaty: UTC+5 since 2024).
DEFAULT_TIMEZONE = "Asia/Almaty"


class Defaults:
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: a SQLite file under instance/
    # A request body larger than this is refused with 413 before any view runs (CSV imports fit).
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 5 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = None  # a signup form left open over lunch must still submit
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = LANGUAGES
    LANGUAGE_COOKIE = LANGUAGE_COOKIE
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # If the Redis holding the counters is down, count in each worker's memory (and log a WARNING) until it is
    # back, rather than refuse everyone or limit nothing.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, use the socket).
    TRUSTED_PROXIES = 0
    # Public base URL used in e-mails and QR links when there is no request (CLI, outbox sender).
    PUBLIC_URL = "http://127.0.0.1:5000"
    MAIL_SERVER = None  # no SMTP: messages are written as .eml files under instance/mail/
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "eventreg <no-reply@eventreg.local>"
    MAIL_SEND_AFTER_REQUEST = False  # development turns it on: the outbox drains after each request
    # An organizer's message to many people goes out at most this many a minute (SMTP providers limit the rate);
    # tickets and other e-mails are not counted and go first.
    MAIL_BULK_PER_MINUTE = 60
    # One line per request on standard error (gunicorn's error log), with the request id; "json" or "text".
    LOG_REQUESTS = True
    LOG_FORMAT = "text"
    # While this file exists, /readyz answers 503 so a load balancer stops sending new requests (a drain).
    DRAIN_FILE = None
    DEFAULT_TIMEZONE = DEFAULT_TIMEZONE  # for the staff pages' times (templates read config)
    # `flask purge-expired` (daily cron) erases the personal data of seminars ended this many days ago.
    PERSONAL_DATA_RETENTION_DAYS = 180


def from_environment(environ=os.environ):
    """Settings read from the environment: EVENTREG_<NAME>, plus DATABASE_URL and SECRET_KEY."""
    found = {}
    for key, value in environ.items():
        if key.startswith("EVENTREG_"):
            found[key.removeprefix("EVENTREG_")] = _parse(value)
    if environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        found["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("RATELIMIT_STORAGE_URI"):
        found["RATELIMIT_STORAGE_URI"] = environ["RATELIMIT_STORAGE_URI"]
    return found


def normalise_database_url(url):
    """postgres:// and postgresql:// mean psycopg 3 here; SQLAlchemy would otherwise look for psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _parse(value):
    lowered = value.lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    if value.isdigit():
        return int(value)
    return value
