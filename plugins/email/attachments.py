"""What an e-mail attachment may be before the core stores it: small enough, not an archive that
explodes when a moderator opens it, not a picture that explodes when it is decoded."""

from __future__ import annotations

import io
import logging
import zipfile
import zlib

from flask import current_app

from core.media import NotAnImage, TooLarge, clean_photo

log = logging.getLogger("sesim.email")

MAX_RATIO = 100  # real documents (docx, xlsx, zip of photos) compress far less than this
MAX_MEMBERS = 1000


class Refused(ValueError):
    """The attachment is not kept; the message says why, for the log and for moderators."""


def limit(name: str) -> int:
    return int(current_app.config[name])


def max_attachment_bytes() -> int:
    # The core refuses any upload above SESIM_PHOTO_MAX_BYTES, photo or not.
    return min(limit("SESIM_EMAIL_MAX_ATTACHMENT_BYTES"), limit("SESIM_PHOTO_MAX_BYTES"))


def check(payload: bytes) -> None:
    """Raise ``Refused`` unless ``payload`` may be stored."""
    if len(payload) > max_attachment_bytes():
        raise Refused(f"{len(payload)} bytes is over the limit of {max_attachment_bytes()} bytes")
    _check_archive(payload)
    try:
        clean_photo(payload)
    except TooLarge as exc:
        raise Refused("the picture is too large to decode safely") from exc
    except NotAnImage:
        pass  # kept as a file, for moderators only


def _check_archive(payload: bytes) -> None:
    unpacked_limit = limit("SESIM_EMAIL_MAX_UNPACKED_BYTES")
    if payload[:2] == b"\x1f\x8b":  # gzip: inflate at most a little past the limit, in memory
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            size = len(inflater.decompress(payload, unpacked_limit + 1))
        except zlib.error:
            return
        if size > unpacked_limit or size > MAX_RATIO * len(payload):
            raise Refused("a compressed file that unpacks to far more than it weighs (zip bomb)")
        return
    if not zipfile.is_zipfile(io.BytesIO(payload)):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused("a damaged zip archive") from exc
    total = sum(member.file_size for member in members)
    nested = sum(1 for m in members if m.filename.lower().endswith((".zip", ".gz", ".7z", ".rar")))
    if total > unpacked_limit or total > MAX_RATIO * max(len(payload), 1):
        raise Refused(f"a zip archive that unpacks to {total} bytes (zip bomb)")
    if len(members) > MAX_MEMBERS or nested > 10:
        raise Refused("a zip archive with too many files or archives inside (zip bomb)")
