"""What the worker sends: confirmation links, then alerts when they are due — immediately, in a
daily or weekly e-mail digest, or as one short SMS a day at most. Alerts carry the public title,
category, place and a link; never a story. A report that left the public pages before the alert
went out is not mentioned."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.extensions import db
from core.intake import deliver, sender_hash
from core.models import Message
from core.models.base import utcnow
from core.urls import absolute_url
from plugins.alerts import areas
from plugins.alerts.models import AlertItem, AlertSubscription
from plugins.alerts.subscriptions import new_token, purge_unconfirmed

log = logging.getLogger("sesim.alerts")

PERIODS = {"immediate": timedelta(0), "daily": timedelta(days=1), "weekly": timedelta(days=7)}


def queue_report(report) -> int:
    """Note a newly published report for every confirmed subscription that follows its public
    area (and category)."""
    category_ids = [c.id for c in report.categories]
    matching = AlertSubscription.query.filter(
        AlertSubscription.confirmed_at.isnot(None),
        AlertSubscription.area.in_(areas.public_areas(report)),
        db.or_(AlertSubscription.category_id.is_(None),
               AlertSubscription.category_id.in_(category_ids or [-1]))).all()
    for subscription in matching:
        db.session.add(AlertItem(subscription=subscription, report_id=report.id))
    db.session.commit()
    return len(matching)


def _mail(to: str, subject: str, body: str, headers: dict | None = None) -> None:
    from core.mail import send

    send(to, subject, body, headers=headers)


def send_confirmations() -> int:
    from core.mail import MailError

    sent = 0
    for subscription in AlertSubscription.query.filter_by(kind="email", confirm_due=True).all():
        token, hashed = new_token()
        link = absolute_url("alerts.confirm", token=token)
        with force_locale(subscription.language):
            subject = _("Confirm your alerts")
            body = _("Someone, probably you, asked to receive alerts about new published reports "
                     "in %(area)s.\n\nTo confirm, open this link and press the button:\n%(link)s\n\n"
                     "If it was not you, ignore this e-mail: nothing will be sent.",
                     area=areas.name(subscription.area, subscription.language) or _("Azerbaijan"),
                     link=link)
        try:
            _mail(subscription.address, subject, body)
        except MailError as exc:
            log.warning("alert confirmation not sent: %s", exc)
            continue
        subscription.confirm_token_hash, subscription.confirm_sent_at = hashed, utcnow()
        subscription.confirm_due = False
        db.session.commit()
        sent += 1
    return sent


def _due(subscription: AlertSubscription, now) -> bool:
    """Immediate alerts and the first SMS go out at once; then at most one per period."""
    if subscription.kind == "sms":
        period = timedelta(hours=int(current_app.config["SESIM_ALERTS_SMS_EVERY_HOURS"]))
    else:
        period = PERIODS[subscription.frequency]
    if subscription.last_sent_at is None:
        first_wait = timedelta(0) if subscription.kind == "sms" else period
        return now - subscription.confirmed_at >= first_wait
    return now - subscription.last_sent_at >= period


def _lines(reports, language: str) -> list[str]:
    from core.publicdata import public_fields

    lines = []
    for report in reports:
        fields = public_fields(report, language)
        where = ", ".join(p for p in (fields["place"], fields["region"]) if p)
        what = ", ".join(fields["category_names"])
        about = " · ".join(p for p in (what, where, fields["occurred_on"]) if p)
        link = absolute_url("public.report_detail", public_id=fields["id"])
        lines.append(f"- {fields['title']}\n  {about}\n  {link}")
    return lines


def _email(subscription: AlertSubscription, reports) -> None:
    manage = absolute_url("alerts.manage", token=subscription.manage_token)
    unsubscribe = absolute_url("alerts.unsubscribe", token=subscription.manage_token)
    with force_locale(subscription.language):
        area = areas.name(subscription.area, subscription.language) or _("Azerbaijan")
        subject = _("New reports in %(area)s", area=area)
        body = "\n\n".join([
            _("Published on Sesim since the last alert:"),
            "\n".join(_lines(reports, subscription.language)),
            _("Change or stop your alerts: %(link)s", link=manage),
            _("Stop this alert with one click: %(link)s", link=unsubscribe),
        ])
    _mail(subscription.address, subject, body, headers={
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    })


def _sms(subscription: AlertSubscription, reports) -> None:
    from core.publicdata import public_fields

    with force_locale(subscription.language):
        area = areas.name(subscription.area, subscription.language) or _("Azerbaijan")
        names = sorted({name for report in reports
                        for name in public_fields(report, subscription.language)["category_names"]})
        text = _("Sesim: %(count)d new report(s) in %(area)s (%(what)s). %(link)s STOP to end.",
                 count=len(reports), area=area, what=", ".join(names)[:60],
                 link=absolute_url("map.index") if "map" in current_app.blueprints
                 else absolute_url("public.home"))
    now = utcnow()
    message = Message(channel="sms", external_id=f"alert-{subscription.id}-{now:%Y%m%d%H%M%S%f}",
                      direction="out", sender=subscription.address,
                      sender_hash=sender_hash(subscription.address), text=text, status="queued",
                      data={"kind": "alert", **(subscription.via or {})})
    db.session.add(message)
    db.session.commit()
    deliver(message)


def send_alerts(app=None) -> int:
    """Worker job: confirmations, then every due alert; items are deleted once told."""
    from core.mail import MailError

    send_confirmations()
    purge_unconfirmed()
    now, sent = utcnow(), 0
    with_items = db.session.query(AlertItem.subscription_id).distinct()
    waiting = (AlertSubscription.query.filter(AlertSubscription.id.in_(with_items),
                                              AlertSubscription.confirmed_at.isnot(None))
               .order_by(AlertSubscription.id).all())
    for subscription in waiting:
        if not _due(subscription, now):
            continue
        items = list(subscription.items)
        reports = [i.report for i in items if i.report is not None and i.report.status == "published"]
        try:
            if reports:
                (_email if subscription.kind == "email" else _sms)(subscription, reports)
                subscription.last_sent_at = now
                sent += 1
        except MailError as exc:
            log.warning("alert not sent: %s", exc)
            db.session.rollback()
            continue
        for item in items:
            db.session.delete(item)
        db.session.commit()
    return sent
