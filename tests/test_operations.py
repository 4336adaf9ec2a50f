"""What an operator and a load balancer see: health, readiness while draining, request ids, request logs and
static URLs that may be cached for a year."""

import json
import logging

import pytest
from sqlalchemy import text

from eventreg import operations
from eventreg.extensions import db
from tests import factories


def test_health_is_ok_when_the_database_is_at_the_migrations_head(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "problems": []}


def test_health_fails_while_the_database_is_behind_the_code(client, session):
    (head,) = operations.migration_heads()
    session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    session.commit()
    try:
        response = client.get("/healthz")
    finally:  # on PostgreSQL the schema (and its version) is shared by the tests of this worker
        session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        session.commit()
    assert response.status_code == 503
    assert response.get_json()["problems"] == ["migrations_not_at_head"]


def test_health_reports_an_unreachable_redis(client, app):
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["problems"] == ["redis"]


def test_a_draining_server_is_not_ready_but_still_healthy(client, app, tmp_path):
    drain = tmp_path / "draining"
    app.config["DRAIN_FILE"] = str(drain)
    assert client.get("/readyz").status_code == 200
    drain.touch()
    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").get_json()["status"] == "draining"
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200  # requests already routed here are still served


def test_every_answer_carries_a_request_id(client):
    first, second = client.get("/"), client.get("/")
    assert len(first.headers["X-Request-Id"]) == 32
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


@pytest.mark.parametrize("proxies, sent, kept", [
    (1, "4f1c2b", True),            # the proxy's id, so one request can be followed through both logs
    (0, "4f1c2b", False),           # no trusted proxy: a client cannot choose the id
    (1, "bad id; status=200 forged", False),
])
def test_a_request_id_from_the_proxy_is_kept_only_when_trusted_and_well_formed(client, app, proxies, sent, kept):
    app.config["TRUSTED_PROXIES"] = proxies
    answered = client.get("/", headers={"X-Request-Id": sent}).headers["X-Request-Id"]
    assert (answered == sent) is kept


def test_one_log_line_per_request_without_the_ticket_secret(client, session, caplog):
    registration = factories.make_registration(session, factories.make_seminar(session))
    session.commit()
    with caplog.at_level(logging.INFO, logger="eventreg.requests"):
        client.get(f"/t/{registration.token}/")
        client.get("/healthz")
    lines = [record for record in caplog.records if record.name == "eventreg.requests"]
    assert len(lines) == 1  # the load balancer's health checks are not logged
    fields = lines[0].http
    assert fields["method"] == "GET" and fields["status"] == 200 and fields["path"] == "/t/<token>/"
    assert registration.token not in json.dumps(fields)


def test_the_json_log_line_is_one_object(client, caplog):
    formatter = operations.RequestFormatter("json")
    with caplog.at_level(logging.INFO, logger="eventreg.requests"):
        client.get("/login")
    line = formatter.format(next(r for r in caplog.records if r.name == "eventreg.requests"))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["path"] == "/login" and parsed["level"] == "info" and len(parsed["request_id"]) == 32


def test_health_answers_503_not_500_when_the_database_is_gone(client, app, monkeypatch):
    def refuse(*args, **kwargs):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["problems"] == ["database"]
