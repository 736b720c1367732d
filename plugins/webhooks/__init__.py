"""Outgoing webhooks: partners hear about published, changed and withdrawn reports.

Each event becomes a signed JSON delivery (public fields only) queued in the plugin's own tables
and sent by ``sesim worker``, with retries and pausing; admins manage partners at
``/admin/webhooks``. The core knows nothing of this plugin: it listens to the report hooks.
"""

from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.jobs import PeriodicJob
from core.nav import NavItem
from plugins.webhooks import models  # noqa: F401  (the plugin's tables join the metadata)


@hookimpl
def sesim_config_defaults():
    return {
        "SESIM_WEBHOOKS_ALLOW_HTTP": False,  # development only: partners must use https
        "SESIM_WEBHOOKS_ALLOW_PRIVATE": False,  # development only: local and private addresses
        "SESIM_WEBHOOKS_TIMEOUT": 5,  # seconds to connect, and to wait for each answer
        "SESIM_WEBHOOKS_PAUSE_AFTER": 20,  # failed attempts in a row before a partner is paused
        "SESIM_WEBHOOKS_INTERVAL": 60,  # seconds between worker runs
    }


@hookimpl
def sesim_register_blueprints(app):
    from plugins.webhooks.views import bp

    app.register_blueprint(bp)


@hookimpl
def sesim_admin_nav_items():
    return [NavItem("webhooks.index", _l("Partner webhooks"), order=80, roles=("admin",))]


@hookimpl
def sesim_report_published(report):
    from plugins.webhooks.events import enqueue

    enqueue("report.published", report)


@hookimpl
def sesim_report_updated(report):
    from plugins.webhooks.events import enqueue

    enqueue("report.updated", report)


@hookimpl
def sesim_report_unpublished(report):
    from plugins.webhooks.events import enqueue

    enqueue("report.unpublished", public_id=report.public_id)


@hookimpl
def sesim_periodic_jobs():
    from flask import current_app

    from plugins.webhooks.events import send_due

    return [PeriodicJob("webhooks", int(current_app.config["SESIM_WEBHOOKS_INTERVAL"]), send_due)]
