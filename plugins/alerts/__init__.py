"""Alerts: visitors hear about new published reports in a region or district they follow, by
e-mail (double opt-in, digests, one-click unsubscribe) or by SMS (``ALERT <place>``, STOP).

Listens to ``sesim_report_published`` and ``sesim_message_received``; sends through the worker.
The core knows nothing of it; its tables live in its own Alembic branch (``migrations/``).
"""

from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.jobs import PeriodicJob
from core.nav import NavItem
from plugins.alerts import models  # noqa: F401  (the plugin's tables join the metadata)


@hookimpl
def sesim_config_defaults():
    return {
        "SESIM_ALERTS_RATELIMIT": "5 per hour;20 per day",  # subscriptions from one visitor
        "SESIM_ALERTS_CONFIRM_DAYS": 7,  # a confirmation link works this long
        "SESIM_ALERTS_SMS_EVERY_HOURS": 24,  # at most one SMS alert per number in this time
        "SESIM_ALERTS_INTERVAL": 60,  # seconds between worker runs
    }


@hookimpl
def sesim_register_blueprints(app):
    from plugins.alerts.views import bp

    app.register_blueprint(bp)


@hookimpl
def sesim_nav_items():
    return [NavItem("alerts.index", _l("Alerts"), order=80)]


@hookimpl
def sesim_report_published(report):
    from plugins.alerts.sending import queue_report

    queue_report(report)


@hookimpl
def sesim_message_received(message):
    from plugins.alerts.keywords import handle

    handle(message)


@hookimpl
def sesim_periodic_jobs():
    from flask import current_app

    from plugins.alerts.sending import send_alerts

    return [PeriodicJob("alerts", int(current_app.config["SESIM_ALERTS_INTERVAL"]), send_alerts)]
