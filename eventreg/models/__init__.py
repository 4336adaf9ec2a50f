"""All models, importable from one place."""

from eventreg.models.audit import AuditEntry, DoorSearchTally
from eventreg.models.base import MAX_ID, UTCDateTime, is_row_id, utcnow
from eventreg.models.certificate import (
    ATTENDANCE_RULES,
    MAX_SIGNATORIES,
    Certificate,
    CertificateSettings,
    CertificateSignatory,
)
from eventreg.models.checkin import SCAN_RESULTS, CheckInEvent
from eventreg.models.figures import ErasedFigure
from eventreg.models.message import SeminarMessage
from eventreg.models.offline import OFFLINE_ACTION_KINDS, OFFLINE_OUTCOMES, OfflineAction, TicketSigningKey
from eventreg.models.outbox import OutboxMessage
from eventreg.models.registration import (
    ACTIVE_SQL,
    ACTIVE_STATUSES,
    CHECKIN_METHODS,
    EMAIL_UNIQUE_SQL,
    REGISTRATION_STATUSES,
    SOURCES,
    Registration,
    new_ticket_token,
    registration_search_text,
    search_key,
    search_matches,
)
from eventreg.models.seminar import (
    AGENDA_KINDS,
    SEMINAR_STATUSES,
    STUDY_LEVELS,
    AgendaItem,
    Category,
    CheckInWindowMixin,
    Seminar,
    Speaker,
    agenda_item_speaker,
)
from eventreg.models.team import SEMINAR_ROLES, SeminarMember, TeamInvitation
from eventreg.models.user import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    ApiToken,
    IdempotencyKey,
    PasswordResetToken,
    RoleMixin,
    StaffSession,
    User,
    hash_secret,
)

__all__ = [
    "ACTIVE_SQL",
    "ACTIVE_STATUSES",
    "ATTENDANCE_RULES",
    "AGENDA_KINDS",
    "CHECKIN_METHODS",
    "EMAIL_UNIQUE_SQL",
    "MAX_SIGNATORIES",
    "MIN_PASSWORD_LENGTH",
    "OFFLINE_ACTION_KINDS",
    "OFFLINE_OUTCOMES",
    "REGISTRATION_STATUSES",
    "MAX_ID",
    "ROLES",
    "SCAN_RESULTS",
    "SEMINAR_ROLES",
    "SEMINAR_STATUSES",
    "SOURCES",
    "STUDY_LEVELS",
    "AgendaItem",
    "ApiToken",
    "AuditEntry",
    "Certificate",
    "CertificateSettings",
    "CertificateSignatory",
    "DoorSearchTally",
    "Category",
    "CheckInWindowMixin",
    "CheckInEvent",
    "ErasedFigure",
    "OfflineAction",
    "IdempotencyKey",
    "OutboxMessage",
    "PasswordResetToken",
    "RoleMixin",
    "Registration",
    "Seminar",
    "SeminarMember",
    "SeminarMessage",
    "Speaker",
    "TicketSigningKey",
    "StaffSession",
    "TeamInvitation",
    "User",
    "UTCDateTime",
    "agenda_item_speaker",
    "hash_secret",
    "is_row_id",
    "new_ticket_token",
    "registration_search_text",
    "search_key",
    "search_matches",
    "utcnow",
]
