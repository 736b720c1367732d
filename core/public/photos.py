"""A photo she attached survives a form sent back with errors.

A browser never refills a file input, so the cleaned photo (no metadata left) is kept encrypted
in the spool folder under a random token that travels in the hidden field ``photo_token``; the
next submission uses it unless she chooses another file or ticks ``photo_remove``. The file name
is a hash of the token, so the folder alone does not lead back to a form. Kept photos nobody came
back for are removed after ``HOLD_HOURS`` by the worker's spool job.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from pathlib import Path

from flask import current_app, request
from flask_babel import gettext as _

from core import spool
from core.media import NotAnImage, TooLarge, clean_photo

log = logging.getLogger("sesim.photos")

HOLD_HOURS = 24
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def limit_mb() -> str:
    """The configured size limit in MB, as people write it ("8", "2.5")."""
    size = current_app.config["SESIM_PHOTO_MAX_BYTES"] / (1024 * 1024)
    return f"{size:.2f}".rstrip("0").rstrip(".")


def too_large_message() -> str:
    return _("This picture is too large: photos may be at most %(size)s MB.", size=limit_mb())


def _folder() -> Path:
    path = spool.spool_dir() / "photos"
    path.mkdir(mode=spool.DIR_MODE, exist_ok=True)
    return path


def _path(token: str) -> Path:
    return _folder() / (hashlib.sha256(token.encode()).hexdigest()[:40] + ".photo")


def hold(jpeg: bytes) -> str:
    """Keep a cleaned photo; return its token. Raises ``OSError`` if it cannot."""
    token = secrets.token_urlsafe(24)
    spool.write_private(_path(token), current_app.extensions["sesim_fernet"].encrypt(jpeg))
    return token


def load(token: str) -> bytes | None:
    if not TOKEN.match(token or ""):
        return None
    try:
        return current_app.extensions["sesim_fernet"].decrypt(_path(token).read_bytes())
    except Exception:  # noqa: BLE001  (gone, expired, or from another key: not kept)
        return None


def discard(token: str | None) -> None:
    if token and TOKEN.match(token):
        _path(token).unlink(missing_ok=True)


def purge_expired() -> int:
    folder = spool.spool_dir(create=False) / "photos"
    if not folder.is_dir():
        return 0
    cutoff, removed = time.time() - HOLD_HOURS * 3600, 0
    for path in folder.glob("*.photo"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class KeptPhoto:
    """The photo of one submission: a new upload, or the one kept from the last attempt."""

    def __init__(self):
        self.jpeg: bytes | None = None
        self.token: str | None = None
        self.error: str | None = None
        self.unkept = False  # it could not be kept for the next attempt: she must attach it again

    @classmethod
    def from_request(cls) -> KeptPhoto:
        kept = cls()
        upload = request.files.get("photo")
        raw = upload.read() if upload and upload.filename else None
        previous = request.form.get("photo_token", "")
        if raw:
            discard(previous)
            try:
                kept.jpeg = clean_photo(raw)[0]
            except NotAnImage:
                kept.error = _("This file is not a picture we can read (JPEG, PNG, WebP).")
            except TooLarge as exc:
                kept.error = str(exc) or too_large_message()
        elif previous and request.form.get("photo_remove") == "y":
            discard(previous)
        elif previous:
            kept.jpeg = load(previous)
            if kept.jpeg is None:
                kept.error = _("The photo you attached before is no longer kept. Attach it "
                               "again, or send the report without it.")
            else:
                kept.token = previous
        return kept

    def keep(self) -> KeptPhoto:
        """Hold the photo for the next attempt (the form is being sent back)."""
        if self.jpeg is not None and self.token is None:
            try:
                self.token = hold(self.jpeg)
            except OSError as exc:
                log.error("could not keep a photo across a form error: %s", exc.strerror or exc)
                self.unkept = True
        return self

    def release(self) -> None:
        """The report is filed: the kept copy is no longer needed."""
        discard(self.token)
