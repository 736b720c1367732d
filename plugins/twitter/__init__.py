"""X (Twitter) channel: polls mentions, a search and direct messages; replies by direct message."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.channels import ChannelInfo, Delivery
from plugins.twitter.client import TwitterError
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
        "SESIM_TWITTER_ACCOUNT": "",  # the handle shown on the home page, e.g. @sesim_az
        # Wait out a 429 whose window reopens within this many seconds; 0 never waits.
        "SESIM_TWITTER_MAX_WAIT": 30,
    }


@hookimpl
def sesim_channel_info():
    return ChannelInfo(name=CHANNEL, label=_l("X (Twitter)"), send=_send, fetch=_fetch,
                       polled=True, notice="twitter/_public_notice.html")


@hookimpl
def sesim_register_blueprints(app):
    app.register_blueprint(bp)


def _fetch(app):
    return fetch_all(app.config)


def _send(message):
    try:
        send_direct_message(current_app.config, message)
    except TwitterError as exc:
        return Delivery.failed(str(exc))
    return Delivery.sent()


@hookimpl
def sesim_doctor_checks(app, live):
    from plugins.twitter.doctor import checks

    return checks(app, live)
