"""What an operator and a load balancer need from every application server: a health answer, a readiness
answer that turns off while the server drains, and one log line per request with a request id.

Several servers share one PostgreSQL and one Redis; nothing here keeps state a request needs, so any server
can answer any request.
"""

import json
import logging
import re
import sys
import time
import uuid
from functools import cache
from pathlib import Path

import redis
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventreg.extensions import db

bp = Blueprint("operations", __name__)

REQUEST_LOG = logging.getLogger("eventreg.requests")

# A request id from the proxy is kept only if it looks like one (nginx's $request_id is 32 hex digits):
# anything else could forge log lines.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_QUIET_ENDPOINTS = frozenset({"operations.health", "operations.ready", "static"})


@bp.get("/healthz")
def health():
    """Is this server able to serve? Database reachable with the schema at the code's migration head, and
    Redis reachable when the rate limits live there. No personal data; one query and one PING."""
    problems = _problems()
    return jsonify(status="ok" if not problems else "unhealthy", problems=problems), 503 if problems else 200


@bp.get("/readyz")
def ready():
    """Should the load balancer send this server new requests? Not while it drains before a restart."""
    if draining():
        return jsonify(status="draining", problems=["draining"]), 503
    return health()


def draining():
    drain_file = current_app.config.get("DRAIN_FILE")
    return bool(drain_file) and Path(drain_file).exists()


def _problems():
    problems = []
    try:
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        db.session.rollback()
        problems.append("database")
    else:
        if set(version) != migration_heads():
            problems.append("migrations_not_at_head")
    if not _rate_limit_storage_answers():
        problems.append("redis")
    return problems


@cache
def migration_heads():
    """The revisions the code expects the database to be at: read from migrations/ once per process (the files
    do not change while it runs)."""
    from eventreg import ROOT

    return frozenset(ScriptDirectory(str(ROOT / "migrations")).get_heads())


def _rate_limit_storage_answers():
    """A PING on a connection of its own: a load balancer asks every few seconds, a connection costs ~1 ms."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not uri.startswith(("redis://", "rediss://")):
        return True
    client = redis.Redis.from_url(uri, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _start_request():
    g.request_started = time.perf_counter()
    proposed = request.headers.get("X-Request-Id", "") if current_app.config.get("TRUSTED_PROXIES") else ""
    g.request_id = proposed if _REQUEST_ID.fullmatch(proposed) else uuid.uuid4().hex


def _log_request(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if request.endpoint in _QUIET_ENDPOINTS or "request_started" not in g:
        return response
    # The rule, not the path, for pages whose URL is a secret (a ticket token must not land in the logs).
    from eventreg.security import SECRET_URL_ENDPOINTS

    path = request.url_rule.rule if request.endpoint in SECRET_URL_ENDPOINTS else request.path
    REQUEST_LOG.info("request", extra={"http": {
        "request_id": g.request_id, "method": request.method, "path": path, "status": response.status_code,
        "ms": round(1000 * (time.perf_counter() - g.request_started), 1), "remote": request.remote_addr,
    }})
    return response


class RequestFormatter(logging.Formatter):
    """One line per request: `json` for a log collector, else `key=value` words for a person."""

    def __init__(self, style_name):
        super().__init__()
        self.json = style_name == "json"

    def format(self, record):
        fields = getattr(record, "http", None) or {"message": record.getMessage()}
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z"
        if self.json:
            return json.dumps({"time": stamp, "level": record.levelname.lower(), **fields}, ensure_ascii=False)
        return stamp + " " + " ".join(f"{key}={value}" for key, value in fields.items())


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(_start_request)
    app.after_request(_log_request)
    # The development server and the tests have their own request logs.
    if app.config.get("LOG_REQUESTS") and not (app.debug or app.testing) and not REQUEST_LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(RequestFormatter(app.config.get("LOG_FORMAT", "text")))
        REQUEST_LOG.addHandler(handler)
        REQUEST_LOG.setLevel(logging.INFO)
