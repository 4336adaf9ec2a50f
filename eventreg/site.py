"""Site-wide pages that belong to no feature: the language switch and a health check."""

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from sqlalchemy import text

from eventreg.extensions import db
from eventreg.redirects import safe_next

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next"), url_for("seminars.index")))


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
