"""The e-mail channel: IMAP polling of a reporting mailbox, an inbound webhook for providers that
push mail, and replies by SMTP that thread in the woman's mail client. See ``docs/email.md``."""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core import hookimpl
from core.channels import ChannelInfo, Delivery
from plugins.email.parsing import CHANNEL

MB = 1024 * 1024


@hookimpl
def sesim_config_defaults():
    return {
        "SESIM_EMAIL_IMAP_HOST": "",
        "SESIM_EMAIL_IMAP_PORT": 0,  # 0: 993 with ssl, 143 otherwise
        "SESIM_EMAIL_IMAP_USER": "",
        "SESIM_EMAIL_IMAP_PASSWORD": "",
        "SESIM_EMAIL_IMAP_FOLDER": "INBOX",
        "SESIM_EMAIL_IMAP_TLS": "ssl",  # ssl | starttls | off
        "SESIM_EMAIL_IMAP_MOVE_TO": "",  # empty: flag processed mail \Seen; else move it there
        "SESIM_EMAIL_SMTP_HOST": "",
        "SESIM_EMAIL_SMTP_PORT": 0,  # 0: 465 with ssl, 587 with starttls, 25 otherwise
        "SESIM_EMAIL_SMTP_USER": "",
        "SESIM_EMAIL_SMTP_PASSWORD": "",
        "SESIM_EMAIL_SMTP_FROM": "",
        "SESIM_EMAIL_SMTP_TLS": "starttls",  # ssl | starttls | off
        "SESIM_EMAIL_INBOUND_SECRET": "",
        "SESIM_EMAIL_AUTO_REPLY": True,
        "SESIM_EMAIL_TIMEOUT": 30,
        "SESIM_EMAIL_MAX_MESSAGE_BYTES": 30 * MB,
        "SESIM_EMAIL_MAX_ATTACHMENT_BYTES": 8 * MB,
        "SESIM_EMAIL_MAX_ATTACHMENTS": 10,
        "SESIM_EMAIL_MAX_UNPACKED_BYTES": 50 * MB,
        # The address shown on the home page as a way to report; empty: not shown.
        # SESIM_REPORT_EMAIL, its name before it moved here, is still read (deprecated).
        "SESIM_EMAIL_REPORT_ADDRESS": "",
    }


@hookimpl
def sesim_channel_info():
    # Polled only when a mailbox is configured, so the worker does not fail every few minutes
    # on a deployment that only uses the webhook.
    polled = has_app_context() and bool(current_app.config.get("SESIM_EMAIL_IMAP_HOST"))
    return ChannelInfo(name=CHANNEL, label=_l("E-mail"), send=_send, fetch=_fetch, pushes=True,
                       polled=polled, reach=_reach)


def _reach():
    config = current_app.config
    address = config.get("SESIM_EMAIL_REPORT_ADDRESS") or config.get("SESIM_REPORT_EMAIL")
    if not address:
        return ""
    return Markup("{} <strong>{}</strong>").format(
        _("E-mail, from any address (a new one is safest):"), address)


@hookimpl
def sesim_register_blueprints(app):
    from plugins.email.webhook import bp

    app.register_blueprint(bp)


def _fetch(app):
    from plugins.email.imap import fetch_messages

    return fetch_messages(app.config)


def _send(message):
    from plugins.email.smtp import SendError, send

    if message.direction != "out":
        return Delivery.failed("only outbound messages are sent")
    try:
        send(message)
    except SendError as exc:
        return Delivery.failed(str(exc))
    return Delivery.sent()


@hookimpl
def sesim_message_received(message):
    from plugins.email.replies import on_received

    on_received(message)


@hookimpl
def sesim_doctor_checks(app, live):
    from plugins.email.doctor import checks

    return checks(app, live)
