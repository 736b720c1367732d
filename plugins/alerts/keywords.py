"""SMS opt-in: she texts ``ALERT Masallı`` (or XƏBƏR / ОПОВЕЩЕНИЕ) to the deployment's number; a
misspelt place is read by the same place detection moderators use. STOP ends every SMS alert for
her number (the SMS plugin also stops every other message to it)."""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _

from core.conversation import claim_answer
from core.detection import detect_places, fold
from core.extensions import db
from core.intake import queue_reply
from plugins.alerts import areas
from plugins.alerts.subscriptions import stop_sms, subscribe_sms

SUBSCRIBE = {"en": ("alert", "alerts"), "az": ("xəbər", "xeber", "xəbərdarlıq"),
             "ru": ("оповещение", "оповещения", "подписка")}
STOP = ("stop", "unsubscribe", "dayan", "dayandır", "dur", "стоп", "хватит")
_SUBSCRIBE = {fold(word): language for language, words in SUBSCRIBE.items() for word in words}
_STOP = {fold(word) for word in STOP}


def handle(message) -> None:
    """``sesim_message_received`` for SMS: subscribe or stop; anything else is not for alerts."""
    if message.channel != "sms" or message.direction != "in" or not message.sender:
        return
    if (message.data or {}).get("alerts"):
        return  # done already: a follow-up that ran again (core.followups) asks nothing new
    words = (message.text or "").strip().split(maxsplit=1)
    if not words:
        return
    first = fold(re.sub(r"[^\w]", "", words[0]))
    if first in _STOP and len(words) == 1:
        stop_sms(message.sender)
        return
    language = _SUBSCRIBE.get(first)
    if language is None:
        return
    place_ids = detect_places(words[1]) if len(words) > 1 else []
    gateway = (message.data or {}).get("gateway")
    via = {"gateway": gateway} if gateway in ("twilio", "smssync") else {}
    with force_locale(language):
        if place_ids:
            subscribe_sms(message.sender, place_ids[0], language, via)  # once, however often asked
            text = _("Sesim: you will get at most one SMS a day about new published reports in "
                     "%(area)s. Send STOP to end.", area=areas.name(place_ids[0], language))
        else:
            text = _("Sesim: we could not find that place. Send ALERT and a district or town, "
                     "e.g. ALERT Masallı.")
    # Marked once her subscription is stored: a follow-up that failed before is tried again whole.
    message.status = "ignored"  # an alert request is not a report; moderators still see it
    message.data = {**(message.data or {}), "alerts": "subscribed" if place_ids else "unknown-place"}
    db.session.commit()
    if claim_answer(message):  # one answer per SMS, however many follow-ups race (no case code)
        queue_reply(message, text, kind="alert", **via)
