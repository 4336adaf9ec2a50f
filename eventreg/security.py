"""Site-wide protections kept in one place: response headers, rate limits and the trusted proxy.

Rate limits live in one table keyed by endpoint name and are applied after the blueprints are
registered, so the features' views stay free of security plumbing and every limit can be reviewed here.
"""

import re
from dataclasses import dataclass

from flask import abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

from eventreg.extensions import limiter
from eventreg.models.base import MAX_ID

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # The QR decoder is WebAssembly; no inline script anywhere.
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# On every response, unless the view chose otherwise.
_EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)

# The one list of pages whose URL is a secret (the ticket token, a password-reset token): the URL must not
# leak to other sites through the Referer header, neither the page nor its images may stay in a cache, and no
# search engine may index it.
SECRET_URL_ENDPOINTS = frozenset(
    {
        "registration.ticket",
        "registration.ticket_qr",
        "registration.ticket_png",
        "registration.ticket_pdf",
        "registration.ticket_ics",
        "registration.cancel",
        "registration.registered_link",
        "registration.confirm_email",
        "certificates.ticket_certificate",
        "messages.unsubscribe",
        # Not a secret the way a ticket is, but it names a person: no search engine, no cache, no Referer.
        "certificates.verify",
        "auth.reset_with_token",
    }
)


def by_ip():
    return get_remote_address() or ""


def by_user():
    """The logged-in account (a hotel hall's doors share one Wi-Fi address), else the address."""
    user = current_user._get_current_object()
    return f"user:{user.id}" if user.is_authenticated else by_ip()


def by_submitted_email():
    """The account named in the form, so guessing one account's password from many addresses is slow too.

    An empty key makes Flask-Limiter skip the limit; the per-address limit still applies then."""
    email = request.form.get("email", "") if request.method == "POST" else ""
    email = email.strip().casefold()
    return f"account:{email}" if email else ""


def by_account():
    """The signed-in account, so a door account cannot spread a harvest over addresses (or be slowed by a
    colleague on the same Wi-Fi)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else by_ip()


def by_account_and_address():
    """The account named in the form, from this address: guessing from one place is slowed down, while the
    account's owner logs in from anywhere else (a lock for everyone would let anybody lock them out)."""
    account = by_submitted_email()
    return f"{account}@{by_ip()}" if account else ""


def ticket_is_valid():
    """True when the URL's ticket token is a real one: its holder is never refused, however many unknown links
    others behind the same address (a university's Wi-Fi) have tried. Every token takes the same lookup."""
    from eventreg.extensions import db
    from eventreg.registration.services import by_token

    token = (request.view_args or {}).get("token")
    return bool(token) and by_token(db.session, token) is not None


def certificate_is_known():
    """True when the URL's verification code names a certificate: checking a real one is never slowed down."""
    from eventreg.certificates.services import by_code
    from eventreg.extensions import db

    return by_code(db.session, (request.view_args or {}).get("code")) is not None


def login_failed(response):
    """A successful log-in redirects; only refusals count towards the lockout."""
    return response.status_code != 302


def not_found(response):
    return response.status_code == 404


def lockout_message():
    return _("Too many failed log-in attempts for this account from your network. Wait a while before the next "
             "try (the wait grows with each failure), or ask an administrator to reset your password.")


def too_fast_message():
    return _("Too many attempts from your network. Please wait a few minutes and try again.")


def too_many_searches_message():
    return _("Too many searches from this account. Please wait a few minutes, or scan the ticket instead.")


def unknown_tickets_message():
    return _("Too many unknown ticket links from your network. Please wait a few minutes and try again.")


def unknown_certificates_message():
    return _("Too many unknown certificate codes from your network. Please wait a few minutes and try again.")


def too_many_emails_message():
    return _("We have already sent several e-mails to this address. Please check your inbox (and spam folder) "
             "or try again in an hour.")


@dataclass(frozen=True)
class Rule:
    """One rate limit: `limit` in Flask-Limiter's notation, counted per `key`.

    `shared` names a counter several endpoints use together; `counts_when` decides from the response
    whether a request is counted (e.g. only failed log-ins), so legitimate use is not penalised."""

    limit: str
    key: object = by_ip
    methods: tuple = ("POST",)
    message: object = too_fast_message
    counts_when: object = None
    shared: str | None = None
    exempt_when: object = None


# Guessing ticket tokens: only unknown tokens count, on one counter shared by every ticket URL, so people
# opening their own tickets (a whole hall behind one Wi-Fi address, at the door) are never slowed down.
TICKET_LOOKUPS = Rule("30 per minute; 300 per hour", methods=("GET", "POST"), message=unknown_tickets_message,
                      counts_when=not_found, shared="ticket-lookup", exempt_when=ticket_is_valid)

RATE_LIMITS = {
    "auth.login": (
        Rule("10 per minute; 50 per hour"),
        # Growing waits for one account from one address: 5 failures, then 15 minutes; 10, an hour; 20, a day.
        Rule("5 per 15 minutes; 10 per hour; 20 per day", key=by_account_and_address, message=lockout_message,
             counts_when=login_failed),
    ),
    "auth.forgot_password": (
        Rule("5 per minute; 20 per hour"),
        Rule("3 per hour", key=by_submitted_email, message=too_many_emails_message),
    ),
    "auth.reset_with_token": (Rule("10 per minute; 30 per hour", methods=("GET", "POST")),),
    # The door's search runs as the volunteer types (a few requests a person): plenty for the people who
    # forgot their ticket, far too slow to copy a seminar's list (issue #27).
    **{endpoint: (Rule("40 per minute; 400 per hour", key=by_account, methods=("GET",),
                       message=too_many_searches_message, shared="door-search"),)
       for endpoint in ("checkin.search", "api.search_people")},
    # Enough for a class signing up together from one campus network; a bot filling the seats is not.
    "registration.signup": (Rule("60 per hour"),),
    "registration.resend": (
        Rule("10 per hour"),
        Rule("3 per hour", key=by_submitted_email, message=too_many_emails_message),
    ),
    # The offline door: a door syncs every few seconds while its queue is not empty and downloads its roster
    # every minute; a replayed or scripted flood of batches is not a door.
    "api.sync_check_ins": (Rule("30 per minute; 600 per hour", key=by_user),),
    "api.door_roster": (Rule("30 per minute; 600 per hour", key=by_user, methods=("GET",)),),
    **{
        endpoint: (TICKET_LOOKUPS,)
        for endpoint in ("registration.ticket", "registration.ticket_qr", "registration.ticket_png",
                         "registration.ticket_pdf", "registration.ticket_ics", "registration.cancel",
                         "registration.registered_link", "registration.confirm_email",
                         "certificates.ticket_certificate")
    },
    # Guessing verification codes: only unknown codes count, on the ticket look-ups' counter (one budget for
    # guessing either); anyone checking a real certificate passes.
    "certificates.verify": (Rule("30 per minute; 300 per hour", methods=("GET",),
                                 message=unknown_certificates_message, counts_when=not_found,
                                 shared="ticket-lookup", exempt_when=certificate_is_known),),
}


def apply_rate_limits(app, table=None):
    """Wrap each listed view with its limits. Flask-Limiter knows a limited view by its qualified name, which
    the wrapper keeps, so the limits count for the view however the app was built."""
    for endpoint, rules in (RATE_LIMITS if table is None else table).items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        for rule in rules:
            options = dict(key_func=rule.key, methods=list(rule.methods), error_message=rule.message,
                           deduct_when=rule.counts_when, exempt_when=rule.exempt_when)
            if rule.shared:
                decorator = limiter.shared_limit(rule.limit, rule.shared, **options)
            else:
                decorator = limiter.limit(rule.limit, **options)
            view = decorator(view)
        app.view_functions[endpoint] = view


# C0 and C1 control characters and the Unicode line and paragraph separators: none belongs in a one-line field
# (a CR/LF in a seminar's title went into every e-mail's Subject header). A multi-line field keeps its line breaks
# and tabs.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text, *, multiline=False):
    """True if `text` holds a character no one types into a field: checked at validation (forms, API, import)."""
    return bool((_CONTROL_IN_TEXT if multiline else _CONTROL).search(text or ""))


def control_characters_message():
    return _("No line breaks or control characters here, please.")


def single_line(form, field):
    """The same rule as a WTForms validator, for a form field that no service validates again."""
    if has_control_characters(field.data):
        raise ValidationError(control_characters_message())


# NUL: typed by no one, and PostgreSQL refuses a whole statement that contains it (a 500 on one database,
# stored on the other). Lone surrogates: JSON's "\ud800" escape makes one, and no database can encode it.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value):
    """True if any string in a nest of lists, tuples and dicts holds unstorable text (iterative: a JSON body
    may be nested as deep as the parser allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_unstorable_text():
    """Refuse text that cannot be stored at the door (path, query, form, JSON body): a clear 400 instead of a
    database error deep inside a service."""
    sources = [request.path, list(request.args.lists())]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.mimetype in _FORM_TYPES:  # asking a JSON request for its form parses the body for nothing
            sources.append(list(request.form.lists()))
        if request.is_json:
            try:
                sources.append(request.get_json(silent=True))
            except RecursionError:  # the parser gives up on a body nested thousands deep
                abort(400, description=_("The JSON body is nested too deeply."))
    if _unstorable(sources):
        abort(400, description=_("The request contains characters that are not allowed (NUL or a lone "
                                 "surrogate)."))


class DatabaseInteger(IntegerConverter):
    """`<int:...>` in a URL only up to the largest id a database column holds: 2**31 and beyond is a 404 for an
    unknown page, not an overflow deep inside the database driver (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without building its signer for a request that sends no cookie: every
    scan from a door's scanner, which sends a bearer token instead."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app):
    """Called before the blueprints are registered: their routes use the converter set here."""
    app.url_map.converters["int"] = DatabaseInteger
    app.session_interface = CookieSessionInterface()
    app.before_request(refuse_unstorable_text)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind a reverse proxy the client's address and scheme come from X-Forwarded-*; without this,
        # every visitor would share the proxy's address (and its rate limits).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        defaults = list(_EVERY_RESPONSE)
        if request.endpoint in SECRET_URL_ENDPOINTS:
            headers["Referrer-Policy"] = "same-origin"  # a secret URL goes to nobody else; our forms need it
            headers["Cache-Control"] = "no-store"
            headers["X-Robots-Tag"] = "noindex"
        else:
            defaults.append(("Referrer-Policy", "strict-origin-when-cross-origin"))
            # `is_anonymous` rather than `is_authenticated`: the latter reads `active`, which a commit has
            # expired, so every write would cost one more query and transaction here.
            if request.endpoint != "static" and not current_user.is_anonymous:
                # Staff pages carry personal data: a shared computer's cache must not keep them.
                defaults.append(("Cache-Control", "no-store"))
        if request.is_secure:
            defaults.append(("Strict-Transport-Security", "max-age=31536000"))
        _add_unless_set(headers, defaults)
        return response


def _add_unless_set(headers, defaults):
    """`headers.setdefault(name, value)` for each pair, in one pass: a view that set a header keeps its own.

    werkzeug's `setdefault` finds a missing name by raising and catching a BadRequestKeyError, an HTTP
    exception: six of those were 6 % of the CPU of a scan at the door.
    """
    present = {name.lower() for name, _ in headers}
    for name, value in defaults:
        if name.lower() not in present:
            headers.add(name, value)
