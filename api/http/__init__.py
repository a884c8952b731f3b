"""The HTTP API (FastAPI): ``create_app(store_url)``; ``quanze serve`` runs it. See ``app.py`` for the endpoints and
``errors.py`` for how errors become JSON answers."""

from quanze.api.http.app import create_app, is_loopback, public_url

__all__ = ["create_app", "is_loopback", "public_url"]
