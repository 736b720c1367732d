"""Raw RFC 5322 mail → ``core.intake.Inbound``, with the standard library's ``email`` package.

Malformed mail never raises here: whatever can be read is kept, the problems are noted for
moderators and logged, and an attachment that is too large or an archive bomb is dropped while the
rest of the mail is kept.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from core.intake import Inbound
from plugins.email import attachments
from plugins.email.text import decode_bytes, html_to_text, strip_replies

log = logging.getLogger("sesim.email")

CHANNEL = "email"
MAX_FORWARD_DEPTH = 3
_MSGID = re.compile(r"<[^<>\s]+>")
_AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounce)",
                                re.IGNORECASE)


@dataclass
class _Collected:
    """What a walk through the MIME tree gathered."""

    texts: list[str] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    html_only: bool = False


def parse(raw: bytes, *, truncated: bool = False, fallback_id: str | None = None) -> Inbound:
    """Read one mail. ``truncated`` says only the start of a huge mail was fetched: its text is
    kept, its attachments are not (they would be cut anyway)."""
    external_id = fallback_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    data: dict = {}
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        external_id = message_id(msg) or external_id
        collected = _Collected()
        _walk_message(msg, collected, depth=0, keep_files=not truncated)
        text, stripped = strip_replies("\n\n".join(t for t in collected.texts if t.strip()))
        if not text.strip():  # broken structure: show moderators the body as it came
            text = _raw_body(raw)
            data["raw_body_shown"] = True
        sender = _sender(msg)
        subject = header(msg, "Subject")
        data.update(_threading(msg))
        if stripped:
            data["quoted_text_removed"] = True
        if collected.html_only:
            data["html_only"] = True
        if _is_automatic(msg, sender):
            data["automatic"] = True
        if _sender_forged(msg):
            data["sender_unverified"] = True
        defects = len(msg.defects) + sum(len(p.defects) for p in msg.walk() if p is not msg)
        if defects:
            data["mime_defects"] = defects
            log.warning("mail %s has %d MIME defect(s); kept what could be read",
                        log_id(external_id), defects)
        files, refused = collected.files, collected.refused
    except Exception as exc:  # the stdlib parser is lenient; this is the last safety net
        log.error("could not parse mail %s (%s); keeping its raw text for moderators",
                  log_id(external_id), type(exc).__name__)
        data["parse_error"] = f"{type(exc).__name__}"
        text, sender, subject = decode_bytes(raw[:200_000], None), None, None
        files, refused = [], []
    if truncated:
        data["truncated_mail"] = True
        refused.append({"reason": "the whole mail was over the size limit; attachments dropped"})
    if refused:
        data["attachments_refused"] = refused
    # Language, place and category hints are added by the core once the mail is stored.
    return Inbound(channel=CHANNEL, external_id=external_id, text=text, sender=sender,
                   subject=subject, data=data, attachments=files)


def log_id(external_id: str) -> str:
    """A short stand-in for a Message-ID in logs (some mailers build it from the address)."""
    return "mail#" + hashlib.sha256(external_id.encode()).hexdigest()[:12]


def _raw_body(raw: bytes) -> str:
    body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[2] or raw
    return decode_bytes(body[:200_000], None).strip()


def message_id(msg) -> str | None:
    """The Message-ID, or a hash of it when it would not fit the 255-character column (two long
    ids sharing their start must not look like one mail)."""
    found = _MSGID.search(header(msg, "Message-ID"))
    if not found:
        return None
    value = found.group(0)
    return value if len(value) <= 250 else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def header(msg, name: str) -> str:
    """A header as text; raw 8-bit bytes (which some mailers send) are decoded like bodies."""
    try:
        raw = next((v for n, v in msg.raw_items() if n.lower() == name.lower()), None)
        if raw is None:
            return ""
        if isinstance(raw, str) and any("\udc80" <= ch <= "\udcff" for ch in raw):
            value = decode_bytes(raw.encode("ascii", "surrogateescape"), None)
        else:
            value = str(msg.get(name, "") or "")
    except Exception:  # a header the parser cannot make sense of
        return ""
    return " ".join(value.split())


def _sender(msg) -> str | None:
    for name in ("From", "Sender", "Return-Path"):
        address = parseaddr(header(msg, name))[1].strip()
        if "@" in address:
            return address.lower()
    return None


def _threading(msg) -> dict:
    data = {}
    own = message_id(msg)
    if own:
        data["message_id"] = own
    references = _MSGID.findall(header(msg, "References"))
    in_reply_to = _MSGID.findall(header(msg, "In-Reply-To"))
    if in_reply_to:
        data["in_reply_to"] = in_reply_to[0]
    if references:
        data["references"] = references[-20:]
    return data


_AUTH_FAIL = re.compile(r"\b(?:dmarc|spf|dkim)=(?:fail|softfail)\b", re.IGNORECASE)
_DMARC_PASS = re.compile(r"\bdmarc=pass\b", re.IGNORECASE)


def _sender_forged(msg) -> bool:
    """The receiving server's ``Authentication-Results`` say the From address was not the
    sender's own: answering it would mail a case code to someone who never wrote."""
    results = " ".join(str(v) for v in msg.get_all("Authentication-Results") or [])
    return bool(_AUTH_FAIL.search(results)) and not _DMARC_PASS.search(results)


def _is_automatic(msg, sender: str | None) -> bool:
    """Auto-replies, bounces and lists (RFC 3834): never answer them, or two robots loop."""
    if header(msg, "Auto-Submitted").lower() not in ("", "no"):
        return True
    if header(msg, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    if any(header(msg, h) for h in ("List-Id", "X-Autoreply", "X-Autorespond")):
        return True
    return bool(sender and _AUTOMATIC_SENDERS.match(sender.split("@")[0]))


def _walk_message(msg, collected: _Collected, depth: int, keep_files: bool) -> None:
    body = None
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:
        log.warning("cannot find the body of a mail part: %s", exc)
    if body is not None:
        text, was_html = _part_text(body)
        collected.texts.append(text)
        collected.html_only = collected.html_only or (was_html and depth == 0)
    _walk_parts(msg, body, collected, depth, keep_files)


def _walk_parts(part, body, collected: _Collected, depth: int, keep_files: bool) -> None:
    for sub in _children(part):
        ctype = sub.get_content_type()
        if sub is body:
            continue
        if ctype == "message/rfc822":
            _forwarded(sub, collected, depth, keep_files)
        elif sub.is_multipart():
            if ctype == "multipart/alternative" and body is not None and _contains(sub, body):
                continue
            _walk_parts(sub, body, collected, depth, keep_files)
        elif ctype in ("text/plain", "text/html") and not _is_attachment(sub):
            if part.get_content_type() != "multipart/alternative":
                collected.texts.append(_part_text(sub)[0])
        elif keep_files:
            _attachment(sub, collected)
        else:
            collected.refused.append({"content_type": ctype, "reason": "mail over the size limit"})


def _children(part):
    try:
        return list(part.iter_parts()) if part.is_multipart() else []
    except Exception:
        return []


def _contains(container, wanted) -> bool:
    return any(p is wanted for p in container.walk())


def _is_attachment(part) -> bool:
    return (part.get_content_disposition() or "") == "attachment"


def decoded_payload(part) -> bytes:
    """The part's bytes; damaged base64 is decoded as far as it goes instead of shown raw."""
    payload = part.get_payload(decode=True) or b""
    base64_defects = (errors.InvalidBase64CharactersDefect, errors.InvalidBase64LengthDefect,
                      errors.InvalidBase64PaddingDefect)
    if part.get("Content-Transfer-Encoding", "").strip().lower() == "base64" and any(
        isinstance(d, base64_defects) for d in part.defects
    ):
        source = str(part.get_payload()).encode("ascii", "ignore")
        cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", source)
        if len(cleaned) % 4 == 1:  # one stray character cannot be decoded
            cleaned = cleaned[:-1]
        with contextlib.suppress(binascii.Error, ValueError):
            payload = base64.b64decode(cleaned + b"=" * (-len(cleaned) % 4))
    return payload


def _part_text(part) -> tuple[str, bool]:
    payload = decoded_payload(part)
    text = decode_bytes(payload, part.get_content_charset())
    if part.get_content_type() == "text/html":
        return html_to_text(text), True
    return text.replace("\r\n", "\n"), False


def _forwarded(part, collected: _Collected, depth: int, keep_files: bool) -> None:
    if depth >= MAX_FORWARD_DEPTH:
        collected.refused.append({"content_type": "message/rfc822", "reason": "forwarded too deep"})
        return
    inner = part.get_payload()[0] if isinstance(part.get_payload(), list) else None
    if not isinstance(inner, EmailMessage):
        return
    heading = ["---------- Forwarded message ----------"]
    for name in ("From", "Date", "Subject", "To"):
        value = header(inner, name)
        if value:
            heading.append(f"{name}: {value}")
    nested = _Collected()
    _walk_message(inner, nested, depth + 1, keep_files)
    collected.texts.append("\n".join(heading) + "\n\n" + "\n\n".join(nested.texts))
    collected.files.extend(nested.files)
    collected.refused.extend(nested.refused)


def _attachment(part, collected: _Collected) -> None:
    ctype = part.get_content_type()
    encoded = part.get_payload()
    # base64 is 4/3 of the data: refuse before decoding a huge payload into memory.
    if isinstance(encoded, str) and len(encoded) * 3 // 4 > attachments.max_attachment_bytes() + 4:
        _refuse(collected, ctype, f"about {len(encoded) * 3 // 4} bytes is over the limit of "
                                  f"{attachments.max_attachment_bytes()} bytes")
        return
    if len(collected.files) >= attachments.limit("SESIM_EMAIL_MAX_ATTACHMENTS"):
        _refuse(collected, ctype, "too many attachments in one mail")
        return
    payload = decoded_payload(part)
    if not payload:
        return
    try:
        attachments.check(payload)
    except attachments.Refused as exc:
        _refuse(collected, ctype, str(exc))
        return
    collected.files.append((part.get_filename() or "", ctype, payload))


def _refuse(collected: _Collected, ctype: str, reason: str) -> None:
    log.warning("e-mail attachment refused (%s): %s; the rest of the mail is kept", ctype, reason)
    collected.refused.append({"content_type": ctype, "reason": reason})
