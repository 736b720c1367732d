"""Several app servers, nothing shared but PostgreSQL and Redis: two gunicorn processes with their
own instance folders (and the same secrets) serve each other's sessions, uploads, rate limits,
moderation queue and SMSSync hand-outs. PostgreSQL only: SQLite is one file on one server."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import CSRF, TEST_DATABASE_URL
from tests.test_admin_support import PASSWORD, make_user
from tests.test_report_form import jpeg_with_gps

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="several app servers need PostgreSQL")

REDIS = "redis://127.0.0.1:6379/0"
GUNICORN = Path(sys.executable).parent / "gunicorn"
ROOT = Path(__file__).resolve().parent.parent
SMS_SECRET = "two-servers-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            error = proc.stderr.read().decode()[-3000:]
            proc.stderr.close()
            raise RuntimeError(error)
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return proc, f"http://127.0.0.1:{port}"
        except requests.RequestException:  # not listening yet, or busy loading the app
            pass
        time.sleep(0.3)
    proc.kill()
    proc.wait()
    proc.stderr.close()
    raise RuntimeError("gunicorn did not answer")


@pytest.fixture
def servers(make_app, migrated, tmp_path):
    """Two app servers and an in-process app on the same database, secrets, Redis and settings."""
    from cryptography.fernet import Fernet

    settings = {
        "SESIM_SECRET_KEY": uuid.uuid4().hex * 2,
        "SESIM_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "SESIM_HASH_PEPPER": uuid.uuid4().hex,
        "SESIM_DATABASE_URL": migrated,
        "SESIM_PLUGINS": "sms",
        "SESIM_SMS_GATEWAYS": "smssync",
        "SESIM_SMS_SMSSYNC_SECRET": SMS_SECRET,
        "SESIM_SMS_AUTO_REPLY": "true",
        "SESIM_RATELIMIT_STORAGE": REDIS,
        "SESIM_RATELIMIT_REPORT": "3 per hour",
        "SESIM_QUEUE_URL": REDIS,
        "SESIM_QUEUE_NAME": f"sesim-test-{uuid.uuid4().hex[:8]}",
        "SESIM_UPLOADS_STORAGE": "database",
    }
    config = tmp_path / "sesim.toml"  # plain http on 127.0.0.1: cookies without the Secure flag
    config.write_text("SESSION_COOKIE_SECURE = false\nREMEMBER_COOKIE_SECURE = false\n")
    procs, urls = [], []
    try:
        for n in range(2):
            proc, url = _start({**settings, "SESIM_CONFIG": str(config),
                                "SESIM_INSTANCE_PATH": str(tmp_path / f"server{n}")})
            procs.append(proc)
            urls.append(url)
        app = make_app(
            SECRET_KEY=settings["SESIM_SECRET_KEY"], SESIM_ENCRYPTION_KEY=settings["SESIM_ENCRYPTION_KEY"],
            SESIM_HASH_PEPPER=settings["SESIM_HASH_PEPPER"], SESIM_PLUGINS="sms",
            SESIM_UPLOADS_STORAGE="database", SESIM_INSTANCE_PATH=str(tmp_path / "tests"))
        yield app, urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
            proc.stderr.close()
        import redis

        client = redis.Redis.from_url(REDIS)
        stale = client.keys(f"{settings['SESIM_QUEUE_NAME']}*")  # limits expire by themselves
        if stale:
            client.delete(*stale)


def _token(session: requests.Session, url: str) -> str:
    match = CSRF.search(session.get(url, timeout=30).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def _report(session, form_from: str, post_to: str, category_ids: list[int], photo: bool = False):
    data = {
        "title": "Followed from the metro", "story": "A man followed me to my building.",
        "occurred_on": "2026-11-20", "place": "baku-nasimi",
        "categories": [str(i) for i in category_ids], "csrf_token": _token(session, f"{form_from}/report"),
    }
    files = {"photo": ("IMG_1.jpg", io.BytesIO(jpeg_with_gps()), "image/jpeg")} if photo else None
    return session.post(f"{post_to}/report", data=data, files=files, allow_redirects=False, timeout=60)


def test_two_app_servers_share_sessions_uploads_limits_queue_and_sms_hand_outs(servers):
    from core.extensions import db
    from core.models import Attachment, Category, Message, Report, StoredFile

    app, (a, b) = servers
    with app.app_context():
        category_ids = [c.id for c in Category.query.limit(2)]

    # Sessions and CSRF: the form comes from A, is sent to B, the case code is shown back on A.
    reporter = requests.Session()
    sent = _report(reporter, a, b, category_ids, photo=True)
    assert sent.status_code == 303, sent.text[:500]
    done = reporter.get(a + sent.headers["Location"].replace(b, ""), timeout=30)
    assert done.status_code == 200 and re.search(r"\d{4}-\d{4}-\d{4}", done.text)

    # Uploads: stored by B in the database, opened by staff through A (logged in on B).
    make_user(app, "mod@sesim.test", "moderator")
    staff = requests.Session()
    login = staff.post(f"{b}/admin/login", data={
        "email": "mod@sesim.test", "password": PASSWORD, "otp": "",
        "csrf_token": _token(staff, f"{b}/admin/login")}, allow_redirects=False, timeout=60)
    assert login.status_code == 302, login.text[:500]
    with app.app_context():
        report = Report.query.one()
        attachment = Attachment.query.one()
        assert db.session.get(StoredFile, attachment.stored_name) is not None
    page = staff.get(f"{a}/admin/reports/{report.id}", timeout=30)
    link = re.search(r'href="(/admin/files/[^"]+)"', page.text).group(1)
    photo = staff.get(a + link, timeout=30)
    assert photo.status_code == 200 and photo.content[:2] == b"\xff\xd8"

    # Rate limits: three filed reports per hour per client, counted across both servers.
    assert _report(reporter, b, a, category_ids).status_code == 303
    assert _report(reporter, a, b, category_ids).status_code == 303
    assert _report(reporter, b, a, category_ids).status_code == 429
    assert _report(reporter, a, b, category_ids).status_code == 429
    with app.app_context():
        assert Report.query.count() == 3

    # Moderation queue: SMS received by either server, listed by the other.
    for n, server in enumerate((a, b, a, b, a, b)):
        answer = requests.post(f"{server}/channels/sms/smssync", data={
            "from": f"+99450555{n:04d}", "message": f"Xətaidə bir kişi izləyir {n}",
            "message_id": f"two-{n}", "secret": SMS_SECRET}, timeout=30)
        assert answer.json()["payload"]["success"] is True
    inbox = staff.get(f"{b}/admin/messages?lang=en", timeout=30).text
    assert inbox.count("bir kişi izləyir") >= 6

    # SMSSync hand-outs: two phones polling both servers at once never get the same reply.
    def poll(server):
        reply = requests.get(f"{server}/channels/sms/smssync",
                             params={"task": "send", "secret": SMS_SECRET}, timeout=60)
        return [m["uuid"] for m in reply.json()["payload"]["messages"]]

    with ThreadPoolExecutor(4) as pool:
        handed = [uuid for batch in pool.map(poll, (a, b, a, b)) for uuid in batch]
    with app.app_context():
        queued = Message.query.filter_by(direction="out", channel="sms").count()
    assert queued == 6 and len(handed) == len(set(handed)) == 6
