"""The door: choose a seminar, scan tickets, search people, register walk-ins."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eventreg.auth.access import role_required
from eventreg.auth.permissions import can, request_may, seminar_access
from eventreg.badges import services as badges
from eventreg.checkin import bp, offline, pwa, services  # noqa: F401 (pwa: the door app's manifest and worker)
from eventreg.checkin.forms import WalkInForm
from eventreg.extensions import db, login_manager
from eventreg.formatting import time_in
from eventreg.models import utcnow
from eventreg.registration.services import RegistrationRefused
from eventreg.seminars import queries
from eventreg.seminars.content import localized
from eventreg.seminars.day_names import day_label
from eventreg.seminars.days import day_at

# A label printer is what a door has; the walk-in's page offers the other layouts too.
DOOR_LAYOUT = "label-102x76"
def _pick_again():
    return _("Pick the day (and session) you check in for on the scanner page, then try again.")


REFUSAL_MESSAGES = {
    "full": lambda: _("No seat is free: the seminar or this category is full."),
    "duplicate_email": lambda: _("This e-mail address is already registered: search for the person instead."),
    "cancelled_seminar": lambda: _("This seminar has been cancelled."),
    "outside_window": lambda: _("Check-in is not open for this seminar now."),
    "day_required": _pick_again,
    "unknown_day": _pick_again,
    "unknown_session": _pick_again,
}


def _door_seminar(slug):
    """The door's seminar: a draft has no door."""
    return queries.seminar_or_404(db.session, slug, public=True)


def door_required(view):
    return seminar_access("check_in", load=_door_seminar, unauthenticated=login_manager.unauthorized)(view)


@bp.get("/")
@role_required("staff")
def index():
    now = utcnow()
    seminars = [seminar for seminar in services.seminars_at_the_door(db.session, now)
                if can(current_user, "check_in", seminar)]
    return render_template("checkin/index.html", seminars=seminars, now=now)


def _door_days(seminar, now):
    """What the door's "Checking in for" offers on a seminar of several days: each day ("Day 2 · Wed 16 Dec")
    with its sessions, and the one picked unless the device kept another: the day whose door is open now, else
    the next one (its answers then say when it opens)."""
    if not seminar.has_days:
        return [], None
    choices = [{
        "day": day, "label": day_label(day),
        "closes_at": day.checkin_window()[1],
        "sessions": [{"session": part, "label": "{} · {}–{}".format(localized(part, "title"),
                                                                   time_in(part.starts_at, seminar),
                                                                   time_in(part.ends_at, seminar))}
                     for part in day.sessions],
    } for day in seminar.days]
    default = day_at(seminar, now) or next((d for d in seminar.days if d.checkin_window()[1] > now), seminar.days[-1])
    return choices, default


@bp.get("/s/<slug>/")
@door_required
def scan(seminar):
    now = utcnow()
    problems = offline.problems_context(db.session, seminar) if can(current_user, "registrations", seminar) else {}
    door_days, default_day = _door_days(seminar, now)
    return render_template("checkin/scan.html", seminar=seminar, door_days=door_days, default_day=default_day,
                           window_open=services.door_is_open(db.session, seminar, now, day=default_day), **problems)


def _picked(args):
    """The day and session the door's page sent (form or query: `day`, `session`), as `services.door_day` takes
    them; anything but digits is nothing picked."""
    return tuple(int(value) if value.isdigit() and len(value) < 19 else None
                 for value in (args.get("day", ""), args.get("session", "")))


@bp.get("/s/<slug>/search")
@door_required
def search(seminar):
    """The people matching `q`, as a fragment the scanner page shows under its search box."""
    query = request.args.get("q", "")
    try:
        day, part = services.door_day(db.session, seminar, *_picked(request.args))
        results, refusal = services.search(db.session, seminar, query, by=current_user, locale=get_locale(),
                                           override_window=can(current_user, "registrations", seminar), day=day,
                                           part=part), None
    except (services.SearchRefused, services.CheckInRefused) as refused:
        results, refusal = [], refused.code
    db.session.commit()  # the search is counted either way
    return render_template("checkin/_search_results.html", seminar=seminar, query=query, results=results,
                           refusal=refusal)


@bp.route("/s/<slug>/walk-in", methods=["GET", "POST"])
@door_required
def walk_in(seminar):
    form = WalkInForm(seminar)
    if form.validate_on_submit():
        try:
            day, part = services.door_day(db.session, seminar, *_picked(request.form))
            result = services.walk_in(db.session, seminar, form.data_for_registration(),
                                      gate=request.form.get("gate", ""), by=current_user,
                                      override_window=request_may("edit"), day=day, part=part)
        except (RegistrationRefused, services.CheckInRefused) as refusal:
            db.session.rollback()
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            return redirect(url_for("checkin.walk_in_done", slug=seminar.slug, registration_id=result.attendee.id))
    return render_template("checkin/walk_in.html", seminar=seminar, form=form)


@bp.get("/s/<slug>/walk-in/<int:registration_id>")
@door_required
def walk_in_done(seminar, registration_id):
    """The walk-in's result: registered and checked in, with "Print badge". Not a page for anyone else."""
    registration = services.registration_of(db.session, seminar, registration_id) or abort(404)
    if registration.source != "walk_in":
        return redirect(url_for("checkin.scan", slug=seminar.slug))
    return render_template("checkin/walk_in_done.html", seminar=seminar, registration=registration,
                           door_layout=DOOR_LAYOUT)


@bp.post("/s/<slug>/walk-in/<int:registration_id>/badge")
@door_required
def walk_in_badge(seminar, registration_id):
    """The walk-in's badge as a PDF (the layout and the Latin line from the page's "Print badge" form)."""
    try:
        download = badges.print_badge(db.session, seminar, registration_id, layout=request.form.get("layout", ""),
                                      with_latin=bool(request.form.get("latin")), user=current_user,
                                      walk_in_only=True)
    except badges.BadgeRefused as refusal:
        db.session.rollback()
        if refusal.code == "not_found":
            abort(404)
        flash(badges.refusal_message(refusal.code), "error")
        return redirect(url_for("checkin.walk_in_done", slug=seminar.slug, registration_id=registration_id))
    db.session.commit()
    return download.as_response()


def _show_refusal(form, refusal):
    """Field errors next to their fields, as on the signup form; the refusal itself, and what no field shows,
    as messages above the form."""
    unshown = form.add_errors(refusal.fields)
    if refusal.code != "invalid" or not refusal.fields:
        flash(REFUSAL_MESSAGES.get(refusal.code, lambda: _("The registration was refused."))(), "error")
    for message in unshown:
        flash(message, "error")
