"""Staff e-mail over SMTP (notifications, alerts): small, synchronous, called from the worker.

The core never imports the e-mail channel plugin; this module has its own settings so that the
reporting mailbox and the staff mail can be different accounts:

``SESIM_MAIL_SMTP_HOST`` (empty: staff e-mail is off), ``SESIM_MAIL_SMTP_PORT`` (0: 465 with ssl,
587 with starttls, 25 otherwise), ``SESIM_MAIL_SMTP_USER``, ``SESIM_MAIL_SMTP_PASSWORD``,
``SESIM_MAIL_SMTP_TLS`` (``starttls`` | ``ssl`` | ``off``), ``SESIM_MAIL_FROM``,
``SESIM_MAIL_TIMEOUT`` (seconds).

Errors are raised as ``MailError`` with no address in the text: it is stored and logged.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

DEFAULTS = {
    "SESIM_MAIL_SMTP_HOST": "",
    "SESIM_MAIL_SMTP_PORT": 0,
    "SESIM_MAIL_SMTP_USER": "",
    "SESIM_MAIL_SMTP_PASSWORD": "",
    "SESIM_MAIL_SMTP_TLS": "starttls",
    "SESIM_MAIL_FROM": "",
    "SESIM_MAIL_TIMEOUT": 20,
}
TLS_MODES = ("starttls", "ssl", "off")
_ADDRESS = re.compile(r"[^\s<>@\"']+@[^\s<>@\"']+")


class MailError(RuntimeError):
    """Sending failed or is not configured; the text is safe to store and log."""


def _scrub(text: str) -> str:
    return _ADDRESS.sub("<address>", text)


def settings(config=None) -> dict:
    config = config if config is not None else current_app.config
    values = {key: config.get(key, default) for key, default in DEFAULTS.items()}
    values["SESIM_MAIL_SMTP_TLS"] = str(values["SESIM_MAIL_SMTP_TLS"]).strip().lower() or "off"
    return values


def configured(config=None) -> bool:
    return bool(settings(config)["SESIM_MAIL_SMTP_HOST"])


def check(config) -> list[str]:
    """Problems with the staff mail settings, in words a deployer can act on (for doctor)."""
    values, problems = settings(config), []
    if not values["SESIM_MAIL_SMTP_HOST"]:
        return problems
    if values["SESIM_MAIL_SMTP_TLS"] not in TLS_MODES:
        problems.append("SESIM_MAIL_SMTP_TLS must be starttls, ssl or off")
    if "@" not in (values["SESIM_MAIL_FROM"] or values["SESIM_MAIL_SMTP_USER"] or ""):
        problems.append("set SESIM_MAIL_FROM to the address staff e-mails come from")
    return problems


def send(to: str, subject: str, body: str, config=None, headers: dict | None = None) -> None:
    """Send one plain-text mail (with extra ``headers``, e.g. List-Unsubscribe); raise
    ``MailError`` on any failure."""
    values = settings(config)
    host, tls = values["SESIM_MAIL_SMTP_HOST"], values["SESIM_MAIL_SMTP_TLS"]
    sender = values["SESIM_MAIL_FROM"] or values["SESIM_MAIL_SMTP_USER"]
    if not host or "@" not in (sender or ""):
        raise MailError("staff e-mail is not configured: set SESIM_MAIL_SMTP_HOST and SESIM_MAIL_FROM")
    if tls not in TLS_MODES:
        raise MailError("SESIM_MAIL_SMTP_TLS must be starttls, ssl or off")
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(idstring="sesim-staff", domain=sender.rsplit("@", 1)[1].strip(">"))
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    transmit(mail, host, values["SESIM_MAIL_SMTP_PORT"], tls, values["SESIM_MAIL_SMTP_USER"],
             values["SESIM_MAIL_SMTP_PASSWORD"], values["SESIM_MAIL_TIMEOUT"])


def transmit(mail: EmailMessage, host: str, port: int, tls: str, user: str, password: str,
             timeout: float) -> None:
    """Hand ``mail`` to an SMTP server (``tls``: starttls, ssl or off; port 0: the usual one).
    Staff mail and the e-mail channel's replies both go out here. Raises ``MailError`` with no
    address in its text."""
    port = int(port or {"ssl": 465, "starttls": 587}.get(tls, 25))
    try:
        if tls == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=float(timeout),
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=float(timeout))
        with client:
            if tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if user:
                client.login(user, password)
            client.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the SMTP server {host}:{port} rejected the login ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused:
        raise MailError("the SMTP server refused the recipient address") from None
    except smtplib.SMTPResponseException as exc:
        detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        raise MailError(_scrub(f"the SMTP server said {exc.smtp_code} {detail}")) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(_scrub(f"cannot send through {host}:{port}: {exc}")) from None
