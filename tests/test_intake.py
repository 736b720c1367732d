"""The core's intake: store first, recognise repeats, then hints for moderators."""

from core.intake import Inbound, receive
from core.models import Message


def test_hints_are_added_after_the_message_is_stored(app):
    with app.app_context():
        message, created = receive(Inbound(channel="test", external_id="1", sender="+994501112233",
                                           text="Xaçmazda avtobus dayanacağında bir kişi izləyir"))
        assert created
        stored = Message.query.one()
        assert stored.data["suggestions"]["places"][0].startswith("khachmaz")
        assert stored.language == "az"


def test_failing_text_analysis_never_loses_the_message(app, monkeypatch, caplog):
    from core import detection

    def broken(*args, **kwargs):
        raise RuntimeError("analysis exploded")

    monkeypatch.setattr(detection, "suggestions", broken)
    with app.app_context():
        message, created = receive(Inbound(channel="test", external_id="2", text="help me"))
        assert created and Message.query.filter_by(external_id="2").count() == 1
        assert "suggestions" not in Message.query.one().data
    assert "text analysis failed for message" in caplog.text


def test_repeated_delivery_is_stored_once_and_long_text_is_cut_with_a_note(app):
    with app.app_context():
        first, created = receive(Inbound(channel="test", external_id="3", text="x" * 25_000))
        again, created_again = receive(Inbound(channel="test", external_id="3", text="x" * 25_000))
        assert created and not created_again and first.id == again.id
        assert len(first.text) == 20_000 and first.data["truncated_from"] == 25_000
        assert Message.query.count() == 1


def test_a_redelivery_runs_the_follow_up_a_crash_interrupted(app):
    from core import hookimpl

    seen = []

    class Plugin:
        @hookimpl
        def sesim_message_received(self, message):
            seen.append(message.external_id)

    with app.app_context():
        from core.extensions import db

        # As if the process died right after the commit: stored, never followed up.
        db.session.add(Message(channel="test", external_id="c1", text="Xaçmazda izləyirlər", data={}))
        db.session.commit()
        app.extensions["sesim"].manager.register(Plugin(), name="probe")
        message, created = receive(Inbound(channel="test", external_id="c1", text="Xaçmazda izləyirlər"))
        assert not created and seen == ["c1"]
        assert message.data["processed"] and message.data["suggestions"]["places"]
        receive(Inbound(channel="test", external_id="c1", text="Xaçmazda izləyirlər"))
        assert seen == ["c1"]  # followed up once, not at every repeat
