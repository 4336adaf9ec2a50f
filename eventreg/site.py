"""Site-wide pages that belong to no feature: the language switch."""

from flask import Blueprint, current_app, redirect, request, session, url_for

from eventreg.redirects import safe_next

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next"), url_for("seminars.index")))
