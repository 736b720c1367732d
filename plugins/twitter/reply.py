"""Replies go back privately, as a direct message: never as a public tweet that would point at the
person who reported."""

from __future__ import annotations

from plugins.twitter.client import Credentials, TwitterError, call, make_client
from plugins.twitter.inbound import sender_user_id


def send_direct_message(config, message) -> bool:
    creds = Credentials.from_config(config)
    if not creds.user_context:
        raise TwitterError("replying on X needs SESIM_TWITTER_CONSUMER_KEY, _CONSUMER_SECRET, "
                           "_ACCESS_TOKEN and _ACCESS_TOKEN_SECRET")
    user_id = sender_user_id(message.sender)
    if not user_id:
        raise TwitterError("this message has no X user id to reply to")
    client = make_client(creds)
    call(client.create_direct_message, participant_id=user_id, text=message.text, user_auth=True)
    return True
