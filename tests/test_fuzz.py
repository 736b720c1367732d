"""Fuzzing every channel parser and public form with hypothesis: whatever arrives, the answer is a
clear 2xx/3xx/4xx (or a clean parse), never a 500 or a traceback.

Covered (listed in docs/security.md): SMSSync (inbound, task=send/sent/result), Twilio (signed),
the SMS aggregator and generic SMS callbacks (form, JSON, raw bytes), the e-mail inbound webhook
(raw MIME, JSON, form) and MIME parsing itself, the Facebook webhook (signed JSON of any shape),
X inbound parsing (API pages of any shape through ``sesim channels fetch``), ``/report``, ``/case``,
every other public form (read from the URL map) and the filters of the map, stories, API, export
and stats. Bounded so CI stays fast: examples
are derandomised and few (``FUZZ_EXAMPLES`` raises the count for a long local run).
"""

from __future__ import annotations

import json
import os
import string

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from core.extensions import babel
from plugins.facebook.signature import sign
from tests.conftest import csrf_token

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

PUBLIC = "https://sesim.example.org"
SMSSYNC_SECRET, TWILIO_TOKEN, AGG_TOKEN, GEN_TOKEN = "s3cr3t", "twilio-token-1234", "agg-tok", "gen-tok"
FB_SECRET, FB_PAGE = "3f1b7c9e2d4a6b8c0e1f2a3b4c5d6e7f", "108234567890123"
MAIL_SECRET = "mail-secret-5678"
X_ACCOUNT = "1500000000000000000"
X_API = "https://api.twitter.com/2"


@pytest.fixture
def app_config():
    return {
        "SESIM_PLUGINS": "all", "SESIM_PUBLIC_URL": PUBLIC,
        "SESIM_RATELIMIT_REPORT": "100000 per hour", "SESIM_RATELIMIT_CASE": "100000 per hour",
        "SESIM_SMS_GATEWAYS": "smssync,twilio,aggregator,generic",
        "SESIM_SMS_SMSSYNC_SECRET": SMSSYNC_SECRET, "SESIM_SMS_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "SESIM_SMS_TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "SESIM_SMS_TWILIO_NUMBER": "+15005550006",
        "SESIM_SMS_AGGREGATOR_TOKEN": AGG_TOKEN, "SESIM_SMS_GENERIC_TOKEN": GEN_TOKEN,
        "SESIM_SMS_GENERIC_FIELDS": "from=msisdn, text=body, id=msg_id, date=ts",
        "SESIM_SMS_AUTO_REPLY": True,
        "SESIM_FACEBOOK_PAGE_ID": FB_PAGE, "SESIM_FACEBOOK_APP_SECRET": FB_SECRET,
        "SESIM_FACEBOOK_PAGE_ACCESS_TOKEN": "EAAtoken", "SESIM_FACEBOOK_VERIFY_TOKEN": "verify",
        "SESIM_EMAIL_INBOUND_SECRET": MAIL_SECRET, "SESIM_EMAIL_AUTO_REPLY": False,
        "SESIM_TWITTER_BEARER_TOKEN": "AAAAbearer", "SESIM_TWITTER_CONSUMER_KEY": "ck",
        "SESIM_TWITTER_CONSUMER_SECRET": "cs", "SESIM_TWITTER_ACCESS_TOKEN": f"{X_ACCOUNT}-token",
        "SESIM_TWITTER_ACCESS_TOKEN_SECRET": "ats", "SESIM_TWITTER_SEARCH": "#sesimaz",
        "SESIM_TWITTER_MAX_WAIT": 0,
    }


@pytest.fixture
def client(app):
    with app.app_context():
        babel.domain_instance.cache.clear()
    return app.test_client()


def clear(response):
    """Anything but a server error; the body is read so file responses are closed."""
    response.get_data()
    response.close()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return response


# --- strategies ------------------------------------------------------------------------------------

texts = st.text(max_size=200)
nasty = st.one_of(texts, st.sampled_from([
    "", " ", "\x00", "0", "-1", "1e309", "NaN", "99999999999999999999999999", "²", "٣", "null",
    "2026-02-30", "2026-13-01", "31.12.1899", "1715587964961", "9" * 40, "ə" * 300, "<script>",
    "../../etc/passwd", "%00", "\ud7ff", "+994 50 123 45 67", "a@b.c", "\r\n\r\n", "{}", "[]",
]))
field_names = st.one_of(st.sampled_from(
    ["from", "message", "message_id", "sent_timestamp", "secret", "device_id", "sent_to", "text",
     "id", "date", "to", "linkId", "msisdn", "body", "msg_id", "ts", "Body", "From", "MessageSid",
     "NumMedia", "MediaUrl0", "MediaContentType0", "To", "AccountSid"]), st.text(min_size=1, max_size=20))
forms = st.dictionaries(field_names, nasty, max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20)
bodies = st.one_of(st.binary(max_size=600), forms.map(lambda d: json.dumps(d).encode()),
                   json_values.map(lambda v: json.dumps(v).encode()))
content_types = st.sampled_from(["application/x-www-form-urlencoded", "application/json",
                                 "multipart/form-data", "text/plain", "", "application/json; charset=koi8-r",
                                 "application/x-www-form-urlencoded; charset=windows-1251"])


# --- SMS gateways ----------------------------------------------------------------------------------

@fuzz
@given(form=forms, secret=st.sampled_from([SMSSYNC_SECRET, "", "wrong"]),
       task=st.sampled_from(["", "send", "sent", "result", "other"]), body=bodies, raw=st.booleans())
def test_fuzz_smssync(client, form, secret, task, body, raw):
    url = "/channels/sms/smssync" + (f"?task={task}&secret={secret}" if task else "")
    clear(client.get(url))
    if raw:
        clear(client.post(url, data=body, content_type="application/json"))
    else:
        clear(client.post(url, data={**form, "secret": secret}))


@fuzz
@given(form=forms, signed=st.booleans())
def test_fuzz_twilio(client, form, signed):
    form = {k: v for k, v in form.items() if "\x00" not in k}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{PUBLIC}/channels/sms/twilio", form)
    clear(client.post("/channels/sms/twilio", data=form,
                      headers={"X-Twilio-Signature": signature if signed else "bad"}))


@fuzz
@given(gateway=st.sampled_from([("aggregator", AGG_TOKEN), ("generic", GEN_TOKEN)]),
       form=forms, body=bodies, content_type=content_types, as_form=st.booleans())
def test_fuzz_sms_aggregator_and_generic(client, gateway, form, body, content_type, as_form):
    name, token = gateway
    url = f"/channels/sms/{name}/{token}"
    if as_form:
        clear(client.post(url, data=form))
    else:
        clear(client.post(url, data=body, content_type=content_type))


# --- e-mail ----------------------------------------------------------------------------------------

headers = st.lists(st.tuples(
    st.sampled_from(["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Date",
                     "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
                     "Authentication-Results", "Auto-Submitted", "MIME-Version", "X-Other"]),
    st.one_of(nasty, st.sampled_from([
        "multipart/mixed; boundary=b", "multipart/alternative; boundary=\"x\"", "text/html; charset=utf-8",
        "text/plain; charset=unknown-8bit", "message/rfc822", "base64", "quoted-printable",
        "attachment; filename=\"a.jpg\"", "=?utf-8?b?0KHQsNC70LDQvA==?=", "<a@b>", "<" * 50]))),
    max_size=8)


@st.composite
def mails(draw):
    """Raw mail: real-looking headers and parts, or bytes of anything."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=800))
    lines = [f"{name}: {value}" for name, value in draw(headers)]
    parts = draw(st.lists(st.tuples(headers, texts), max_size=3))
    body = draw(texts)
    for part_headers, part_body in parts:
        body += "\r\n--b\r\n" + "\r\n".join(f"{n}: {v}" for n, v in part_headers) + "\r\n\r\n" + part_body
    if parts:
        body += "\r\n--b--\r\n"
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")


@fuzz
@given(raw=mails())
def test_fuzz_mime_parsing(app, raw):
    from plugins.email.parsing import parse

    with app.app_context():
        inbound = parse(raw, fallback_id="fuzz")
    assert inbound.channel == "email" and isinstance(inbound.text, str)


@fuzz
@given(raw=mails(), kind=st.sampled_from(["message/rfc822", "json", "form", "other"]),
       form=forms, value=json_values, authorised=st.booleans())
def test_fuzz_email_inbound_webhook(client, raw, kind, form, value, authorised):
    auth = {"X-Sesim-Secret": MAIL_SECRET if authorised else "nope"}
    url = "/channels/email/inbound"
    if kind == "message/rfc822":
        clear(client.post(url, data=raw, content_type=kind, headers=auth))
    elif kind == "json":
        payload = {**form, "raw": raw.decode("utf-8", "replace")} if isinstance(value, bool) else value
        clear(client.post(url, data=json.dumps(payload), content_type="application/json", headers=auth))
    elif kind == "form":
        clear(client.post(url, data={**form, "email": raw.decode("utf-8", "replace")}, headers=auth))
    else:
        clear(client.post(url, data=raw, content_type="application/pdf", headers=auth))


# --- Facebook --------------------------------------------------------------------------------------

@st.composite
def facebook_payloads(draw):
    """Deliveries shaped like Facebook's, with any value at any place, or any JSON at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    event = {"sender": {"id": draw(st.one_of(nasty, json_values))},
             "recipient": {"id": FB_PAGE}, "timestamp": draw(st.one_of(st.integers(), json_values)),
             "message": draw(st.one_of(json_values, st.fixed_dictionaries(
                 {"mid": nasty, "text": nasty},
                 optional={"attachments": json_values, "is_echo": json_values, "quick_reply": json_values})))}
    change = {"field": draw(st.sampled_from(["feed", "other"])), "value": draw(st.one_of(
        json_values, st.fixed_dictionaries({"item": st.sampled_from(["post", "comment", "status"]),
                                            "verb": st.sampled_from(["add", "edited", "remove"]),
                                            "message": nasty, "post_id": nasty, "comment_id": nasty,
                                            "from": json_values, "created_time": json_values})))}
    entry = {"id": draw(st.sampled_from([FB_PAGE, "1", ""])), "time": draw(json_values),
             "messaging": [event], "changes": [change]}
    return {"object": draw(st.sampled_from(["page", "instagram", None])),
            "entry": draw(st.one_of(st.just([entry]), json_values))}


@fuzz
@given(payload=facebook_payloads(), raw=st.one_of(st.none(), st.binary(max_size=300)))
def test_fuzz_facebook_webhook(client, payload, raw):
    body = raw if raw is not None else json.dumps(payload).encode()
    clear(client.post("/channels/facebook/webhook", data=body, content_type="application/json",
                      headers={"X-Hub-Signature-256": sign(body, FB_SECRET)}))


# --- X (Twitter) -----------------------------------------------------------------------------------

ids = st.one_of(st.integers(0, 2**64).map(str), nasty)
tweets = st.fixed_dictionaries(
    {"id": ids, "text": st.one_of(nasty, st.none())},
    optional={"author_id": ids, "created_at": st.one_of(nasty, st.just("2024-05-13T08:12:45.000Z")),
              "lang": nasty, "attachments": json_values, "referenced_tweets": json_values,
              "edit_history_tweet_ids": st.lists(ids, max_size=2)})
x_pages = st.one_of(json_values, st.fixed_dictionaries(
    {"data": st.lists(tweets, max_size=3)},
    optional={"includes": st.fixed_dictionaries({}, optional={
        "users": st.lists(st.fixed_dictionaries({"id": ids, "username": nasty, "name": nasty}), max_size=2),
        "media": json_values}), "meta": json_values}))


@fuzz
@given(mentions=x_pages, search=x_pages, dms=x_pages, status=st.sampled_from([200, 200, 200, 400, 429, 503]))
def test_fuzz_x_inbound_parsing(runner, mentions, search, dms, status):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.get(f"{X_API}/users/{X_ACCOUNT}/mentions", json=mentions, status=status)
        api.get(f"{X_API}/tweets/search/recent", json=search)
        api.get(f"{X_API}/dm_events", json=dms)
        result = runner.invoke(args=["channels", "fetch", "--channel", "twitter"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


# --- public forms and filters ----------------------------------------------------------------------

@fuzz
@given(fields=st.fixed_dictionaries({}, optional={
    "title": nasty, "story": nasty, "occurred_on": nasty, "occurred_time": nasty, "place": nasty,
    "lat": nasty, "lon": nasty, "categories": st.lists(nasty, max_size=3), "consent_publish": nasty,
    "wants_legal_help": nasty, "contact": nasty}), photo=st.one_of(st.none(), st.binary(max_size=300)))
def test_fuzz_report_form(client, fields, photo):
    data = {**fields, "csrf_token": csrf_token(client, "/report")}
    if photo is not None:
        import io

        data["photo"] = (io.BytesIO(photo), "photo.jpg", "image/jpeg")
    clear(client.post("/report", data=data, content_type="multipart/form-data"))


@fuzz
@given(code=nasty, extra=forms)
def test_fuzz_case_lookup(client, code, extra):
    token = csrf_token(client, "/case")
    clear(client.post("/case", data={**extra, "code": code, "csrf_token": token}))


FILTERED = ["/map", "/map/points.geojson", "/map/areas.geojson", "/stories/", "/stories/feed.atom",
            "/stories/feed.rss", "/api/v1/reports", "/api/v1/stats", "/api/v1/categories",
            "/export/reports.csv", "/export/reports.geojson", "/stats", "/stats.csv"]
filter_keys = st.one_of(st.sampled_from(
    ["category", "since", "until", "bbox", "region", "verified", "page", "per_page", "limit", "cursor",
     "zoom", "lang", "q", "status", "format"]),
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8))


@fuzz
@given(url=st.sampled_from(FILTERED), params=st.lists(st.tuples(filter_keys, nasty), max_size=6))
def test_fuzz_public_filters(client, url, params):
    clear(client.get(url, query_string=[(k, v.replace("\x00", "")) for k, v in params]))


def public_forms(app) -> list[str]:
    """Every public address that takes a POST (new forms are fuzzed as soon as they exist)."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "POST" in rule.methods and not rule.arguments
                  and not rule.rule.startswith(("/admin", "/channels")))


def filed_case_code(client) -> str:
    """File a real report through the form and read its case code off the thank-you page."""
    import re

    with client.application.app_context():
        from core.models import Category

        category = str(Category.query.first().id)
    response = client.post("/report", data={
        "title": "Followed", "story": "A man followed me home.", "occurred_on": "2026-01-10",
        "place": "baku-nasimi", "categories": [category], "csrf_token": csrf_token(client, "/report")},
        follow_redirects=True)
    return re.search(r'id="case-code">([^<]+)<', response.get_data(as_text=True)).group(1)


@fuzz
@given(data=st.data())
def test_fuzz_every_public_form(app, client, data):
    """Any field on any public form, with a case opened first or not."""
    urls = public_forms(app)
    assert "/report" in urls and "/case" in urls
    url = data.draw(st.sampled_from(urls))
    if data.draw(st.booleans()):
        code = filed_case_code(client)
        clear(client.post("/case", data={"code": code, "csrf_token": csrf_token(client, "/case")}))
    form = data.draw(st.dictionaries(st.one_of(field_names, st.sampled_from(
        ["text", "confirm", "code", "title", "story", "place", "photo"])), nasty, max_size=6))
    clear(client.post(url, data={**form, "csrf_token": csrf_token(client, "/case")}))
