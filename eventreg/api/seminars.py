"""API endpoints for seminars (filled in by its feature)."""
