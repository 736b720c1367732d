"""The three 500s the audit's fuzzing found, each now a clear answer: an oversized body from
someone already over the rate limit, validly signed but absurdly nested JSON on the Facebook
webhook, and an out-of-range page number on the staff lists."""

from __future__ import annotations

import json

import pytest

from core.extensions import babel
from plugins.facebook.signature import sign
from tests.conftest import csrf_token
from tests.test_admin_support import client_as, make_staff
from tests.test_report_form import category_ids, english, valid  # noqa: F401  (fixtures)


def test_an_oversized_body_over_the_rate_limit_gets_a_clear_answer(make_app, valid):  # noqa: F811
    app = make_app(SESIM_RATELIMIT_REPORT="1 per hour", MAX_CONTENT_LENGTH=20_000)
    client = english(app)
    token = csrf_token(client, "/report")
    assert client.post("/report", data={**valid, "csrf_token": token}).status_code == 303
    token = csrf_token(client, "/report")
    response = client.post("/report", data={**valid, "story": "x" * 30_000, "csrf_token": token})
    assert response.status_code == 413
    assert "What you sent is too large: photos may be at most 8 MB." in response.get_data(as_text=True)
    kept = client.post("/report", data={**valid, "story": "Kept at the limit.", "csrf_token": token})
    assert kept.status_code == 429 and "Kept at the limit." in kept.get_data(as_text=True)


SECRET = "3f1b7c9e2d4a6b8c0e1f2a3b4c5d6e7f"


@pytest.fixture
def facebook(make_app):
    app = make_app(SESIM_PLUGINS="facebook", SESIM_FACEBOOK_PAGE_ID="108234567890123",
                   SESIM_FACEBOOK_APP_SECRET=SECRET, SESIM_FACEBOOK_PAGE_ACCESS_TOKEN="EAAtoken")
    with app.app_context():
        babel.domain_instance.cache.clear()
    return app


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_signed_deeply_nested_json_on_the_facebook_webhook_is_a_400(facebook, depth):
    body = ('{"object": "page", "entry": [{"id": "1", "messaging": ['
            + "[" * depth + "]" * depth + "]}]}").encode()
    response = facebook.test_client().post(
        "/channels/facebook/webhook", data=body, content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, SECRET)})
    assert response.status_code == 400 and response.is_json


def test_a_normal_delivery_still_passes_the_depth_check(facebook):
    body = json.dumps({"object": "page", "entry": [{"id": "108234567890123", "time": 1, "messaging": [
        {"sender": {"id": "6917425893012345"}, "recipient": {"id": "108234567890123"},
         "timestamp": 1715587964961, "message": {"mid": "m_1", "text": "Salam"}}]}]}).encode()
    response = facebook.test_client().post(
        "/channels/facebook/webhook", data=body, content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, SECRET)})
    assert response.status_code == 200 and response.get_json()["new"] == 1


@pytest.mark.parametrize("url", ["/admin/reports", "/admin/messages", "/admin/audit"])
@pytest.mark.parametrize("page", ["99999999999999999999999999", "100001", "-1", "0", "x", "1e9", "²"])
def test_an_out_of_range_page_number_on_staff_lists_is_the_first_page(app, url, page):
    make_staff(app)
    admin = client_as(app, "admin")
    response = admin.get(f"{url}?page={page}&per_page=99999999999999999999")
    assert response.status_code == 200


def test_a_far_page_within_range_is_simply_empty(app):
    make_staff(app)
    response = client_as(app, "admin").get("/admin/reports?page=100000")
    assert response.status_code == 200
