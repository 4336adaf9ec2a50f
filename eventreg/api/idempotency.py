"""`Idempotency-Key` on the API's writes: a client that lost the answer to a POST (the hall's Wi-Fi dropped)
sends it again with the same key and gets the first answer, not a second registration or a 409.

The key is written in the request's own transaction, before the view runs, so it lands with the change the
view commits, or not at all (a refusal rolls both back and the key may be used again). A second request with
the key while the first is still running waits for it on the unique index and is then answered as a replay,
or with 409 `idempotency_key_in_use` while the first has not stored its answer yet: never a second change.
"""

import json
import re
from datetime import timedelta

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from eventreg.api import bp
from eventreg.api.base import SAFE_METHODS, ApiError
from eventreg.extensions import db
from eventreg.models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(days=1)
_KEY = re.compile(r"[\x21-\x7e]{1,100}")


def _scope():
    return f"user:{current_user.id}"


def _replay(row):
    if row.request != _request_line():
        raise ApiError("idempotency_key_reused", _("This Idempotency-Key was used for another request."), 422)
    if row.status is None:  # the first request is still writing its answer (or its worker died in between)
        raise ApiError("idempotency_key_in_use", _("A request with this Idempotency-Key has been made and is "
                                                   "still being answered: send it again in a moment."), 409)
    response = jsonify(json.loads(row.body))
    response.status_code = row.status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _request_line():
    return f"{request.method} {request.path}"[:300]


@bp.before_request
def claim_idempotency_key():
    key = request.headers.get(HEADER)
    if key is None or request.method in SAFE_METHODS or not current_user.is_authenticated:
        return None  # without a user the view answers 401 itself
    if not _KEY.fullmatch(key):
        raise ApiError("invalid_idempotency_key", _("An Idempotency-Key is 1 to 100 printable ASCII characters."))
    scope = _scope()
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
    if row is not None:
        return _replay(row)
    claim = IdempotencyKey(scope=scope, key=key, request=_request_line(), created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:  # the same key a moment ago, committed while this request waited on the index
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
        return _replay(row)
    g.idempotency_claim = claim.id
    return None


@bp.after_request
def store_idempotent_answer(response):
    claim = g.pop("idempotency_claim", None)
    if claim is None or not 200 <= response.status_code < 300 or not response.is_json:
        return response
    row = db.session.get(IdempotencyKey, claim)
    if row is None:  # the view rolled back: nothing was changed, and the key is free again
        return response
    row.status, row.body = response.status_code, response.get_data(as_text=True)
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.scope == row.scope,
                                                    IdempotencyKey.created_at < utcnow() - KEPT_FOR))
    db.session.commit()
    return response
