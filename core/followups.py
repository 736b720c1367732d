"""The worker's second chance for a follow-up that never finished.

A message is stored first, then followed up in the same request (suggestions, the spam verdict,
the plugins' ``sesim_message_received``, an SMS's answer with her case code). A crash or a database
outage between the two leaves it stored but not followed up, and the gateway that heard "stored"
never sends it again. Each sweep notes the recent messages still waiting; one that was already
waiting at a sweep at least ``GRACE`` earlier is taken to be in no request's hands any more (a
request waits at most tens of seconds on the database or a gateway), so it is followed up here,
marked ``late``: her request is gone, so an answer goes by the gateway's own way of sending
(SMSSync's queue, Twilio's REST API), not in a response. Should a request still be running after
all, the one automatic answer a message gets is claimed by compare-and-set
(``core.conversation.claim_answer``), so a follow-up run twice sends nothing twice.

Only messages received in the last ``WITHIN`` are answered: an SMS about a report arriving out of
the blue days later, on a phone that may be shared, is a danger of its own.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models import ChannelCursor, Message
from core.models.base import utcnow

log = logging.getLogger("sesim.followups")

MARK = ("core", "follow-ups-waiting")  # a ChannelCursor row: the last sweep's time and waiting ids
GRACE = timedelta(minutes=10)
RECENT = 5000  # the newest inbound messages looked at (more than a busy campaign's ten minutes)
WITHIN = timedelta(days=2)  # an older message is not answered out of the blue


def sweep() -> int:
    """Follow up the messages left waiting since the previous sweep; return how many."""
    now = utcnow()
    noted = ChannelCursor.get(*MARK)
    previous_at, previous = _parse(noted)
    if previous_at is not None and timedelta(0) <= now - previous_at < GRACE:
        return 0  # the noted messages may still be in a request's hands: wait for them
    waiting = _waiting(now)
    # A note from the future (the clock was set back) says nothing of how long they waited.
    stuck = sorted(waiting & previous) if previous_at is not None and now >= previous_at else []
    if not _replace_note(noted, json.dumps({"at": now.isoformat(), "ids": sorted(waiting)})):
        return 0  # another worker swept at the same moment: it follows them up
    return sum(_follow_up_late(message_id) for message_id in stuck)


def _waiting(now: datetime) -> set[int]:
    """The recent inbound messages not followed up: the newest ``RECENT`` by id (read through the
    primary key, however large the table), filtered here."""
    rows = (db.session.query(Message.id, Message.data, Message.status, Message.received_at)
            .filter(Message.direction == "in").order_by(Message.id.desc()).limit(RECENT).all())
    return {message_id for message_id, data, status, received_at in rows
            if not (data or {}).get("processed") and status != "withdrawn"
            and received_at >= now - WITHIN}


def _parse(noted: str | None) -> tuple[datetime | None, set[int]]:
    try:
        value = json.loads(noted or "{}")
        at = datetime.fromisoformat(value["at"])
        return (None, set()) if at.tzinfo is not None else (at, {int(i) for i in value["ids"]})
    except (ValueError, KeyError, TypeError):
        return None, set()  # none yet, or unreadable: this sweep writes a new one


def _replace_note(old: str | None, new: str) -> bool:
    """Write the new note only if it is still ``old``: of two workers sweeping at once (several
    workers share a Redis queue, each with its schedule), one goes on."""
    if old is None:
        db.session.add(ChannelCursor(channel=MARK[0], stream=MARK[1], value=new))
        try:
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
            return False
    replaced = db.session.execute(
        update(ChannelCursor).where(ChannelCursor.channel == MARK[0], ChannelCursor.stream == MARK[1],
                                    ChannelCursor.value == old).values(value=new, updated_at=utcnow())
    ).rowcount == 1
    db.session.commit()
    return replaced


def _follow_up_late(message_id: int) -> int:
    from core.intake import follow_up_late

    message = db.session.get(Message, message_id)
    if message is None or (message.data or {}).get("processed"):
        return 0  # erased, or followed up by a repeated delivery meanwhile
    follow_up_late(message)
    followed = bool((message.data or {}).get("processed"))  # as committed, or reloaded on failure
    log.log(logging.INFO if followed else logging.WARNING, "late follow-up of message %s: %s",
            message_id, "done" if followed else "failed, tried again at the next sweep")
    return int(followed)
