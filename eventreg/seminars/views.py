"""Public seminar pages and the organizer's seminar management."""

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from eventreg.auth.access import role_required
from eventreg.auth.permissions import ROLE_ACTIONS
from eventreg.extensions import db
from eventreg.models import AgendaItem, Category, Speaker, utcnow
from eventreg.seminars import bp, forms, queries, services
from eventreg.seminars.services import SeminarRefused

REFUSALS = {
    "invalid": _l("Please correct the marked fields."),
    "slug_taken": _l("Another seminar already uses this web address."),
    "cancelled": _l("This seminar is cancelled; it cannot be changed any more."),
    "bad_transition": _l("The seminar cannot move to that state from where it is now."),
    "in_use": _l("People are registered in this category, so it cannot be removed."),
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
    """Put each field's messages next to that field; say the rest in a flash message."""
    for name, messages in refusal.fields.items():
        if form is not None and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            flash(" ".join(str(m) for m in messages), "error")
    flash(REFUSALS.get(refusal.code, REFUSALS["invalid"]), "error")


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
                           organizer=queries.may_see_drafts(current_user))


@bp.get("/s/<slug>/calendar.ics")
def ics(slug):
    seminar = queries.visible_seminar(db.session, slug, viewer=current_user)
    body = queries.calendar_file(seminar, url=url_for("seminars.show", slug=slug, _external=True), now=utcnow())
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
    form = forms.SeminarForm()
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
@role_required("organizer")
def manage(slug):
    seminar = queries.seminar_or_404(db.session, slug)
    kinds = {choice.value: choice.label for choice in forms.KIND_CHOICES}
    # The add forms sit on this page (one POST each, back here), so building a seminar is not a page per part.
    new = {"agenda": forms.agenda_form(seminar, None), "speaker": forms.speaker_form(seminar, None),
           "category": forms.category_form(seminar, None)}
    return render_template("seminars/manage.html", seminar=seminar, now=utcnow(), kinds=kinds, new=new)


@bp.route("/organizer/s/<slug>/edit", methods=["GET", "POST"])
@role_required("organizer")
def edit(slug):
    seminar = queries.seminar_or_404(db.session, slug)
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


def _change_status(slug, status, message):
    seminar = queries.seminar_or_404(db.session, slug)
    try:
        services.set_status(db.session, seminar, status, by=current_user, now=utcnow())
    except SeminarRefused as refusal:
        db.session.rollback()
        _refused(refusal)
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("seminars.manage", slug=slug))


@bp.post("/organizer/s/<slug>/publish")
@role_required("organizer")
def publish(slug):
    return _change_status(slug, "published", _l("The seminar is published: the public can see it."))


@bp.post("/organizer/s/<slug>/close")
@role_required("organizer")
def close(slug):
    return _change_status(slug, "closed", _l("Registration is closed."))


@bp.route("/organizer/s/<slug>/cancel", methods=["GET", "POST"])
@role_required("organizer")
def cancel(slug):
    if request.method == "GET":
        seminar = queries.seminar_or_404(db.session, slug)
        return render_template("seminars/cancel.html", seminar=seminar)
    return _change_status(slug, "cancelled", _l("The seminar is cancelled; every registrant will get an e-mail."))


@bp.route("/organizer/s/<slug>/duplicate", methods=["GET", "POST"])
@role_required("organizer")
def duplicate(slug):
    seminar = queries.seminar_or_404(db.session, slug)
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

def _part_form(slug, model, part_id, form_factory, save, template):
    seminar = queries.seminar_or_404(db.session, slug)
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
            return redirect(url_for("seminars.manage", slug=slug) + f"#{template}")
    return render_template(f"seminars/{template}_form.html", form=form, seminar=seminar, part=part), \
        400 if form.errors else 200


def _part_delete(slug, model, part_id, delete, anchor):
    seminar = queries.seminar_or_404(db.session, slug)
    part = queries.part_or_404(db.session, model, part_id, seminar)
    try:
        delete(db.session, part, by=current_user, now=utcnow())
    except SeminarRefused as refusal:
        db.session.rollback()
        _refused(refusal)
    else:
        db.session.commit()
        flash(_("Removed."), "success")
    return redirect(url_for("seminars.manage", slug=slug) + f"#{anchor}")


@bp.route("/organizer/s/<slug>/agenda/new", methods=["GET", "POST"])
@role_required("organizer")
def agenda_new(slug):
    return _part_form(slug, AgendaItem, None, forms.agenda_form, services.save_agenda_item, "agenda")


@bp.route("/organizer/s/<slug>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def agenda_edit(slug, item_id):
    return _part_form(slug, AgendaItem, item_id, forms.agenda_form, services.save_agenda_item, "agenda")


@bp.post("/organizer/s/<slug>/agenda/<int:item_id>/delete")
@role_required("organizer")
def agenda_delete(slug, item_id):
    return _part_delete(slug, AgendaItem, item_id, services.delete_agenda_item, "agenda")


def _part_move(slug, model, part_id, move, anchor):
    """One place up or down. The page's script asks for JSON and moves the row itself (no reload); without
    JavaScript the form posts and the page comes back at the moved row."""
    seminar = queries.seminar_or_404(db.session, slug)
    part = queries.part_or_404(db.session, model, part_id, seminar)
    try:
        move(db.session, part, request.form.get("direction", ""), by=current_user, now=utcnow())
    except SeminarRefused:
        abort(400)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return {"moved": part.id, "position": part.position}
    return redirect(url_for("seminars.manage", slug=slug) + f"#{anchor}-{part.id}")


@bp.post("/organizer/s/<slug>/agenda/<int:item_id>/move")
@role_required("organizer")
def agenda_move(slug, item_id):
    return _part_move(slug, AgendaItem, item_id, services.move_agenda_item, "item")


@bp.route("/organizer/s/<slug>/speakers/new", methods=["GET", "POST"])
@role_required("organizer")
def speaker_new(slug):
    return _part_form(slug, Speaker, None, forms.speaker_form, services.save_speaker, "speaker")


@bp.route("/organizer/s/<slug>/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def speaker_edit(slug, speaker_id):
    return _part_form(slug, Speaker, speaker_id, forms.speaker_form, services.save_speaker, "speaker")


@bp.post("/organizer/s/<slug>/speakers/<int:speaker_id>/delete")
@role_required("organizer")
def speaker_delete(slug, speaker_id):
    return _part_delete(slug, Speaker, speaker_id, services.delete_speaker, "speaker")


@bp.route("/organizer/s/<slug>/categories/new", methods=["GET", "POST"])
@role_required("organizer")
def category_new(slug):
    return _part_form(slug, Category, None, forms.category_form, services.save_category, "category")


@bp.route("/organizer/s/<slug>/categories/<int:category_id>/edit", methods=["GET", "POST"])
@role_required("organizer")
def category_edit(slug, category_id):
    return _part_form(slug, Category, category_id, forms.category_form, services.save_category, "category")


@bp.post("/organizer/s/<slug>/categories/<int:category_id>/move")
@role_required("organizer")
def category_move(slug, category_id):
    return _part_move(slug, Category, category_id, services.move_category, "category")


@bp.post("/organizer/s/<slug>/categories/<int:category_id>/delete")
@role_required("organizer")
def category_delete(slug, category_id):
    return _part_delete(slug, Category, category_id, services.delete_category, "category")
