"""Uploads: photos are decoded, checked and re-encoded with Pillow so no EXIF, GPS or maker
note survives; anything else is kept for moderators only. Files get random names and go to
``core.storage`` (the uploads folder or the database)."""

from __future__ import annotations

import io
import secrets
import warnings

from flask import current_app
from PIL import Image, UnidentifiedImageError

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


# What decoding may cost; with the reduced copy the peak stays under 64 MB per upload
# (bench/upload_memory.py). Pillow keeps every multi-band mode at 4 bytes a pixel; an alpha channel
# doubles it (shrinking works on a premultiplied copy), and Pillow's WebP decoder holds the
# pixels several times over while it decodes.
DECODE_BUDGET = 40 * 1024 * 1024
NARROW_MODES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
ALPHA_MODES = {"LA", "PA", "RGBA", "La", "RGBa"}
FORMAT_COST = {"WEBP": 5}
JPEG_SCALES = (1, 2, 4, 8)  # what a JPEG decoder can shrink to while it decodes (draft)
ORIENTATION = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_90}


def _cost(image: Image.Image) -> int:
    """Bytes of memory one pixel of ``image`` costs while it is decoded and shrunk."""
    per_pixel = NARROW_MODES.get(image.mode, 4) * (2 if image.mode in ALPHA_MODES else 1)
    return per_pixel * FORMAT_COST.get(image.format, 1)


def _too_many_pixels(image: Image.Image) -> TooLarge:
    from flask_babel import lazy_gettext as _l  # also raised in the worker, outside a request

    megapixels = max(1, DECODE_BUDGET // _cost(image) // 1_000_000)
    return TooLarge(_l("This picture has too many pixels for us to process (at most %(mp)d "
                      "megapixels for this kind of file). A JPEG photo or a screenshot works.",
                      mp=min(megapixels, MAX_PIXELS // 1_000_000)))


def _fit_budget(image: Image.Image) -> None:
    """Make sure decoding ``image`` fits ``DECODE_BUDGET``: a JPEG is shrunk by its own decoder
    (``draft``); any other format over the budget is refused before a pixel is decoded."""
    width, height = image.size
    if image.format in ("JPEG", "MPO"):
        for scale in JPEG_SCALES:
            if -(-width // scale) * -(-height // scale) * _cost(image) <= DECODE_BUDGET:
                if scale > 1:
                    image.draft(image.mode, (width // scale, height // scale))
                break
        else:
            raise _too_many_pixels(image)
    elif width * height * _cost(image) > DECODE_BUDGET:
        raise _too_many_pixels(image)


def _shrink(image: Image.Image) -> Image.Image:
    """Down to ``MAX_SIDE`` with one reduced copy (box average), never a full-size copy."""
    factor = -(-max(image.size) // MAX_SIDE)
    if factor > 1:
        try:
            image = image.reduce(factor)
        except ValueError:  # modes reduce() does not handle (palette, 16-bit): nearest pixel
            image = image.resize((max(1, image.width // factor), max(1, image.height // factor)),
                                 Image.Resampling.NEAREST)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


def clean_photo(payload: bytes) -> tuple[bytes, int, int]:
    """Return ``(jpeg_bytes, width, height)``: upright, shrunk, without any metadata.

    Memory stays bounded whatever the upload claims: see ``DECODE_BUDGET``.
    """
    if len(payload) > current_app.config["SESIM_PHOTO_MAX_BYTES"]:
        raise TooLarge
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(payload))
            if image.format not in ALLOWED_FORMATS:
                raise NotAnImage
            if image.width * image.height > MAX_PIXELS:
                raise _too_many_pixels(image)
            _fit_budget(image)
            orientation = image.getexif().get(0x0112)  # a PNG decodes here: within the budget
            image.load()
            image = _shrink(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, TooLarge | NotAnImage):
            raise
        raise NotAnImage from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise TooLarge from exc
    if orientation in ORIENTATION:
        image = image.transpose(ORIENTATION[orientation])
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    out = io.BytesIO()
    # A fresh image with only pixels: no exif=, no icc_profile=, no comment.
    Image.frombytes(image.mode, image.size, image.tobytes()).save(out, "JPEG", quality=82)
    return out.getvalue(), image.width, image.height


def _links(report, message) -> dict:
    """The report and message an attachment belongs to, leaving out the ones not given: a link set
    to None would, at the flush, clear a ``report_id`` the caller sets afterwards."""
    return {key: value for key, value in (("report", report), ("message", message))
            if value is not None}


def store_cleaned(jpeg: bytes, *, report=None, message=None) -> Attachment:
    """Store a photo ``clean_photo`` already cleaned (kept across a form error or in the spool)."""
    with Image.open(io.BytesIO(jpeg)) as image:  # reads the header only
        width, height = image.size
    name = secrets.token_hex(16) + ".jpg"
    storage.save(name, jpeg)
    attachment = Attachment(kind="photo", stored_name=name, content_type="image/jpeg",
                            size=len(jpeg), width=width, height=height, **_links(report, message))
    db.session.add(attachment)
    return attachment


def store_upload(payload: bytes, *, filename: str = "", content_type: str = "",
                 report=None, message=None, require_image: bool = False) -> Attachment:
    """Store one uploaded file and return its (uncommitted) ``Attachment``.

    Pictures are cleaned; a picture that cannot be read or is too large to clean, or any other
    file, is kept as a private ``file`` for moderators (download only), unless ``require_image``
    (the web form) makes it an error: a message from a channel never loses what came with it.
    """
    try:
        cleaned, width, height = clean_photo(payload)
    except (NotAnImage, TooLarge):
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
        width=width, height=height, **_links(report, message),
    )
    db.session.add(attachment)
    return attachment
