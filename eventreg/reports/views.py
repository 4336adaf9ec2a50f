"""Post-event summary and exports."""

from eventreg.reports import bp  # noqa: F401
