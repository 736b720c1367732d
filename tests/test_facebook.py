"""The Facebook channel: the signed Messenger/page webhook, Graph API polling and private replies.

Only the Graph API is replaced (``responses``); webhook bodies are shaped like Facebook's
documentation of Messenger ``messages`` events and page ``feed`` changes.
"""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from sqlalchemy import text

from core.extensions import babel, db
from core.intake import Inbound, queue_reply, receive
from core.models import ChannelCursor, Message
from core.models.base import utcnow
from plugins.facebook.signature import sign

PAGE = "108234567890123"
PSID = "6917425893012345"
VISITOR = "2739105846271234"
SECRET = "3f1b7c9e2d4a6b8c0e1f2a3b4c5d6e7f"
VERSION = "v19.0"
GRAPH = f"https://graph.facebook.com/{VERSION}"
WEBHOOK = "/channels/facebook/webhook"



def extras(data: dict) -> dict:
    """What the channel kept, without the core's own bookkeeping flag."""
    return {key: value for key, value in data.items() if key != "processed"}

@pytest.fixture
def app_config():
    return {
        "SESIM_PLUGINS": "facebook",
        "SESIM_FACEBOOK_PAGE_ID": PAGE,
        "SESIM_FACEBOOK_PAGE_ACCESS_TOKEN": "EAAGm0PX4ZCpsBAPageToken",
        "SESIM_FACEBOOK_APP_SECRET": SECRET,
        "SESIM_FACEBOOK_VERIFY_TOKEN": "sesim-verify-8c1e",
        "SESIM_FACEBOOK_API_VERSION": VERSION,
    }


@pytest.fixture(autouse=True)
def fresh_translations(app):
    """Flask-Babel caches catalogues per process, not per app: apps with other plugins enabled
    (earlier tests) must not leave a cache without this plugin's strings."""
    with app.app_context():
        babel.domain_instance.cache.clear()


@pytest.fixture
def graph():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def messaging(*events, page=PAGE):
    return {"object": "page", "entry": [{"id": page, "time": 1715587965123, "messaging": list(events)}]}


def text_event(mid="m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
               text_="Salam, dünən avtobusda bir kişi mənə toxundu. Nə edə bilərəm?", sender=PSID):
    return {"sender": {"id": sender}, "recipient": {"id": PAGE}, "timestamp": 1715587964961,
            "message": {"mid": mid, "text": text_}}


def feed(*values):
    return {"object": "page", "entry": [{"id": PAGE, "time": 1715590000,
                                         "changes": [{"field": "feed", "value": v} for v in values]}]}


def post_signed(client, payload, secret=SECRET, raw=None, **headers):
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.post(WEBHOOK, data=body, content_type="application/json",
                       headers={"X-Hub-Signature-256": sign(body, secret), **headers})


def messages():
    return Message.query.filter_by(channel="facebook").order_by(Message.id).all()


# --- verification handshake ---------------------------------------------------------------------

def test_handshake_echoes_the_challenge(client):
    response = client.get(WEBHOOK, query_string={
        "hub.mode": "subscribe", "hub.verify_token": "sesim-verify-8c1e", "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "1158201444"
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize(
    "args",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guessed", "hub.challenge": "1158201444"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "sesim-verify-8c1e", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
        {},
    ],
    ids=["wrong-token", "wrong-mode", "no-token", "nothing"],
)
def test_handshake_refuses_a_wrong_token(client, args):
    response = client.get(WEBHOOK, query_string=args)
    assert response.status_code == 403
    assert "1158201444" not in response.get_data(as_text=True)


def test_handshake_is_refused_when_no_verify_token_is_configured(make_app):
    client = make_app(SESIM_PLUGINS="facebook").test_client()
    response = client.get(WEBHOOK, query_string={"hub.mode": "subscribe", "hub.verify_token": "",
                                                 "hub.challenge": "1158201444"})
    assert response.status_code == 403


# --- deliveries ---------------------------------------------------------------------------------

def test_signed_messenger_message_is_stored_with_the_sender_encrypted(client, app):
    echo = {"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": 1715587970000,
            "message": {"mid": "m_echo1", "is_echo": True, "app_id": 1517776481860111, "text": "Salam!"}}
    read = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1715587971000,
            "read": {"watermark": 1715587970000}}

    response = post_signed(client, messaging(text_event(), echo, read))

    assert response.status_code == 200
    assert response.get_json() == {"new": 1, "duplicates": 0}
    with app.app_context():
        [message] = messages()
        assert message.text.startswith("Salam, dünən avtobusda")
        assert message.sender == PSID
        assert extras(message.data) == {"kind": "messenger", "public": False, "suggestions": {
            "language": "az", "places": [], "categories": ["physical"]}}
        assert message.language == "az"
        assert str(message.received_at) == "2024-05-13 08:12:44.961000"
        raw = db.session.execute(text("SELECT sender FROM messages WHERE id = :id"),
                                 {"id": message.id}).scalar()
        assert PSID not in raw


def test_attachment_only_message_is_stored_without_the_file_address(client, app):
    event = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1715588000000,
             "message": {"mid": "m_photo_only_7Hq2", "attachments": [
                 {"type": "image", "payload": {
                     "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/441234567_n.jpg?_nc_cat=1&oh=00_AfB"}}]}}

    response = post_signed(client, messaging(event))

    assert response.status_code == 200
    with app.app_context():
        [message] = messages()
        assert message.text == ""
        assert extras(message.data) == {"kind": "messenger", "public": False, "attachments": ["image"]}
        assert "fbcdn" not in json.dumps(message.data)


def test_repeated_delivery_is_stored_once(client, app):
    payload = messaging(text_event())
    assert post_signed(client, payload).get_json() == {"new": 1, "duplicates": 0}
    assert post_signed(client, payload).get_json() == {"new": 0, "duplicates": 1}
    with app.app_context():
        assert len(messages()) == 1


def test_visitor_posts_and_comments_are_stored_without_names_or_links(client, app):
    post = {"from": {"id": VISITOR, "name": "Aysel Məmmədova"}, "item": "status", "verb": "add",
            "post_id": f"{PAGE}_1223334445556667", "created_time": 1715590000, "published": 1,
            "message": "Gəncədə bazarda biri arxamca gəldi", "is_hidden": False}
    comment = {"from": {"id": VISITOR, "name": "Aysel Məmmədova"}, "item": "comment", "verb": "add",
               "post_id": f"{PAGE}_1223334445556600", "comment_id": "1223334445556600_987654321",
               "parent_id": f"{PAGE}_1223334445556600", "created_time": 1715590100,
               "message": "Mənim də başıma gəldi", "post": {
                   "id": f"{PAGE}_1223334445556600", "status_type": "mobile_status_update",
                   "permalink_url": "https://www.facebook.com/permalink.php?story_fbid=1223334445556600"}}
    ours = {**comment, "from": {"id": PAGE, "name": "Sesim"}, "comment_id": "1223334445556600_11"}
    liked = {"item": "reaction", "verb": "add", "reaction_type": "like", "from": {"id": VISITOR},
             "post_id": f"{PAGE}_1223334445556600", "created_time": 1715590200}

    response = post_signed(client, feed(post, comment, ours, liked))

    assert response.get_json() == {"new": 2, "duplicates": 0}
    with app.app_context():
        stored = {m.external_id: m for m in messages()}
        assert set(stored) == {f"{PAGE}_1223334445556667", "1223334445556600_987654321"}
        post_data = stored[f"{PAGE}_1223334445556667"].data
        assert (post_data["kind"], post_data["public"]) == ("post", True)
        assert post_data["suggestions"]["categories"] == ["stalking"]
        comment_data = stored["1223334445556600_987654321"].data
        assert (comment_data["kind"], comment_data["public"]) == ("comment", True)
        for message in stored.values():
            assert message.sender == VISITOR
            assert "Aysel" not in json.dumps(message.data) and "facebook.com" not in json.dumps(message.data)


@pytest.mark.parametrize(
    "headers_for",
    [
        lambda body: {},
        lambda body: {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        lambda body: {"X-Hub-Signature-256": sign(body + b" ", SECRET)},  # signed another body
        lambda body: {"X-Hub-Signature-256": sign(body, "another-apps-secret")},
        lambda body: {"X-Hub-Signature-256": sign(body, SECRET).upper()},
        lambda body: {"X-Hub-Signature": "sha1=5a0a7b5c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a"},
        lambda body: {"X-Hub-Signature-256": "sha256=ümid"},
    ],
    ids=["missing", "zeros", "other-body", "other-secret", "mangled", "sha1-only", "not-hex"],
)
def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_stored(client, app, headers_for):
    body = json.dumps(messaging(text_event())).encode()

    response = client.post(WEBHOOK, data=body, content_type="application/json", headers=headers_for(body))

    assert response.status_code == 403
    with app.app_context():
        assert messages() == []


def test_an_unset_app_secret_rejects_every_delivery(make_app):
    app = make_app(SESIM_PLUGINS="facebook", SESIM_FACEBOOK_PAGE_ID=PAGE)
    response = post_signed(app.test_client(), messaging(text_event()), secret="")
    assert response.status_code == 403
    with app.app_context():
        assert messages() == []


@pytest.mark.parametrize(
    "raw",
    [b'{"object": "page", "entry": [', b"\xff\xfe not utf-8", b"[1, 2, 3]",
     b'{"object": "page", "entry": 5}'],
    ids=["truncated", "not-utf8", "array", "entry-not-a-list"],
)
def test_a_malformed_body_is_a_400_and_nothing_is_stored(client, app, raw):
    response = post_signed(client, None, raw=raw)
    assert response.status_code == 400
    assert response.is_json
    with app.app_context():
        assert messages() == []


def test_webhook_needs_no_csrf_token_but_no_other_method(client):
    assert client.put(WEBHOOK, data=b"{}").status_code == 405


# --- polling without webhooks -------------------------------------------------------------------

def conversation_page(items, after=None):
    cursors = {"before": "QVFIUmJLbWxRZA", "after": after or "QVFIUk5END"}
    body = {"data": items, "paging": {"cursors": cursors}}
    if after:
        body["paging"]["next"] = (f"{GRAPH}/{PAGE}/conversations?access_token=EAAGm0PX4ZCpsBAPageToken"
                                  f"&fields=id%2Cupdated_time&platform=messenger&limit=25&after={after}")
    return body


def graph_message(mid, text_, sender, created, attachments=None):
    item = {"id": mid, "message": text_, "created_time": created,
            "from": {"name": "Aysel Məmmədova", "email": f"{sender}@facebook.com", "id": sender}}
    if attachments:
        item["attachments"] = {"data": attachments, "paging": {"cursors": {"before": "x", "after": "y"}}}
    return item


def poll_run(graph):
    graph.get(f"{GRAPH}/{PAGE}/conversations", json=conversation_page(
        [{"id": "t_10161224567890123", "updated_time": "2024-05-13T09:30:00+0000"}], after="QVFIUkNvbnYy"))
    graph.get(f"{GRAPH}/t_10161224567890123/messages", json={"data": [
        graph_message("m_reply_from_page", "Salam, sizə necə kömək edə bilərik?", PAGE,
                      "2024-05-13T09:30:00+0000"),
        graph_message("m_new_2", "", PSID, "2024-05-13T09:29:00+0000",
                      attachments=[{"id": "1234", "mime_type": "image/jpeg"}]),
        graph_message("m_new_1", "Metroda təqib olundum", PSID, "2024-05-13T09:28:00+0000"),
    ], "paging": {"cursors": {"before": "a", "after": "b"}}})
    graph.get(f"{GRAPH}/{PAGE}/conversations", json=conversation_page(
        [{"id": "t_10161224567890999", "updated_time": "2024-05-12T18:00:00+0000"}]))
    graph.get(f"{GRAPH}/t_10161224567890999/messages", json={"data": [
        graph_message("m_old_1", "Парень в маршрутке не давал пройти", VISITOR, "2024-05-12T18:00:00+0000"),
    ], "paging": {"cursors": {"before": "a", "after": "b"}}})
    graph.get(f"{GRAPH}/{PAGE}/visitor_posts", json={"data": [
        {"id": f"{PAGE}_1223334445556667", "message": "Gəncədə bazarda biri arxamca gəldi",
         "created_time": "2024-05-13T08:00:00+0000", "from": {"name": "Aysel Məmmədova", "id": VISITOR}},
    ], "paging": {"cursors": {"before": "a", "after": "b"}}})


def fetch(runner):
    return runner.invoke(args=["channels", "fetch", "--channel", "facebook"])


def test_polling_reads_conversations_and_visitor_posts_page_by_page(runner, app, graph):
    poll_run(graph)

    result = fetch(runner)

    assert result.exit_code == 0, result.output
    assert "facebook: 4 new, 0 duplicate, 0 failed" in result.output
    with app.app_context():
        stored = {m.external_id: m for m in messages()}
        assert set(stored) == {"m_new_2", "m_new_1", "m_old_1", f"{PAGE}_1223334445556667"}
        assert extras(stored["m_new_2"].data) == {"kind": "messenger", "public": False,
                                                  "attachments": ["image"]}
        assert stored["m_new_1"].sender == PSID
        assert stored[f"{PAGE}_1223334445556667"].data["kind"] == "post"
        assert stored["m_old_1"].language == "ru"
        assert all("Aysel" not in json.dumps(m.data) for m in stored.values())
        assert ChannelCursor.get("facebook", "conversations") == "2024-05-13T09:30:00+0000"
        assert ChannelCursor.get("facebook", "visitor_posts") == "2024-05-13T08:00:00+0000"
    second_page = parse_qs(urlparse(graph.calls[2].request.url).query)
    assert second_page["after"] == ["QVFIUkNvbnYy"]
    assert all(f"/{VERSION}/" in call.request.url for call in graph.calls)  # the configured API version


def test_polling_again_stops_at_the_saved_position(runner, app, graph):
    with app.app_context():
        ChannelCursor.put("facebook", "conversations", "2024-05-13T09:30:00+0000")
        ChannelCursor.put("facebook", "visitor_posts", "2024-05-13T08:00:00+0000")
    graph.get(f"{GRAPH}/{PAGE}/conversations", json=conversation_page([
        {"id": "t_10161224567890123", "updated_time": "2024-05-13T10:00:00+0000"},
        {"id": "t_10161224567890999", "updated_time": "2024-05-13T09:30:00+0000"},
    ], after="NEVERFOLLOWED"))
    graph.get(f"{GRAPH}/t_10161224567890123/messages", json={"data": [
        graph_message("m_new_3", "Bir şey də əlavə edim", PSID, "2024-05-13T10:00:00+0000"),
        graph_message("m_new_1", "Metroda təqib olundum", PSID, "2024-05-13T09:28:00+0000"),
    ]})
    graph.get(f"{GRAPH}/{PAGE}/visitor_posts", json={"data": []})

    result = fetch(runner)

    assert result.exit_code == 0, result.output
    assert "facebook: 1 new, 0 duplicate, 0 failed" in result.output
    assert len(graph.calls) == 3
    assert parse_qs(urlparse(graph.calls[2].request.url).query)["since"] == ["1715587200"]
    with app.app_context():
        assert ChannelCursor.get("facebook", "conversations") == "2024-05-13T10:00:00+0000"


EXPIRED = {"error": {"message": "Error validating access token: The session has been invalidated because "
                                "the user changed their password or Facebook has changed the session for "
                                "security reasons.", "type": "OAuthException", "code": 190,
                     "error_subcode": 460, "fbtrace_id": "AbCdEfGhIjK"}}
THROTTLED = {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException",
                       "is_transient": True, "code": 4, "fbtrace_id": "AxYz"}}


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ({"status": 401, "json": EXPIRED}, "expired or was revoked"),
        ({"status": 403, "json": THROTTLED}, "rate limit reached"),
        ({"body": requests.ConnectionError("Connection refused")}, "could not reach Facebook"),
    ],
    ids=["revoked-token", "rate-limited", "network-down"],
)
def test_polling_failure_is_a_clear_error_and_keeps_the_position(runner, app, graph, failure, expected):
    with app.app_context():
        ChannelCursor.put("facebook", "conversations", "2024-05-12T00:00:00+0000")
        ChannelCursor.put("facebook", "visitor_posts", "2024-05-11T00:00:00+0000")
    graph.get(f"{GRAPH}/{PAGE}/conversations", json=conversation_page(
        [{"id": "t_10161224567890123", "updated_time": "2024-05-13T09:30:00+0000"}]))
    graph.get(f"{GRAPH}/t_10161224567890123/messages", **failure)
    if "status" in failure:
        graph.get(f"{GRAPH}/{PAGE}/visitor_posts", **failure)

    result = fetch(runner)

    assert result.exit_code == 1
    assert expected in result.output
    with app.app_context():
        assert ChannelCursor.get("facebook", "conversations") == "2024-05-12T00:00:00+0000"
        assert ChannelCursor.get("facebook", "visitor_posts") == "2024-05-11T00:00:00+0000"
        assert messages() == []


@pytest.mark.parametrize("version", ["3.1.0", "latest", "v19"])
def test_a_bad_api_version_is_a_clear_error(make_app, version):
    app = make_app(SESIM_PLUGINS="facebook", SESIM_FACEBOOK_PAGE_ID=PAGE,
                   SESIM_FACEBOOK_PAGE_ACCESS_TOKEN="token", SESIM_FACEBOOK_API_VERSION=version)
    result = app.test_cli_runner().invoke(args=["channels", "fetch", "--channel", "facebook"])
    assert result.exit_code == 1
    assert "SESIM_FACEBOOK_API_VERSION" in result.output


def test_the_graph_client_accepts_versions_facebook_sdk_does_not_know():
    from plugins.facebook.graph import Graph

    assert Graph("token", "19.0").version == "v19.0"
    assert Graph("token", None).version.startswith("v")


# --- replies ------------------------------------------------------------------------------------

def sent_body(call) -> dict:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def test_reply_to_a_messenger_message_uses_the_send_api(app, ctx, graph):
    graph.post(f"{GRAPH}/{PAGE}/messages", json={"recipient_id": PSID, "message_id": "m_reply_1"})
    original, _created = receive(Inbound(channel="facebook", external_id="m_abc", text="Kömək edin",
                                         sender=PSID, data={"kind": "messenger", "public": False}))

    reply = queue_reply(original, "Sizin iş kodunuz: 7K2P-9QXA")

    assert reply.status == "sent", reply.error
    body = sent_body(graph.calls[0])
    assert json.loads(body["recipient"]) == {"id": PSID}
    assert json.loads(body["message"]) == {"text": "Sizin iş kodunuz: 7K2P-9QXA"}
    assert body["messaging_type"] == "RESPONSE"
    assert body["access_token"] == "EAAGm0PX4ZCpsBAPageToken"


def test_reply_to_a_public_comment_is_private(app, ctx, graph):
    graph.post(f"{GRAPH}/{PAGE}/messages", json={"recipient_id": VISITOR, "message_id": "m_reply_2"})
    original, _created = receive(Inbound(channel="facebook", external_id="1223334445556600_987654321",
                                         text="Mənim də başıma gəldi", sender=VISITOR,
                                         data={"kind": "comment", "public": True}))

    assert queue_reply(original, "Bizə şəxsi yazın").status == "sent"
    assert json.loads(sent_body(graph.calls[0])["recipient"]) == {"comment_id": "1223334445556600_987654321"}


def test_late_reply_uses_the_human_agent_tag_and_a_failure_is_recorded(app, ctx, graph):
    graph.post(f"{GRAPH}/{PAGE}/messages", status=400, json={"error": {
        "message": "(#10) This message is sent outside of allowed window.", "type": "OAuthException",
        "code": 10, "error_subcode": 2018278, "fbtrace_id": "A1"}})
    original, _created = receive(Inbound(channel="facebook", external_id="m_old", text="Kömək",
                                         sender=PSID, received_at=utcnow() - timedelta(days=3)))

    reply = queue_reply(original, "Bağışlayın, gec cavab veririk")

    body = sent_body(graph.calls[0])
    assert body["messaging_type"] == "MESSAGE_TAG" and body["tag"] == "HUMAN_AGENT"
    assert reply.status == "failed"
    assert "outside of allowed window" in reply.error


# --- public pages -------------------------------------------------------------------------------

def test_home_page_warns_that_posts_and_comments_are_public(client):
    page_text = client.get("/?lang=en").get_data(as_text=True)
    assert 'id="notice-facebook"' in page_text
    assert "A post or comment on our Facebook page is public" in page_text
    assert "private message on Messenger" in page_text
    assert "публичен" in client.get("/?lang=ru").get_data(as_text=True)


def _entry(**fields):
    return {"object": "page", "entry": [{"id": PAGE, **fields}]}


@pytest.mark.parametrize("payload", [
    _entry(messaging=5),
    _entry(messaging=[{"sender": "x", "message": {"mid": "m.1", "text": "hi"}}]),
    _entry(messaging=[{"sender": {"id": "1"}, "message": {"mid": "m.2", "attachments": 3}}]),
    _entry(changes=[{"field": "feed", "value": {"item": "post", "verb": "add", "from": "x"}}]),
    {"object": "page", "entry": 7},
])
def test_signed_but_oddly_shaped_events_are_skipped_not_a_500(client, app, payload):
    response = post_signed(client, payload)
    assert response.status_code in (200, 400)
    with app.app_context():
        assert messages() == []


def test_home_page_says_which_page_to_write_to(make_app):
    client = make_app(SESIM_PLUGINS="facebook", SESIM_FACEBOOK_PAGE_NAME="Sesim Azərbaycan",
                      SESIM_FACEBOOK_PAGE_URL="https://www.facebook.com/sesim.az").test_client()
    page_text = client.get("/?lang=ru").get_data(as_text=True)
    assert "Наша страница в Facebook:" in page_text
    assert 'href="https://www.facebook.com/sesim.az"' in page_text and "Sesim Azərbaycan" in page_text
    named_only = make_app(SESIM_PLUGINS="facebook", SESIM_FACEBOOK_PAGE_NAME="Sesim",
                          SESIM_FACEBOOK_PAGE_URL="javascript:alert(1)").test_client()
    page_text = named_only.get("/?lang=en").get_data(as_text=True)
    assert "Our Facebook page:" in page_text and "javascript:" not in page_text
