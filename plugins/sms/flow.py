"""One path for every gateway: store the SMS first, then keywords, suggestions and the reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from core import casecodes
from core.conversation import claim_answer, is_answer
from core.crypto import keyed_hash
from core.extensions import db
from core.followups import WITHIN
from core.intake import Inbound, Spooled, queue_reply, receive
from core.models import Message
from core.models.base import utcnow
from core.resources import sms_lines
from plugins.sms import replies
from plugins.sms.settings import setting

log = logging.getLogger("sesim.sms")

MAX_SENDER = 64


@dataclass
class Outcome:
    message: Message | None  # None when the database was down and the SMS went to the spool
    created: bool
    reply: Message | None = None

    @property
    def spooled(self) -> bool:
        return self.message is None


def derived_id(*parts: str) -> str:
    """An id for gateways that send none: the same SMS delivered twice gets the same id, and the
    id reveals nothing about the sender."""
    return "derived-" + keyed_hash("|".join(parts), "sms-id")[:40]


def accept(gateway: str, external_id: str, sender: str, text: str, sent_at: datetime | None,
           problems: list[str], extras: dict | None = None) -> Outcome:
    """Store the SMS (idempotently), then answer it; a failure after storing is logged, not raised.

    With the database down the SMS is kept in the spool (no reply until it is stored); when the
    spool cannot keep it either, ``core.intake.NotKept`` propagates and the gateway is asked to
    send it again.
    """
    text = (text or "").strip()
    data = {"gateway": gateway, **(extras or {})}
    if not text:
        problems = [*problems, "empty"]
    if problems:
        data["problems"] = sorted(set(problems))
    try:
        message, created = receive(Inbound(
            channel="sms",
            external_id=f"{gateway}:{external_id}",
            sender=sender.strip()[:MAX_SENDER],
            text=text,
            received_at=sent_at,
            data=data,
        ))
    except Spooled:
        return Outcome(None, True)
    outcome = Outcome(message, created)
    # A repeat is answered when the first delivery was not: its request died after the store.
    if created or _unanswered(message, recent_only=True):
        outcome.reply = respond(message, gateway, twiml=True, text=text)
    return outcome


def answer_late(message: Message) -> None:
    """An SMS whose request is gone gets its answer (her case code, or HELP) once it is followed
    up: one kept in the spool while the database was down (stored by the replay), or one whose
    request died after storing it (``late``: followed up by a repeated delivery or the worker,
    core.followups). The gateway's request is long gone: the reply goes by REST or SMSSync's queue."""
    data = message.data or {}
    if message.channel != "sms" or message.direction != "in" \
            or not (data.get("spooled") or data.get("late")):
        return
    # The spool is replayed as soon as the database is back; a late one may be days old.
    if _unanswered(message, recent_only=not data.get("spooled")):
        respond(message, data.get("gateway", ""), twiml=False)


def _unanswered(message: Message, recent_only: bool) -> bool:
    """Whether a repeat or a late follow-up should try to answer: nothing answered her yet, and,
    with ``recent_only``, the SMS was sent in the last ``core.followups.WITHIN``: an answer about a
    report arriving days later, on a phone that may be shared, is a danger of its own. ``respond``
    claims the answer."""
    try:
        return message.answered_at is None and \
            (not recent_only or message.received_at >= utcnow() - WITHIN)
    except SQLAlchemyError:  # the database failed again: the worker tries later
        db.session.rollback()
        log.exception("could not tell whether SMS message %s was answered", message.id)
        return False


def respond(message: Message, gateway: str, twiml: bool, text: str | None = None) -> Message | None:
    """Read a keyword in ``text`` (as she sent it; default: as stored) and queue the answer; a
    failure is logged, the message stays stored."""
    try:
        found = replies.keyword(message.text or "" if text is None else text)
        if found:  # the keyword's own language beats the guess from one word
            message.language = found.language
            message.data = {**message.data, "keyword": found.name}
        reply = _answer(message, gateway, found, twiml)
        db.session.commit()  # the keyword and case code go with the reply: one commit
        return reply
    except Exception:  # the message is stored; a failed reply must not fail the webhook
        db.session.rollback()
        log.exception("could not answer SMS message %s", message.id)
        return None


def _answer(message: Message, gateway: str, found: replies.Keyword | None,
            twiml: bool) -> Message | None:
    if found is not None:
        message.status = "ignored"  # a keyword is not a report; moderators still see it
    if message.status == "spam" or not message.text or (found and found.name != "help"):
        return None  # STOP and START get no answer: silence is the safest confirmation
    auto = bool(setting("AUTO_REPLY"))
    if not (setting("HELP_REPLY") if found is not None else auto):
        return None
    if replies.opted_out(message.sender_hash):
        return None
    via = {"via": "twiml"} if gateway == "twilio" and twiml else {}
    reply_gateway = gateway if gateway in ("twilio", "smssync") else None
    if found is None and is_answer(message):
        return None  # an answer on her case (sent with her code) needs no new code
    if not claim_answer(message):
        return None  # answered already, or by another request or the worker right now
    if found is not None:
        text = replies.help_text(message.language, case_codes=auto)
        support = sms_lines(None, message.language or "az")  # her region is unknown here
        if support:
            text = f"{text}\n{support}"
        return queue_reply(message, text, gateway=reply_gateway, kind="help", **via)
    code, code_hash = casecodes.issue()
    message.case_code_hash = code_hash
    text = replies.case_code_text(message.language, code)
    return queue_reply(message, text, gateway=reply_gateway, kind="case-code", **via)
