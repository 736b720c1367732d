"""A Telegram-like channel, written as a third party would: a bot webhook brings messages in,
replies go out through the bot's HTTP API. It uses only Sesim's public plugin API (hooks,
``core.channels``, ``core.intake``); the core knows nothing about it.

Settings: ``SESIM_TELEGRAM_SECRET`` (the webhook's shared secret, sent by the bot platform in the
``X-Telegram-Bot-Api-Secret-Token`` header), ``SESIM_TELEGRAM_TOKEN`` (the bot token),
``SESIM_TELEGRAM_BOT`` (the bot's public name, shown on the home page) and ``SESIM_TELEGRAM_API``.
"""

from __future__ import annotations

import hmac

import requests
from flask import Blueprint, abort, current_app, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core import hookimpl
from core.channels import ChannelInfo, Delivery
from core.extensions import csrf
from core.intake import Inbound, receive

CHANNEL = "telegram"
bp = Blueprint(CHANNEL, __name__, url_prefix=f"/channels/{CHANNEL}", template_folder="templates")
csrf.exempt(bp)  # the shared secret is the protection


@bp.post("/webhook")
def webhook():
    secret = current_app.config["SESIM_TELEGRAM_SECRET"]
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        abort(403)  # verify before parsing; an unset secret refuses everything
    update = request.get_json(silent=True) or {}
    message = update.get("message") or {}
    if "update_id" not in update or not message.get("text"):
        return {"ok": True}  # stickers, joins…: nothing to store
    receive(Inbound(channel=CHANNEL, external_id=str(update["update_id"]), text=message["text"],
                    sender=str(message["chat"]["id"])))  # stored first, deduplicated by id
    return {"ok": True}


def send(message) -> Delivery:
    config = current_app.config
    url = f"{config['SESIM_TELEGRAM_API']}/bot{config['SESIM_TELEGRAM_TOKEN']}/sendMessage"
    try:
        response = requests.post(url, json={"chat_id": message.sender, "text": message.text},
                                 timeout=10)
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        return Delivery.failed(f"the bot API cannot be reached: {type(exc).__name__}")
    if response.status_code == 429:  # flood control: try again later, nothing is wrong
        return Delivery.deferred(body.get("description", "rate limited"))
    if not body.get("ok"):
        return Delivery.failed(body.get("description") or f"HTTP {response.status_code}")
    return Delivery.sent()


def reach():
    bot = current_app.config["SESIM_TELEGRAM_BOT"]
    return Markup("Telegram: <strong>{}</strong>").format(bot) if bot else ""


@hookimpl
def sesim_config_defaults():
    return {"SESIM_TELEGRAM_SECRET": "", "SESIM_TELEGRAM_TOKEN": "", "SESIM_TELEGRAM_BOT": "",
            "SESIM_TELEGRAM_API": "https://api.telegram.org"}


@hookimpl
def sesim_register_blueprints(app):
    app.register_blueprint(bp)


@hookimpl
def sesim_channel_info():
    return ChannelInfo(name=CHANNEL, label=_l("Telegram"), send=send, pushes=True, reach=reach,
                       notice="telegram/_notice.html")
