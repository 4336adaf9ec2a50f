"""The organizer's pages for a seminar's own questions on its signup form."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.auth.access import seminar_required
from eventreg.extensions import db
from eventreg.models import Question, utcnow
from eventreg.questions import bp, services
from eventreg.questions.forms import KIND_CHOICES, ConfirmDeleteForm, question_form
from eventreg.questions.services import QuestionRefused

KIND_LABELS = {choice.value: choice.label for choice in KIND_CHOICES}
INVALID = _l("Please correct the marked fields.")


def _question(seminar, question_id):
    question = db.session.get(Question, question_id)
    if question is None or question.seminar_id != seminar.id:
        abort(404)
    return question


def _back(seminar, question=None):
    return redirect(url_for("questions.index", slug=seminar.slug) + (f"#question-{question.id}" if question else ""))


@bp.get("/organizer/s/<slug>/questions/")
@seminar_required("edit")
def index(seminar):
    return render_template("questions/index.html", seminar=seminar, kinds=KIND_LABELS,
                           rows=services.overview(db.session, seminar))


def _form(seminar, question):
    form = question_form(seminar, question)
    if form.validate_on_submit():
        try:
            services.save_question(db.session, seminar, form.service_data(), question, by=current_user, now=utcnow())
        except QuestionRefused as refusal:
            db.session.rollback()
            for message in form.add_errors(refusal.fields):
                flash(message, "error")
            flash(INVALID, "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return _back(seminar)
    return render_template("questions/form.html", seminar=seminar, form=form, question=question), \
        400 if form.errors else 200


@bp.route("/organizer/s/<slug>/questions/new", methods=["GET", "POST"])
@seminar_required("edit")
def new(seminar):
    return _form(seminar, None)


@bp.route("/organizer/s/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@seminar_required("edit")
def edit(seminar, question_id):
    return _form(seminar, _question(seminar, question_id))


@bp.post("/organizer/s/<slug>/questions/<int:question_id>/move")
@seminar_required("edit")
def move(seminar, question_id):
    """One place up or down; the page's script asks for JSON and moves the row itself (as for the programme)."""
    question = _question(seminar, question_id)
    try:
        services.move_question(db.session, question, request.form.get("direction", ""), by=current_user, now=utcnow())
    except QuestionRefused:
        abort(400)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return {"moved": question.id, "position": question.position}
    return _back(seminar, question)


@bp.post("/organizer/s/<slug>/questions/<int:question_id>/visibility")
@seminar_required("edit")
def visibility(seminar, question_id):
    question = _question(seminar, question_id)
    hidden = request.form.get("hidden") == "1"
    services.set_hidden(db.session, question, hidden, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The question is hidden from the signup form; its answers are kept.") if hidden
          else _("The question is on the signup form again."), "success")
    return _back(seminar, question)


@bp.route("/organizer/s/<slug>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@seminar_required("edit")
def delete(seminar, question_id):
    """A page that says how many answers would be lost, then the deletion of exactly that many."""
    question = _question(seminar, question_id)
    form = ConfirmDeleteForm()
    status = 200
    if form.validate_on_submit():
        told = form.answers_lost.data or ""
        try:
            services.delete_question(db.session, question, by=current_user, now=utcnow(),
                                     answers_lost=int(told) if told.isascii() and told.isdigit() else 0)
        except QuestionRefused:
            db.session.rollback()
            flash(_("More people have answered since: check again what would be lost."), "error")
            status = 409
        else:
            db.session.commit()
            flash(_("The question and its answers are deleted."), "success")
            return _back(seminar)
    answers = services.answer_count(db.session, question)
    form.answers_lost.data = str(answers)
    return render_template("questions/delete.html", seminar=seminar, question=question, form=form, answers=answers,
                           kinds=KIND_LABELS), status
