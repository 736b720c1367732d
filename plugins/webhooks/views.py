"""``/admin/webhooks``: admins register partner URLs, see each delivery, send a test event, pause,
resume, rotate the secret or remove a partner. Every change is audited."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.admin import require_staff
from core.admin.access import roles
from core.admin.audit import record
from core.extensions import db
from plugins.webhooks import events, signing
from plugins.webhooks.delivery import UnsafeURL, check_url
from plugins.webhooks.models import EVENTS, Webhook

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks", template_folder="templates")
bp.before_request(require_staff)

MAX_URL = 2000


def event_labels() -> dict:
    return {
        "report.published": _("A report is published"),
        "report.updated": _("A published report is changed"),
        "report.unpublished": _("A report leaves the public pages (unpublished or withdrawn)"),
    }


def _webhook(webhook_id: int) -> Webhook:
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        abort(404)
    return webhook


@bp.route("", methods=["GET", "POST"])
@roles("admin")
def index():
    errors, url, chosen = [], "", list(EVENTS)
    if request.method == "POST":
        url = (request.form.get("url") or "").strip()
        chosen = [e for e in request.form.getlist("events") if e in EVENTS]
        if not url or len(url) > MAX_URL:
            errors.append(_("Enter the partner's address (https://…)."))
        else:
            try:
                check_url(url)
            except UnsafeURL as exc:
                errors.append(str(exc))
        if not chosen:
            errors.append(_("Choose at least one event."))
        if not errors:
            webhook = Webhook(url=url, events=",".join(chosen), secret=signing.new_secret(),
                              created_by_id=current_user.id)
            db.session.add(webhook)
            db.session.flush()
            record("webhook.created", webhook, after={"url": url, "events": chosen})
            db.session.commit()
            flash(_("Partner added. Give them the signing secret below."), "success")
            return redirect(url_for("webhooks.detail", webhook_id=webhook.id))
    webhooks = Webhook.query.order_by(Webhook.id).all()
    return render_template("webhooks/index.html", webhooks=webhooks, errors=errors, url=url,
                           chosen=chosen, labels=event_labels(), events=EVENTS), (400 if errors else 200)


@bp.route("/<int:webhook_id>")
@roles("admin")
def detail(webhook_id):
    webhook = _webhook(webhook_id)
    return render_template("webhooks/detail.html", webhook=webhook, labels=event_labels(),
                           deliveries=webhook.deliveries.limit(50).all(), header=signing.HEADER)


@bp.route("/<int:webhook_id>/test", methods=["POST"])
@roles("admin")
def send_test(webhook_id):
    webhook = _webhook(webhook_id)
    (item,) = events.enqueue("ping", only=webhook)
    ok = events.attempt(item)
    record("webhook.tested", webhook, after={"delivered": ok}, commit=True)
    if ok:
        flash(_("The partner accepted the test event."), "success")
    else:
        flash(_("The test event failed: %(error)s", error=item.last_error or "?"), "error")
    return redirect(url_for("webhooks.detail", webhook_id=webhook.id))


@bp.route("/<int:webhook_id>/<any(pause, resume, rotate, delete):action>", methods=["POST"])
@roles("admin")
def change(webhook_id, action):
    webhook = _webhook(webhook_id)
    if action == "delete":
        record("webhook.deleted", webhook, before={"url": webhook.url})
        db.session.delete(webhook)
        db.session.commit()
        flash(_("Partner removed."), "success")
        return redirect(url_for("webhooks.index"))
    if action == "pause":
        webhook.active = False
        flash(_("Sending to this partner is paused."), "success")
    elif action == "resume":
        webhook.active, webhook.paused_at, webhook.consecutive_failures = True, None, 0
        flash(_("Sending to this partner is on again; failed events are retried."), "success")
    else:
        webhook.secret = signing.new_secret()
        flash(_("A new signing secret was made; the old one no longer works."), "success")
    record(f"webhook.{action}d" if action.endswith("e") else f"webhook.{action}", webhook)
    db.session.commit()
    return redirect(url_for("webhooks.detail", webhook_id=webhook.id))
