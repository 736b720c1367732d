"""X (Twitter) channel: polls mentions, a search and direct messages; replies by direct message."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.channels import ChannelInfo
from plugins.twitter.fetch import fetch_all
from plugins.twitter.inbound import CHANNEL
from plugins.twitter.reply import send_direct_message

# No routes: the blueprint only lends its templates (the public notice) to the site.
bp = Blueprint("twitter", __name__, template_folder="templates")


@hookimpl
def sesim_config_defaults():
    return {
        "SESIM_TWITTER_BEARER_TOKEN": "",
        "SESIM_TWITTER_CONSUMER_KEY": "",
        "SESIM_TWITTER_CONSUMER_SECRET": "",
        "SESIM_TWITTER_ACCESS_TOKEN": "",
        "SESIM_TWITTER_ACCESS_TOKEN_SECRET": "",
        "SESIM_TWITTER_SEARCH": "",
        # Wait out a 429 whose window reopens within this many seconds; 0 never waits.
        "SESIM_TWITTER_MAX_WAIT": 30,
    }


@hookimpl
def sesim_channel_info():
    return ChannelInfo(name=CHANNEL, label=_l("X (Twitter)"), pushes=False, polled=True)


@hookimpl
def sesim_register_blueprints(app):
    app.register_blueprint(bp)


@hookimpl
def sesim_fetch_messages(app, since):
    return fetch_all(app.config)


@hookimpl
def sesim_send_message(message):
    if message.channel != CHANNEL:
        return None
    return send_direct_message(current_app.config, message)


@hookimpl
def sesim_doctor_checks(app, live):
    from plugins.twitter.doctor import checks

    return checks(app, live)
