"""Site-wide pages that belong to no feature: the language switch and the favicon."""

from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, request, url_for

from eventreg.redirects import safe_next

bp = Blueprint("site", __name__)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.post("/language")
def set_language():
    """Remember the choice a year in its own cookie, so it outlives a logout; an unknown code is ignored."""
    response = redirect(safe_next(request.form.get("next"), url_for("seminars.index")))
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie(current_app.config["LANGUAGE_COOKIE"], language, max_age=LANGUAGE_COOKIE_AGE,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says (and for PDFs and images, which say nothing)."""
    icon = Path(current_app.static_folder, "img", "favicon.ico").read_bytes()  # 2.5 KB: no file left open
    response = Response(icon, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response
