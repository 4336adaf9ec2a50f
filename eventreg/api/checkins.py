"""API endpoints for checkins (filled in by its feature)."""
