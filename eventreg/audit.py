"""The audit trail: who exported or changed personal data, and when."""

from eventreg.database import begin_writing
from eventreg.models import AuditEntry, utcnow


def record(session, *, user, action, seminar=None, registration=None, details=None, now=None):
    """Add one audit entry in the caller's transaction (it lands with the change it describes); in a request
    that only read until now (an export's download), in a writing transaction of its own."""
    begin_writing(session)
    entry = AuditEntry(
        at=now or utcnow(),
        user_id=getattr(user, "id", None),
        action=action,
        seminar_id=seminar.id if seminar is not None else None,
        registration_id=registration.id if registration is not None else None,
        details=details or {},
    )
    session.add(entry)
    session.flush()
    return entry
