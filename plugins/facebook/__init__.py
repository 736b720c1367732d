"""Facebook channel: the Messenger/page webhook, polling of conversations and visitor posts for
deployments without webhooks, and private replies through the Send API."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.channels import ChannelInfo
from plugins.facebook.events import CHANNEL
from plugins.facebook.graph import DEFAULT_VERSION
from plugins.facebook.polling import fetch_all
from plugins.facebook.send import send


@hookimpl
def sesim_config_defaults():
    return {
        "SESIM_FACEBOOK_PAGE_ID": "",
        "SESIM_FACEBOOK_PAGE_ACCESS_TOKEN": "",
        "SESIM_FACEBOOK_APP_SECRET": "",
        "SESIM_FACEBOOK_VERIFY_TOKEN": "",
        "SESIM_FACEBOOK_API_VERSION": DEFAULT_VERSION,
    }


@hookimpl
def sesim_channel_info():
    return ChannelInfo(name=CHANNEL, label=_l("Facebook"), pushes=True, polled=True)


@hookimpl
def sesim_register_blueprints(app):
    from plugins.facebook.webhook import bp

    app.register_blueprint(bp)


@hookimpl
def sesim_fetch_messages(app, since):
    return fetch_all(app.config)


@hookimpl
def sesim_send_message(message):
    if message.channel != CHANNEL:
        return None
    return send(current_app.config, message)


@hookimpl
def sesim_doctor_checks(app, live):
    from plugins.facebook.doctor import checks

    return checks(app, live)
