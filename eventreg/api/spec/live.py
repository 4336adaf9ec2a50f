"""The OpenAPI description of the live view's snapshot."""

from eventreg.api.spec.common import ERROR_RESPONSES
from eventreg.live.services import LATEST, VIP_LIST, WINDOW_BUCKETS
from eventreg.reports.queries import ARRIVAL_BUCKET_MINUTES

_COUNT = {"type": "integer", "minimum": 0}

_ARRIVAL = {
    "type": "object",
    "required": ["id", "full_name", "category", "gate", "checked_in_at", "time", "is_vip"],
    "properties": {
        "id": {"type": "integer", "description": "The registration."},
        "full_name": {"type": "string"},
        "category": {"type": "string", "description": "The category's label."},
        "gate": {"type": "string", "description": "Empty when the door gave no gate."},
        "checked_in_at": {"type": "string", "format": "date-time"},
        "time": {"type": "string", "description": "The time of day in the seminar's time zone, e.g. `09:41`."},
        "is_vip": {"type": "boolean", "description": "Marked VIP on the registration or by the category."},
    },
}

FRAGMENT = dict(
    paths={
        "/seminars/{slug}/live": {
            "get": {
                "summary": "The live view: who has arrived, per 5 minutes and per gate, and the latest arrivals.",
                "description": "For every member of the seminar's team. `latest` (the last arrivals) and `vips` "
                "(the VIPs who arrived, newest first) carry names, so they come only to owners, "
                "organizers and administrators. The answer has an `ETag`: send it back as `If-None-Match` and an "
                "unchanged state is answered 304 with no body. Poll every few seconds.",
                "operationId": "getLiveView",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                     "description": "The `ETag` of the last answer."},
                ],
                "responses": {
                    "200": {
                        "description": "The current state.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LiveView"}}},
                    },
                    "304": {"description": "Nothing changed since the answer with that ETag."},
                    "401": ERROR_RESPONSES["401"],
                    "403": ERROR_RESPONSES["403"],
                    "404": ERROR_RESPONSES["404"],
                },
            }
        },
    },
    schemas={
        "LiveView": {
            "type": "object",
            "required": ["day", "expected", "checked_in", "percent", "vips_expected", "vips_checked_in",
                         "bucket_minutes", "arrivals", "gates"],
            "additionalProperties": False,
            "properties": {
                "day": {
                    "type": ["object", "null"],
                    "description": "A seminar over several days whose door is open now: that day, and every figure "
                    "below is of that day (checked in today, today's arrivals and gates). Null for a seminar "
                    "without days, or between days: the figures are then of first arrivals.",
                    "required": ["id", "number", "date", "label", "starts_at", "start_label"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "integer", "minimum": 1},
                        "date": {"type": "string", "format": "date", "description": "In the seminar's time zone."},
                        "label": {"type": "string", "description": "Translated, e.g. `Day 2 · Wed 16 Dec`."},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "start_label": {"type": "string", "description": "The chart's marker, e.g. `Start 09:00`."},
                    },
                },
                "expected": {**_COUNT, "description": "Confirmed registrations."},
                "checked_in": _COUNT,
                "percent": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                            "description": "Checked in ÷ expected, rounded down; null when nobody is expected."},
                "vips_expected": _COUNT,
                "vips_checked_in": _COUNT,
                "bucket_minutes": {"type": "integer", "enum": [ARRIVAL_BUCKET_MINUTES]},
                "arrivals": {
                    "type": "array", "minItems": WINDOW_BUCKETS, "maxItems": WINDOW_BUCKETS,
                    "description": "Check-ins per `bucket_minutes` over the last three hours, oldest first, the "
                    "current bucket last; buckets begin on the seminar's local clock (09:30, 09:35...).",
                    "items": {
                        "type": "object",
                        "required": ["starts_at", "time", "count", "is_start"],
                        "properties": {
                            "starts_at": {"type": "string", "format": "date-time"},
                            "time": {"type": "string", "description": "Its start in the seminar's time zone."},
                            "count": _COUNT,
                            "is_start": {"type": "boolean", "description": "The seminar starts in this bucket."},
                        },
                    },
                },
                "gates": {
                    "type": "array",
                    "description": "Check-ins per gate, busiest first.",
                    "items": {
                        "type": "object",
                        "required": ["gate", "label", "count"],
                        "properties": {
                            "gate": {"type": "string", "description": "Empty for check-ins without a gate."},
                            "label": {"type": "string", "description": "The gate, or a translated “No gate”."},
                            "count": _COUNT,
                        },
                    },
                },
                "latest": {"type": "array", "maxItems": LATEST, "items": _ARRIVAL,
                           "description": "The last arrivals, newest first (owners and organizers only)."},
                "vips": {"type": "array", "maxItems": VIP_LIST, "items": _ARRIVAL,
                         "description": "The VIPs who arrived, newest first (owners and organizers only)."},
            },
        },
    },
)
