"""Anonymity: nothing about the sender's network is stored or logged; public pages load nothing
from other hosts; contact details are encrypted at rest."""

import logging
import re
import urllib.request
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import inspect, text

from core.extensions import db, limiter
from core.models import Category
from tests.conftest import post_form

IP = "203.0.113.77"
AGENT = "SecretPhone/1.0 (Nokia 105; build 42)"


def report_data(app):
    with app.app_context():
        category = Category.query.filter_by(slug="verbal").one().id
    return {"title": "Shouted at", "story": "At the bus stop in Xaçmaz.", "place": "khachmaz-town",
            "occurred_on": (date.today() - timedelta(days=1)).isoformat(),
            "categories": [str(category)], "contact": "woman@example.org"}


def every_stored_value(app) -> str:
    """Every column of every row of every table, as one text."""
    with app.app_context():
        chunks = []
        for table in inspect(db.engine).get_table_names():
            for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 (our own table names)
                chunks.extend(str(value) for value in row)
        return "\n".join(chunks)


def test_no_ip_or_user_agent_is_stored(app):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT,
                                "HTTP_X_FORWARDED_FOR": "198.51.100.9"})
    assert post_form(client, "/report", report_data(app), follow_redirects=True).status_code == 200
    stored = every_stored_value(app)
    assert "Shouted at" in stored  # the report is there...
    for secret in (IP, "198.51.100.9", AGENT, "Nokia", "woman@example.org"):
        assert secret not in stored  # ...but nothing about the network, and the contact encrypted


def test_rate_limiter_keys_hold_no_address(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    post_form(client, "/report", report_data(app), follow_redirects=True)
    keys = " ".join(str(k) for k in limiter.storage.storage)
    assert keys and IP not in keys


def test_server_logs_hold_no_client_address(app, live_server, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    request = urllib.request.Request(f"{live_server}/report", headers={"User-Agent": AGENT})
    with urllib.request.urlopen(request) as response:  # a real HTTP request through werkzeug
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{live_server}/no-such-page")
    for secret_url in ("/channels/sms/smssync?task=send&secret=S3CR3T-Q", "/channels/sms/aggregator/S3CR3T-P",
                       "/channels/facebook/webhook?hub.verify_token=S3CR3T-F&hub.challenge=1",
                       "/admin/invite/S3CR3T-I"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{live_server}{secret_url}")
    logged = caplog.text + "".join(capfd.readouterr())
    assert "GET /report" in logged  # the request log is still there...
    assert "127.0.0.1" not in logged and AGENT not in logged  # ...without the address
    assert "/channels/sms/aggregator/***" in logged and "S3CR3T" not in logged  # ...or URL secrets


class Resources(HTMLParser):
    """Collects every URL a page makes the browser load (not plain links)."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "object" and attrs.get("data"):
            self.urls.append(attrs["data"])
        if attrs.get("style"):
            self.urls += re.findall(r"url\(([^)]+)\)", attrs["style"])


def public_pages(app):
    rules = [r for r in app.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and not r.rule.startswith(("/admin", "/channels"))]
    return sorted({r.rule for r in rules})


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "all"}


def test_public_pages_load_nothing_from_other_hosts(app, client):
    pages = public_pages(app)
    assert "/" in pages and "/report" in pages
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = Resources()
        parser.feed(response.get_data(as_text=True))
        foreign = [u for u in parser.urls if re.match(r"^(https?:)?//", u.strip("'\" "))]
        assert not foreign, f"{path} loads {foreign}"
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "http" not in csp, path
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_behind_a_trusted_proxy_visitors_are_limited_apart_and_still_not_stored(make_app):
    app = make_app(SESIM_TRUSTED_PROXIES=1, SESIM_RATELIMIT_REPORT="1 per hour", SESIM_PLUGINS="")
    first, second = app.test_client(), app.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.2"
    data = report_data(app)
    assert post_form(first, "/report", data).status_code == 303
    assert post_form(first, "/report", data).status_code == 429
    assert post_form(second, "/report", data).status_code == 303  # not everyone behind one proxy
    stored = every_stored_value(app)
    assert "198.51.100" not in stored


def test_servers_sharing_redis_limits_share_the_daily_salt_and_others_do_not(make_app, tmp_path):
    """Several app servers (different instance folders) count one client under one key when their
    limits live in Redis; with limits in memory every process keeps its own salt."""
    import uuid

    import redis

    from core.privacy import rate_limit_key

    queue = f"sesim-test-{uuid.uuid4().hex[:8]}"
    shared = {"SESIM_RATELIMIT_STORAGE": "redis://127.0.0.1:6379/0", "SESIM_QUEUE_NAME": queue}
    keys = []
    for n in range(2):
        app = make_app(SESIM_INSTANCE_PATH=str(tmp_path / f"server{n}"), **shared)
        with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
            keys.append(rate_limit_key())
    assert keys[0] == keys[1] and "203.0.113.9" not in keys[0]
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    stored = client.keys(f"{queue}:ratelimit-salt:*")
    assert len(stored) == 1 and 0 < client.ttl(stored[0]) <= 2 * 86400  # forgotten in two days
    client.delete(*stored)

    app = make_app(SESIM_INSTANCE_PATH=str(tmp_path / "alone"))  # memory://: this process only
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        assert rate_limit_key() != keys[0]


def test_https_pages_tell_browsers_never_to_use_plain_http(make_app):
    """HSTS once served over https (directly or behind a trusted proxy); never over plain http,
    where it would mean nothing and a local test would pin localhost."""
    app = make_app(SESIM_TRUSTED_PROXIES=1, SESIM_PLUGINS="")
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("https://localhost/report").headers["Strict-Transport-Security"]
