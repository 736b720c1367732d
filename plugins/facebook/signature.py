"""Webhook authenticity: ``X-Hub-Signature-256`` is ``sha256=`` + HMAC-SHA256 of the raw request
body with the app secret. Checked on the exact bytes received, before anything is parsed."""

from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    """The header value Facebook sends for ``body`` (also used by the tests)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def valid_signature(body: bytes, header: str | None, secret: str | None) -> bool:
    """True only for a well-formed header matching ``body``; an unset secret rejects everything."""
    if not secret or not header:
        return False
    expected = sign(body, secret).encode()
    return hmac.compare_digest(expected, header.strip().encode("latin-1", "replace"))
