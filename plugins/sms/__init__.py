"""SMS channel: SMSSync, Twilio, an Africa's Talking-style aggregator and a generic HTTP gateway.

Every SMS is stored first (``core.intake.receive``), then answered in the language it was
written in; replies go back through the gateway she used. See ``docs/sms.md``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core import hookimpl
from core.channels import ChannelInfo


@hookimpl
def sesim_config_defaults():
    from plugins.sms.settings import DEFAULTS

    return dict(DEFAULTS)


@hookimpl
def sesim_register_blueprints(app):
    from plugins.sms.views import register

    register(app)


@hookimpl
def sesim_channel_info():
    return ChannelInfo(name="sms", label=_l("SMS"), send=_send, pushes=True, reach=_reach)


def _reach():
    from plugins.sms.settings import report_number

    number = report_number()
    return Markup("{} <strong>{}</strong>").format(_("SMS, from any phone:"), number) if number else ""


def _send(message):
    from plugins.sms.outbound import send

    return send(message)


@hookimpl(trylast=True)  # another plugin's answer (an alert confirmation) goes first
def sesim_message_received(message):
    from plugins.sms.flow import answer_late

    answer_late(message)


@hookimpl
def sesim_doctor_checks(app, live):
    from plugins.sms.doctor import checks

    return checks(app, live)
