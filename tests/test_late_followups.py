"""A message stored but never followed up (the process died, or the database failed, between the
store and the follow-up) is followed up by ``sesim worker`` once no request can still hold it,
and an SMS gets her case code then — once, however many answers race for it."""

import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from core import conversation, hookimpl
from core.extensions import db
from core.followups import GRACE, MARK
from core.models import ChannelCursor, Message
from core.models.base import utcnow
from tests.conftest import on_each_statement

PHONE = "+994551234567"
SECRET = "s3cret"
TEXT = "Xətai rayonunda bir kişi hər gün məni izləyir"


@pytest.fixture
def app_config():
    return {"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "smssync",
            "SESIM_SMS_SMSSYNC_SECRET": SECRET, "SESIM_SMS_AUTO_REPLY": True}


def left_by_a_crash(app, external_id="smssync:6f1c3a52", text=TEXT, received_at=None) -> int:
    """The row the SMSSync webhook commits before the follow-up, as a process that died right
    after that commit leaves it: stored, not followed up, not answered."""
    from core.intake import sender_hash

    with app.app_context():
        message = Message(channel="sms", external_id=external_id, sender=PHONE,
                          sender_hash=sender_hash(PHONE), text=text, data={"gateway": "smssync"},
                          received_at=received_at or utcnow())
        db.session.add(message)
        db.session.commit()
        return message.id


def delivered_again(app, text=TEXT):
    """The SMSSync phone sends the SMS ``left_by_a_crash`` stored once more (it heard no answer)."""
    response = app.test_client().post("/channels/sms/smssync", data={
        "from": PHONE, "message": text, "message_id": "6f1c3a52", "secret": SECRET,
        "sent_timestamp": "1714560000000"})
    assert response.status_code == 200 and response.get_json()["payload"]["success"] is True
    return response


def worker_once(app) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def time_passes(app, by=GRACE) -> None:
    """Move the last sweep's note back by ``by``, as if that much time had gone by since."""
    with app.app_context():
        noted = json.loads(ChannelCursor.get(*MARK))
        noted["at"] = (datetime.fromisoformat(noted["at"]) - by).isoformat()
        ChannelCursor.put(*MARK, json.dumps(noted))


def sweeps_past_the_grace(app) -> None:
    """Two sweeps of ``sesim worker`` with the grace between: the first notes what waits, the
    second follows up what still does."""
    worker_once(app)
    time_passes(app)
    worker_once(app)


def replies_to(message_id: int) -> list[Message]:
    return Message.query.filter_by(direction="out", in_reply_to_id=message_id).all()


def test_the_worker_follows_up_a_message_a_crash_left_and_she_gets_her_case_code(app):
    stuck = left_by_a_crash(app)
    worker_once(app)  # notes it: the request that stored it may still be running
    with app.app_context():
        assert "processed" not in db.session.get(Message, stuck).data and replies_to(stuck) == []
    worker_once(app)  # a minute later: still within the grace a request gets
    with app.app_context():
        assert "processed" not in db.session.get(Message, stuck).data
    newer = left_by_a_crash(app, external_id="smssync:7a2d4b63")  # stored after the first note

    time_passes(app)
    worker_once(app)
    with app.app_context():
        message = db.session.get(Message, stuck)
        assert message.data["processed"] and message.data["late"]
        assert message.data["suggestions"]["places"]  # what the request would have added
        [reply] = replies_to(stuck)
        assert (reply.status, reply.sender, reply.data["kind"]) == ("queued", PHONE, "case-code")
        code = re.search(r"\d{4}-\d{4}-\d{4}", reply.text).group()
        assert conversation.find(code) is not None  # the code opens her case
        assert "processed" not in db.session.get(Message, newer).data  # not seen waiting before

    time_passes(app)
    worker_once(app)
    with app.app_context():
        assert db.session.get(Message, newer).data["processed"] and len(replies_to(newer)) == 1
        assert len(replies_to(stuck)) == 1  # answered once
        assert db.session.get(Message, stuck).case_code_hash == message.case_code_hash


def test_a_repeated_delivery_answers_what_a_crash_left_unanswered_once(app):
    stuck = left_by_a_crash(app)
    for _ in range(2):
        delivered_again(app)
    with app.app_context():
        assert Message.query.filter_by(direction="in").count() == 1
        assert db.session.get(Message, stuck).data["late"]
        [reply] = replies_to(stuck)  # queued for the phone to fetch: the first request is gone
        assert reply.data["kind"] == "case-code" and reply.status == "queued"
    sweeps_past_the_grace(app)
    with app.app_context():
        assert len(replies_to(stuck)) == 1


def test_a_late_sms_is_answered_even_when_its_spam_check_fails(app):
    """A failing plugin rolls the follow-up's transaction back; her ``late`` mark, committed before
    it, stays, so she still gets her code."""
    from core import hookimpl

    class BrokenSpamCheck:
        @hookimpl
        def sesim_spam_verdict(self, message):
            raise RuntimeError("spam service down")

    app.extensions["sesim"].manager.register(BrokenSpamCheck(), name="broken-spam-check")
    stuck = left_by_a_crash(app)
    sweeps_past_the_grace(app)
    with app.app_context():
        assert db.session.get(Message, stuck).data["late"]
        [reply] = replies_to(stuck)
        assert reply.data["kind"] == "case-code"


def test_a_repeat_answers_an_sms_whose_request_died_after_its_follow_up(app):
    """Followed up, then the process died before the answer: the gateway heard nothing, sends it
    again, and the repeat answers her (once)."""
    stuck = left_by_a_crash(app)
    with app.app_context():
        message = db.session.get(Message, stuck)
        message.data = {**message.data, "processed": True}
        message.language = "az"
        db.session.commit()
    for _ in range(2):
        delivered_again(app)
    with app.app_context():
        [reply] = replies_to(stuck)
        assert reply.data["kind"] == "case-code" and db.session.get(Message, stuck).case_code_hash


def test_an_old_message_is_never_answered_out_of_the_blue(app):
    """A message stuck for days (e.g. from before the worker ran) is left alone: an SMS about a
    report arriving days later, on a phone that may be shared, is a danger of its own."""
    from core.followups import WITHIN

    stuck = left_by_a_crash(app, received_at=utcnow() - WITHIN - GRACE)
    sweeps_past_the_grace(app)
    with app.app_context():
        assert "processed" not in db.session.get(Message, stuck).data and replies_to(stuck) == []


def test_of_two_answers_at_once_only_one_sends_a_case_code(app):
    from plugins.sms.flow import respond

    stuck = left_by_a_crash(app)
    with app.app_context():
        message = db.session.get(Message, stuck)
        assert message.answered_at is None
        # Meanwhile another request (or the worker) answered her, on its own connection.
        with db.engine.begin() as other:
            other.execute(update(Message).where(Message.id == stuck).values(answered_at=utcnow()))
        assert respond(message, "smssync", twiml=False) is None
        assert replies_to(stuck) == []
        assert db.session.get(Message, stuck).case_code_hash is None  # no code she never got


def test_a_repeat_while_the_first_request_still_runs_sends_help_once(app):
    """The gateway gave up waiting and sent HELP again while the first request was still busy:
    the repeat answers (its first request looks dead), and the first request, reaching its answer
    at last, sends nothing more."""
    from plugins.sms.flow import respond

    stuck = left_by_a_crash(app, text="HELP")
    with app.app_context():
        first = db.session.get(Message, stuck)  # what the first request holds
        first.language = "en"
        delivered_again(app, text="HELP")
        assert [reply.data["kind"] for reply in replies_to(stuck)] == ["help"]
        assert respond(first, "smssync", twiml=True) is None
        assert [reply.data["kind"] for reply in replies_to(stuck)] == ["help"]


def test_a_repeat_of_an_old_sms_is_not_answered(app):
    """A phone that was offline for days sends an old SMS again: it is followed up for the
    moderators, but no answer arrives out of the blue."""
    from core.followups import WITHIN

    stuck = left_by_a_crash(app, received_at=utcnow() - WITHIN - GRACE)
    delivered_again(app)
    with app.app_context():
        assert db.session.get(Message, stuck).data["processed"] and replies_to(stuck) == []


def test_two_workers_sweeping_at_once_follow_up_once(app):
    """Several workers on one Redis queue each run the schedule: the note is replaced only if it
    is still the one a sweep read, so one of them goes on."""
    from core.followups import _replace_note

    stuck = left_by_a_crash(app)
    worker_once(app)
    time_passes(app)
    with app.app_context():
        read = ChannelCursor.get(*MARK)
        assert _replace_note(read, json.dumps({"at": utcnow().isoformat(), "ids": []}))  # worker A
        assert not _replace_note(read, "{}")  # worker B read the same note: it stops
    worker_once(app)  # the next sweep waits for A's note to age
    with app.app_context():
        assert "processed" not in db.session.get(Message, stuck).data


def test_a_sweep_that_loses_the_note_to_another_worker_follows_up_nothing(app):
    """Another worker replaces the note between this sweep's read and its write (its own
    connection, committed first): this sweep stops, and only the winner follows the message up."""
    from core.followups import sweep

    stuck = left_by_a_crash(app)
    worker_once(app)
    time_passes(app)
    winner = json.dumps({"at": utcnow().isoformat(), "ids": []})
    raced = []

    def another_worker_first(statement, _parameters):
        if statement.lstrip().upper().startswith("UPDATE CHANNEL_CURSORS") and not raced:
            raced.append(True)
            with db.engine.begin() as other:
                other.execute(update(ChannelCursor).where(ChannelCursor.stream == MARK[1])
                              .values(value=winner))

    with app.app_context():
        with on_each_statement(another_worker_first):
            assert sweep() == 0
        db.session.remove()
        assert raced and ChannelCursor.get(*MARK) == winner  # the winner's note stands
        message = db.session.get(Message, stuck)
        assert "processed" not in message.data and replies_to(stuck) == []


def test_a_note_from_the_future_does_not_stop_the_sweeps(app):
    """The clock was set back: the last note seems to lie ahead. It is replaced, and messages
    are followed up from the new one."""
    stuck = left_by_a_crash(app)
    worker_once(app)
    time_passes(app, by=-timedelta(days=30))
    worker_once(app)
    with app.app_context():
        noted = json.loads(ChannelCursor.get(*MARK))
        assert datetime.fromisoformat(noted["at"]) <= utcnow() and noted["ids"] == [stuck]
        assert "processed" not in db.session.get(Message, stuck).data  # its wait is unknown
    time_passes(app)
    worker_once(app)
    with app.app_context():
        assert db.session.get(Message, stuck).data["processed"] and len(replies_to(stuck)) == 1


def test_a_case_code_goes_out_when_her_language_is_unknown(app):
    """Her language comes from the text analysis; when that failed she still gets her code, in
    the deployment's language."""
    from plugins.sms.replies import case_code_text

    with app.test_request_context():
        assert "1234-5678-9012" in case_code_text(None, "1234-5678-9012")
        assert case_code_text(None, "1") == case_code_text(app.config["SESIM_DEFAULT_LANGUAGE"], "1")


class Flaky:
    """A plugin whose ``sesim_message_received`` fails its first ``failures`` calls, as one whose
    database was busy or whose server did not answer."""

    def __init__(self, failures: int):
        self.failures, self.calls = failures, 0

    @hookimpl
    def sesim_message_received(self, message):
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("INSERT INTO deliveries", {}, Exception("database is locked"))


def with_plugins(app, **plugins):
    for name, plugin in plugins.items():
        app.extensions["sesim"].manager.register(plugin, name=name)
    return plugins


def new_sms(app, message_id="9a0b1c2d") -> int:
    response = app.test_client().post("/channels/sms/smssync", data={
        "from": PHONE, "message": TEXT, "message_id": message_id, "secret": SECRET})
    assert response.get_json()["payload"]["success"] is True
    with app.app_context():
        return Message.query.filter_by(external_id=f"smssync:{message_id}").one().id


def follow_up_state(app, message_id: int) -> dict:
    with app.app_context():
        data = db.session.get(Message, message_id).data
        return {key: data.get(key) for key in ("processed", "plugins_failed", "follow_up_tries")}


def test_a_plugin_that_failed_is_called_again_alone_by_the_worker(app):
    plugins = with_plugins(app, flaky=Flaky(failures=1), steady=Flaky(failures=0))
    sms = new_sms(app)
    assert follow_up_state(app, sms) == {"processed": None, "plugins_failed": ["flaky"],
                                         "follow_up_tries": 1}
    assert (plugins["flaky"].calls, plugins["steady"].calls) == (1, 1)

    sweeps_past_the_grace(app)
    assert (plugins["flaky"].calls, plugins["steady"].calls) == (2, 1)  # the other's work is done
    assert follow_up_state(app, sms) == {"processed": True, "plugins_failed": None,
                                         "follow_up_tries": 1}
    with app.app_context():
        assert len(replies_to(sms)) == 1  # her case code, in the request; not again


def test_a_plugin_that_keeps_failing_is_given_up_after_three_follow_ups(app):
    plugins = with_plugins(app, broken=Flaky(failures=99))
    sms = new_sms(app, "7e7e7e7e")
    sweeps_past_the_grace(app)
    assert follow_up_state(app, sms)["follow_up_tries"] == 2
    time_passes(app)
    worker_once(app)
    assert follow_up_state(app, sms) == {"processed": True, "plugins_failed": ["broken"],
                                         "follow_up_tries": 3}
    time_passes(app)
    worker_once(app)
    assert plugins["broken"].calls == 3
