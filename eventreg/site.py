"""Site-wide pages that belong to no feature: the language switch and the favicon."""

from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, request, session, url_for

from eventreg.redirects import safe_next

bp = Blueprint("site", __name__)


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next"), url_for("seminars.index")))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says (and for PDFs and images, which say nothing)."""
    icon = Path(current_app.static_folder, "img", "favicon.ico").read_bytes()  # 2.5 KB: no file left open
    response = Response(icon, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response
