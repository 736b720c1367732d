"""How a partner checks that a delivery came from this Sesim: HMAC-SHA256 over
``"<timestamp>.<body>"`` with the webhook's secret, sent as ``Sesim-Signature: t=<ts>,v1=<hex>``
(the scheme Stripe uses; see docs/webhooks.md for a verifier)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Sesim-Signature"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a partner runs (and the tests): the signature matches and is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
