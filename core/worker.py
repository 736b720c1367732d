"""``sesim worker``: the background jobs, scheduled by Huey.

Polled channels are fetched every ``SESIM_FETCH_INTERVAL`` seconds, outbound replies that are still
queued or failed are retried every ``SESIM_RETRY_INTERVAL`` seconds, staff e-mail notifications
go out every minute, messages a crash left stored but not followed up are followed up (checked
every minute), what the spool kept while the database was down is stored every
``SESIM_SPOOL_INTERVAL`` seconds, retention purges run every ``SESIM_PURGE_INTERVAL`` seconds, and
every plugin's ``sesim_periodic_jobs`` run at their own interval. Each job runs in its own app
context; an error is logged and the worker goes on. Huey looks at its schedule once a minute, so
intervals are rounded to whole minutes (at least one).

The queue lives in ``SESIM_QUEUE_URL``: empty means a SQLite file in the instance folder,
``redis://…`` a Redis server (several workers can then share it).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.config import ConfigError

log = logging.getLogger("sesim.worker")

RETRY_AFTER = timedelta(seconds=60)  # give a first delivery time to finish before retrying it
MAX_ATTEMPTS = 10


def make_huey(app):
    """The Huey instance for ``SESIM_QUEUE_URL`` (no task registered yet)."""
    from huey import RedisHuey, SqliteHuey  # here, so the web processes never load the queue

    from core.filemodes import touch_private

    url = app.config.get("SESIM_QUEUE_URL") or ""
    name = app.config.get("SESIM_QUEUE_NAME") or "sesim"
    if not url:
        touch_private(Path(app.instance_path) / "queue.db")  # job arguments stay private too
        return SqliteHuey(name, filename=str(Path(app.instance_path) / "queue.db"), results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url[len("sqlite:///"):], results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    raise ConfigError(f"SESIM_QUEUE_URL must be empty, sqlite:///PATH or redis://HOST:PORT/DB, "
                      f"not {url.split('://')[0]}://…")


def every(seconds) -> Callable:
    """A Huey schedule: due on each whole multiple of ``seconds`` (in minutes) since the epoch."""
    minutes = max(1, round(int(seconds) / 60))

    def due(moment) -> bool:
        return (calendar.timegm(moment.timetuple()) // 60) % minutes == 0

    return due


def scheduled_jobs(app) -> list[tuple[str, int, Callable]]:
    """``(name, every_seconds, function)`` for everything the worker runs; functions take no
    argument and run inside an app context."""
    from core.plugins import call_hook

    jobs = [
        ("fetch", int(app.config["SESIM_FETCH_INTERVAL"]), fetch_polled),
        ("retry-outbound", int(app.config["SESIM_RETRY_INTERVAL"]), retry_outbound),
        ("channel-check", int(app.config.get("SESIM_CHANNEL_CHECK_INTERVAL", 900)), check_channels),
        ("staff-mail", 60, staff_mail),
        ("spool-replay", int(app.config["SESIM_SPOOL_INTERVAL"]), replay_spool),
        ("late-follow-ups", 60, late_follow_ups),
        ("purge", int(app.config["SESIM_PURGE_INTERVAL"]), purge),
    ]
    with app.app_context():
        for declared in call_hook("sesim_periodic_jobs"):
            for job in declared or ():
                jobs.append((f"job:{job.name}", job.every_seconds, _bind(job.run, app)))
    return jobs


def _bind(run, app) -> Callable:
    return lambda: run(app)


def guarded(app, name: str, function: Callable) -> Callable:
    """Run ``function`` in a fresh app context; log, never raise (the worker must keep going)."""

    def job() -> None:
        from core.extensions import db

        with app.app_context():
            try:
                function()
                _mark_run()
            except Exception:
                db.session.rollback()
                log.exception("background job %s failed", name)
            finally:
                db.session.remove()

    job.__name__ = f"sesim_{name}"
    return job


def build(app):
    """Huey with every scheduled job registered as a periodic task."""
    huey = make_huey(app)
    for name, seconds, function in scheduled_jobs(app):
        huey.periodic_task(every(seconds), name=f"sesim.{name}")(guarded(app, name, function))
    return huey


def _mark_run() -> None:
    from core.health import worker_ran

    worker_ran()


def check_channels() -> None:
    """E-mail admins about channels that went silent or keep failing (core.channel_alerts)."""
    from core.channel_alerts import check_channels as check

    check()


def fetch_polled() -> None:
    from core.fetching import fetch, polled_channels

    for channel in polled_channels():
        for result in fetch(channel):
            level = logging.WARNING if result.error or result.failed else logging.INFO
            log.log(level, "fetch %s", result.summary())


def replay_spool() -> None:
    """Store what was spooled while the database was down; drop photos kept for forms nobody
    came back to."""
    from core.public.photos import purge_expired
    from core.spool import replay_job

    replay_job()
    purge_expired()


def late_follow_ups() -> None:
    """Follow up messages a crash or an outage left stored but not followed up (core.followups)."""
    from core.followups import sweep

    done = sweep()
    if done:
        log.info("followed up %d message(s) left waiting", done)


def purge() -> None:
    """Retention: erase what is due (``core.retention``)."""
    from core.retention import purge_job

    purge_job()


def retry_outbound() -> None:
    """Deliver outbound messages left queued or failed, each through its own channel's ``send``.
    A channel whose replies are pulled by a device (SMSSync) answers ``Delivery.deferred``, so
    they stay queued for it."""
    from core.extensions import db
    from core.intake import deliver
    from core.models import Message
    from core.models.base import utcnow

    waiting = (Message.query.filter(Message.direction == "out",
                                    Message.status.in_(("queued", "failed")),
                                    Message.received_at <= utcnow() - RETRY_AFTER)
               .order_by(Message.id).all())
    for message in waiting:
        attempts = int((message.data or {}).get("delivery_attempts", 0))
        if attempts >= MAX_ATTEMPTS:
            continue
        message.data = {**(message.data or {}), "delivery_attempts": attempts + 1}
        db.session.commit()
        if deliver(message):
            log.info("message %s delivered on retry %d", message.id, attempts + 1)


def staff_mail() -> None:
    """Staff notifications ("something is waiting") through ``core.mail``; see core/notify.py."""
    from core import notify

    notify.run()


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option("--once", is_flag=True, help="Run every scheduled job once, now, and exit.")
@with_appcontext
def worker_command(workers, once):
    """Run background jobs: fetch polled channels, retry replies, plugins' periodic jobs."""
    app = current_app._get_current_object()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        from core.privacy import install_log_filters

        install_log_filters()
    if once:
        for name, _seconds, function in scheduled_jobs(app):
            click.echo(f"running {name}")
            guarded(app, name, function)()
        return
    huey = build(app)
    click.echo(f"Sesim worker: queue {type(huey).__name__}, {workers} worker thread(s); Ctrl-C stops.")
    huey.create_consumer(workers=workers, periodic=True, worker_type="thread").run()
