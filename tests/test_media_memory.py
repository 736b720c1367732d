"""Heavy input is bounded: a photo costs at most 64 MB of memory to clean, whatever its claimed
size (``core.media.DECODE_BUDGET``; figures in docs/operations.md from bench/upload_memory.py)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.media import TooLarge, clean_photo
from core.models import Category, Report
from tests.conftest import csrf_token
from tests.test_report_form import english

ROOT = Path(__file__).resolve().parent.parent
TARGET = 64 * 1024 * 1024


def encoded(size, fmt="PNG", mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt, **save)
    return out.getvalue()


def test_an_oversized_png_is_refused_before_it_is_decoded_with_a_clear_message(app):
    payload = encoded((4000, 3000))  # 12 MP: ~50 MB once decoded
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(TooLarge) as refused:
            clean_photo(payload)
        assert "too many pixels" in str(refused.value) and "at most 10 megapixels" in str(refused.value)


def test_a_large_jpeg_is_shrunk_while_it_is_decoded(app):
    with app.app_context():
        jpeg, width, height = clean_photo(encoded((4000, 3000), "JPEG", quality=80))
    assert (width, height) == (2000, 1500)
    assert Image.open(io.BytesIO(jpeg)).size == (2000, 1500)


def test_orientation_is_applied_after_shrinking(app):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90° clockwise to show it upright
    with app.app_context():
        jpeg, width, height = clean_photo(encoded((64, 48), "JPEG", exif=exif))
    assert (width, height) == (48, 64)
    assert not Image.open(io.BytesIO(jpeg)).getexif()


def test_the_form_explains_the_pixel_limit_in_her_language(app):
    with app.app_context():
        ids = [str(c.id) for c in Category.query.limit(1)]
    client = english(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    data = {"title": "Т", "story": "История", "occurred_on": "2026-11-28", "place": "baku-nasimi",
            "categories": ids, "csrf_token": csrf_token(client, "/report"),
            "photo": (io.BytesIO(encoded((4000, 3000))), "big.png")}
    page = client.post("/report", data=data, content_type="multipart/form-data").get_data(
        as_text=True)
    assert "слишком много пикселей" in page and "История" in page
    with app.app_context():
        assert Report.query.count() == 0


def test_memory_per_upload_stays_under_64_mb(tmp_path):
    """The worst accepted PNG, measured by the kernel in a fresh process (bench/upload_memory.py)."""
    path = tmp_path / "cap.png"
    path.write_bytes(encoded((3650, 2870)))
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "upload_memory.py"), "--child",
                           str(path)], capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"].startswith("cleaned")
    assert 10 * 1024 * 1024 < result["rise"] < TARGET  # it did decode, and within the target


def test_a_channel_message_keeps_a_picture_too_large_to_clean(app):
    from core.intake import Inbound, receive
    from core.models import Attachment

    with app.app_context():
        message, created = receive(Inbound(channel="email", external_id="<big@example.org>",
                                           text="Şəkil əlavədədir", sender="a@example.org",
                                           attachments=[("big.png", "image/png",
                                                         encoded((4000, 3000)))]))
        [attachment] = Attachment.query.filter_by(message_id=message.id).all()
        assert created and (attachment.kind, attachment.public) == ("file", False)
