"""The e-mail that hands a certificate over: queued with the issue, written by the sender (in the attendee's
language, the PDF attached) from the certificate as it is then."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import object_session

from eventreg import mail
from eventreg.certificates import document
from eventreg.models import Certificate
from eventreg.registration.emails import ticket_link
from eventreg.seminars.content import localized

KIND = "certificate"
SUBJECT = _l("Your certificate of attendance: %(title)s")


def dedupe_key(certificate):
    return f"certificate:{certificate.id}"


def queue(session, certificate, *, now=None):
    """Queue the e-mail of a new certificate; a registration without an address (a walk-in) gets none."""
    registration = certificate.registration
    if not registration.email:
        return None
    with mail.mail_locale(registration.language):
        subject = str(SUBJECT % {"title": localized(registration.seminar, "title")})
    return mail.enqueue(session, kind=KIND, recipient=registration.email, subject=subject,
                        registration=registration, language=registration.language,
                        dedupe_key=dedupe_key(certificate), now=now)


@mail.renders(KIND)
def content(registration, kind, now):
    """The message with the registration's valid certificate attached; none valid (revoked meanwhile): an error,
    so the sender does not send it."""
    certificate = object_session(registration).scalar(
        select(Certificate).where(Certificate.registration_id == registration.id, Certificate.revoked_at.is_(None)))
    if certificate is None:
        raise LookupError(f"registration {registration.id} holds no valid certificate")
    seminar = registration.seminar
    pdf = document.certificate_pdf(certificate)
    context = {
        "registration": registration,
        "seminar": seminar,
        "certificate": certificate,
        "ticket_url": ticket_link(registration),
        "verify_url": document.verify_url(certificate),
    }
    attachments = ((document.filename(certificate), "application/pdf", pdf),)
    return mail.Content(KIND, context, attachments, (), str(SUBJECT % {"title": localized(seminar, "title")}))
