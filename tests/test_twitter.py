"""The X (Twitter) channel: mentions, search and DMs polled through tweepy's API v2 client.

Only X's HTTP API is replaced (``responses``), with payloads shaped like X's documentation.
"""

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from sqlalchemy import text

from core.extensions import babel, db
from core.intake import Inbound, queue_reply, receive
from core.models import ChannelCursor, Message

ACCOUNT = "1500000000000000000"  # the deployment's account: the prefix of its access token
API = "https://api.twitter.com/2"
MENTIONS = f"{API}/users/{ACCOUNT}/mentions"
SEARCH = f"{API}/tweets/search/recent"
DMS = f"{API}/dm_events"
QUERY = "#sesimaz OR #qadınlar"

LEYLA = {"id": "2244994945", "name": "Leyla", "username": "leyla_baku"}
NIGAR = {"id": "783214", "name": "Nigar", "username": "nigar_gnc"}
US = {"id": ACCOUNT, "name": "Sesim", "username": "SesimAz"}



def extras(data: dict) -> dict:
    """What the channel kept, without the core's own bookkeeping flag."""
    return {key: value for key, value in data.items() if key != "processed"}

@pytest.fixture
def app_config():
    return {
        "SESIM_PLUGINS": "twitter",
        "SESIM_TWITTER_BEARER_TOKEN": "AAAAAAAAAAAAAAAAAAAAAbearer",
        "SESIM_TWITTER_CONSUMER_KEY": "consumer-key",
        "SESIM_TWITTER_CONSUMER_SECRET": "consumer-secret",
        "SESIM_TWITTER_ACCESS_TOKEN": f"{ACCOUNT}-AccessTokenValue",
        "SESIM_TWITTER_ACCESS_TOKEN_SECRET": "access-token-secret",
        "SESIM_TWITTER_SEARCH": QUERY,
        "SESIM_TWITTER_MAX_WAIT": 0,
    }


@pytest.fixture(autouse=True)
def fresh_translations(app):
    """Flask-Babel caches catalogues per process, not per app: apps with other plugins enabled
    (earlier tests) must not leave a cache without this plugin's strings."""
    with app.app_context():
        babel.domain_instance.cache.clear()


@pytest.fixture
def x_api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def tweet(id_, text_, author, created="2024-05-13T08:12:45.000Z", lang="az", **extra):
    return {"id": id_, "text": text_, "author_id": author["id"], "created_at": created, "lang": lang,
            "edit_history_tweet_ids": [id_], **extra}


def page(tweets, users, next_token=None, media=None):
    meta = {"result_count": len(tweets), "newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
    body = {"data": tweets, "includes": {"users": users}, "meta": meta}
    if media:
        body["includes"]["media"] = media
    if next_token:
        body["meta"]["next_token"] = next_token
    return body


EMPTY = {"meta": {"result_count": 0}}


def dm(id_, text_, sender, created="2024-05-13T09:00:00.000Z", **extra):
    return {"id": id_, "event_type": "MessageCreate", "text": text_, "sender_id": sender["id"],
            "dm_conversation_id": f"{min(sender['id'], ACCOUNT)}-{max(sender['id'], ACCOUNT)}",
            "created_at": created, **extra}


def params(call) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(call.request.url).query).items()}


def fetch(runner):
    return runner.invoke(args=["channels", "fetch", "--channel", "twitter"])


def full_run(x_api):
    """Two pages of mentions (with a retweet and our own tweet), a search page, two pages of DMs."""
    x_api.get(MENTIONS, json=page(
        [tweet("1790000000000000005", "@SesimAz Metroda bir kişi məni izlədi, 28 May stansiyası", LEYLA,
               attachments={"media_keys": ["3_1790000000000000005"]}),
         tweet("1790000000000000004", "RT @other: #sesimaz", NIGAR,
               referenced_tweets=[{"type": "retweeted", "id": "1780000000000000000"}])],
        [LEYLA, NIGAR], next_token="7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i",
        media=[{"media_key": "3_1790000000000000005", "type": "photo"}]))
    x_api.get(MENTIONS, json=page(
        [tweet("1790000000000000003", "@SesimAz thank you all", US),
         tweet("1790000000000000002", "@SesimAz В автобусе ко мне приставали", NIGAR, lang="ru")],
        [US, NIGAR]))
    x_api.get(SEARCH, json=page(
        [tweet("1790000000000000006", "Küçədə söz atdılar #sesimaz", NIGAR, lang="az"),
         tweet("1790000000000000005", "@SesimAz Metroda bir kişi məni izlədi, 28 May stansiyası", LEYLA)],
        [NIGAR, LEYLA]))
    x_api.get(DMS, json={
        "data": [dm("1790000000000000102", "Sağ olun, cavab verdiniz", US),
                 dm("1790000000000000101", "İşdə müdirim narahat edir, adımı yazmayın", LEYLA)],
        "includes": {"users": [US, LEYLA]},
        "meta": {"result_count": 2, "next_token": "18LAA581J5II7LA00C00ZZZZ"}})
    x_api.get(DMS, json={
        "data": [dm("1790000000000000100", "https://t.co/4o7iBJ3Xzs", NIGAR,
                    attachments={"media_keys": ["3_1790000000000000100"]})],
        "includes": {"users": [NIGAR], "media": [{"media_key": "3_1790000000000000100", "type": "photo"}]},
        "meta": {"result_count": 1}})


def test_fetch_pages_through_mentions_search_and_dms(runner, app, x_api):
    full_run(x_api)

    result = fetch(runner)

    assert result.exit_code == 0, result.output
    assert "twitter: 5 new, 1 duplicate, 0 failed" in result.output
    with app.app_context():
        stored = {m.external_id: m for m in Message.query.filter_by(channel="twitter")}
        assert set(stored) == {"1790000000000000005", "1790000000000000002", "1790000000000000006",
                               "1790000000000000101", "1790000000000000100"}  # no retweet, nothing of ours
        mention = stored["1790000000000000005"]
        assert mention.sender == "@leyla_baku (2244994945)"
        assert extras(mention.data) == {"kind": "mention", "public": True, "media": ["photo"],
                                        "suggestions": {"language": "az", "places": [],
                                                        "categories": ["stalking"]}}  # core's hints
        assert mention.language == "az"
        assert stored["1790000000000000002"].language == "ru"
        assert stored["1790000000000000006"].data["kind"] == "search"
        private = stored["1790000000000000101"]
        assert {k: private.data[k] for k in ("kind", "public")} == {"kind": "dm", "public": False}
        assert private.language == "az"  # detected: DMs carry no language of their own
        assert private.sender == "@leyla_baku (2244994945)"
        assert stored["1790000000000000100"].data["media"] == ["photo"]
        assert str(mention.received_at) == "2024-05-13 08:12:45"
        # the handle is encrypted at rest and nowhere in the channel extras
        raw = db.session.execute(text("SELECT sender, data FROM messages WHERE external_id = :id"),
                                 {"id": mention.external_id}).one()
        assert "leyla_baku" not in raw.sender and "2244994945" not in raw.sender
        assert all("leyla" not in json.dumps(m.data) and "http" not in json.dumps(m.data)
                   for m in stored.values())
        assert ChannelCursor.get("twitter", "mentions") == "1790000000000000005"
        assert ChannelCursor.get("twitter", "dm") == "1790000000000000102"

    first_page = params(x_api.calls[0])
    assert first_page["max_results"] == "100" and "since_id" not in first_page
    assert params(x_api.calls[1])["pagination_token"] == "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"
    assert params(x_api.calls[2])["query"] == f"({QUERY}) -is:retweet"
    assert x_api.calls[0].request.headers["Authorization"] == "Bearer AAAAAAAAAAAAAAAAAAAAAbearer"
    assert x_api.calls[3].request.headers["Authorization"].startswith("OAuth ")  # DMs need user context
    assert params(x_api.calls[4])["pagination_token"] == "18LAA581J5II7LA00C00ZZZZ"


def test_next_run_asks_only_for_newer_tweets_and_stops_at_known_dms(runner, app, x_api):
    with app.app_context():
        ChannelCursor.put("twitter", "mentions", "1790000000000000005")
        from plugins.twitter.fetch import search_stream

        ChannelCursor.put("twitter", search_stream(QUERY), "1790000000000000006")
        ChannelCursor.put("twitter", "dm", "1790000000000000101")
    x_api.get(MENTIONS, json=page([tweet("1790000000000000009", "@SesimAz yenə oldu", NIGAR)], [NIGAR]))
    x_api.get(SEARCH, json=EMPTY)
    x_api.get(DMS, json={"data": [dm("1790000000000000110", "Bir daha yazıram", LEYLA),
                                  dm("1790000000000000101", "İşdə müdirim narahat edir", LEYLA)],
                         "includes": {"users": [LEYLA]},
                         "meta": {"result_count": 2, "next_token": "NEVERFOLLOWED"}})

    result = fetch(runner)

    assert result.exit_code == 0, result.output
    assert "twitter: 2 new, 0 duplicate, 0 failed" in result.output
    assert params(x_api.calls[0])["since_id"] == "1790000000000000005"
    assert params(x_api.calls[1])["since_id"] == "1790000000000000006"
    assert len(x_api.calls) == 3  # the DM page reaching a known event ends the stream
    with app.app_context():
        assert ChannelCursor.get("twitter", "mentions") == "1790000000000000009"
        assert ChannelCursor.get("twitter", "dm") == "1790000000000000110"
        assert Message.query.filter_by(channel="twitter").count() == 2


def test_rate_limit_keeps_the_position_and_the_next_run_resumes(runner, app, x_api):
    with app.app_context():
        ChannelCursor.put("twitter", "mentions", "1780000000000000000")
    reset = int(time.time()) + 900
    x_api.get(MENTIONS, json=page([tweet("1790000000000000005", "@SesimAz kömək edin", LEYLA)], [LEYLA],
                                  next_token="b26v89c19zqg8o3fpzbkk7ulaikpn8qhzstjm3z2nyh7l"))
    x_api.get(MENTIONS, status=429, json={"title": "Too Many Requests", "detail": "Too Many Requests",
                                          "type": "about:blank", "status": 429},
              headers={"x-rate-limit-limit": "180", "x-rate-limit-remaining": "0",
                       "x-rate-limit-reset": str(reset)})
    x_api.get(SEARCH, json=EMPTY)
    x_api.get(DMS, json={"meta": {"result_count": 0}})

    result = fetch(runner)

    assert result.exit_code == 1
    assert "twitter: 1 new, 0 duplicate, 0 failed" in result.output
    assert "mentions: X rate limit reached" in result.output
    assert time.strftime("%H:%M:%S", time.gmtime(reset)) in result.output
    with app.app_context():
        assert ChannelCursor.get("twitter", "mentions") == "1780000000000000000"  # untouched
        assert Message.query.filter_by(external_id="1790000000000000005").count() == 1

    # next run: the same range again from the kept position; what is stored counts as duplicate
    x_api.reset()
    x_api.get(MENTIONS, json=page([tweet("1790000000000000005", "@SesimAz kömək edin", LEYLA)], [LEYLA],
                                  next_token="b26v89c19zqg8o3fpzbkk7ulaikpn8qhzstjm3z2nyh7l"))
    x_api.get(MENTIONS, json=page([tweet("1790000000000000004", "@SesimAz mən də", NIGAR)], [NIGAR]))
    x_api.get(SEARCH, json=EMPTY)
    x_api.get(DMS, json={"meta": {"result_count": 0}})

    result = fetch(runner)

    assert result.exit_code == 0, result.output
    assert "twitter: 1 new, 1 duplicate, 0 failed" in result.output
    assert params(x_api.calls[0])["since_id"] == "1780000000000000000"
    with app.app_context():
        assert ChannelCursor.get("twitter", "mentions") == "1790000000000000005"


def test_a_short_rate_limit_window_is_waited_out(runner, app, x_api, monkeypatch):
    app.config["SESIM_TWITTER_MAX_WAIT"] = 60
    waited = []
    monkeypatch.setattr("plugins.twitter.fetch._sleep", waited.append)
    x_api.get(MENTIONS, status=429, json={"title": "Too Many Requests", "status": 429},
              headers={"x-rate-limit-reset": str(int(time.time()) + 5)})
    x_api.get(MENTIONS, json=page([tweet("1790000000000000005", "@SesimAz kömək edin", LEYLA)], [LEYLA]))
    x_api.get(SEARCH, json=EMPTY)
    x_api.get(DMS, json={"meta": {"result_count": 0}})

    result = fetch(runner)

    assert result.exit_code == 0, result.output
    assert "twitter: 1 new" in result.output
    assert len(waited) == 1 and 0 < waited[0] <= 7


REVOKED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ({"status": 401, "json": REVOKED}, "the token was revoked or is wrong"),
        ({"body": requests.ConnectionError("Name or service not known")}, "could not reach X"),
    ],
    ids=["revoked-token", "network-down"],
)
def test_revoked_token_or_network_failure_is_a_clear_error_and_keeps_the_position(
    runner, app, x_api, failure, expected
):
    with app.app_context():
        ChannelCursor.put("twitter", "mentions", "1780000000000000000")
        ChannelCursor.put("twitter", "dm", "1780000000000000100")
    x_api.get(MENTIONS, **failure)
    if "status" in failure:  # a revoked bearer token does not stop the other streams' own checks
        x_api.get(SEARCH, **failure)
        x_api.get(DMS, **failure)

    result = fetch(runner)

    assert result.exit_code == 1
    assert expected in result.output
    assert "0 new, 0 duplicate, 0 failed" in result.output
    with app.app_context():
        assert ChannelCursor.get("twitter", "mentions") == "1780000000000000000"
        assert ChannelCursor.get("twitter", "dm") == "1780000000000000100"
        assert Message.query.count() == 0


@pytest.mark.parametrize(
    ("me", "expected"),
    [({"json": {"data": US}}, "twitter: 1 new, 0 duplicate, 0 failed"),
     ({"status": 403, "json": {"title": "Unsupported Authentication", "status": 403, "type": "about:blank",
                               "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for "
                                         "this endpoint."}},
      "cannot tell which X account is ours")],
    ids=["user-token", "app-only-token"],
)
def test_bearer_token_alone_reads_mentions_but_not_dms(make_app, x_api, me, expected):
    app = make_app(SESIM_PLUGINS="twitter", SESIM_TWITTER_BEARER_TOKEN="oauth2-user-token")
    x_api.get(f"{API}/users/me", **me)
    if "json" in me and "data" in me["json"]:
        x_api.get(MENTIONS, json=page([tweet("1790000000000000005", "@SesimAz kömək edin", LEYLA)], [LEYLA]))

    result = app.test_cli_runner().invoke(args=["channels", "fetch", "--channel", "twitter"])

    assert expected in result.output
    assert all("dm_events" not in call.request.url for call in x_api.calls)


def test_unconfigured_account_says_which_settings_are_missing(make_app):
    app = make_app(SESIM_PLUGINS="twitter")
    result = app.test_cli_runner().invoke(args=["channels", "fetch", "--channel", "twitter"])
    assert result.exit_code == 1
    assert "SESIM_TWITTER_BEARER_TOKEN" in result.output


def test_reply_goes_back_as_a_direct_message(app, ctx, x_api):
    x_api.post(f"{API}/dm_conversations/with/2244994945/messages", status=201,
               json={"data": {"dm_conversation_id": f"2244994945-{ACCOUNT}",
                              "dm_event_id": "1790000000000000200"}})
    original, _created = receive(Inbound(channel="twitter", external_id="1790000000000000101",
                                         text="İşdə müdirim narahat edir", sender="@leyla_baku (2244994945)",
                                         data={"kind": "dm", "public": False}))

    reply = queue_reply(original, "Sizin iş kodunuz: 7K2P-9QXA")

    assert reply.status == "sent", reply.error
    sent = x_api.calls[0].request
    assert json.loads(sent.body) == {"text": "Sizin iş kodunuz: 7K2P-9QXA"}
    assert sent.headers["Authorization"].startswith("OAuth ")


def test_failed_reply_is_recorded_not_lost(app, ctx, x_api):
    x_api.post(f"{API}/dm_conversations/with/2244994945/messages", status=403,
               json={"detail": "You cannot send messages to this user.", "status": 403,
                     "title": "Forbidden", "type": "about:blank"})
    original, _created = receive(Inbound(channel="twitter", external_id="1790000000000000005",
                                         text="@SesimAz kömək", sender="@leyla_baku (2244994945)"))

    reply = queue_reply(original, "Zəhmət olmasa bizə şəxsi mesaj yazın")

    assert reply.status == "failed"
    assert "You cannot send messages to this user" in reply.error
    assert Message.query.filter_by(direction="out").one().text.startswith("Zəhmət")


def test_home_page_warns_that_tweets_are_public(client, make_app):
    page_text = client.get("/?lang=en").get_data(as_text=True)
    assert 'id="notice-x"' in page_text
    assert "A tweet that mentions us or uses our hashtag is public" in page_text
    assert 'href="/report"' in page_text

    without = make_app(SESIM_PLUGINS="").test_client().get("/").get_data(as_text=True)
    assert 'id="notice-x"' not in without


def test_public_notice_is_translated(client):
    page_text = client.get("/?lang=ru").get_data(as_text=True)
    assert "публичн" in page_text.lower()
    page_text = client.get("/?lang=az").get_data(as_text=True)
    assert "hamı" in page_text.lower()


def test_home_page_says_which_account_to_write_to(make_app):
    client = make_app(SESIM_PLUGINS="twitter", SESIM_TWITTER_ACCOUNT="@sesim_az").test_client()
    page_text = client.get("/?lang=az").get_data(as_text=True)
    assert "X-dəki hesabımız:" in page_text
    assert 'href="https://x.com/sesim_az" rel="noreferrer noopener"><strong>@sesim_az</strong>' in page_text
    unset = make_app(SESIM_PLUGINS="twitter").test_client().get("/?lang=en").get_data(as_text=True)
    assert "Our account on X" not in unset
