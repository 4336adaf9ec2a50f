"""API endpoints for registrations (filled in by its feature)."""
