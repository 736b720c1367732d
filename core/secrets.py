"""Secrets generated into the instance folder on first run, so a fresh deployment is never keyless."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from core.filemodes import private_dir

SECRETS_FILE = "secrets.json"


def _generate() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        # Fernet key for contact details, sender addresses and TOTP seeds.
        "SESIM_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        # Pepper for case-code and sender hashes: a stolen database alone cannot test guesses.
        "SESIM_HASH_PEPPER": secrets.token_hex(32),
    }


def load_or_create(instance_path: str | os.PathLike) -> dict:
    """Return the instance secrets, writing any missing ones (mode 0600) first."""
    path = Path(instance_path) / SECRETS_FILE
    existing = json.loads(path.read_text()) if path.exists() else {}
    fresh = _generate()
    missing = {key: value for key, value in fresh.items() if key not in existing}
    if missing:
        private_dir(path.parent)
        merged = {**existing, **missing}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(merged, fh, indent=2)
        existing = merged
    return existing
