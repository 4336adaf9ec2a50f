"""The ceiling: a bare Flask app that does only what a check-in cannot do without.

One indexed `UPDATE registration SET checked_in_at = :now WHERE token = :t AND checked_in_at IS NULL`
per request, on the same table and through an engine with the same settings as eventreg's: SQLAlchemy's
defaults and `eventreg.database.tune` (on SQLite the same PRAGMAs and BEGIN IMMEDIATE, on PostgreSQL the
same test of a pooled connection at checkout). No authentication, no audit row, no
session, no templates: what the framework, the driver and the database allow on this machine.
`GET /` is a hello-world, the framework alone, to show what the load generator itself can drive.

Run by gunicorn as `bench.ceiling:app` with DATABASE_URL set.
"""

import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, update

from eventreg import database
from eventreg.config import normalise_database_url
from eventreg.models import Registration, utcnow
from eventreg.tickets import token_from_scan

DATABASE_URL = normalise_database_url(os.environ["DATABASE_URL"])
engine = create_engine(DATABASE_URL)
database.tune(engine)  # the same engine hooks as the app's
table = Registration.__table__
app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


@app.post("/checkins")
def check_in():
    token = token_from_scan((request.get_json(silent=True) or {}).get("code"))
    with engine.begin() as conn:
        done = conn.execute(
            update(table).where(table.c.token == token, table.c.checked_in_at.is_(None))
            .values(checked_in_at=utcnow())
        ).rowcount
    if done:
        return jsonify(status="checked_in"), 201
    return jsonify(error="already_checked_in"), 409
