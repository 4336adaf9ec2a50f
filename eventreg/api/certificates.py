"""The certificate of one registration by API (organizer and admin tokens): read it, issue it, download its PDF.

The same rules as the organizer's page: only a registration that was checked in gets one (`not_attended`),
issuing is idempotent (200 with the certificate it already has), and a revoked one is re-issued from the page.
"""

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.api import bp
from eventreg.api.base import ApiError, api_seminar_required
from eventreg.certificates import document, services
from eventreg.checkin.services import registration_of
from eventreg.extensions import db

MESSAGES = {
    "not_attended": (_l("This person was not checked in: a certificate is only for those who attended."), 409),
    "not_issued": (_l("No certificate has been issued to this person yet."), 404),
    "not_eligible": (_l("This person's category gets no certificate."), 409),
    "erased": (_l("This person's data has been erased."), 409),
    "revoked": (_l("This person's certificate was revoked; re-issue it from the organizer's page."), 409),
    "not_enabled": (_l("Certificates are turned off for this seminar."), 409),
    "not_over": (_l("Certificates are issued once the seminar has ended."), 409),
    "cancelled": (_l("This seminar was cancelled: it gives no certificates."), 409),
}


def _refused(refusal):
    message, status = MESSAGES[refusal.code]
    return ApiError(refusal.code, message, status)


def _registration(seminar, registration_id):
    registration = registration_of(db.session, seminar, registration_id)
    if registration is None:
        raise ApiError("not_found", _l("No such registration in this seminar."), 404)
    return registration


def _certificate_json(certificate):
    return {
        "registration_id": certificate.registration_id,
        "number": certificate.number,
        "status": "valid" if certificate.is_valid else "revoked",
        "holder_name": certificate.holder_name,
        "issued_at": certificate.issued_at.isoformat(),
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "verify_url": document.verify_url(certificate),
    }


@bp.get("/seminars/<slug>/registrations/<int:registration_id>/certificate")
@api_seminar_required("certificates")
def get_certificate(seminar, registration_id):
    return jsonify(_certificate_json(_latest(seminar, registration_id)))


def _latest(seminar, registration_id):
    """The registration's latest certificate, or the API's answer for why there is none."""
    registration = _registration(seminar, registration_id)
    try:
        return services.latest_certificate(db.session, seminar, registration)
    except services.CertificateRefused as refusal:
        raise _refused(refusal) from None


@bp.post("/seminars/<slug>/registrations/<int:registration_id>/certificate")
@api_seminar_required("certificates")
def issue_certificate(seminar, registration_id):
    registration = _registration(seminar, registration_id)
    try:
        certificate, created = services.certificate_for(db.session, seminar, registration, by=current_user)
    except services.CertificateRefused as refusal:
        db.session.rollback()
        raise _refused(refusal) from None
    db.session.commit()
    return jsonify(_certificate_json(certificate)), 201 if created else 200


@bp.get("/seminars/<slug>/registrations/<int:registration_id>/certificate.pdf")
@api_seminar_required("certificates")
def certificate_pdf(seminar, registration_id):
    certificate = _latest(seminar, registration_id)
    if not certificate.is_valid:
        raise ApiError("revoked", MESSAGES["revoked"][0], 409)
    response = Response(document.certificate_pdf(certificate), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename(certificate)}"'
    return response
