"""Column helpers shared by the models."""

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_public_id() -> str:
    """Random, URL-safe and not guessable from its neighbours (no sequence leaks volume)."""
    return secrets.token_urlsafe(9)
