"""``/admin/channels``: is every channel alive? Last message, last good poll or phone check-in,
last error (redacted), unsent replies and their age, and when the worker last ran."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func

from core.admin import bp
from core.admin.access import EDITORS, roles
from core.channel_alerts import enabled_channels, failure_limit, last_activity, silence_limit
from core.channels import registered
from core.extensions import db
from core.health import worker_last_run
from core.models import ChannelHealth, Message
from core.models.base import utcnow


def unsent() -> dict[str, tuple[int, object]]:
    """``{channel: (count, oldest)}`` of replies still queued or failed."""
    rows = (db.session.query(Message.channel, func.count(Message.id), func.min(Message.received_at))
            .filter(Message.direction == "out", Message.status.in_(("queued", "failed")))
            .group_by(Message.channel).all())
    return {channel: (count, oldest) for channel, count, oldest in rows}


def arrival() -> dict[str, str]:
    """How each channel's messages arrive, from its ``ChannelInfo``: staff then know whether to
    look at a webhook or at the worker's polling when it is silent."""
    found = {}
    for name, info in registered().items():
        ways = [str(w) for w, on in ((_("webhook"), info.pushes), (_("polled"), info.polled)) if on]
        found[name] = ", ".join(ways)
    return found


@bp.route("/channels")
@roles(*EDITORS)
def channels():
    now = utcnow()
    enabled = enabled_channels()
    rows = ChannelHealth.query.order_by(ChannelHealth.channel, ChannelHealth.gateway).all()
    by_channel: dict[str, list[ChannelHealth]] = {name: [] for name in enabled}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    limit, failures = silence_limit(), failure_limit()
    states = {}
    for row in rows:
        active = last_activity(row)
        if row.failures >= failures:
            states[row.id] = "failing"
        elif active is not None and now - active > limit:
            states[row.id] = "silent"
        else:
            states[row.id] = "ok" if active is not None else "unknown"
    return render_template("admin/channels.html", by_channel=by_channel, enabled=set(enabled),
                           arrives=arrival(),
                           states=states, unsent=unsent(), worker=worker_last_run(), now=now,
                           silence_hours=limit.total_seconds() / 3600, failure_limit=failures)
