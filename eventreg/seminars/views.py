"""Public seminar pages and the organizer's seminar management."""

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from eventreg.auth import permissions
from eventreg.auth.access import role_required, seminar_required
from eventreg.auth.permissions import ROLE_ACTIONS
from eventreg.extensions import db
from eventreg.models import AgendaItem, Category, Speaker, utcnow
from eventreg.registration import places
from eventreg.registration.calendar import seminar_calendar
from eventreg.seminars import bp, content, day_names, days, forms, queries, services
from eventreg.seminars.services import SeminarRefused

REFUSALS = {
    "invalid": _l("Please correct the marked fields."),
    "slug_taken": _l("Another seminar already uses this web address."),
    "cancelled": _l("This seminar is cancelled; it cannot be changed any more."),
    "bad_transition": _l("The seminar cannot move to that state from where it is now."),
    "in_use": _l("People are registered in this category, so it cannot be removed."),
    "asked_in_question": _l("A question on the signup form is asked of this category: change the question first."),
}
URL_PATTERN = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


@bp.app_template_filter("paragraphs")
def paragraphs(text):
    """Plain text as HTML paragraphs with clickable http(s) links; everything else is escaped."""
    html = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        if not block.strip():
            continue
        parts, last = [], 0
        for match in URL_PATTERN.finditer(block):
            parts.append(escape(block[last:match.start()]))
            url = escape(match.group(0))
            parts.append(Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url))
            last = match.end()
        parts.append(escape(block[last:]))
        html.append(Markup("<p>{}</p>").format(Markup("").join(parts).replace("\n", Markup("<br>\n"))))
    return Markup("\n").join(html)


def _refused(refusal, form=None):
    """Put each field's messages next to that field (a text's, next to its language's); say the rest in a flash
    message."""
    for key, messages in refusal.fields.items():
        name = form.field_for(key) if isinstance(form, forms.Multilingual) else key
        if form is not None and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            flash(" ".join(str(m) for m in messages), "error")
    flash(REFUSALS.get(refusal.code, REFUSALS["invalid"]), "error")


bp.add_app_template_filter(content.localized, "localized")
bp.add_app_template_global(day_names.day_with_hours, "day_with_hours")
bp.add_app_template_global(day_names.day_label, "day_label")
bp.add_app_template_filter(content.speaker_name, "localized_name")


# ---------------------------------------------------------------------------------------------------------
# The public

@bp.get("/")
def index():
    now = utcnow()
    return render_template(
        "seminars/index.html",
        upcoming=queries.upcoming_public(db.session, now),
        past=queries.past_public(db.session, now),
        now=now,
    )


@bp.get("/s/<slug>/")
def show(slug):
    seminar = queries.visible_seminar(db.session, slug, viewer=current_user)
    return render_template("seminars/show.html", seminar=seminar, now=utcnow(),
                           organizer=permissions.can(current_user, "edit", seminar))


@bp.get("/s/<slug>/calendar.ics")
def ics(slug):
    seminar = queries.visible_seminar(db.session, slug, viewer=current_user)
    body = seminar_calendar(seminar, url=url_for("seminars.show", slug=slug, _external=True), now=utcnow())
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{seminar.slug}.ics"'})


# ---------------------------------------------------------------------------------------------------------
# The organizer: seminars

@bp.get("/organizer/")
@role_required("staff")
def dashboard():
    return render_template("seminars/dashboard.html", rows=queries.dashboard_rows(db.session, utcnow(), current_user),
                           role_actions=ROLE_ACTIONS)


@bp.route("/organizer/seminars/new", methods=["GET", "POST"])
@role_required("organizer")
def new():
    form = forms.new_seminar_form()
    if form.validate_on_submit():
        try:
            seminar = services.create_seminar(db.session, form.service_data(), by=current_user, now=utcnow())
        except SeminarRefused as refusal:
            _refused(refusal, form)
        else:
            db.session.commit()
            flash(_("The seminar is saved as a draft. Add its programme, then publish it."), "success")
            return redirect(url_for("seminars.manage", slug=seminar.slug))
    return render_template("seminars/form.html", form=form, seminar=None), 400 if form.errors else 200


@bp.get("/organizer/s/<slug>/")
@seminar_required("edit")
def manage(seminar):
    kinds = {choice.value: choice.label for choice in forms.KIND_CHOICES}
    # The add forms sit on this page (one POST each, back here), so building a seminar is not a page per part.
    new = {"agenda": forms.agenda_form(seminar, None), "speaker": forms.speaker_form(seminar, None),
           "category": forms.category_form(seminar, None)}
    return render_template("seminars/manage.html", seminar=seminar, now=utcnow(), kinds=kinds, new=new)


@bp.route("/organizer/s/<slug>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def edit(seminar):
    form = forms.SeminarForm(data=forms.seminar_initial(seminar))
    if form.validate_on_submit():
        try:
            services.update_seminar(db.session, seminar, form.service_data(), by=current_user, now=utcnow())
        except SeminarRefused as refusal:
            db.session.rollback()
            _refused(refusal, form)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("seminars.manage", slug=seminar.slug))
    return render_template("seminars/form.html", form=form, seminar=seminar), 400 if form.errors else 200


def _change_status(seminar, status, message):
    try:
        services.set_status(db.session, seminar, status, by=current_user, now=utcnow())
    except SeminarRefused as refusal:
        db.session.rollback()
        _refused(refusal)
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("seminars.manage", slug=seminar.slug))


@bp.post("/organizer/s/<slug>/publish")
@seminar_required("edit")
def publish(seminar):
    return _change_status(seminar, "published", _l("The seminar is published: the public can see it."))


@bp.post("/organizer/s/<slug>/close")
@seminar_required("edit")
def close(seminar):
    return _change_status(seminar, "closed", _l("Registration is closed."))


@bp.route("/organizer/s/<slug>/cancel", methods=["GET", "POST"])
@seminar_required("edit")
def cancel(seminar):
    if request.method == "GET":
        return render_template("seminars/cancel.html", seminar=seminar)
    return _change_status(seminar, "cancelled", _l("The seminar is cancelled; every registrant will get an e-mail."))


@bp.route("/organizer/s/<slug>/duplicate", methods=["GET", "POST"])
@seminar_required("edit")
def duplicate(seminar):
    form = forms.DuplicateForm(data={"title": seminar.title})
    if form.validate_on_submit():
        try:
            copy = services.duplicate_seminar(db.session, seminar, starts_on=form.starts_on.data,
                                              title=form.title.data, by=current_user, now=utcnow())
        except SeminarRefused as refusal:
            _refused(refusal, form)
        else:
            db.session.commit()
            flash(_("This is the copy, saved as a draft. Check it, then publish it."), "success")
            return redirect(url_for("seminars.manage", slug=copy.slug))
    return render_template("seminars/duplicate.html", form=form, seminar=seminar), 400 if form.errors else 200


# ---------------------------------------------------------------------------------------------------------
# The organizer: programme, speakers, categories (one pattern: a form page, a delete button)

def _part_form(seminar, model, part_id, form_factory, save, template):
    part = queries.part_or_404(db.session, model, part_id, seminar) if part_id is not None else None
    form = form_factory(seminar, part)
    if form.validate_on_submit():
        try:
            save(db.session, seminar, form.service_data(), part, by=current_user, now=utcnow())
        except SeminarRefused as refusal:
            db.session.rollback()
            _refused(refusal, form)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("seminars.manage", slug=seminar.slug) + f"#{template}")
    return render_template(f"seminars/{template}_form.html", form=form, seminar=seminar, part=part), \
        400 if form.errors else 200


def _part_delete(seminar, model, part_id, delete, anchor):
    part = queries.part_or_404(db.session, model, part_id, seminar)
    try:
        delete(db.session, part, by=current_user, now=utcnow())
    except SeminarRefused as refusal:
        db.session.rollback()
        _refused(refusal)
    else:
        db.session.commit()
        flash(_("Removed."), "success")
    return redirect(url_for("seminars.manage", slug=seminar.slug) + f"#{anchor}")


@bp.route("/organizer/s/<slug>/agenda/new", methods=["GET", "POST"])
@seminar_required("edit")
def agenda_new(seminar):
    return _part_form(seminar, AgendaItem, None, forms.agenda_form, services.save_agenda_item, "agenda")


@bp.route("/organizer/s/<slug>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def agenda_edit(seminar, item_id):
    return _part_form(seminar, AgendaItem, item_id, forms.agenda_form, services.save_agenda_item, "agenda")


@bp.post("/organizer/s/<slug>/agenda/<int:item_id>/delete")
@seminar_required("edit")
def agenda_delete(seminar, item_id):
    return _part_delete(seminar, AgendaItem, item_id, services.delete_agenda_item, "agenda")


def _part_move(seminar, model, part_id, move, anchor):
    """One place up or down. The page's script asks for JSON and moves the row itself (no reload); without
    JavaScript the form posts and the page comes back at the moved row."""
    part = queries.part_or_404(db.session, model, part_id, seminar)
    try:
        move(db.session, part, request.form.get("direction", ""), by=current_user, now=utcnow())
    except SeminarRefused:
        abort(400)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return {"moved": part.id, "position": part.position}
    return redirect(url_for("seminars.manage", slug=seminar.slug) + f"#{anchor}-{part.id}")


@bp.post("/organizer/s/<slug>/agenda/<int:item_id>/move")
@seminar_required("edit")
def agenda_move(seminar, item_id):
    return _part_move(seminar, AgendaItem, item_id, services.move_agenda_item, "item")


@bp.route("/organizer/s/<slug>/speakers/new", methods=["GET", "POST"])
@seminar_required("edit")
def speaker_new(seminar):
    return _part_form(seminar, Speaker, None, forms.speaker_form, services.save_speaker, "speaker")


@bp.route("/organizer/s/<slug>/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def speaker_edit(seminar, speaker_id):
    return _part_form(seminar, Speaker, speaker_id, forms.speaker_form, services.save_speaker, "speaker")


@bp.post("/organizer/s/<slug>/speakers/<int:speaker_id>/delete")
@seminar_required("edit")
def speaker_delete(seminar, speaker_id):
    return _part_delete(seminar, Speaker, speaker_id, services.delete_speaker, "speaker")


@bp.route("/organizer/s/<slug>/categories/new", methods=["GET", "POST"])
@seminar_required("edit")
def category_new(seminar):
    return _part_form(seminar, Category, None, forms.category_form, services.save_category, "category")


@bp.route("/organizer/s/<slug>/categories/<int:category_id>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def category_edit(seminar, category_id):
    return _part_form(seminar, Category, category_id, forms.category_form, services.save_category, "category")


@bp.post("/organizer/s/<slug>/categories/<int:category_id>/move")
@seminar_required("edit")
def category_move(seminar, category_id):
    return _part_move(seminar, Category, category_id, services.move_category, "category")


@bp.post("/organizer/s/<slug>/categories/<int:category_id>/delete")
@seminar_required("edit")
def category_delete(seminar, category_id):
    return _part_delete(seminar, Category, category_id, services.delete_category, "category")


# ---------------------------------------------------------------------------------------------------------
# The organizer: days and sessions (a seminar over several days; workshops with their own places)

def _days_page(seminar):
    return redirect(url_for("seminars.days_page", slug=seminar.slug))


@bp.get("/organizer/s/<slug>/days")
@seminar_required("edit")
def days_page(seminar):
    return render_template("seminars/days.html", seminar=seminar, day_form=forms.day_form(seminar, None),
                           session_form=forms.session_form(seminar, None))


@bp.post("/organizer/s/<slug>/days/make")
@seminar_required("edit")
def make_days(seminar):
    try:
        days.make_days(db.session, seminar, by=current_user, now=utcnow())
    except SeminarRefused as refusal:
        db.session.rollback()
        _refused(refusal)
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return _days_page(seminar)


def _day_or_404(seminar, day_id):
    return days.day_of(seminar, day_id) or abort(404)


def _session_or_404(seminar, session_id):
    return days.session_of(seminar, session_id) or abort(404)


def _day_or_session_form(seminar, form, save, thing, template, **context):
    """A day's or a session's form (eventreg/seminars/days.py saves it); back to the days page once saved."""
    if form.validate_on_submit():
        try:
            save(db.session, seminar, form.service_data(seminar), thing, by=current_user, now=utcnow())
        except SeminarRefused as refusal:
            db.session.rollback()
            _refused(refusal, form)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return _days_page(seminar)
    return render_template(template, seminar=seminar, form=form, **context), 400 if form.errors else 200


def _day_form(seminar, day):
    return _day_or_session_form(seminar, forms.day_form(seminar, day), days.save_day, day, "seminars/day_form.html",
                                day=day)


@bp.route("/organizer/s/<slug>/days/new", methods=["GET", "POST"])
@seminar_required("edit")
def day_new(seminar):
    return _day_form(seminar, None)


@bp.route("/organizer/s/<slug>/days/<int:day_id>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def day_edit(seminar, day_id):
    return _day_form(seminar, _day_or_404(seminar, day_id))


def _session_form(seminar, part):
    return _day_or_session_form(seminar, forms.session_form(seminar, part), days.save_session, part,
                                "seminars/session_form.html", part=part)


@bp.route("/organizer/s/<slug>/sessions/new", methods=["GET", "POST"])
@seminar_required("edit")
def session_new(seminar):
    return _session_form(seminar, None)


@bp.route("/organizer/s/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def session_edit(seminar, session_id):
    return _session_form(seminar, _session_or_404(seminar, session_id))


@bp.get("/organizer/s/<slug>/sessions/<int:session_id>/people")
@seminar_required("registrations")
def session_people(seminar, session_id):
    """Who has a place in a session with a capacity: their names, each a link to their registration."""
    part = _session_or_404(seminar, session_id)
    return render_template("seminars/session_people.html", seminar=seminar, part=part,
                           people=places.holders(db.session, part))


def _delete(seminar, thing, delete, losses, what):
    """Deleted at once when nothing is lost; else a page that says what is lost, whose button confirms."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            delete(db.session, thing, accepted=form.accepted(), by=current_user, now=utcnow())
        except SeminarRefused as refusal:
            db.session.rollback()
            if refusal.code != "confirm_required":
                _refused(refusal)
                return _days_page(seminar)
        else:
            db.session.commit()
            flash(_("Removed."), "success")
            return _days_page(seminar)
    lost = losses(db.session, thing)
    return render_template("seminars/days_delete.html", seminar=seminar, form=forms.ConfirmForm(formdata=None, **lost),
                           what=what, losses=lost, action=request.path)


@bp.post("/organizer/s/<slug>/days/<int:day_id>/delete")
@seminar_required("edit")
def day_delete(seminar, day_id):
    day = _day_or_404(seminar, day_id)
    return _delete(seminar, day, days.delete_day, days.day_losses, day_names.day_with_hours(day))


@bp.post("/organizer/s/<slug>/sessions/<int:session_id>/delete")
@seminar_required("edit")
def session_delete(seminar, session_id):
    part = _session_or_404(seminar, session_id)
    return _delete(seminar, part, days.delete_session, days.session_losses, part.title)
