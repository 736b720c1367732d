"""After a mail is stored: join it to the conversation it answers, or, on a first contact, send
the woman her case code in her language. Robots (auto-replies, bounces, lists) get no answer."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import casecodes
from core.conversation import claim_answer, is_answer
from core.extensions import db
from core.intake import queue_reply
from core.models import Message
from plugins.email.parsing import CHANNEL
from plugins.email.smtp import CASE_CODE

log = logging.getLogger("sesim.email")

def thread_parent(message: Message) -> Message | None:
    """The earliest stored mail from her that this one answers (her client lists it in
    ``References``, because our reply listed it there)."""
    data = message.data or {}
    ids = [*data.get("references", []), data.get("in_reply_to")]
    ids = [i for i in ids if i and i != message.external_id]
    if not ids:
        return None
    return (Message.query.filter(Message.channel == CHANNEL, Message.direction == "in",
                                 Message.external_id.in_(ids), Message.id != message.id)
            .order_by(Message.received_at, Message.id).first())


def on_received(message: Message) -> None:
    if message.channel != CHANNEL or message.direction != "in" or is_answer(message):
        return  # an answer she sent with her case code is already on her case
    parent = thread_parent(message)
    if parent is not None and parent.sender_hash == message.sender_hash:
        message.in_reply_to_id = parent.id
        message.report_id = parent.report_id
        message.language = message.language or parent.language
        db.session.commit()
        return
    if not _should_send_code(message):
        return
    if not claim_answer(message):
        return  # a follow-up that ran twice (core.followups): her first code stands
    code, code_hash = casecodes.issue()
    message.case_code_hash = code_hash
    # One commit for the claim, the code and the reply that carries it (queue_reply's): a failure
    # leaves none of them, never a code she did not receive.
    queue_reply(message, case_code_text(code, message.language), kind=CASE_CODE)


def _should_send_code(message: Message) -> bool:
    if not current_app.config["SESIM_EMAIL_AUTO_REPLY"] or not message.sender:
        return False
    if (message.data or {}).get("automatic"):
        log.info("no case code for mail %s: it was sent by a robot", message.id)
        return False
    if (message.data or {}).get("sender_unverified"):
        log.info("no case code for mail %s: its sender address failed SPF/DKIM/DMARC", message.id)
        return False
    own = (current_app.config["SESIM_EMAIL_SMTP_FROM"] or "").lower()
    if own and own in message.sender.lower():
        return False
    # One code per sender: her later mails belong to the same conversation for moderators.
    return not Message.query.filter(
        Message.channel == CHANNEL, Message.sender_hash == message.sender_hash,
        Message.case_code_hash.isnot(None), Message.id != message.id,
    ).count()


def case_code_text(code: str, language: str | None) -> str:
    url = current_app.config["SESIM_PUBLIC_URL"].rstrip("/")
    with force_locale(language or current_app.config["SESIM_DEFAULT_LANGUAGE"]):
        parts = [
            _("Thank you for writing to us. Your message has arrived; only our team can read it."),
            _("Your case code is: %(code)s", code=code),
            _("Keep this code somewhere safe. With it you can follow your report at %(url)s. "
              "To add something, just reply to this e-mail.", url=url + "/case")
            if url else _("Keep this code somewhere safe. To add something, just reply to this e-mail."),
            _("If someone else can read this mailbox, delete this e-mail once you have noted the "
              "code."),
        ]
    return "\n\n".join(parts)
