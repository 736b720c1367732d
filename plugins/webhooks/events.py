"""What a partner receives, and when. An event becomes one delivery row per interested webhook in
the same request that caused it; ``sesim worker`` sends due deliveries and retries failures with
exponential back-off for up to a day. A partner that keeps failing is paused and admins are told."""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.extensions import db
from core.models.base import utcnow
from core.publicdata import public_fields
from core.urls import absolute_url
from plugins.webhooks import delivery, signing
from plugins.webhooks.models import Webhook, WebhookDelivery

log = logging.getLogger("sesim.webhooks")

FIRST_RETRY = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(days=1)
BATCH = 100


def body_for(event: str, report=None, public_id: str | None = None) -> dict:
    """The JSON a partner gets: the public fields only (as the API), or only the id when the report
    left the public outputs."""
    event_id = uuid.uuid4().hex
    if event == "report.unpublished":
        data = {"id": public_id or report.public_id}
    elif event == "ping":
        data = {"message": "test event from Sesim"}
    else:
        data = public_fields(report)
    return {"id": event_id, "event": event, "created": utcnow().isoformat() + "Z", "data": data}


def enqueue(event: str, report=None, public_id: str | None = None, only: Webhook | None = None) -> list:
    """Queue ``event`` for every webhook that wants it (or just ``only``); the caller's request
    commits nothing more: this commits the deliveries itself."""
    webhooks = [only] if only is not None else [
        w for w in Webhook.query.filter(Webhook.active.is_(True), Webhook.paused_at.is_(None))
        if w.wants(event)]
    queued = []
    for webhook in webhooks:
        body = body_for(event, report, public_id)
        queued.append(WebhookDelivery(webhook=webhook, event=event, event_id=body["id"],
                                      body=json.dumps(body, ensure_ascii=False, sort_keys=True)))
    if queued:
        db.session.add_all(queued)
        db.session.commit()
    return queued


def attempt(item: WebhookDelivery) -> bool:
    """Send ``item`` once and record the outcome; return True when the partner took it."""
    webhook = item.webhook
    body = item.body.encode("utf-8")
    now_ts = int(time.time())
    headers = {signing.HEADER: signing.sign(webhook.secret, now_ts, body),
               "Sesim-Event": item.event, "Sesim-Delivery": item.event_id}
    outcome = delivery.post(webhook.url, body, headers)
    now = utcnow()
    item.attempts += 1
    item.last_status_code = outcome.status
    if outcome.ok:
        item.status, item.delivered_at, item.body, item.last_error = "sent", now, None, None
        webhook.consecutive_failures = 0
    else:
        item.last_error = (outcome.error or "")[:300]
        webhook.consecutive_failures += 1
        if now - item.created_at >= GIVE_UP_AFTER:
            item.status, item.body = "gave_up", None
        else:
            item.status = "failed"
            item.next_attempt_at = now + FIRST_RETRY * 2 ** (item.attempts - 1)
        if (webhook.paused_at is None
                and webhook.consecutive_failures >= int(current_app.config["SESIM_WEBHOOKS_PAUSE_AFTER"])):
            pause(webhook, now)
    db.session.commit()
    return outcome.ok


def pause(webhook: Webhook, now) -> None:
    """Stop sending to a partner that keeps failing, and say so to the admins."""
    from core.admin.audit import record

    webhook.paused_at = now
    record("webhook.paused", webhook, after={"url": webhook.url,
                                             "failures": webhook.consecutive_failures}, user=None)
    log.warning("webhook %s paused after %d failures", webhook.id, webhook.consecutive_failures)
    _tell_admins(webhook)


def _tell_admins(webhook: Webhook) -> None:
    """An e-mail to each active admin that says which partner stopped, and nothing else."""
    from core import mail
    from core.models import User

    if not mail.configured():
        return  # the audit log and the webhooks page say it
    link = absolute_url("webhooks.detail", webhook_id=webhook.id)
    for admin in User.query.filter_by(role="admin", active=True).all():
        with force_locale(admin.language or current_app.config["SESIM_DEFAULT_LANGUAGE"]):
            subject = _("Sesim: a partner webhook was paused")
            body = _("Sending events to %(url)s failed %(count)d times in a row, so it is paused. "
                     "Check the partner's server, then resume it here: %(link)s",
                     url=webhook.url, count=webhook.consecutive_failures, link=link)
        try:
            mail.send(admin.email, subject, body)
        except mail.MailError as exc:
            log.warning("could not tell an admin that webhook %s is paused: %s", webhook.id, exc)


def send_due(app=None) -> int:
    """Worker job: send every delivery that is due, oldest first; return how many went out."""
    due = (WebhookDelivery.query.join(Webhook)
           .filter(WebhookDelivery.status.in_(("pending", "failed")),
                   WebhookDelivery.next_attempt_at <= utcnow(),
                   Webhook.active.is_(True), Webhook.paused_at.is_(None))
           .order_by(WebhookDelivery.id).limit(BATCH).all())
    return sum(1 for item in due if attempt(item))
