"""Reading what a gateway posted, whatever it is: form or JSON, UTF-8 or not, odd timestamps.

Nothing here raises past the view: a body that cannot be read at all is a ``BadPayload`` (the view
answers 400); anything readable is kept, with a note in ``problems`` for the moderator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from flask import Request

from core.models.base import utcnow

MAX_BODY_BYTES = 256 * 1024  # a 255-part concatenated SMS is under 40 000 characters


class BadPayload(ValueError):
    """The request body cannot be read as fields; the message says why (shown to the gateway)."""


@dataclass
class Fields:
    values: dict[str, str]  # query string and body together (body wins)
    problems: list[str] = field(default_factory=list)
    body: dict[str, str] = field(default_factory=dict)  # the body alone (what Twilio signs)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def _charset(request: Request) -> str:
    return (request.mimetype_params.get("charset") or "utf-8").strip().lower()


def _decode(raw: bytes, charset: str, fallback: str, problems: list[str]) -> str:
    for encoding in dict.fromkeys(e for e in (charset, fallback) if e):
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding != "utf-8":
            problems.append(f"decoded-as:{encoding}")
        return text
    problems.append("not-utf8")
    return raw.decode("utf-8", errors="replace")


def _unquote(raw: bytes, charset: str, fallback: str, problems: list[str]) -> dict[str, str]:
    text = raw.decode("latin-1")  # percent-escapes are ASCII; raw high bytes survive as themselves
    for encoding in dict.fromkeys(e for e in (charset, fallback) if e):
        try:
            pairs = parse_qsl(text, keep_blank_values=True, encoding=encoding, errors="strict")
            if not text.isascii():  # bytes sent unescaped: decode them the same way
                pairs = [(_redecode(k, encoding), _redecode(v, encoding)) for k, v in pairs]
        except (UnicodeDecodeError, UnicodeEncodeError, LookupError):
            continue
        if encoding != "utf-8":
            problems.append(f"decoded-as:{encoding}")
        return dict(pairs)
    problems.append("not-utf8")
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    return {_lenient(k): _lenient(v) for k, v in pairs}


def _lenient(value: str) -> str:
    try:
        return _redecode(value, "utf-8")
    except UnicodeError:
        return value.encode("latin-1", "replace").decode("utf-8", "replace")


def _redecode(value: str, encoding: str) -> str:
    """Undo the latin-1 reading of raw bytes that were not percent-escaped."""
    if value.isascii():
        return value
    return value.encode("latin-1").decode(encoding)


def read_fields(request: Request, fallback_encoding: str = "") -> Fields:
    """The posted fields as text (query-string fields too, body wins), never raising on bad bytes."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise BadPayload(f"body larger than {MAX_BODY_BYTES} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise BadPayload(f"body larger than {MAX_BODY_BYTES} bytes")
    problems: list[str] = []
    values: dict[str, str] = {}
    charset = _charset(request)
    if request.mimetype == "application/json" or (raw[:1] in (b"{", b"[") and not request.mimetype):
        try:
            parsed = json.loads(_decode(raw, charset, fallback_encoding, problems) or "{}")
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            raise BadPayload("body is not valid JSON") from exc
        if not isinstance(parsed, dict):
            raise BadPayload("JSON body must be an object")
        for key, value in parsed.items():
            if isinstance(value, dict | list):
                continue  # not a field a gateway sends; the caller may read the JSON itself
            values[str(key)] = "" if value is None else str(value)
    elif request.mimetype == "multipart/form-data":
        values.update(request.form.to_dict())
    elif raw:
        values.update(_unquote(raw, charset, fallback_encoding, problems))
    body = {k: v.replace("\x00", "") for k, v in values.items()}
    return Fields({**request.args.to_dict(), **body}, problems, body)


def read_json(request: Request) -> dict:
    """A JSON object body (SMSSync's ``task=sent`` and ``task=result``); ``{}`` when unreadable."""
    try:
        parsed = json.loads(request.get_data(cache=True)[:MAX_BODY_BYTES].decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


EARLIEST = datetime(2000, 1, 1)


def parse_timestamp(value: str, problems: list[str]) -> datetime | None:
    """Naive UTC from epoch seconds or milliseconds (SMSSync's old and new apps) or ISO 8601
    (Africa's Talking). ``None`` with a note in ``problems`` when missing, malformed or absurd."""
    value = (value or "").strip()
    if not value:
        return None
    parsed = None
    try:
        number = float(value)
    except ValueError:
        number = None
    try:
        if number is not None:
            seconds = number / 1000 if abs(number) >= 1e11 else number
            parsed = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        else:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        parsed = None
    if parsed is None or not EARLIEST <= parsed <= utcnow() + timedelta(days=1):
        problems.append("bad-timestamp")
        return None
    return parsed
