"""Certificates of attendance: the organizer's settings and issuing, the attendee's download, public verification."""

import base64

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.auth.access import seminar_required
from eventreg.certificates import bp, document, services
from eventreg.certificates.forms import ActionForm, RevokeForm, form_data, settings_form_class
from eventreg.extensions import db
from eventreg.models import utcnow
from eventreg.registration import services as registrations

REFUSALS = {
    "invalid": _l("Please correct the marked fields."),
    "not_enabled": _l("Certificates are turned off for this seminar: turn them on in the settings first."),
    "not_over": _l("Certificates are issued once the seminar has ended."),
    "cancelled": _l("This seminar was cancelled: it gives no certificates."),
    "not_attended": _l("This person was not checked in: a certificate is only for those who attended."),
    "not_eligible": _l("This person's category gets no certificate (see the settings)."),
    "erased": _l("This person's data has been erased."),
    "revoked": _l("This person's certificate was revoked: re-issue it from the list if it should be valid."),
    "already_revoked": _l("This certificate is revoked already."),
    "reason_required": _l("Say why the certificate is revoked."),
    "name_unchanged": _l("The certificate already carries this name: correct the registration's name first."),
    "already_issued": _l("This person has a valid certificate already."),
    "not_found": _l("No such registration."),
}


@bp.app_template_filter("png_data_url")
def png_data_url(png):
    """A stored (re-encoded) picture shown inline: the organizer sees what will be printed."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _settings_form(seminar, settings=None, formdata=True):
    form_class = settings_form_class(current_app.config["LANGUAGES"])
    form = form_class() if formdata else form_class(formdata=None, data=form_data(settings))
    return form.setup(current_app.config["LANGUAGES"], seminar.categories)


def _render_settings(seminar, form, status=200):
    return render_template(
        "certificates/settings.html", seminar=seminar, form=form, action_form=ActionForm(),
        settings=services.settings_of(db.session, seminar), to_issue=len(services.to_issue(db.session, seminar)),
        certificates=services.certificates_of(db.session, seminar), revoke_form=RevokeForm(formdata=None),
        default_title=document.default_title(), default_body=document.default_body(),
        replaced=services.REPLACED, now=utcnow(),
    ), status


@bp.get("/organizer/s/<slug>/certificates")
@seminar_required("certificates")
def settings(seminar):
    return _render_settings(seminar, _settings_form(seminar, services.settings_of(db.session, seminar), False))


@bp.post("/organizer/s/<slug>/certificates")
@seminar_required("certificates")
def save_settings(seminar):
    form = _settings_form(seminar)
    if not form.validate_on_submit():
        return _render_settings(seminar, form, 400)
    try:
        services.save_settings(db.session, seminar, form.service_data(),
                               languages=current_app.config["LANGUAGES"], by=current_user)
    except services.CertificateRefused as refusal:
        db.session.rollback()
        _field_errors(form, refusal.fields)
        flash(str(REFUSALS[refusal.code]), "error")
        return _render_settings(seminar, form, 400)
    db.session.commit()
    flash(_("Certificate settings saved."), "success")
    return redirect(url_for("certificates.settings", slug=seminar.slug))


def _field_errors(form, fields):
    for name, messages in fields.items():
        target = form[name] if name in form else None
        if target is None:
            flash(" ".join(str(m) for m in messages), "error")
        else:
            target.errors = [*target.errors, *messages]


@bp.get("/organizer/s/<slug>/certificates/issue")
@seminar_required("certificates")
def issue_preview(seminar):
    """"Issue certificates": who will get one, before the organizer confirms."""
    return render_template("certificates/issue.html", seminar=seminar, form=ActionForm(),
                           settings=services.settings_of(db.session, seminar),
                           people=services.to_issue(db.session, seminar), now=utcnow())


@bp.post("/organizer/s/<slug>/certificates/issue")
@seminar_required("certificates")
def issue(seminar):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = services.issue_certificates(db.session, seminar, by=current_user)
    except services.CertificateRefused as refusal:
        db.session.rollback()
        flash(str(REFUSALS[refusal.code]), "error")
        return redirect(url_for("certificates.issue_preview", slug=seminar.slug))
    db.session.commit()
    flash(_("%(n)d certificates issued; they are on their way by e-mail.", n=count), "success")
    return redirect(url_for("certificates.settings", slug=seminar.slug, _anchor="issued"))


def _certificate(seminar, certificate_id):
    certificate = services.certificate_in(db.session, seminar, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.post("/organizer/s/<slug>/certificates/<int:certificate_id>/revoke")
@seminar_required("certificates")
def revoke(seminar, certificate_id):
    certificate = _certificate(seminar, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(str(REFUSALS["reason_required"]), "error")
        return redirect(url_for("certificates.settings", slug=seminar.slug, _anchor="issued"))
    return _change(seminar, lambda: services.revoke(db.session, certificate, by=current_user,
                                                    reason=form.reason.data), _("Certificate revoked."))


@bp.post("/organizer/s/<slug>/certificates/<int:certificate_id>/reissue")
@seminar_required("certificates")
def reissue(seminar, certificate_id):
    """After the registration's name was corrected: a new certificate, the old one revoked."""
    certificate = _certificate(seminar, certificate_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _change(seminar, lambda: services.reissue(db.session, seminar, certificate.registration, by=current_user),
                   _("A new certificate is issued and on its way by e-mail."))


def _change(seminar, change, message):
    try:
        change()
    except services.CertificateRefused as refusal:
        db.session.rollback()
        flash(str(REFUSALS[refusal.code]), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("certificates.settings", slug=seminar.slug, _anchor="issued"))


def _pdf_response(body, name, disposition="inline"):
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@bp.get("/organizer/s/<slug>/certificates/<int:certificate_id>.pdf")
@seminar_required("certificates")
def certificate_pdf(seminar, certificate_id):
    certificate = _certificate(seminar, certificate_id)
    return _pdf_response(document.certificate_pdf(certificate), document.filename(certificate))


@bp.get("/organizer/s/<slug>/certificates.zip")
@seminar_required("certificates")
def download_all(seminar):
    """Every valid certificate as one ZIP (recorded in the audit trail: names leave the system)."""
    body = services.archive(db.session, seminar, by=current_user)
    db.session.commit()
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="certificates-{seminar.slug}.zip"'
    return response


# --- the attendee and the public ------------------------------------------------------------------------------


@bp.get("/t/<token>/certificate.pdf")
def ticket_certificate(token):
    registration = registrations.by_token(db.session, token)
    certificate = registration and services.valid_certificate(db.session, registration)
    if certificate is None:
        abort(404, _("There is no certificate for this ticket."))
    return _pdf_response(document.certificate_pdf(certificate), document.filename(certificate))


@bp.get("/verify/<code>")
def verify(code):
    """Valid or revoked, the name, the seminar, its date and organizer: nothing else. An unknown code says so,
    and nothing more."""
    certificate = services.by_code(db.session, code)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None), 404
    return render_template("certificates/verify.html", certificate=certificate, seminar=certificate.seminar,
                           dates=document.dates(certificate.seminar),
                           seminar_title=document.seminar_title(certificate.seminar))
