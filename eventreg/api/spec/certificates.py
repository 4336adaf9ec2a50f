"""The OpenAPI description of certificates of attendance."""

from eventreg.api.spec.common import ERROR_RESPONSES

_JSON = "application/json"
_PARAMETERS = [
    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "registration_id", "in": "path", "required": True, "schema": {"type": "integer"}},
]
_CERTIFICATE = {"content": {_JSON: {"schema": {"$ref": "#/components/schemas/Certificate"}}}}
_REFUSED = {"$ref": "#/components/responses/Conflict"}

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/registrations/{registration_id}/certificate": {
            "parameters": _PARAMETERS,
            "get": {
                "summary": "The certificate of one registration: the valid one, else the latest revoked one.",
                "operationId": "getCertificate",
                "responses": {
                    "200": {"description": "The certificate.", **_CERTIFICATE},
                    **ERROR_RESPONSES,
                    "409": {**_REFUSED, "description": "`not_attended`: the person was not checked in; `erased`."},
                },
            },
            "post": {
                "summary": "Issue the certificate of one registration (idempotent).",
                "description": "Only for a registration that was checked in, once the seminar has ended and its "
                "certificates are turned on. The person is e-mailed the certificate. Asked again, the same "
                "certificate answers with 200. Refusals (409): `not_attended`, `not_eligible` (category), "
                "`erased`, `revoked` (re-issue it from the organizer's page), `not_enabled`, `not_over`, `cancelled`.",
                "operationId": "issueCertificate",
                "responses": {
                    "201": {"description": "Issued now.", **_CERTIFICATE},
                    "200": {"description": "Issued before.", **_CERTIFICATE},
                    **ERROR_RESPONSES,
                    "409": _REFUSED,
                },
            },
        },
        "/seminars/{slug}/registrations/{registration_id}/certificate.pdf": {
            "parameters": _PARAMETERS,
            "get": {
                "summary": "The valid certificate of one registration as a PDF (A4 landscape).",
                "operationId": "getCertificatePdf",
                "responses": {
                    "200": {"description": "The PDF, as an attachment.", "content": {
                        "application/pdf": {"schema": {"type": "string", "contentEncoding": "binary"}}}},
                    **ERROR_RESPONSES,
                    "409": {**_REFUSED, "description": "`not_attended`, `erased` or `revoked`."},
                },
            },
        },
    },
    schemas={
        "Certificate": {
            "type": "object",
            "required": ["registration_id", "number", "status", "holder_name", "issued_at", "revoked_at",
                         "verify_url"],
            "properties": {
                "registration_id": {"type": "integer"},
                "number": {"type": "string", "description": "Printed on the certificate."},
                "status": {"type": "string", "enum": ["valid", "revoked"]},
                "holder_name": {"type": "string", "description": "The name printed (empty once erased)."},
                "issued_at": {"type": "string", "format": "date-time"},
                "revoked_at": {"type": ["string", "null"], "format": "date-time"},
                "verify_url": {"type": "string", "description": "The public verification page (the QR code)."},
            },
        },
    },
)
