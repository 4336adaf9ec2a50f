"""Public signup, the ticket page and cancellation."""

from eventreg.registration import bp  # noqa: F401
