"""Facebook channel: the Messenger/page webhook, polling of conversations and visitor posts for
deployments without webhooks, and private replies through the Send API."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.channels import ChannelInfo, Delivery
from plugins.facebook.events import CHANNEL
from plugins.facebook.graph import DEFAULT_VERSION, GraphError
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
        "SESIM_FACEBOOK_PAGE_NAME": "",  # the page's name shown on the home page
        "SESIM_FACEBOOK_PAGE_URL": "",  # its address, e.g. https://www.facebook.com/sesim.az
    }


@hookimpl
def sesim_channel_info():
    return ChannelInfo(name=CHANNEL, label=_l("Facebook"), send=_send, fetch=_fetch, pushes=True,
                       polled=True, notice="facebook/_public_notice.html")


@hookimpl
def sesim_register_blueprints(app):
    from plugins.facebook.webhook import bp

    app.register_blueprint(bp)


def _fetch(app):
    return fetch_all(app.config)


def _send(message):
    try:
        send(current_app.config, message)
    except GraphError as exc:
        return Delivery.failed(str(exc))
    return Delivery.sent()


@hookimpl
def sesim_doctor_checks(app, live):
    from plugins.facebook.doctor import checks

    return checks(app, live)
