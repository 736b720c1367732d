"""Sending replies by SMTP so that they thread under the woman's own mail.

``In-Reply-To`` and ``References`` point at her mail's Message-ID; our own Message-ID is kept in
``Message.data`` before the first try, so a retry sends the same mail, not a new thread. Errors are
re-raised without any address in them: ``Message.error`` and the logs are not encrypted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.mail import MailError, transmit

CASE_CODE = "case-code"  # Message.data["kind"] of the automatic reply (as for SMS)
_CODE = re.compile(r"\b\d{4}-\d{4}-\d{4}\b")


class SendError(RuntimeError):
    """Sending failed; the text is safe to store and log."""


def _tls(config) -> str:
    tls = str(config["SESIM_EMAIL_SMTP_TLS"]).strip().lower()
    return {"true": "starttls", "1": "starttls", "yes": "starttls", "on": "starttls",
            "false": "off", "0": "off", "no": "off", "": "off", "none": "off"}.get(tls, tls)


def build(message, config) -> EmailMessage:
    """The mail for an outbound ``Message``, threaded under the mail it answers."""
    sender = config["SESIM_EMAIL_SMTP_FROM"] or config["SESIM_EMAIL_SMTP_USER"]
    if not config["SESIM_EMAIL_SMTP_HOST"] or "@" not in (sender or ""):
        raise SendError("sending e-mail is not configured: set SESIM_EMAIL_SMTP_HOST and "
                        "SESIM_EMAIL_SMTP_FROM")
    if not message.sender:
        raise SendError("the reply has no recipient address")
    original = message.in_reply_to
    data = dict(message.data or {})
    if "message_id" not in data:
        data["message_id"] = make_msgid(idstring="sesim", domain=sender.rsplit("@", 1)[1].strip(">"))
        message.data = data  # committed with the outcome, so a retry keeps the same id

    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.sender
    mail["Subject"] = _subject(original, message.language)
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = data["message_id"]
    if original is not None and (original.data or {}).get("message_id"):
        parent = original.data["message_id"]
        mail["In-Reply-To"] = parent
        mail["References"] = " ".join([*original.data.get("references", [])[-10:], parent])
    if data.get("kind") == CASE_CODE:
        mail["Auto-Submitted"] = "auto-replied"  # RFC 3834: other robots must not answer
    mail.set_content(message.text)
    return mail


def _subject(original, language: str | None) -> str:
    if original is not None and original.subject:
        subject = original.subject
        return subject if subject.lower().startswith("re:") else f"Re: {subject}"
    with force_locale(language or current_app.config["SESIM_DEFAULT_LANGUAGE"]):
        return _("Your message to %(site)s", site=current_app.config["SESIM_SITE_NAME"])


def send(message) -> bool:
    config = current_app.config
    mail = build(message, config)
    try:
        transmit(mail, config["SESIM_EMAIL_SMTP_HOST"], config["SESIM_EMAIL_SMTP_PORT"], _tls(config),
                 config["SESIM_EMAIL_SMTP_USER"], config["SESIM_EMAIL_SMTP_PASSWORD"],
                 config["SESIM_EMAIL_TIMEOUT"])
    except MailError as exc:
        raise SendError(str(exc)) from None
    if (message.data or {}).get("kind") == CASE_CODE:
        # Sent: the code now lives only in her mailbox; the database keeps its slow hash.
        message.text = _CODE.sub("····-····-····", message.text)
    return True
