"""Encryption at rest for contact details, and keyed hashes for what must be matched but not read."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy.types import Text, TypeDecorator


def _fernet() -> Fernet:
    return current_app.extensions["sesim_fernet"]


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong SESIM_ENCRYPTION_KEY for this database") from exc


def keyed_hash(value: str, purpose: str) -> str:
    """A stable HMAC of ``value``: equal inputs match, the input cannot be recovered."""
    pepper = current_app.config["SESIM_HASH_PEPPER"].encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token; reads give back the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
