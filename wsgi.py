"""Entry point for production servers: `gunicorn wsgi:app`."""

from eventreg import create_app

app = create_app()
