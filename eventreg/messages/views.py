"""Messages to attendees: the history, compose → preview (one person, the count) → send, and the public
unsubscribe page behind the link in every message."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from eventreg.auth.access import seminar_required
from eventreg.extensions import csrf, db
from eventreg.messages import bp, emails, services
from eventreg.messages.forms import MessageForm
from eventreg.models import Registration
from eventreg.redirects import safe_next
from eventreg.registration import organizer

REFUSALS = {
    "invalid": _l("Please correct the fields marked below."),
    "not_this_seminar": _l("Some of the ticked people are not registered for this seminar. Open the list again and "
                           "tick them anew."),
    "too_many": _l("Too many people ticked at once (at most %(max)d): choose a segment instead.",
                   max=services.MAX_CHOSEN),
}


@bp.get("/organizer/s/<slug>/messages")
@seminar_required("registrations")
def history(seminar):
    return render_template("messages/history.html", seminar=seminar, sent=services.history(db.session, seminar),
                           category_labels={c.key: c.label for c in seminar.categories},
                           attendance_labels=dict(organizer.attendance_choices(seminar)))


@bp.route("/organizer/s/<slug>/messages/new", methods=["GET", "POST"])
@seminar_required("registrations")
def compose(seminar):
    """One page, several steps (`step`): start (from the registration list's ticked rows or filter), edit,
    preview (the message for one person, with the count), send (the count the organizer saw, confirmed)."""
    form = MessageForm()
    form.set_choices(seminar, services.universities(db.session, seminar))
    step = request.form.get("step", "")
    if step == "start":
        return _start(seminar, form)
    if not form.is_submitted() or step == "edit":
        return _compose_page(seminar, form)
    if not form.validate():
        return _compose_page(seminar, form, 400)
    if step == "send":
        return _send(seminar, form)
    return _preview(seminar, form)


def _start(seminar, form):
    """From the registration list: the ticked rows, or its filter's criteria (the form reads the same names)."""
    if request.form.get("scope") == "filter":
        form.ids.data = []
    elif not form.ids.data:
        flash(_("Tick at least one registration, or choose every row of the filter."), "error")
        return redirect(safe_next(request.form.get("next"), url_for("registration.manage", slug=seminar.slug)))
    return _compose_page(seminar, form)


def _compose_page(seminar, form, status=200):
    return render_template("messages/compose.html", seminar=seminar, form=form,
                           placeholders=emails.PLACEHOLDERS), status


def _preview(seminar, form, status=200):
    try:
        preview = services.preview(db.session, seminar, form.draft(),
                                   recipient_id=request.form.get("preview_id", type=int))
    except services.MessageRefused as refusal:
        return _refused(seminar, form, refusal)
    return render_template("messages/preview.html", seminar=seminar, form=form, preview=preview), status


def _send(seminar, form):
    try:
        message = services.send_message(db.session, seminar, form.draft(), by=current_user,
                                        expected=request.form.get("expected", type=int))
    except services.MessageRefused as refusal:
        db.session.rollback()
        if refusal.code == "count_changed":
            flash(_("The number of people changed meanwhile: check it and send again."), "error")
            return _preview(seminar, form, 409)
        return _refused(seminar, form, refusal)
    db.session.commit()
    flash(ngettext("The message is on its way to %(num)d person.", "The message is on its way to %(num)d people.",
                   message.recipient_count), "success")
    return redirect(url_for("messages.history", slug=seminar.slug))


def _refused(seminar, form, refusal):
    for message in form.add_errors(refusal.fields):
        flash(message, "error")
    if refusal.code == "nobody":
        flash(_nobody(refusal.audience), "error")
    else:
        flash(str(REFUSALS.get(refusal.code, refusal.code)), "error")
    return _compose_page(seminar, form, 400)


def _nobody(audience):
    left_out = audience.unsubscribed + audience.without_address
    if left_out:
        return ngettext("Nobody to send it to: the %(num)d person this segment holds unsubscribed or has no e-mail "
                        "address.", "Nobody to send it to: the %(num)d people this segment holds unsubscribed or "
                        "have no e-mail address.", left_out)
    return _("Nobody is in this segment: change who the message is for.")


# --- the attendee -------------------------------------------------------------------------------------------


def _unsubscribing(token):
    registration_id = emails.registration_id_of(token)
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None:
        abort(404, _("This link does not work. Copy the whole link from the e-mail."))
    return registration


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """GET asks, POST unsubscribes. A POST is what RFC 8058 says a mail client's one-click button sends (body
    `List-Unsubscribe=One-Click`, no cookie, so no CSRF token); the page's button sends the same. Anything else is
    refused. The signed link is the only key, and a scanner that merely opens the link changes nothing."""
    if request.method == "POST" and request.form.get("List-Unsubscribe") != "One-Click":
        abort(400)
    registration = _unsubscribing(token)
    if request.method == "POST":
        services.unsubscribe(db.session, registration)
        db.session.commit()
    return render_template("messages/unsubscribe.html", registration=registration, seminar=registration.seminar)
