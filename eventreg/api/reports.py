"""API endpoints for reports (filled in by its feature)."""
