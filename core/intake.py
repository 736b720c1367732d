"""The one way a channel hands the core an inbound message: store first, then tell the plugins.

``receive`` commits the message before any plugin sees it, recognises a repeated delivery by
``(channel, external_id)`` and returns the stored row instead of a duplicate. A plugin that raises
afterwards cannot lose the message: it is already in the database. Everything after the store is
recorded in one more commit (two per message: SQLite's commits cost a disk flush each).

When the database cannot be written (down, read-only, full) the message goes to the encrypted
local spool instead (``core.spool``) and ``receive`` raises ``Spooled``: the channel may then tell
its gateway "received", because ``sesim worker`` stores it once the database is back. If the spool
cannot keep it either, ``NotKept`` is raised and the channel must answer so its gateway retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from core import casecodes, conversation, health, spool
from core.crypto import keyed_hash
from core.extensions import db
from core.models import Message
from core.models.base import utcnow
from core.plugins import first_result, notify_plugins
from core.redaction import redact
from core.text import clean, clean_data

log = logging.getLogger("sesim.intake")

MAX_TEXT = 20_000  # characters kept; longer bodies are cut, with a note for moderators


@dataclass
class Inbound:
    """A message as a channel received it, before it is stored."""

    channel: str
    external_id: str
    text: str
    sender: str | None = None
    received_at: datetime | None = None
    subject: str | None = None
    language: str | None = None
    data: dict = field(default_factory=dict)
    # ``(filename, content_type, bytes)``; photos are cleaned by ``core.media`` as they are stored.
    attachments: list = field(default_factory=list)
    # ``core.conversation.Case.key`` when she answers on /case; a text starting with her case code
    # finds its case by itself, on every channel.
    case_key: str | None = None


class Spooled(Exception):
    """Not in the database, but durably kept in the spool: answer the gateway with success."""

    def __init__(self, name: str):
        super().__init__(f"kept in the spool as {name}")
        self.name = name


class NotKept(Exception):
    """Neither the database nor the spool could keep it: the gateway must send it again."""


def sender_hash(sender: str | None) -> str | None:
    if not sender:
        return None
    return keyed_hash(sender.strip().lower(), "sender")


def _find(channel: str, external_id: str) -> Message | None:
    return Message.query.filter_by(channel=channel, external_id=external_id).one_or_none()


def receive(inbound: Inbound) -> tuple[Message, bool]:
    """Store ``inbound``; return ``(message, created)``. ``created`` is False for a repeat.

    Raises ``Spooled`` when the database is unavailable but the spool kept the message, and
    ``NotKept`` when neither could.
    """
    try:
        return _receive(inbound)
    except Exception as exc:
        if not spool.is_database_down(exc):
            raise
        spool.forget_session()
        try:
            name = spool.put("inbound", f"{inbound.channel}:{inbound.external_id}",
                             _serialise(inbound))
        except spool.SpoolError as error:
            raise NotKept(str(error)) from exc
        raise Spooled(name) from exc


def _serialise(inbound: Inbound) -> dict:
    return {
        "channel": inbound.channel,
        "external_id": str(inbound.external_id),
        "text": inbound.text,
        "sender": inbound.sender,
        "received_at": (inbound.received_at or utcnow()).isoformat(),
        "subject": inbound.subject,
        "language": inbound.language,
        "data": {**clean_data(dict(inbound.data)), "spooled": True},
        "attachments": [[name, kind, spool.encode_bytes(payload)]
                        for name, kind, payload in inbound.attachments],
        "case_key": inbound.case_key,
    }


def replay_inbound(payload: dict) -> None:
    """Store a spooled message (the spool's ``inbound`` handler); a repeat is recognised."""
    _receive(Inbound(
        channel=payload["channel"], external_id=payload["external_id"], text=payload["text"],
        sender=payload["sender"], received_at=datetime.fromisoformat(payload["received_at"]),
        subject=payload["subject"], language=payload["language"], data=payload["data"],
        attachments=[(name, kind, spool.decode_bytes(blob))
                     for name, kind, blob in payload["attachments"]],
        case_key=payload.get("case_key"),
    ))


def _receive(inbound: Inbound) -> tuple[Message, bool]:
    external_id = clean(str(inbound.external_id))[:255]
    text = clean(inbound.text or "")
    data = clean_data(dict(inbound.data))
    case, text = _case_of(inbound, text)
    if len(text) > MAX_TEXT:
        data["truncated_from"] = len(text)
        text = text[:MAX_TEXT]
    message = Message(
        channel=inbound.channel,
        external_id=external_id,
        direction="in",
        sender=clean(inbound.sender),
        sender_hash=sender_hash(clean(inbound.sender)),
        text=text,
        subject=(inbound.subject or None) and clean(inbound.subject)[:255],
        language=inbound.language,
        received_at=inbound.received_at or utcnow(),
        data=data,
        status="new",
        attachments=[],  # known empty: reading it after the INSERT would cost a query
    )
    if case is not None:
        conversation.link_answer(message, case)
    db.session.add(message)
    stored = []
    try:
        db.session.flush()  # a repeat fails here, on the unique key, before any photo is handled
        _known_after_insert(message)
        _store_attachments(message, inbound.attachments, stored)
        for attachment in message.attachments:  # an answer's photo shows on her report
            attachment.report_id = message.report_id
        _commit(message)
    except BaseException as exc:
        _remove_files(stored)  # no row points at them
        if not isinstance(exc, IntegrityError):
            raise
        # A repeated delivery (most new messages are new, so no look-up before the insert).
        db.session.rollback()
        existing = _find(inbound.channel, external_id)
        if existing is None:
            raise
        if not (existing.data or {}).get("processed"):
            # Stored, but the process died before the follow-up ran: run it now.
            follow_up_late(existing)
        return existing, False

    health.received(message.channel, health.gateway_of(message.data))
    follow_up(message)
    return message, True


def _known_after_insert(row) -> None:
    """A column the INSERT left out and that has no default of any kind is NULL: record that, so
    reading one later does not SELECT the row again."""
    state = inspect(row)
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        if attr.key not in state.dict and column.default is None and column.server_default is None:
            set_committed_value(row, attr.key, None)


def _commit(message: Message) -> None:
    """Commit, keeping ``message``'s column values loaded: nobody else changed them in between, and
    reading them back would cost a query per commit."""
    state = inspect(message)
    kept = {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs
            if attr.key in state.dict}
    db.session.commit()
    for key, value in kept.items():
        set_committed_value(message, key, value)


def _case_of(inbound: Inbound, text: str):
    """``(case, text)``: the open case this message continues, if any, and the text to store. A
    leading case code is cut from the text once it matched a case (a code is never stored); an
    unknown code stays in the text, as she typed it. A withdrawn case takes nothing more."""
    code, rest = casecodes.split_leading(text) if not inbound.case_key else (None, text)
    if not inbound.case_key and code is None:
        return None, text
    try:
        case = conversation.by_key(inbound.case_key) if inbound.case_key else conversation.find(code)
    except SQLAlchemyError:  # the store below meets the same outage and handles it
        db.session.rollback()
        return None, text
    if case is None:
        return None, text
    if case.withdrawn:
        return None, rest
    return case, rest


def _store_attachments(message: Message, attachments, stored: list) -> None:
    """Clean and write each file, adding it to ``stored`` as soon as it is on disk."""
    from core.media import store_upload  # media needs the app's upload folder

    for filename, content_type, payload in attachments:
        stored.append(store_upload(payload, filename=filename, content_type=content_type,
                                   message=message))


def _remove_files(attachments) -> None:
    from core import storage

    for attachment in attachments:
        storage.forget(attachment.stored_name)


SUGGESTION_CHARS = 4000  # a long mail is judged by its start
FOLLOW_UP_TRIES = 3  # follow-ups in which a plugin fails before it is given up on (logged)


def follow_up(message: Message) -> None:
    """Suggestions, the spam verdict and ``sesim_message_received`` for a stored message, recorded
    with ``data["processed"]`` in one commit. Failures are logged; the message stays stored."""
    found = _suggestions(message)
    spam = _is_spam(message)

    def record() -> dict:
        data = dict(message.data or {})
        if found is not None:
            data["suggestions"] = found
            message.language = message.language or found["language"]
        if spam:
            message.status = "spam"
        return data

    # After a follow-up in which plugins failed, only they are called again: the others' answers
    # and deliveries are done.
    again = (message.data or {}).get("plugins_failed")
    message.data = record()  # the plugins see them; a plugin's failed write rolls them back
    failed = []
    if message.status != "spam":
        failed = notify_plugins("sesim_message_received", only=again, message=message)
    try:
        message.data = _outcome(message.id, record(), failed)
        conversation.mark_thread_answer(message)  # an e-mail a plugin threaded onto a report
        _commit(message)
    except Exception:
        db.session.rollback()
        log.exception("could not record the follow-up of message %s", message.id)


def _outcome(message_id: int, data: dict, failed: list[str]) -> dict:
    """``data`` marked ``processed``; or, when plugins failed (a database that was busy, a
    server that did not answer), left for the worker's next late follow-up (core.followups), which
    calls those plugins again, up to ``FOLLOW_UP_TRIES`` follow-ups in all."""
    data.pop("plugins_failed", None)
    if not failed:
        return {**data, "processed": True}
    tries = data.get("follow_up_tries", 0) + 1
    data.update(plugins_failed=failed, follow_up_tries=tries)
    if tries < FOLLOW_UP_TRIES:
        log.warning("message %s: %s failed, tried again by the worker", message_id, ", ".join(failed))
        return data
    log.error("message %s: %s failed %d times, given up", message_id, ", ".join(failed), tries)
    return {**data, "processed": True}


def follow_up_late(message: Message) -> None:
    """``follow_up`` for a message whose request died before it (a repeated delivery, or the
    worker: core.followups), marked ``late`` first, in a commit of its own so that no rollback
    inside the follow-up loses it: plugins answer her by their channel's own sending then."""
    message.data = {**(message.data or {}), "late": True}
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not mark message %s late; the worker follows it up", message.id)
        return
    follow_up(message)


def _suggestions(message: Message) -> dict | None:
    """Language, place and category hints for moderators (``data["suggestions"]``), worked out only
    once the message is safely stored, for every channel alike; never published by themselves."""
    from flask import current_app

    from core import detection

    text = f"{message.subject or ''}\n{message.text or ''}".strip()
    if not text or "suggestions" in (message.data or {}):  # a channel may bring its own hints
        return None
    try:
        return detection.suggestions(text[:SUGGESTION_CHARS], current_app.config["SESIM_DEFAULT_LANGUAGE"])
    except Exception:
        log.exception("text analysis failed for message %s", message.id)
        return None


def _is_spam(message: Message) -> bool:
    try:
        return first_result("sesim_spam_verdict", message=message) is True
    except Exception:
        db.session.rollback()
        log.exception("spam check failed for message %s", message.id)
        return False


def queue_reply(original: Message, text: str, **data) -> Message:
    """Store an outbound reply to ``original`` (same channel, same sender) and try to send it.

    Stored first so a failed or slow gateway never loses a moderator's words; gateways that are
    pulled (SMSSync) find it still ``queued``.
    """
    reply = Message(
        channel=original.channel,
        external_id=f"out-{utcnow():%Y%m%d%H%M%S%f}-{original.id}",
        direction="out",
        sender=original.sender,
        sender_hash=original.sender_hash,
        text=text,
        language=original.language,
        status="queued",
        data=data,
        report_id=original.report_id,
        in_reply_to_id=original.id,
    )
    db.session.add(reply)
    db.session.commit()
    deliver(reply)
    return reply


def deliver(message: Message) -> bool:
    """Hand a queued outbound message to the ``send`` of its channel and record the ``Delivery``:
    sent, deferred (stays queued, e.g. for the SMSSync phone) or failed with a reason."""
    from core.channels import Delivery, get

    info = get(message.channel)
    if info is None or info.send is None:
        log.info("message %s stays queued: channel %s cannot send", message.id, message.channel)
        return False
    try:
        result = info.send(message)
    except Exception as exc:  # a bug or an unexpected gateway error: a failure like any other
        db.session.rollback()
        result = Delivery.failed(str(exc) or type(exc).__name__)
    if not isinstance(result, Delivery):
        result = Delivery.failed(f"channel {message.channel} returned {result!r}, not a Delivery")
    gateway = (message.data or {}).get("gateway", "")  # as the channel recorded it
    if result.state == "sent":
        message.status, message.error = "sent", None
        db.session.commit()
        health.ok(message.channel, gateway)
        return True
    if result.state == "deferred":
        log.debug("message %s deferred: %s", message.id, result.reason)
        if message.status != "failed":  # a retry keeps the reason staff were shown
            message.status, message.error = "queued", None
        db.session.commit()
        return False
    reason = redact(result.reason)[:500]  # gateways quote the recipient's number in errors
    log.warning("channel %s could not send message %s: %s", message.channel, message.id, reason)
    message.status, message.error = "failed", reason
    db.session.commit()
    health.failed(message.channel, reason, gateway)
    return False
