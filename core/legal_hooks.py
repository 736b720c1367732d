"""The core's own casework hook: a new report asking for legal help, from any channel, opens its
case and tells the lawyers (the e-mails leave with the worker's ``staff-mail`` job)."""

from core.extensions import db
from core.hookspecs import hookimpl


@hookimpl
def sesim_report_created(report):
    from core import legal

    if legal.open_if_requested(report) is not None:
        db.session.commit()
