"""Case codes: what a reporter keeps to follow up on her report.

Shown once, never stored: only a slow, peppered scrypt hash is kept (as SecureDrop does with
codenames), so a stolen database cannot map codes to reports. Digits, because they are easy to
type on any phone and to send back by SMS.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import current_app

GROUPS, GROUP_SIZE = 3, 4  # 12 digits: ~40 bits, behind a rate limit and a slow hash


def new_code() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(digits[i : i + GROUP_SIZE] for i in range(0, len(digits), GROUP_SIZE))


def normalise(code: str) -> str | None:
    """Accept spaces, dashes, dots; ``None`` unless exactly the right number of digits."""
    digits = re.sub(r"[\s\-.]", "", code or "")
    if len(digits) != GROUPS * GROUP_SIZE or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def hash_code(code: str) -> str | None:
    digits = normalise(code)
    if digits is None:
        return None
    pepper = current_app.config["SESIM_HASH_PEPPER"].encode()
    return hashlib.scrypt(digits.encode(), salt=pepper, n=2**14, r=8, p=1, dklen=32).hex()


def issue() -> tuple[str, str]:
    """A new ``(code, hash)`` pair: give the code to the reporter, store the hash."""
    code = new_code()
    return code, hash_code(code)


_LEADING = re.compile(r"^\s*(?:#\s*)?(\d{4}[\s\-.]?\d{4}[\s\-.]?\d{4})(?!\d)[\s:,.\-]*(.*)\Z", re.S)


def split_leading(text: str) -> tuple[str | None, str]:
    """``(code, rest)`` when ``text`` starts with something shaped like a case code (an SMS
    "1234-5678-9012 he came back"), else ``(None, text)``. Whether the code exists is not known
    here: the caller looks its hash up."""
    found = _LEADING.match(text or "")
    if not found:
        return None, text
    return found.group(1), found.group(2).strip()
