"""Benchmarks: the door, the registration rush, the reports, the exports and QR images.

`python -m bench` (or `make bench`) runs them all against PostgreSQL when DATABASE_URL points there,
else against SQLite files in a temporary folder; see bench/README.md for what each one measures.
"""
