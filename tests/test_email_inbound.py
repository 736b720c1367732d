"""Mail pushed to ``POST /channels/email/inbound``: the secret, the formats providers send, and
what real mail looks like once stored (charsets, HTML, quotes, forwards, attachments, bombs)."""

import base64
import io
import logging
import struct
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import text as sql

from core.extensions import db
from core.models import Attachment, Message
from tests.mail_servers import INBOUND_SECRET, SENDER, email_settings, plain_mail

URL = "/channels/email/inbound"
AUTH = {"X-Sesim-Secret": INBOUND_SECRET}


@pytest.fixture
def app_config():
    return email_settings(SESIM_EMAIL_AUTO_REPLY=False)


def post_raw(client, raw: bytes, headers=None):
    return client.post(URL, data=raw, content_type="message/rfc822",
                       headers=AUTH if headers is None else headers)


def only_message(app) -> Message:
    with app.app_context():
        message = Message.query.filter_by(channel="email").one()
        db.session.expunge(message)
        return message


def header_block(content_type: str, cte: str = "8bit", extra: str = "") -> bytes:
    return (f"From: Leyla <{SENDER}>\r\nSubject: test\r\nMessage-ID: <c1@example.org>\r\n{extra}"
            f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n\r\n").encode()


RUSSIAN = "Меня преследует сосед, каждый вечер у подъезда."


# --- the shared secret ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("secret", "headers", "status"),
    [
        (INBOUND_SECRET, {}, 403),
        (INBOUND_SECRET, {"X-Sesim-Secret": "wrong"}, 403),
        (INBOUND_SECRET, {"Authorization": "Bearer wrong"}, 403),
        ("", {"X-Sesim-Secret": ""}, 403),
        ("", {"Authorization": "Basic " + base64.b64encode(b"sesim:").decode()}, 403),
        (INBOUND_SECRET, {"X-Sesim-Secret": INBOUND_SECRET}, 200),
        (INBOUND_SECRET, {"Authorization": f"Bearer {INBOUND_SECRET}"}, 200),
        (INBOUND_SECRET,
         {"Authorization": "Basic " + base64.b64encode(f"sesim:{INBOUND_SECRET}".encode()).decode()}, 200),
    ],
)
def test_webhook_checks_the_shared_secret(make_app, secret, headers, status):
    app = make_app(**email_settings(SESIM_EMAIL_AUTO_REPLY=False, SESIM_EMAIL_INBOUND_SECRET=secret))
    response = post_raw(app.test_client(), plain_mail("Salam"), headers)
    assert response.status_code == status
    with app.app_context():
        assert Message.query.count() == (1 if status == 200 else 0)


def test_repeated_delivery_is_stored_once(app, client):
    raw = plain_mail("Salam, kömək lazımdır.")
    assert post_raw(client, raw).get_json() == {"status": "stored"}
    assert post_raw(client, raw).get_json() == {"status": "duplicate"}
    assert only_message(app).text == "Salam, kömək lazımdır."


# --- formats providers push -----------------------------------------------------------------

def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 24.0, 35.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (49.0, 52.0, 1.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    payload = out.getvalue()
    assert Image.open(io.BytesIO(payload)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # really there
    return payload


def test_json_parsed_mail_with_photo(app, client):
    payload = {
        "from": f"Leyla <{SENDER}>", "subject": "Avtobusda", "message_id": "<j1@example.org>",
        "text": "Avtobusda bir kişi mənə toxundu.",
        "attachments": [{"filename": "IMG_0001.jpg", "content_type": "image/jpeg",
                         "content": base64.b64encode(jpeg_with_gps()).decode()}],
    }
    response = client.post(URL, json=payload, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post(URL, json=payload, headers=AUTH).get_json()["status"] == "duplicate"
    message = only_message(app)
    assert message.external_id == "<j1@example.org>"
    assert message.subject == "Avtobusda"
    assert_one_clean_photo(app)


def assert_one_clean_photo(app):
    with app.app_context():
        [attachment] = Attachment.query.all()
        assert attachment.kind == "photo" and attachment.public is False
        stored = (Path(app.instance_path) / "uploads" / attachment.stored_name).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(image.getexif()) == 0
    assert b"Exif" not in stored and b"PhoneMaker" not in stored


def test_mailgun_style_form_with_attachment(app, client):
    data = {"sender": SENDER, "subject": "Work", "body-plain": "My boss keeps touching me.",
            "body-html": "<p>My boss keeps touching me.</p>", "Message-Id": "<mg1@example.org>",
            "attachment-1": (io.BytesIO(jpeg_with_gps()), "photo.jpg", "image/jpeg")}
    response = client.post(URL, data=data, headers=AUTH, content_type="multipart/form-data")
    assert response.status_code == 200
    message = only_message(app)
    assert message.text == "My boss keeps touching me."
    assert message.language == "en"
    assert_one_clean_photo(app)


def test_raw_mime_in_a_form_field(app, client):
    response = client.post(URL, data={"email": plain_mail("Salam").decode()}, headers=AUTH)
    assert response.status_code == 200
    assert only_message(app).external_id == "<m1@example.org>"


def test_parsed_mail_without_message_id_is_still_idempotent(app, client):
    payload = {"from": SENDER, "text": "Hər gün eyni adam."}
    assert client.post(URL, json=payload, headers=AUTH).get_json()["status"] == "stored"
    assert client.post(URL, json=payload, headers=AUTH).get_json()["status"] == "duplicate"
    assert only_message(app).external_id.startswith("sha256:")


@pytest.mark.parametrize(
    ("kwargs", "detail"),
    [
        ({"data": b"", "content_type": "message/rfc822"}, "empty body"),
        ({"json": ["not", "an", "object"]}, "not a JSON object"),
        ({"json": {"from": SENDER}}, "no text, html or attachment"),
        ({"json": {"text": "x", "attachments": [{"content": "!!not base64!!"}]}}, "not valid base64"),
        ({"data": b"\x89PNG", "content_type": "image/png"}, "unsupported content type"),
    ],
)
def test_unusable_requests_get_a_clear_400(app, client, kwargs, detail):
    response = client.post(URL, headers=AUTH, **kwargs)
    assert response.status_code == 400
    assert detail in response.get_json()["detail"]
    with app.app_context():
        assert Message.query.count() == 0


# --- real mail ------------------------------------------------------------------------------

CHARSET_CASES = {
    "utf-8 quoted-printable": header_block("text/plain; charset=utf-8", "quoted-printable")
    + b"M=C9=99n=C9=99 Bak=C4=B1da k=C3=BC=C3=A7=C9=99d=C9=99 t=C9=99rs s=C3=B6z dedil=C9=99r.",
    "windows-1251 base64": header_block("text/plain; charset=windows-1251", "base64")
    + base64.encodebytes(RUSSIAN.encode("cp1251")),
    "koi8-r 8bit": header_block("text/plain; charset=koi8-r") + RUSSIAN.encode("koi8-r"),
    "windows-1251 labelled koi8-r": header_block("text/plain; charset=koi8-r") + RUSSIAN.encode("cp1251"),
    "koi8-r labelled windows-1251": header_block("text/plain; charset=windows-1251")
    + RUSSIAN.encode("koi8-r"),
    "windows-1251 unlabelled": header_block("text/plain") + RUSSIAN.encode("cp1251"),
    "utf-8 labelled windows-1251": header_block("text/plain; charset=windows-1251") + RUSSIAN.encode(),
    "unknown charset": header_block("text/plain; charset=x-no-such-charset") + RUSSIAN.encode(),
}


@pytest.mark.parametrize("raw", CHARSET_CASES.values(), ids=CHARSET_CASES.keys())
def test_charsets_used_in_the_region(app, client, raw):
    assert post_raw(client, raw).status_code == 200
    text = only_message(app).text
    expected = "Mənə Bakıda küçədə tərs söz dedilər." if b"M=C9=99n=C9" in raw else RUSSIAN
    assert text == expected


def test_8bit_subject_without_encoding_is_readable(app, client):
    raw = (b"From: " + SENDER.encode() + b"\r\nSubject: " + "Помогите".encode("cp1251")
           + b"\r\nMessage-ID: <s1@example.org>\r\n\r\n" + RUSSIAN.encode("cp1251"))
    assert post_raw(client, raw).status_code == 200
    message = only_message(app)
    assert message.subject == "Помогите"
    assert message.language == "ru"


def test_html_only_mail_becomes_text_without_scripts(app, client):
    html = ("<html><head><style>p {color: red}</style><script>alert('x')</script></head><body>"
            "<p>Salam,</p><p>Dünən <b>Gəncədə</b> bazarda&nbsp;bir kişi məni izlədi.</p>"
            "<img src=\"https://tracker.example/pixel.gif\"><div>Leyla</div>"
            "<div class=\"gmail_quote\">On Mon, Sesim wrote:<blockquote>old reply</blockquote></div>"
            "</body></html>")
    raw = header_block("text/html; charset=utf-8", "base64") + base64.encodebytes(html.encode())
    assert post_raw(client, raw).status_code == 200
    message = only_message(app)
    assert message.text == "Salam,\nDünən Gəncədə bazarda bir kişi məni izlədi.\nLeyla"
    assert message.data["html_only"] is True
    for gone in ("alert", "color", "<", "tracker", "old reply"):
        assert gone not in message.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("It happened again today.\n\nOn Mon, 3 Jun 2024 at 10:00, Sesim <reply@sesim.test> wrote:\n"
         "> Thank you for writing to us.\n> Your case code is: 1234-5678-9012\n",
         "It happened again today."),
        ("Сегодня снова.\n\n3 июня 2024 г., в 10:00, Sesim <reply@sesim.test> написал:\n> Спасибо\n",
         "Сегодня снова."),
        ("Bu gün yenə oldu.\n\n-- \nLeyla Həsənova\n+994 50 123 45 67\n", "Bu gün yenə oldu."),
        ("Bu gün yenə oldu.\n\nSent from my iPhone\n", "Bu gün yenə oldu."),
        ("> only a quote\n> nothing else\n", "> only a quote\n> nothing else"),
    ],
    ids=["english reply", "russian reply", "signature", "mobile signature", "only quote kept"],
)
def test_quoted_replies_and_signatures_are_stripped(app, client, body, expected):
    assert post_raw(client, plain_mail(body)).status_code == 200
    assert only_message(app).text == expected


def test_inline_forward_is_kept_whole(app, client):
    body = ("Look what he sends me.\n\n---------- Forwarded message ---------\n"
            "From: Him <him@example.net>\nSubject: you\n\nI know where you live.\n> quoted by him\n"
            "-- \nhis signature\n")
    assert post_raw(client, plain_mail(body)).status_code == 200
    text = only_message(app).text
    assert text.startswith("Look what he sends me.\n\n---------- Forwarded message")
    assert "I know where you live." in text and "> quoted by him" in text


def test_forwarded_attached_mail_with_its_photo(app, client):
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "Him <him@example.net>", "sənə"
    inner["Date"] = "Mon, 03 Jun 2024 10:00:00 +0400"
    inner.set_content("Harada olduğunu bilirəm.")
    inner.add_attachment(jpeg_with_gps(), maintype="image", subtype="jpeg", filename="you.jpg")
    outer = EmailMessage()
    outer["From"], outer["Subject"], outer["Message-ID"] = SENDER, "Fwd: sənə", "<fw@example.org>"
    outer.set_content("Bu mesajları mənə göndərir.")
    outer.add_attachment(inner)
    assert post_raw(client, outer.as_bytes()).status_code == 200
    text = only_message(app).text
    assert text.startswith("Bu mesajları mənə göndərir.")
    assert "---------- Forwarded message ----------\nFrom: Him <him@example.net>" in text
    assert "Harada olduğunu bilirəm." in text
    assert_one_clean_photo(app)


def test_other_attachments_are_kept_for_moderators_only(app, client):
    mail = EmailMessage()
    mail["From"], mail["Message-ID"] = SENDER, "<pdf@example.org>"
    mail.set_content("Şikayətimin surəti.")
    mail.add_attachment(b"%PDF-1.4 fake pdf", maintype="application", subtype="pdf",
                        filename="sikayet.pdf")
    assert post_raw(client, mail.as_bytes()).status_code == 200
    with app.app_context():
        [attachment] = Attachment.query.all()
        assert (attachment.kind, attachment.public, attachment.content_type) == (
            "file", False, "application/pdf")


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evidence.txt", b"\0" * 5_000_000)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) \
        + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("attachment", "reason"),
    [
        ((zip_bomb(), "application", "zip", "photos.zip"), "zip bomb"),
        ((b"\x1f\x8b" + b"x" * 10, "application", "gzip", "broken.gz"), None),
        ((zlib.compress(b"\0" * 2_000_000, 9), "application", "octet-stream", "blob"), None),
        ((png_header_only(30000, 30000), "image", "png", "huge.png"), "too large to decode"),
        ((b"\xff" * 60_000, "application", "octet-stream", "video.mp4"), "over the limit"),
    ],
    ids=["zip bomb", "broken gzip kept", "plain binary kept", "pixel bomb", "huge attachment"],
)
def test_dangerous_attachments_are_refused_and_the_mail_kept(make_app, caplog, attachment, reason):
    app = make_app(**email_settings(SESIM_EMAIL_AUTO_REPLY=False,
                                    SESIM_EMAIL_MAX_ATTACHMENT_BYTES=50_000))
    payload, maintype, subtype, filename = attachment
    mail = EmailMessage()
    mail["From"], mail["Message-ID"] = SENDER, "<att@example.org>"
    mail.set_content("Mətni saxlayın.")
    mail.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    mail.add_attachment(jpeg_with_gps(), maintype="image", subtype="jpeg", filename="ok.jpg")
    caplog.set_level(logging.WARNING, "sesim.email")
    assert post_raw(app.test_client(), mail.as_bytes()).status_code == 200
    message = only_message(app)
    assert message.text == "Mətni saxlayın."
    with app.app_context():
        kinds = sorted(a.kind for a in Attachment.query.all())
    if reason:
        assert kinds == ["photo"]
        assert reason in message.data["attachments_refused"][0]["reason"]
        assert f"e-mail attachment refused ({maintype}/{subtype})" in caplog.text
        assert reason in caplog.text
    else:
        assert kinds == ["file", "photo"]
        assert "attachments_refused" not in message.data


MALFORMED = {
    "no closing boundary": header_block('multipart/mixed; boundary="XX"')
    + "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKömək edin.\r\n--XX\r\n".encode()
    + b"Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ",
    "multipart without boundary": header_block("multipart/mixed") + "Kömək edin.".encode(),
    "broken base64 body": header_block("text/plain; charset=utf-8", "base64")
    + base64.b64encode("Kömək edin.".encode())[:8] + b"!!*\x00"
    + base64.b64encode("Kömək edin.".encode())[8:],
    "garbage headers": b"From: <<<\r\nSubject: =?utf-8?q?broken\r\n: no name\r\nMessage-ID: <g1@x>\r\n\r\n"
    + "Kömək edin.".encode(),
    "no headers at all": "Kömək edin.".encode(),
    "nested multipart bomb": header_block('multipart/mixed; boundary="a"')
    + b"".join(f"--{'a' * n}\r\nContent-Type: multipart/mixed; boundary=\"{'a' * (n + 1)}\"\r\n\r\n"
               .encode() for n in range(1, 60)) + "Kömək edin.".encode(),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_mime_is_stored_with_what_can_be_read(app, client, raw):
    response = post_raw(client, raw)
    assert response.status_code == 200
    message = only_message(app)
    assert "Kömək edin." in message.text


def test_sender_address_is_encrypted_at_rest_and_absent_from_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    assert post_raw(client, plain_mail("Salam")).status_code == 200
    with app.app_context():
        row = db.session.execute(sql("SELECT sender, text, data FROM messages")).one()
        assert Message.query.one().sender == SENDER
    assert SENDER not in " ".join(str(v) for v in row)
    assert SENDER not in caplog.text


@pytest.mark.parametrize("payload", [
    {"from": "a@example.org", "text": "hi", "attachments": 5},
    {"from": "a@example.org", "text": "hi", "attachments": "x"},
    {"from": "a@example.org", "text": "hi", "attachments": [7]},
    ["not", "an", "object"],
])
def test_oddly_shaped_json_is_a_clear_400(client, payload):
    response = client.post("/channels/email/inbound", json=payload, headers=AUTH)
    assert response.status_code == 400
