"""WSGI entry point: ``gunicorn wsgi:app``. Run gunicorn with ``--access-logfile -`` only through
Sesim's log filter (see docs/deploying.md): access logs must not carry client addresses."""

from core import create_app

app = create_app()
