"""Polling the reporting mailbox over IMAP.

New mail is found by UID. The cursor (``ChannelCursor``) holds ``UIDVALIDITY:last UID`` and moves
only after the core has stored a message, so a fetch that dies half-way starts again at the first
mail it had not stored; when the server resets UIDVALIDITY the folder is read again from the start
and ``core.intake.receive`` recognises what it already has by Message-ID.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl

from core.models import ChannelCursor, Message
from core.text import clean
from plugins.email.parsing import CHANNEL, parse

log = logging.getLogger("sesim.email")


class MailboxError(RuntimeError):
    """The mailbox cannot be read; the message says why without any secret in it."""


def _settings(config) -> dict:
    tls = str(config["SESIM_EMAIL_IMAP_TLS"]).strip().lower()
    tls = {"true": "ssl", "1": "ssl", "yes": "ssl", "on": "ssl", "false": "off", "0": "off",
           "no": "off", "": "off", "none": "off"}.get(tls, tls)
    if tls not in ("ssl", "starttls", "off"):
        raise MailboxError(f"SESIM_EMAIL_IMAP_TLS must be ssl, starttls or off, not {tls!r}")
    port = int(config["SESIM_EMAIL_IMAP_PORT"] or (993 if tls == "ssl" else 143))
    return {"host": config["SESIM_EMAIL_IMAP_HOST"], "port": port, "tls": tls,
            "user": config["SESIM_EMAIL_IMAP_USER"], "password": config["SESIM_EMAIL_IMAP_PASSWORD"],
            "folder": config["SESIM_EMAIL_IMAP_FOLDER"] or "INBOX",
            "move_to": config["SESIM_EMAIL_IMAP_MOVE_TO"],
            "timeout": float(config["SESIM_EMAIL_TIMEOUT"]),
            "max_bytes": int(config["SESIM_EMAIL_MAX_MESSAGE_BYTES"])}


def _connect(s: dict) -> imaplib.IMAP4:
    where = f"{s['host']}:{s['port']}"
    try:
        if s["tls"] == "ssl":
            conn = imaplib.IMAP4_SSL(s["host"], s["port"], ssl_context=ssl.create_default_context(),
                                     timeout=s["timeout"])
        else:
            conn = imaplib.IMAP4(s["host"], s["port"], timeout=s["timeout"])
            if s["tls"] == "starttls":
                conn.starttls(ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"cannot reach the IMAP server {where}: {exc}") from exc
    try:
        conn.login(s["user"], s["password"])
    except imaplib.IMAP4.error as exc:
        _close(conn)
        raise MailboxError(f"the IMAP server {where} rejected the login for {s['user']!r} "
                           f"(check SESIM_EMAIL_IMAP_USER and SESIM_EMAIL_IMAP_PASSWORD)") from exc
    status, data = conn.capability()  # servers announce more (MOVE, UIDPLUS) after login
    if status == "OK" and data and isinstance(data[0], bytes):
        conn.capabilities = tuple(data[0].decode("ascii", "replace").upper().split())
    return conn


def _close(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        conn.logout()


def _check(result, what: str):
    status, data = result
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise MailboxError(f"IMAP {what} failed: {detail}")
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_messages(config):
    """Yield each new mail as an ``Inbound``; advance the cursor after the core stored it."""
    if not config["SESIM_EMAIL_IMAP_HOST"]:
        raise MailboxError("IMAP polling is not configured: set SESIM_EMAIL_IMAP_HOST")
    s = _settings(config)
    stream = f"imap:{s['user']}@{s['host']}/{s['folder']}"
    conn = _connect(s)
    try:
        _check(conn.select(_quote(s["folder"])), f"SELECT {s['folder']}")
        validity = (conn.response("UIDVALIDITY")[1] or [b"0"])[0].decode()
        saved_validity, last_uid = _read_cursor(stream)
        if saved_validity and saved_validity != validity:
            log.warning("UIDVALIDITY of %s changed (%s → %s): reading the folder again; "
                        "mail already stored is recognised by Message-ID", s["folder"],
                        saved_validity, validity)
            last_uid = 0
        elif not saved_validity:
            last_uid = 0
        found = _check(conn.uid("SEARCH", None, f"UID {last_uid + 1}:*"), "UID SEARCH")
        uids = sorted(int(u) for u in b" ".join(found).split() if int(u) > last_uid)
        for uid in uids:
            inbound = _fetch_one(conn, uid, s["max_bytes"])
            yield inbound
            # Back here only after the core tried to store it; make sure it did.
            stored_id = clean(str(inbound.external_id))[:255]  # as core.intake stores it
            stored = Message.query.filter_by(channel=CHANNEL, external_id=stored_id).count()
            if not stored:
                raise MailboxError(f"mail UID {uid} could not be stored; stopping here so that "
                                   "it is fetched again next time")
            ChannelCursor.put(CHANNEL, stream, f"{validity}:{uid}")
            _mark_processed(conn, uid, s["move_to"])
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"the IMAP connection failed: {exc}") from exc
    finally:
        _close(conn)


def _read_cursor(stream: str) -> tuple[str | None, int]:
    value = ChannelCursor.get(CHANNEL, stream) or ""
    validity, _sep, uid = value.partition(":")
    return (validity or None), int(uid) if uid.isdigit() else 0


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _fetch_one(conn: imaplib.IMAP4, uid: int, max_bytes: int):
    """Fetch without setting \\Seen (BODY.PEEK); only the start of a mail over ``max_bytes``."""
    meta = _check(conn.uid("FETCH", str(uid), "(RFC822.SIZE)"), f"FETCH {uid} size")
    size_match = _SIZE.search(b" ".join(m if isinstance(m, bytes) else m[0] for m in meta if m))
    size = int(size_match.group(1)) if size_match else 0
    truncated = size > max_bytes
    if truncated:
        log.warning("mail UID %s is %d bytes, over SESIM_EMAIL_MAX_MESSAGE_BYTES; keeping its "
                    "first %d bytes (text only)", uid, size, max_bytes)
        part = f"BODY.PEEK[]<0.{max_bytes}>"
    else:
        part = "BODY.PEEK[]"
    data = _check(conn.uid("FETCH", str(uid), f"({part})"), f"FETCH {uid}")
    raw = b"".join(item[1] for item in data if isinstance(item, tuple))
    return parse(raw, truncated=truncated)


def _mark_processed(conn: imaplib.IMAP4, uid: int, move_to: str) -> None:
    """Flag the mail \\Seen, or move it to ``move_to`` (when the server can't MOVE: copy, delete)."""
    try:
        if not move_to:
            _check(conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)"), f"STORE {uid}")
        elif "MOVE" in conn.capabilities:
            _check(conn.uid("MOVE", str(uid), _quote(move_to)), f"MOVE {uid}")
        else:
            _check(conn.uid("COPY", str(uid), _quote(move_to)), f"COPY {uid}")
            _check(conn.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)"), f"STORE {uid}")
            _check(conn.expunge(), "EXPUNGE")
    except (MailboxError, OSError, imaplib.IMAP4.error) as exc:  # stored already; only the flag is missing
        log.warning("mail UID %s was stored but could not be marked processed: %s", uid, exc)
