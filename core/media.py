"""Uploads: photos are decoded, checked and re-encoded with Pillow so no EXIF, GPS or maker
note survives; anything else is kept for moderators only. Files get random names and go to
``core.storage`` (the uploads folder or the database)."""

from __future__ import annotations

import io
import secrets
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from core import storage
from core.extensions import db
from core.models import Attachment
from core.storage import uploads_dir  # noqa: F401  (kept for callers of core.media.uploads_dir)

MAX_PIXELS = 40_000_000  # refuse decompression bombs long before memory runs out
MAX_SIDE = 2048  # enough to read a screenshot; small enough for 2G
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO"}


class NotAnImage(ValueError):
    """The upload is not a picture we can read."""


class TooLarge(ValueError):
    """The upload is over the size or pixel limit."""


def clean_photo(payload: bytes) -> tuple[bytes, int, int]:
    """Return ``(jpeg_bytes, width, height)``: upright, shrunk, without any metadata."""
    if len(payload) > current_app.config["SESIM_PHOTO_MAX_BYTES"]:
        raise TooLarge
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(payload))
            if image.format not in ALLOWED_FORMATS:
                raise NotAnImage
            if image.width * image.height > MAX_PIXELS:
                raise TooLarge
            image.load()
            image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, TooLarge | NotAnImage):
            raise
        raise NotAnImage from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise TooLarge from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    out = io.BytesIO()
    # A fresh image with only pixels: no exif=, no icc_profile=, no comment.
    Image.frombytes(image.mode, image.size, image.tobytes()).save(out, "JPEG", quality=82)
    return out.getvalue(), image.width, image.height


def store_upload(payload: bytes, *, filename: str = "", content_type: str = "",
                 report=None, message=None, require_image: bool = False) -> Attachment:
    """Store one uploaded file and return its (uncommitted) ``Attachment``.

    Pictures are cleaned; a picture that cannot be read, or any other file, is kept as a private
    ``file`` for moderators, unless ``require_image`` (the web form) makes it an error.
    """
    try:
        cleaned, width, height = clean_photo(payload)
    except NotAnImage:
        if require_image:
            raise
        cleaned, width, height = None, None, None
    name = secrets.token_hex(16)
    if cleaned is not None:
        kind, stored, content_type, name = "photo", cleaned, "image/jpeg", name + ".jpg"
    else:
        kind, stored, content_type = "file", payload, content_type or "application/octet-stream"
    storage.save(name, stored)
    attachment = Attachment(
        kind=kind, stored_name=name, content_type=content_type[:100], size=len(stored),
        width=width, height=height, report=report, message=message,
    )
    db.session.add(attachment)
    return attachment
