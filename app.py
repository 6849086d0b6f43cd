"""WSGI entry point: `flask --app app run` or `gunicorn app:app`. Tests never import this."""

from gi_registry import create_app

app = create_app()
