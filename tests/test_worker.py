"""``sesim worker``: Huey on SQLite and on Redis, with real consumers, a real IMAP server to fetch
from and a real SMTP server to retry replies to."""

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from core import hookimpl, worker
from core.config import ConfigError
from core.extensions import db
from core.jobs import PeriodicJob
from core.models import Message
from core.models.base import utcnow
from tests import mail_servers
from tests.mail_servers import SENDER, email_settings, plain_mail

imap_server, mailbox = mail_servers.imap_server, mail_servers.mailbox  # fixtures
smtp_server, smtp = mail_servers.smtp_server, mail_servers.smtp
REDIS_URL = "redis://127.0.0.1:6379/0"
QUEUES = {"sqlite": "", "redis": REDIS_URL}


def worker_settings(imap, smtp_sink, queue_url: str) -> dict:
    return email_settings(imap, smtp_sink, SESIM_EMAIL_AUTO_REPLY=False, SESIM_QUEUE_URL=queue_url,
                          SESIM_QUEUE_NAME=f"sesim-test-{uuid.uuid4().hex[:8]}",
                          SESIM_FETCH_INTERVAL=60, SESIM_RETRY_INTERVAL=60)


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def stuck_reply(app) -> int:
    """A reply whose first delivery failed a while ago, as after an SMTP outage."""
    with app.app_context():
        inbound = Message(channel="email", external_id="<old@example.org>", sender=SENDER,
                          text="Salam", data={"message_id": "<old@example.org>"})
        db.session.add(inbound)
        db.session.flush()
        reply = Message(channel="email", external_id="out-1", direction="out", sender=SENDER,
                        text="Cavab", status="failed", error="SMTP down", in_reply_to_id=inbound.id,
                        received_at=utcnow() - timedelta(minutes=5), data={})
        db.session.add(reply)
        db.session.commit()
        return reply.id


def status_of(app, message_id: int) -> str:
    with app.app_context():
        return db.session.get(Message, message_id).status


def inbound_ids(app) -> list[str]:
    with app.app_context():
        return sorted(m.external_id for m in Message.query.filter_by(direction="in").all())


class Jobs:
    """A plugin with one periodic job that works and one that always fails."""

    def __init__(self):
        self.ran = []

    @hookimpl
    def sesim_periodic_jobs(self):
        return [PeriodicJob("count", 60, self.count), PeriodicJob("boom", 60, self.boom)]

    def count(self, app):
        self.ran.append(has_app_context() and current_app.name == app.name)

    def boom(self, app):
        raise RuntimeError("job exploded")


@pytest.mark.parametrize(
    ("url", "kind"),
    [("", SqliteHuey), ("sqlite:///{tmp}/q.db", SqliteHuey), (REDIS_URL, RedisHuey)],
)
def test_queue_url_chooses_the_storage(make_app, tmp_path, url, kind):
    app = make_app(SESIM_QUEUE_URL=url.format(tmp=tmp_path))
    huey = worker.make_huey(app)
    assert isinstance(huey, kind)
    if url == "":
        assert huey.storage.filename == str(Path(app.instance_path) / "queue.db")


def test_unknown_queue_url_is_a_clear_error(make_app):
    app = make_app(SESIM_QUEUE_URL="amqp://guest:secret@127.0.0.1/")
    with pytest.raises(ConfigError, match="SESIM_QUEUE_URL must be") as excinfo:
        worker.make_huey(app)
    assert "secret" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("seconds", "due", "not_due"),
    [(300, ["10:00", "10:05", "23:55"], ["10:01", "10:04"]), (30, ["10:00", "10:01"], []),
     (3600, ["10:00", "00:00"], ["10:30"])],
)
def test_intervals_are_whole_minutes(seconds, due, not_due):
    check = worker.every(seconds)
    day = datetime(2026, 3, 8)
    at = {t: day.replace(hour=int(t[:2]), minute=int(t[3:])) for t in [*due, *not_due]}
    assert all(check(at[t]) for t in due)
    assert not any(check(at[t]) for t in not_due)


@pytest.mark.parametrize("queue", QUEUES.keys())
def test_consumer_fetches_retries_and_runs_plugin_jobs(make_app, imap_server, mailbox, smtp, queue,
                                                      caplog):
    from huey.consumer import Consumer

    app = make_app(**worker_settings(imap_server, smtp, QUEUES[queue]))
    jobs = Jobs()
    app.extensions["sesim"].manager.register(jobs, name="test-jobs")
    for n in (1, 2):
        mailbox.append(plain_mail(f"Məktub {n}", f"<w{n}@example.org>"))
    reply_id = stuck_reply(app)
    caplog.set_level(logging.INFO)

    huey = worker.build(app)
    consumer = Consumer(huey, workers=2, periodic=True, worker_type="thread", check_worker_health=False)
    consumer._set_signal_handlers = lambda: None  # pytest keeps its own Ctrl-C
    consumer.start()
    try:
        assert wait_until(lambda: len(inbound_ids(app)) == 3 and status_of(app, reply_id) == "sent"
                          and jobs.ran and "job:boom failed" in caplog.text)
        assert all(t.is_alive() for _w, t in consumer.worker_threads)  # a failing job kills nothing
    finally:
        consumer.stop(graceful=True)
        huey.flush()
    assert inbound_ids(app) == ["<old@example.org>", "<w1@example.org>", "<w2@example.org>"]
    assert jobs.ran[0] is True
    [(_from, rcpt, mail)] = smtp.wait(1)
    assert rcpt == [SENDER] and mail["In-Reply-To"] == "<old@example.org>"
    assert "RuntimeError: job exploded" in caplog.text


@pytest.mark.parametrize("queue", QUEUES.keys())
def test_sesim_worker_command_runs_until_interrupted(make_app, imap_server, mailbox, smtp, queue):
    settings = worker_settings(imap_server, smtp, QUEUES[queue])
    app = make_app(**settings)
    mailbox.append(plain_mail("Fon işçisi məni oxumalıdır.", "<cli@example.org>"))
    reply_id = stuck_reply(app)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESIM_")}
    env.update({k: str(v) for k, v in settings.items()})
    env.update({"SESIM_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "SESIM_INSTANCE_PATH": app.instance_path})
    sesim = Path(sys.executable).parent / "sesim"
    process = subprocess.Popen([str(sesim), "worker", "--workers", "1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_until(lambda: "<cli@example.org>" in inbound_ids(app)
                          and status_of(app, reply_id) == "sent", timeout=60)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Sesim worker: queue" in output
    assert "fetch email: 1 new, 0 duplicate, 0 failed" in output
    assert SENDER not in output
    with app.app_context():
        worker.make_huey(app).flush()


def test_worker_once_runs_everything_and_survives_a_failing_job(app, runner, caplog):
    jobs = Jobs()
    app.extensions["sesim"].manager.register(jobs, name="test-jobs")
    caplog.set_level(logging.INFO)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("running")] == [
        "running fetch", "running retry-outbound", "running channel-check", "running staff-mail",
        "running spool-replay", "running late-follow-ups", "running purge", "running job:count",
        "running job:boom"]
    assert jobs.ran == [True]
    assert "background job job:boom failed" in caplog.text


def test_retry_gives_up_after_max_attempts(make_app, smtp):
    app = make_app(**email_settings(smtp=smtp))
    with app.app_context():
        old = utcnow() - timedelta(minutes=5)
        tired = Message(channel="email", external_id="out-x", direction="out", sender=SENDER, text="x",
                        status="failed", received_at=old, data={"delivery_attempts": worker.MAX_ATTEMPTS})
        fresh = Message(channel="email", external_id="out-y", direction="out", sender=SENDER, text="y",
                        status="queued", received_at=utcnow(), data={})
        due = Message(channel="email", external_id="out-z", direction="out", sender=SENDER, text="z",
                      status="queued", received_at=old, data={})
        db.session.add_all([tired, fresh, due])
        db.session.commit()
        worker.retry_outbound()
        assert (tired.status, fresh.status, due.status) == ("failed", "queued", "sent")
        assert tired.data["delivery_attempts"] == worker.MAX_ATTEMPTS
        assert due.data["delivery_attempts"] == 1
    assert [m.get_content().strip() for _f, _r, m in smtp.wait(1)] == ["z"]
