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
