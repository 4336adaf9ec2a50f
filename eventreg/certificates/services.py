"""Certificates of attendance: the seminar's settings, issuing to the people who came, revoking, re-issuing.

A certificate exists only for a registration that was checked in. Issuing is idempotent twice over: the bulk
issue picks only registrations that never had one (a revoked certificate is not issued again behind the
organizer's back), and a partial unique index allows one valid certificate per registration, so two issuers at
once (the organizer's button and cron) give nobody a second one. Every function flushes and never commits.
"""

import io
import re
import zipfile

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventreg import audit
from eventreg.certificates import document, emails
from eventreg.certificates.images import ImageRefused, reencoded_png
from eventreg.checkin import attendance
from eventreg.models import (
    ATTENDANCE_RULES,
    MAX_SIGNATORIES,
    Attendance,
    Certificate,
    CertificateSettings,
    CertificateSignatory,
    OutboxMessage,
    Registration,
    Seminar,
    SeminarDay,
    utcnow,
)
from eventreg.refusals import Refused
from eventreg.security import has_control_characters

PLACEHOLDERS = ("name", "seminar", "date", "hours")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_CODE = re.compile(r"[A-Za-z0-9_-]{20,64}")
MAX_TITLE = 200
MAX_BODY = 2000
MAX_HOURS = 1000
# The reason a certificate replaced by a re-issue carries (the page says it in the reader's language).
REPLACED = "replaced"
IMAGE_REFUSALS = {
    "too_large": _l("The picture is larger than 2 MB."),
    "not_an_image": _l("This is not a PNG or JPEG picture."),
    "too_many_pixels": _l("The picture has too many pixels (at most 25 million)."),
}


class CertificateRefused(Refused):
    """A refusal with a stable `code`: invalid (see `fields`), not_enabled, not_over, cancelled, not_attended,
    not_eligible, erased, revoked, already_revoked, reason_required, name_unchanged, already_issued,
    not_issued."""


# --- settings ----------------------------------------------------------------------------------------------


def settings_of(session, seminar):
    return session.scalar(select(CertificateSettings).where(CertificateSettings.seminar_id == seminar.id))


def save_settings(session, seminar, data, *, languages, by, now=None):
    """Store the organizer's choices (see `_validated` for `data`); `languages` are the site's locale codes.
    Raises CertificateRefused("invalid", fields=...) with every problem, and changes nothing then."""
    now = now or utcnow()
    values, images = _validated(seminar, data, languages)
    settings = settings_of(session, seminar) or CertificateSettings(seminar_id=seminar.id)
    for name, value in values.items():
        setattr(settings, name, value)
    if data.get("remove_logo"):
        settings.logo_png = None
    if images.get("logo"):
        settings.logo_png = images["logo"]
    _set_signatories(settings, data.get("signatories") or [], images)
    settings.updated_at = now
    session.add(settings)
    audit.record(session, user=by, action="certificate_settings_saved", seminar=seminar, now=now,
                 details={"enabled": settings.enabled})
    session.flush()
    return settings


def _validated(seminar, data, languages):
    """The column values and the re-encoded images, or CertificateRefused("invalid") naming every bad field.

    `data`: enabled, title_line and body_text ({locale: text}), hours (number or None), category_ids (ids, or
    None for everyone), languages ([first, second]: "" first is the attendee's own, "" second is none),
    attendance_rule, logo (upload bytes or None), remove_logo, signatories ([{name, position, signature,
    remove_signature}], at most three)."""
    fields = {}
    values = {
        "enabled": bool(data.get("enabled")),
        "title_line": _texts(data.get("title_line"), languages, MAX_TITLE, fields, "title_line", multiline=False),
        "body_text": _texts(data.get("body_text"), languages, MAX_BODY, fields, "body_text", multiline=True),
        "hours": _hours(data.get("hours"), fields),
        "category_ids": _category_ids(seminar, data.get("category_ids"), fields),
        "languages": _languages(data.get("languages") or [], languages, fields),
        "attendance_rule": data.get("attendance_rule") or "any_day",
    }
    if values["attendance_rule"] not in ATTENDANCE_RULES:
        fields["attendance_rule"] = [_l("Choose one of the rules.")]
    images = _images(data, fields)
    _check_signatories(data.get("signatories") or [], fields)
    if fields:
        raise CertificateRefused("invalid", fields)
    return values, images


def _texts(given, languages, limit, fields, name, *, multiline):
    kept = {}
    for locale, value in (given or {}).items():
        value = (value or "").strip()
        if locale not in languages or not value:
            continue
        problem = _text_problem(value, limit, multiline=multiline)
        if problem:
            fields[f"{name}_{locale}"] = [problem]
        kept[locale] = value
    return kept


def _text_problem(value, limit, *, multiline):
    if len(value) > limit:
        return _l("At most %(n)d characters.", n=limit)
    if has_control_characters(value, multiline=multiline):
        return _l("No control characters here, please.")
    unknown = sorted({word for word in _PLACEHOLDER.findall(value) if word not in PLACEHOLDERS})
    if unknown:
        return _l("Unknown placeholder %(found)s: use {name}, {seminar}, {date} or {hours}.",
                  found=", ".join(f"{{{word}}}" for word in unknown))
    return None


def _hours(value, fields):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_HOURS:
        fields["hours"] = [_l("A number of hours between 0 and %(n)d.", n=MAX_HOURS)]
        return None
    return round(float(value), 1)


def _category_ids(seminar, ids, fields):
    if ids is None:
        return None
    own = {category.id for category in seminar.categories}
    if not ids or not set(ids) <= own:
        fields["category_ids"] = [_l("Choose at least one of this seminar's categories, or everyone.")]
        return None
    return sorted(set(ids))


def _languages(chosen, languages, fields):
    first, second = (list(chosen) + ["", ""])[:2]
    if (first and first not in languages) or (second and second not in languages) or len(chosen) > 2:
        fields["languages"] = [_l("Choose languages the site offers.")]
        return []
    return [first] + ([second] if second and second != first else [])


def _images(data, fields):
    """Each new upload re-encoded: {"logo": png, "signature_1": png, ...}."""
    uploads = {"logo": data.get("logo")}
    for slot, signatory in enumerate((data.get("signatories") or [])[:MAX_SIGNATORIES], start=1):
        uploads[f"signature_{slot}"] = signatory.get("signature")
    images = {}
    for name, upload in uploads.items():
        if not upload:
            continue
        try:
            images[name] = reencoded_png(upload)
        except ImageRefused as refusal:
            fields[name] = [IMAGE_REFUSALS[refusal.code]]
    return images


def _check_signatories(signatories, fields):
    if len(signatories) > MAX_SIGNATORIES:
        fields["signatories"] = [_l("At most %(n)d signatories.", n=MAX_SIGNATORIES)]
    for slot, signatory in enumerate(signatories[:MAX_SIGNATORIES], start=1):
        for name, limit in (("name", 200), ("position", 300)):
            value = (signatory.get(name) or "").strip()
            if len(value) > limit:
                fields[f"signatory_{slot}_{name}"] = [_l("At most %(n)d characters.", n=limit)]
            elif has_control_characters(value):
                fields[f"signatory_{slot}_{name}"] = [_l("No control characters here, please.")]
        if not (signatory.get("name") or "").strip() and (signatory.get("position") or signatory.get("signature")):
            fields[f"signatory_{slot}_name"] = [_l("A signatory needs a name.")]


def _set_signatories(settings, signatories, images):
    """Slot by slot: a slot without a name is empty; a signature is kept unless replaced or removed."""
    existing = {signatory.slot: signatory for signatory in settings.signatories}
    for slot in range(1, MAX_SIGNATORIES + 1):
        given = signatories[slot - 1] if slot <= len(signatories) else {}
        name = (given.get("name") or "").strip()
        row = existing.get(slot)
        if not name:
            if row is not None:
                settings.signatories.remove(row)
            continue
        if row is None:
            row = CertificateSignatory(slot=slot, name=name)
            settings.signatories.append(row)
        row.name, row.position = name, (given.get("position") or "").strip()
        if given.get("remove_signature"):
            row.signature_png = None
        if images.get(f"signature_{slot}"):
            row.signature_png = images[f"signature_{slot}"]


# --- who gets one --------------------------------------------------------------------------------------------


def attended(settings):
    """The SQL condition for "attended" under the seminar's rule. "Any day": checked in (the first arrival, on
    whichever day). "Every day": also no day of the seminar without the person's check-in that day. A seminar
    without days has no such day, so there both rules mean "checked in"."""
    checked_in = Registration.checked_in_at.is_not(None)
    if settings.attendance_rule != "every_day":
        return checked_in
    came_that_day = exists().where(Attendance.registration_id == Registration.id,
                                   attendance.which(Attendance, SeminarDay.id)).correlate(Registration, SeminarDay)
    missed_day = exists().where(SeminarDay.seminar_id == Registration.seminar_id, ~came_that_day)
    return and_(checked_in, ~missed_day)


def _entitled(settings):
    """Registrations the settings give a certificate to: attended, not erased, in a chosen category."""
    conditions = [Registration.seminar_id == settings.seminar_id, attended(settings),
                  Registration.anonymised_at.is_(None)]
    if settings.category_ids is not None:
        conditions.append(Registration.category_id.in_(settings.category_ids))
    return conditions


def _never_issued():
    return ~exists().where(Certificate.registration_id == Registration.id)


def to_issue(session, seminar):
    """The registrations the next "Issue certificates" would give one to, in name order."""
    settings = settings_of(session, seminar)
    if settings is None:
        return []
    return session.scalars(select(Registration).where(*_entitled(settings), _never_issued())
                           .order_by(Registration.name_sort_key, Registration.id)).all()


def _check_may_issue(seminar, settings, now):
    if settings is None or not settings.enabled:
        raise CertificateRefused("not_enabled")
    if seminar.status == "cancelled":
        raise CertificateRefused("cancelled")
    if seminar.ends_at > now:
        raise CertificateRefused("not_over")


# --- issuing ----------------------------------------------------------------------------------------------------

# INSERT ... ON CONFLICT DO NOTHING RETURNING: no row back means the registration has a valid certificate already
# (another issuer was first). No conflict target: two issuers at once write the same number too, and PostgreSQL
# checks that unique index before the partial one, raising instead of doing nothing unless every unique index
# is an arbiter. (The 192-bit code never collides.)
_INSERT_CERTIFICATE = {
    name: dialect.insert(Certificate).on_conflict_do_nothing().returning(Certificate.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def certificate_number(seminar_id, registration_id, edition):
    """Unique by construction (one registration, one edition at a time): no counter to race for."""
    return f"{seminar_id:04d}-{registration_id:06d}-{edition}"


def _issue(session, registration, *, edition, by, now):
    """One new certificate and its e-mail, or None when the registration holds a valid one already."""
    certificate_id = session.scalar(_INSERT_CERTIFICATE[session.get_bind().dialect.name], {
        "seminar_id": registration.seminar_id, "registration_id": registration.id, "edition": edition,
        "number": certificate_number(registration.seminar_id, registration.id, edition),
        "holder_name": registration.full_name, "issued_at": now, "issued_by_id": getattr(by, "id", None),
        "revoke_reason": "",
    })
    if certificate_id is None:
        return None
    certificate = session.get(Certificate, certificate_id)
    emails.queue(session, certificate, now=now)
    return certificate


def issue_certificates(session, seminar, *, by, now=None):
    """Issue a certificate to everyone entitled who never had one; returns how many were issued. The organizer's
    button and cron's `issue-certificates` both land here; running it again issues nothing new."""
    now = now or utcnow()
    settings = settings_of(session, seminar)
    _check_may_issue(seminar, settings, now)
    issued = [certificate for registration in to_issue(session, seminar)
              if (certificate := _issue(session, registration, edition=1, by=by, now=now)) is not None]
    if issued:
        audit.record(session, user=by, action="certificates_issued", seminar=seminar, now=now,
                     details={"count": len(issued)})
    session.flush()
    return len(issued)


def issue_due(session, *, now=None):
    """For cron: issue the certificates of every seminar that has ended and gives them. [(seminar, count)]."""
    now = now or utcnow()
    seminars = session.scalars(
        select(Seminar).join(CertificateSettings, CertificateSettings.seminar_id == Seminar.id)
        .where(CertificateSettings.enabled.is_(True), Seminar.ends_at <= now, Seminar.status != "cancelled")
        .order_by(Seminar.id)
    ).all()
    return [(seminar, issue_certificates(session, seminar, by=None, now=now)) for seminar in seminars]


def certificate_for(session, seminar, registration, *, by, now=None):
    """The valid certificate of one registration, issued now if it never had one: (certificate, created).
    Refused: not_attended, erased, not_eligible (category), revoked (re-issue it instead), and as the bulk issue."""
    now = now or utcnow()
    current = valid_certificate(session, registration)
    if current is not None:
        return current, False
    _check_entitled(session, seminar, registration)
    if _ever_issued(session, registration):
        raise CertificateRefused("revoked")
    _check_may_issue(seminar, settings_of(session, seminar), now)
    certificate = _issue(session, registration, edition=1, by=by, now=now)
    if certificate is None:  # another issuer was first
        return valid_certificate(session, registration), False
    audit.record(session, user=by, action="certificates_issued", seminar=seminar, registration=registration,
                 now=now, details={"count": 1})
    return certificate, True


def _check_entitled(session, seminar, registration):
    if registration.seminar_id != seminar.id:
        raise CertificateRefused("not_found")
    if registration.anonymised_at is not None:
        raise CertificateRefused("erased")
    settings = settings_of(session, seminar)
    if registration.checked_in_at is None or (settings is not None and not session.scalar(
            select(exists().where(Registration.id == registration.id, attended(settings))))):
        raise CertificateRefused("not_attended")
    if settings is not None and settings.category_ids is not None and \
            registration.category_id not in settings.category_ids:
        raise CertificateRefused("not_eligible")


def _ever_issued(session, registration):
    return session.scalar(select(exists().where(Certificate.registration_id == registration.id)))


def revoke(session, certificate, *, by, reason, now=None):
    """Revoke with a reason (kept on the certificate and in the audit log); its code then answers "revoked"."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise CertificateRefused("reason_required")
    revoked = session.execute(
        update(Certificate).where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=getattr(by, "id", None), revoke_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not revoked:
        raise CertificateRefused("already_revoked")
    # Not sent yet: it would hand over a certificate that is no longer valid.
    session.execute(delete(OutboxMessage).where(OutboxMessage.dedupe_key == emails.dedupe_key(certificate),
                                                OutboxMessage.sent_at.is_(None)))
    session.refresh(certificate)
    audit.record(session, user=by, action="certificate_revoked", seminar=certificate.seminar,
                 registration=certificate.registration, now=now,
                 details={"number": certificate.number, "reason": reason})
    return certificate


def reissue(session, seminar, registration, *, by, now=None):
    """A new certificate with the registration's current name (after a correction); the valid one, if any, is
    revoked. Refused: not_attended, erased, not_eligible, name_unchanged (the valid one already says it)."""
    now = now or utcnow()
    _check_entitled(session, seminar, registration)
    _check_may_issue(seminar, settings_of(session, seminar), now)
    current = valid_certificate(session, registration)
    if current is not None:
        if current.holder_name == registration.full_name:
            raise CertificateRefused("name_unchanged")
        revoke(session, current, by=by, reason=REPLACED, now=now)
        session.flush()
    edition = 1 + (session.scalar(select(func.max(Certificate.edition))
                                  .where(Certificate.registration_id == registration.id)) or 0)
    certificate = _issue(session, registration, edition=edition, by=by, now=now)
    if certificate is None:
        raise CertificateRefused("already_issued")
    audit.record(session, user=by, action="certificate_reissued", seminar=seminar, registration=registration,
                 now=now, details={"number": certificate.number})
    return certificate


# --- reading -------------------------------------------------------------------------------------------------


def valid_certificate(session, registration):
    return session.scalar(select(Certificate).where(Certificate.registration_id == registration.id,
                                                    Certificate.revoked_at.is_(None)))


def latest_certificate(session, seminar, registration):
    """The registration's valid certificate, else its latest revoked one. Refused when it has none: not_attended
    (nor could it have one), not_issued."""
    certificate = session.scalar(select(Certificate).where(Certificate.registration_id == registration.id)
                                 .order_by(Certificate.revoked_at.is_not(None), Certificate.edition.desc()).limit(1))
    if certificate is None:
        _check_entitled(session, seminar, registration)
        raise CertificateRefused("not_issued")
    return certificate


def certificates_of(session, seminar, *, valid_only=False):
    """The seminar's certificates, newest edition last within a name."""
    query = select(Certificate).where(Certificate.seminar_id == seminar.id)
    if valid_only:
        query = query.where(Certificate.revoked_at.is_(None))
    return session.scalars(query.order_by(Certificate.holder_name, Certificate.registration_id,
                                          Certificate.edition)).all()


def archive(session, seminar, *, by, now=None):
    """Every valid certificate of the seminar as the bytes of one ZIP, recorded in the audit trail (names leave
    the system), after the PDFs are made: on SQLite the write lock is not held while they are drawn."""
    certificates = certificates_of(session, seminar, valid_only=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for certificate in certificates:
            zipped.writestr(document.filename(certificate), document.certificate_pdf(certificate))
    audit.record(session, user=by, action="certificates_downloaded", seminar=seminar, now=now,
                 details={"count": len(certificates)})
    return buffer.getvalue()


def certificate_in(session, seminar, certificate_id):
    """One certificate of this seminar by id, or None (another seminar's id finds nothing)."""
    certificate = session.get(Certificate, certificate_id)
    return certificate if certificate is not None and certificate.seminar_id == seminar.id else None


def by_code(session, code):
    """The certificate a verification code names, or None. A code that cannot be one is not looked up."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None
    return session.scalar(select(Certificate).where(Certificate.code == code))


def forget_holder(session, registration):
    """Erasure: the name printed on the registration's certificates goes with the registration's own."""
    session.execute(update(Certificate).where(Certificate.registration_id == registration.id)
                    .values(holder_name="").execution_options(synchronize_session=False))
