"""Public signup, the ticket page and cancellation; the organizer's registration list, edits and import."""

import json

from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg import tickets
from eventreg.auth.access import seminar_required
from eventreg.certificates import services as certificates
from eventreg.checkin import services as checkin
from eventreg.extensions import db
from eventreg.models import REGISTRATION_STATUSES, Registration, utcnow
from eventreg.questions.answers import public_questions, stored_answers
from eventreg.redirects import safe_next
from eventreg.registration import bp, bulk, organizer, places, services
from eventreg.registration.calendar import calendar_links, ticket_calendar
from eventreg.registration.forms import (
    ActionForm,
    AttendanceForm,
    BulkForm,
    ImportConfirmForm,
    ImportForm,
    OrganizerAddForm,
    OrganizerRegistrationForm,
    ResendForm,
    SignupForm,
    TicketSessionsForm,
    with_questions,
)
from eventreg.registration.ticket_pdf import ticket_pdf as render_ticket_pdf
from eventreg.registration.validation import ASTANA_UNIVERSITIES
from eventreg.seminars import days, queries

REFUSALS = {
    "full": _l("Sorry, the seminar is full."),
    "closed": _l("Registration for this seminar is closed."),
    "not_open": _l("Registration for this seminar has not opened yet."),
    "cancelled_seminar": _l("This seminar has been cancelled."),
    "duplicate_email": _l("This e-mail address is already registered for this seminar."),
    "resubmitted": _l("This form was sent a moment ago: your registration is in your e-mail."),
    "invalid": _l("Please correct the fields marked below."),
    "wrong_category": _l("Please choose one of this seminar's categories."),
    "not_active": _l("This registration is no longer active."),
    "not_pending": _l("Only a pending registration can be approved or rejected."),
    "not_waiting": _l("Only a pending or waitlisted registration can be moved to confirmed."),
    "recently_sent": _l("The ticket was re-sent less than 10 minutes ago: it is on its way."),
    "no_email": _l("There is no e-mail address for this person."),
    "same_category": _l("Already in this category."),
    "study_details": _l("A student category needs the person's university, programme, level and year of study."),
    "hold_expired": _l("The time to confirm this registration has passed: its place is released."),
    "checked_in": _l("Already checked in at the door: the registration is part of the attendance record and cannot "
                     "be cancelled (take the check-in back first if it was a mistake)."),
    "ended": _l("The seminar has ended: the registration can no longer be cancelled."),
}
# What a row of a bulk action that was not changed says; moving, "full" is the category's quota.
MOVE_REFUSALS = {**REFUSALS, "full": _l("This category's quota is full.")}
STATUS_LABELS = {
    "pending": _l("Waiting for approval"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Not approved"),
}
IMPORT_REFUSALS = {
    "encoding": _l("The file's characters could not be read (it is not UTF-8, UTF-16 or Windows-1251 text). "
                   "In Excel choose “CSV UTF-8” when saving."),
    "unreadable": _l("The file could not be read as CSV (an unclosed quote?). Save it again from the spreadsheet."),
    "tampered": _l("The previewed rows came back changed or unreadable. Upload the file again."),
    "empty": _l("The file has no rows."),
    "no_header": _l("The first row must name the columns, with at least full_name and email."),
    "too_many_rows": _l("Too many rows: at most %(n)d per import.", n=organizer.MAX_IMPORT_ROWS),
}
ACTIONS = {
    "approve": (services.approve_registration, _l("Approved.")),
    "reject": (services.reject_registration, _l("Rejected; the person has been told.")),
    "cancel": (services.cancel_registration, _l("Registration cancelled.")),
    "confirm": (services.confirm_registration, _l("Moved to confirmed.")),
    "resend": (services.send_ticket_again, _l("The ticket is on its way again.")),
}


@bp.app_context_processor
def _registration_labels():
    return {"status_labels": STATUS_LABELS}



def _public_seminar(slug):
    """Drafts do not exist for the public (its team may look at their signup form)."""
    return queries.visible_seminar(db.session, slug, viewer=current_user)


def _registration_by_token(token):
    """The ticket's registration, or a 404. Its pages (and the PDF, the .ics) are in the language the registrant
    chose, as their e-mails, unless the visitor picks another (`eventreg._select_locale`)."""
    registration = services.by_token(db.session, token)
    if registration is None:
        abort(404, _("This ticket does not exist. Check the link in your e-mail."))
    g.registrant_language = registration.language
    return registration


def _has_ticket(registration):
    """A code to show at the door: a confirmed seat whose address, if the seminar asked, is confirmed."""
    return registration.status == "confirmed" and not registration.awaits_email_confirmation


def _confirmed_by_token(token):
    """The QR code and the PDF exist only for a confirmed seat: a cancelled ticket shows no code to scan."""
    registration = _registration_by_token(token)
    if not _has_ticket(registration):
        abort(404, _("The ticket's code exists once your seat is confirmed."))
    return registration


def _public_categories(seminar):
    return [c for c in seminar.categories if c.is_public]


def _quota_full_ids(seminar):
    """Categories whose quota is taken while the seminar still has seats: said beside the choice, before the
    person fills in the rest (when the whole seminar is full, the page says that instead)."""
    if seminar.is_full:
        return []
    return [c.id for c in seminar.categories if c.seats_left == 0]


def _render_signup(seminar, form, status=200):
    return render_template(
        "registration/signup.html", seminar=seminar, form=form, state=seminar.registration_state(utcnow()),
        student_ids=[c.id for c in seminar.categories if c.is_student], universities=ASTANA_UNIVERSITIES,
        quota_full_ids=_quota_full_ids(seminar),
    ), status


@bp.route("/s/<slug>/register", methods=["GET", "POST"])
def signup(slug):
    """A new address and one already registered get the same answer: "check your e-mail" (issue #27)."""
    seminar = _public_seminar(slug)
    form = with_questions(SignupForm, public_questions(seminar), get_locale())()
    form.set_categories(_public_categories(seminar))
    form.set_sessions(places.choosable(seminar))
    if not form.validate_on_submit():
        return _render_signup(seminar, form, 400 if form.is_submitted() else 200)
    earlier = services.earlier_submission(db.session, seminar, form.submission_key.data)
    if earlier is None:
        try:
            services.public_signup(db.session, seminar, form.registrant_data(), key=form.submission_key.data)
        except services.RegistrationRefused as refusal:
            db.session.rollback()
            # The same form sent twice at once: the twin that lost the race answers as the other did.
            earlier = services.earlier_submission(db.session, seminar, form.submission_key.data)
            if earlier is None:
                return _signup_refused(seminar, form, refusal)
        else:
            db.session.commit()
    # A form sent again (a corrected address, by the Back button) is answered about what its first sending made.
    name, email = (earlier.full_name, earlier.email) if earlier else (form.full_name.data, form.email.data)
    session[_ANSWER] = {"seminar": slug, "name": name, "email": email}
    return redirect(url_for("registration.registered", slug=slug))


def _signup_refused(seminar, form, refusal):
    """The form again with the person's answers, the refusal next to its fields or above the form."""
    form.add_errors(refusal.fields)
    if refusal.code != "invalid":
        flash(str(REFUSALS.get(refusal.code, refusal.code)), "error")
    return _render_signup(seminar, form, 400)


# The signup's answer travels to the page after the redirect in the session cookie, read once: the URL carries
# nothing, and the page never holds a ticket's token.
_ANSWER = "signup_answer"


@bp.get("/s/<slug>/registered")
def registered(slug):
    seminar = _public_seminar(slug)
    answer = session.pop(_ANSWER, None)
    if answer is None or answer.get("seminar") != seminar.slug:
        answer = {}
    page = Response(render_template("registration/registered.html", seminar=seminar, name=answer.get("name"),
                                    email=answer.get("email")))
    page.headers["Cache-Control"] = "no-store"  # a shared computer's Back button must not show it again
    return page


@bp.get("/t/<token>/registered")
def registered_link(token):
    """Where a signup once landed: a link kept from then opens the ticket."""
    return redirect(url_for("registration.ticket", token=_registration_by_token(token).token))


@bp.route("/s/<slug>/resend", methods=["GET", "POST"])
def resend(slug):
    seminar = _public_seminar(slug)
    form = ResendForm()
    if form.validate_on_submit():
        services.resend_ticket(db.session, seminar, form.email.data or "")
        db.session.commit()
        flash(_("If this address is registered for this seminar, the registration e-mail is on its way to it."),
              "success")
        return redirect(url_for("registration.resend", slug=seminar.slug))
    return render_template("registration/resend.html", seminar=seminar, form=form)


@bp.get("/t/<token>/")
def ticket(token):
    registration = _registration_by_token(token)
    qr = tickets.qr_svg(tickets.ticket_payload(registration)) if _has_ticket(registration) else None
    certificate = certificates.valid_certificate(db.session, registration)
    now = utcnow()
    page = render_template("registration/ticket.html", registration=registration, seminar=registration.seminar,
                           qr_svg=qr, now=now, certificate=certificate, calendar_links=calendar_links(
                               registration.seminar, url_for("registration.ticket", token=token, _external=True)),
                           **_ticket_sessions(registration, now))
    return Response(page)


def _ticket_sessions(registration, now):
    """The person's places (a seminar with days only: the rest ask nothing more) and, while they may still change
    them, the form that does."""
    seminar = registration.seminar
    if not seminar.has_days:
        return {"held": set(), "sessions_form": None}
    held = places.held(db.session, registration)
    choosable = places.choosable(seminar)
    form = None
    if choosable and registration.is_active and now < seminar.ends_at and seminar.status != "cancelled":
        form = TicketSessionsForm(formdata=None)
        form.set_sessions(choosable, held)
    return {"held": held, "sessions_form": form}


PLACE_REFUSALS = {
    "ended": _l("The seminar has ended: its sessions cannot be changed any more."),
    "not_active": REFUSALS["not_active"],
}


@bp.post("/t/<token>/sessions")
def ticket_sessions(token):
    """The attendee changes their sessions: all of the choice, or (a session full meanwhile) none of it."""
    registration = _registration_by_token(token)
    form = TicketSessionsForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Please check your answers and press the button again."), "error")
    else:
        try:
            places.choose_own(db.session, registration, form.session_ids.data or [])
        except places.PlaceRefused as refusal:
            db.session.rollback()
            flash(str(PLACE_REFUSALS.get(refusal.code) or " ".join(map(str, refusal.fields.get("session_ids", [])))),
                  "error")
        else:
            db.session.commit()
            flash(_("Your sessions are saved."), "success")
    return redirect(url_for("registration.ticket", token=registration.token) + "#sessions")


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token):
    registration = _confirmed_by_token(token)
    svg = tickets.qr_svg(tickets.ticket_payload(registration))
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/t/<token>/qr.png")
def ticket_png(token):
    registration = _confirmed_by_token(token)
    return Response(tickets.qr_png(tickets.ticket_payload(registration)), mimetype="image/png")


@bp.get("/t/<token>/ticket.pdf")
def ticket_pdf(token):
    registration = _confirmed_by_token(token)
    body = render_ticket_pdf(registration, url_for("registration.ticket", token=token, _external=True))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="ticket-{registration.seminar.slug}.pdf"'
    return response


@bp.get("/t/<token>/calendar.ics")
def ticket_ics(token):
    registration = _registration_by_token(token)
    body = ticket_calendar(registration, url_for("registration.ticket", token=token, _external=True))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.seminar.slug}.ics"'
    return response


@bp.route("/t/<token>/confirm", methods=["GET", "POST"])
def confirm_email(token):
    """The link in the confirmation e-mail. It opens a page with one button: a mail scanner that follows every link
    in an e-mail must not confirm an address that nobody read."""
    registration = _registration_by_token(token)
    form = ActionForm()
    if form.validate_on_submit():
        return _ticket_action(registration, services.confirm_email,
                              _("Thank you: your e-mail address is confirmed, and your registration is kept."))
    if not (registration.awaits_email_confirmation and registration.is_active):
        return redirect(url_for("registration.ticket", token=token))  # which says where the registration stands
    return Response(render_template("registration/confirm_email.html", registration=registration,
                                    seminar=registration.seminar, form=form, now=utcnow()))


def _ticket_action(registration, action, done):
    """A ticket page's one button: the service's refusal, or `done`, said on the ticket page it returns to."""
    try:
        action(db.session, registration)
    except services.RegistrationRefused as refusal:
        db.session.rollback()
        flash(str(REFUSALS[refusal.code]), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("registration.ticket", token=registration.token))


@bp.route("/t/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    registration = _registration_by_token(token)
    form = ActionForm()
    if form.validate_on_submit():
        return _ticket_action(registration, services.cancel_own,
                              _("Your registration is cancelled. Thank you for letting us know."))
    page = render_template("registration/cancel.html", registration=registration, seminar=registration.seminar,
                           form=form)
    return Response(page)


# --- Organizer ----------------------------------------------------------------------------------------------


def _seminar_registration(seminar, registration_id):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.seminar_id != seminar.id:
        abort(404)
    return registration


def _list_filters(seminar, args):
    """The list's filters from its query string (or a bulk action's form): the same rows everywhere."""
    status, attendance = args.get("status", ""), args.get("attendance", "")
    known = dict(organizer.attendance_choices(seminar))
    return {"q": args.get("q", "")[:200], "status": status if status in REGISTRATION_STATUSES else "",
            "category_key": args.get("category", "")[:40], "attendance": attendance if attendance in known else ""}


def _filter_args(filters):
    """The filters as the list's URL names them, empty ones left out: for its sort and page links."""
    return {name: filters[key] for name, key in (("q", "q"), ("status", "status"), ("category", "category_key"),
                                                 ("attendance", "attendance")) if filters[key]}


@bp.get("/organizer/s/<slug>/registrations")
@seminar_required("registrations")
def manage(seminar):
    filters = _list_filters(seminar, request.args)
    page = organizer.registrations_page(
        db.session, seminar, **filters, sort=request.args.get("sort", ""),
        descending=request.args.get("dir") == "desc", page=request.args.get("page", 1, type=int), locale=get_locale(),
    )
    bulk_form = BulkForm(formdata=None, q=filters["q"], status=filters["status"], category=filters["category_key"],
                         attendance=filters["attendance"])
    bulk_form.set_categories(seminar.categories)
    return render_template("registration/manage.html", seminar=seminar, page=page, action_form=ActionForm(),
                           bulk_form=bulk_form, counts=organizer.status_counts(db.session, seminar),
                           filters=request.args, filter_args=_filter_args(filters),
                           attendance_choices=organizer.attendance_choices(seminar),
                           order={"sort": page.sort, "dir": "desc" if page.descending else "asc"})


@bp.post("/organizer/s/<slug>/registrations/bulk")
@seminar_required("registrations")
def bulk_action(seminar):
    """One action on the ticked rows, at once; on every row of the list's filter, once their count is confirmed."""
    form = BulkForm()
    form.set_categories(seminar.categories)
    back = safe_next(request.form.get("next"), url_for("registration.manage", slug=seminar.slug))
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
        return redirect(back)
    if form.scope.data == "filter":
        ids = organizer.filtered_ids(db.session, seminar, **_list_filters(seminar, request.form))
        return render_template("registration/bulk_confirm.html", seminar=seminar, form=form, ids=ids, back=back,
                               max_rows=bulk.MAX_ROWS)
    try:
        result = bulk.apply(db.session, seminar, form.action.data, form.ids.data, by=current_user,
                            notify=form.notify.data, category_id=form.target_category.data)
    except bulk.BulkRefused as refusal:
        db.session.rollback()
        flash(_bulk_refusal(refusal), "error")
        return redirect(back)
    db.session.commit()
    return render_template("registration/bulk_done.html", seminar=seminar, result=result, form=form, back=back,
                           refusals=MOVE_REFUSALS if result.action == "move" else REFUSALS)


BULK_REFUSALS = {
    "nothing_selected": _l("Tick at least one registration, or choose every row of the filter."),
    "wrong_category": REFUSALS["wrong_category"],
}


def _bulk_refusal(refusal):
    if refusal.code == "not_this_seminar":
        return ngettext("%(num)d of the chosen registrations is not of this seminar: nothing was changed.",
                        "%(num)d of the chosen registrations are not of this seminar: nothing was changed.",
                        refusal.count)
    if refusal.code == "too_many":
        return _("Too many rows at once (%(num)d; at most %(max)d): narrow the filter. Nothing was changed.",
                 num=refusal.count, max=bulk.MAX_ROWS)
    return str(BULK_REFUSALS.get(refusal.code, refusal.code))


def _organizer_form(seminar, registration):
    form = with_questions(OrganizerRegistrationForm, seminar.questions, get_locale(), staff=True)(obj=registration)
    form.set_categories(list(seminar.categories))
    choosable = places.choosable(seminar)
    form.set_sessions(choosable, places.held(db.session, registration) if choosable else ())
    if not form.is_submitted():
        form.consent_data.data = registration.consent_data_at is not None
        form.set_answers(stored_answers(registration))
    return form


@bp.route("/organizer/s/<slug>/registrations/new", methods=["GET", "POST"])
@seminar_required("registrations")
def add(seminar):
    form = with_questions(OrganizerAddForm, seminar.questions, get_locale(), staff=True)()
    form.set_categories(list(seminar.categories))
    form.set_sessions(places.choosable(seminar))
    if form.validate_on_submit():
        try:
            registration = services.register(db.session, seminar, form.registrant_data(), source="organizer",
                                             by=current_user, ignore_window=True, notify=form.notify.data)
        except services.RegistrationRefused as refusal:
            db.session.rollback()
            form.add_errors(refusal.fields)
            flash(str(REFUSALS.get(refusal.code, refusal.code)), "error")
        else:
            db.session.commit()
            flash(_("%(name)s added: %(status)s.", name=registration.full_name,
                    status=STATUS_LABELS[registration.status]), "success")
            return redirect(url_for("registration.manage", slug=seminar.slug))
    return _render_edit(seminar, form, None)


@bp.route("/organizer/s/<slug>/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@seminar_required("registrations")
def edit(seminar, registration_id):
    registration = _seminar_registration(seminar, registration_id)
    form = _organizer_form(seminar, registration)
    if form.validate_on_submit():
        try:
            services.update_registration(db.session, registration, form.registrant_data(), by=current_user)
        except services.RegistrationRefused as refusal:
            db.session.rollback()
            form.add_errors(refusal.fields)
            flash(str(REFUSALS.get(refusal.code, refusal.code)), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("registration.manage", slug=seminar.slug))
    return _render_edit(seminar, form, registration)


def _attendance_form(seminar, **kwargs):
    form = AttendanceForm(**kwargs)
    form.set_days(seminar)
    return form


def _render_edit(seminar, form, registration, attendance_form=None):
    attended, shown_sessions = {}, set()
    if registration is not None:
        if attendance_form is None:
            attendance_form = _attendance_form(seminar, formdata=None,
                                               attended="no" if registration.checked_in_at else "yes")
        if seminar.has_days:  # each day, and the sessions they came to or have a place in
            attended = organizer.attendance_of(db.session, registration)
            shown_sessions = {part for _day, part in attended if part} | places.held(db.session, registration)
    return render_template("registration/edit.html", seminar=seminar, form=form, registration=registration,
                           student_ids=[c.id for c in seminar.categories if c.is_student],
                           universities=ASTANA_UNIVERSITIES, attendance_form=attendance_form, for_organizer=True,
                           attended=attended, attended_sessions=shown_sessions)


ATTENDANCE_REFUSALS = {
    "already_checked_in": _l("This person is already checked in."),
    "not_checked_in": _l("This person is not checked in."),
    "reason_required": _l("Say why the attendance is corrected."),
    "day_required": _l("Choose the day."),
}


@bp.post("/organizer/s/<slug>/registrations/<int:registration_id>/attendance")
@seminar_required("registrations")
def correct_attendance(seminar, registration_id):
    """After the door closed, the organizer corrects who was there, with a reason (in the audit log)."""
    registration = _seminar_registration(seminar, registration_id)
    form = _attendance_form(seminar)
    if not form.validate_on_submit():
        return _render_edit(seminar, _organizer_form(seminar, registration), registration, form), 400
    day = days.day_of(seminar, form.day_id.data) if seminar.has_days else None
    try:
        checkin.correct_attendance(db.session, seminar, registration, attended=form.attended.data == "yes",
                                   by=current_user, reason=form.reason.data, day=day)
    except checkin.CheckInRefused as refusal:
        db.session.rollback()
        flash(str(ATTENDANCE_REFUSALS.get(refusal.code, _l("Only a confirmed registration can attend."))), "error")
    else:
        db.session.commit()
        flash(_("The attendance is corrected."), "success")
    return redirect(url_for("registration.edit", slug=seminar.slug, registration_id=registration.id))


@bp.post("/organizer/s/<slug>/registrations/<int:registration_id>/<action>")
@seminar_required("registrations")
def change_status(seminar, registration_id, action):
    """Approve, reject, cancel or move to confirmed: one button each on the list."""
    if action not in ACTIONS:
        abort(404)
    registration = _seminar_registration(seminar, registration_id)
    if ActionForm().validate_on_submit():
        service, done = ACTIONS[action]
        try:
            service(db.session, registration, by=current_user)
        except services.RegistrationRefused as refusal:
            db.session.rollback()
            flash(str(REFUSALS.get(refusal.code, refusal.code)), "error")
        else:
            db.session.commit()
            flash(str(done), "success")
    return redirect(safe_next(request.form.get("next"), url_for("registration.manage", slug=seminar.slug)))


def _field_labels(seminar):
    """Column errors in the import preview, named as the signup form names them (an answer by its question)."""
    fields = with_questions(OrganizerRegistrationForm, seminar.questions, get_locale(), staff=True)(
        formdata=None, meta={"csrf": False})
    return {field.short_name: field.label.text for field in fields}


@bp.route("/organizer/s/<slug>/import", methods=["GET", "POST"])
@seminar_required("registrations")
def import_csv(seminar):
    """Upload → preview (nothing written; the rows wait in a hidden field) → confirm → register each row."""
    upload, confirm = ImportForm(), ImportConfirmForm()
    if request.form.get("step") == "confirm" and confirm.validate_on_submit():
        return _import_confirmed(seminar, upload, confirm)
    if request.form.get("step") != "confirm" and upload.validate_on_submit():
        try:
            rows, encoding = organizer.parse_csv(upload.file.data.read(), _question_keys(seminar))
        except organizer.ImportRefused as refusal:
            upload.file.errors = [IMPORT_REFUSALS[refusal.code]]
        else:
            return _import_preview(seminar, upload, confirm, rows, encoding)
    return render_template("registration/import.html", seminar=seminar, form=upload, results=None,
                           columns=organizer.IMPORT_COLUMNS, question_keys=_question_keys(seminar)), \
        400 if upload.errors else 200


def _question_keys(seminar):
    return [question.key for question in organizer.question_columns(seminar)]


def _default_import_category(seminar):
    """A row without a category lands in the student category (the usual list), else the first one."""
    return next((c for c in seminar.categories if c.key == "student"), None) or (
        seminar.categories[0] if seminar.categories else None)


def _import_preview(seminar, upload, confirm, rows, encoding):
    results = organizer.preview_import(db.session, seminar, rows, default_category=_default_import_category(seminar))
    db.session.rollback()
    good = [r.row for r in results if r.outcome == "ok"]
    confirm.rows.data = json.dumps(good, ensure_ascii=False)
    return render_template("registration/import.html", seminar=seminar, form=upload, results=results,
                           confirm=confirm, good=len(good), refusals=REFUSALS, field_labels=_field_labels(seminar),
                           encoding=organizer.ENCODING_NAMES[encoding])


def _import_confirmed(seminar, upload, confirm):
    try:
        rows = organizer.rows_from_confirmation(confirm.rows.data, _question_keys(seminar))
    except organizer.ImportRefused as refusal:
        abort(400, str(IMPORT_REFUSALS[refusal.code]))
    results = organizer.import_rows(db.session, seminar, rows, default_category=_default_import_category(seminar),
                                    by=current_user, notify=confirm.notify.data == "yes")
    db.session.commit()
    flash(_("%(n)d registrations imported.", n=sum(r.outcome in REGISTRATION_STATUSES for r in results)), "success")
    return render_template("registration/import.html", seminar=seminar, form=upload, results=results,
                           done=True, refusals=REFUSALS, field_labels=_field_labels(seminar))
