"""The audit log: every staff action and every refusal, with before/after snapshots.

Snapshots never hold reporter contact details or the exact point: those keys are dropped, and
free text is passed through the redaction patterns so a phone number typed into a story or a
note does not end up here.
"""

from __future__ import annotations

from flask_login import current_user

from core.extensions import db
from core.models import AuditLog
from core.redaction import redact

PRIVATE_KEYS = frozenset({
    "contact", "sender", "latitude", "longitude", "password", "password_hash", "totp_secret",
    "invite_token_hash", "case_code_hash", "sender_hash",
})


def clean(value):
    """A copy of ``value`` without private keys and with contact-like text masked."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if k not in PRIVATE_KEYS}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


def record(action: str, target=None, before=None, after=None, note=None, user=None,
           commit: bool = False) -> AuditLog:
    """Add an audit entry for ``target`` (a model instance or None); the caller commits,
    unless ``commit`` (used for refusals, which roll nothing else forward)."""
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    entry = AuditLog(
        user_id=user.id if user is not None else None,
        action=action,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None,
        before=clean(before) if before is not None else None,
        after=clean(after) if after is not None else None,
        note=redact(note)[:1000] if note else None,
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry
