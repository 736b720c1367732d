"""The worker's channel check: e-mail the admins when a channel that should be alive has been
silent longer than ``SESIM_CHANNEL_SILENCE_HOURS`` or failed ``SESIM_CHANNEL_FAILURES`` times in a
row. The mail names the channel and the (redacted) error, never anything about a reporter.

A channel counts as one that should be alive when it is enabled and has worked at least once (a
channel that never worked is ``sesim doctor``'s business). An alert is repeated at most once per
silence period while the problem lasts, and is cleared when the channel works again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.extensions import db
from core.models import ChannelHealth, User
from core.models.base import utcnow

log = logging.getLogger("sesim.channels")


@dataclass(frozen=True)
class Problem:
    row: ChannelHealth
    silent_since: datetime | None  # set when the channel is silent
    failing: bool

    @property
    def name(self) -> str:
        return f"{self.row.channel}/{self.row.gateway}" if self.row.gateway else self.row.channel


def silence_limit() -> timedelta:
    return timedelta(hours=float(current_app.config.get("SESIM_CHANNEL_SILENCE_HOURS", 24)))


def failure_limit() -> int:
    return max(1, int(current_app.config.get("SESIM_CHANNEL_FAILURES", 3)))


def enabled_channels() -> list[str]:
    from core.channels import WEB, registered

    return [name for name in registered() if name != WEB]


def last_activity(row: ChannelHealth) -> datetime | None:
    times = [t for t in (row.last_received_at, row.last_ok_at) if t is not None]
    return max(times) if times else None


def problems(now: datetime | None = None) -> list[Problem]:
    """What is wrong now with the enabled channels."""
    now = now or utcnow()
    limit, failures = silence_limit(), failure_limit()
    rows = ChannelHealth.query.filter(ChannelHealth.channel.in_(enabled_channels())) \
        .order_by(ChannelHealth.channel, ChannelHealth.gateway).all()
    found = []
    for row in rows:
        active = last_activity(row)
        silent = active is not None and now - active > limit
        failing = row.failures >= failures
        if silent or failing:
            found.append(Problem(row, active if silent else None, failing))
    return found


def check_channels() -> list[Problem]:
    """Send the alerts that are due; return the problems found (the worker logs them)."""
    now = utcnow()
    found = problems(now)
    bad = {p.row.id for p in found}
    for row in ChannelHealth.query.filter(ChannelHealth.alerted_at.isnot(None)):
        if row.id not in bad:
            row.alerted_at = None  # healthy again: the next problem is news
    due = [p for p in found if p.row.alerted_at is None or now - p.row.alerted_at > silence_limit()]
    if due and _mail_admins(due):
        for problem in due:
            problem.row.alerted_at = now
    db.session.commit()
    for problem in found:
        log.warning("channel %s: %s", problem.name, "silent" if problem.silent_since else "failing")
    return found


def describe(problem: Problem) -> str:
    row = problem.row
    if problem.silent_since is not None:
        text = _("%(channel)s has been silent since %(time)s UTC.", channel=problem.name,
                 time=problem.silent_since.strftime("%Y-%m-%d %H:%M"))
    else:
        text = ""
    if problem.failing:
        failed = _("%(channel)s failed %(count)d times in a row; the last error: %(error)s",
                   channel=problem.name, count=row.failures, error=row.last_error or "—")
        text = f"{text} {failed}".strip()
    return text


def _mail_admins(due: list[Problem]) -> bool:
    from core import mail

    if not mail.configured():
        log.warning("channel alert not e-mailed: staff e-mail (SESIM_MAIL_SMTP_HOST) is not set")
        return False
    admins = User.query.filter_by(role="admin", active=True).all()
    sent = False
    for admin in admins:
        with force_locale(admin.language or current_app.config["SESIM_DEFAULT_LANGUAGE"]):
            subject = _("Sesim: a channel needs attention (%(channels)s)",
                        channels=", ".join(p.name for p in due))
            body = "\n\n".join([
                *(describe(p) for p in due),
                _("Check the phone, the gateway or the account, then look at %(page)s.",
                  page=_channels_url()),
                _("This e-mail names channels only. Nothing about any reporter is in it."),
            ])
        try:
            mail.send(admin.email, subject, body)
            sent = True
        except mail.MailError as exc:
            log.warning("channel alert to an admin failed: %s", exc)
    return sent


def _channels_url() -> str:
    base = (current_app.config.get("SESIM_PUBLIC_URL") or "").rstrip("/")
    return f"{base}/admin/channels" if base else "/admin/channels"
