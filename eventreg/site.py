"""Site-wide pages that belong to no feature: the language switch and a health check."""

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from sqlalchemy import text

from eventreg.extensions import db

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    target = request.form.get("next", "")
    # Only paths on this site: an open redirect would let a phishing link borrow our name.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("seminars.index")
    return redirect(target)


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
