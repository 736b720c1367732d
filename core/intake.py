"""The one way a channel hands the core an inbound message: store first, then tell the plugins.

``receive`` commits the message before any plugin sees it, recognises a repeated delivery by
``(channel, external_id)`` and returns the stored row instead of a duplicate. A plugin that raises
afterwards cannot lose the message: it is already in the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core import casecodes, conversation, health
from core.crypto import keyed_hash
from core.extensions import db
from core.models import Message
from core.models.base import utcnow
from core.plugins import call_hook, first_result
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


def sender_hash(sender: str | None) -> str | None:
    if not sender:
        return None
    return keyed_hash(sender.strip().lower(), "sender")


def _find(channel: str, external_id: str) -> Message | None:
    return Message.query.filter_by(channel=channel, external_id=external_id).one_or_none()


def receive(inbound: Inbound) -> tuple[Message, bool]:
    """Store ``inbound``; return ``(message, created)``. ``created`` is False for a repeat."""
    external_id = clean(str(inbound.external_id))[:255]
    existing = _find(inbound.channel, external_id)
    if existing is not None:
        if not (existing.data or {}).get("processed"):
            # Stored, but the process died before the follow-up ran: run it now.
            annotate(existing)
            after_store(existing)
        return existing, False

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
    )
    if case is not None:
        conversation.link_answer(message, case)
    db.session.add(message)
    try:
        db.session.flush()
        _store_attachments(message, inbound.attachments)
        for attachment in message.attachments:  # an answer's photo shows on her report
            attachment.report_id = message.report_id
        db.session.commit()
    except IntegrityError:
        # Two deliveries raced; the other one won and is the stored copy.
        db.session.rollback()
        existing = _find(inbound.channel, external_id)
        if existing is None:
            raise
        return existing, False

    health.received(message.channel, health.gateway_of(message.data))
    annotate(message)
    after_store(message)
    return message, True


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


def _store_attachments(message: Message, attachments) -> None:
    from core.media import store_upload  # media needs the app's upload folder

    for filename, content_type, payload in attachments:
        store_upload(payload, filename=filename, content_type=content_type, message=message)


SUGGESTION_CHARS = 4000  # a long mail is judged by its start


def annotate(message: Message) -> None:
    """Language, place and category hints for moderators (``data["suggestions"]``), worked out only
    once the message is safely stored, for every channel alike; never published by themselves."""
    from flask import current_app

    from core import detection

    text = f"{message.subject or ''}\n{message.text or ''}".strip()
    if not text or "suggestions" in (message.data or {}):  # a channel may bring its own hints
        return
    try:
        found = detection.suggestions(text[:SUGGESTION_CHARS], current_app.config["SESIM_DEFAULT_LANGUAGE"])
        message.data = {**(message.data or {}), "suggestions": found}
        message.language = message.language or found["language"]
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("text analysis failed for message %s", message.id)


def after_store(message: Message) -> None:
    """Spam verdict and ``sesim_message_received``; failures are logged, the message stays."""
    try:
        if first_result("sesim_spam_verdict", message=message) is True:
            message.status = "spam"
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("spam check failed for message %s", message.id)
    if message.status != "spam":
        call_hook("sesim_message_received", message=message)
    try:
        conversation.mark_thread_answer(message)
        message.data = {**(message.data or {}), "processed": True}
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not mark message %s as processed", message.id)


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
    """Ask the channel plugin to send a queued outbound message; record the outcome."""
    from core.plugins import host

    for plugin, send in host().implementations("sesim_send_message"):
        try:
            handled = send(message=message)
        except Exception as exc:
            reason = redact(str(exc))[:500]  # gateways quote the recipient's number in errors
            log.warning("plugin %s could not send message %s: %s", plugin, message.id, reason)
            message.status, message.error = "failed", reason
            db.session.commit()
            health.failed(message.channel, reason, (message.data or {}).get("gateway", ""))
            return False
        if handled:
            message.status, message.error = "sent", None
            db.session.commit()
            health.ok(message.channel, (message.data or {}).get("gateway", ""))
            return True
    return False
