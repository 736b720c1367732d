"""Opaque paging cursors: the position of the last report of a page, encrypted with the
deployment's key so a cursor neither reveals internal row numbers nor can be forged."""

from __future__ import annotations

import json
from datetime import datetime

from cryptography.fernet import InvalidToken
from flask import current_app

MAX_AGE_SECONDS = 7 * 24 * 3600


class CursorError(ValueError):
    pass


def encode(occurred_at: datetime, row_id: int, filters_key: str) -> str:
    payload = json.dumps([occurred_at.isoformat(), row_id, filters_key]).encode()
    # Fernet tokens are base64url; without their "=" padding they travel in a URL unescaped.
    return current_app.extensions["sesim_fernet"].encrypt(payload).decode("ascii").rstrip("=")


def decode(token: str, filters_key: str) -> tuple[datetime, int]:
    """Return ``(occurred_at, id)``; ``CursorError`` when the cursor is not one we made for
    these filters, or is older than a week."""
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = current_app.extensions["sesim_fernet"].decrypt(padded.encode("ascii"), ttl=MAX_AGE_SECONDS)
        stamp, row_id, key = json.loads(raw)
        if key != filters_key:
            raise CursorError("filters changed")
        return datetime.fromisoformat(stamp), int(row_id)
    except (InvalidToken, ValueError, TypeError, UnicodeError) as exc:
        raise CursorError(str(exc)) from exc
