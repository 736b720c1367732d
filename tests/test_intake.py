"""The core's intake: store first, recognise repeats, then hints for moderators."""

import pytest

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


def test_a_new_message_costs_two_commits_and_is_committed_before_any_plugin_runs(app):
    """Store first (commit 1), then suggestions, spam verdict, plugins and ``processed`` in one
    more commit: on SQLite each commit is a disk flush, the main cost of intake."""
    from sqlalchemy import create_engine, event, text

    from core import hookimpl
    from core.extensions import db

    commits, seen_by_plugin = [], []
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])  # another connection's view

    class Plugin:
        @hookimpl
        def sesim_message_received(self, message):
            with other.connect() as conn:
                seen_by_plugin.append(conn.execute(
                    text("SELECT count(*) FROM messages WHERE external_id = 'two'")).scalar())

    with app.app_context():
        app.extensions["sesim"].manager.register(Plugin(), name="probe")
        event.listen(db.session(), "after_commit", lambda session: commits.append(1))
        message, created = receive(Inbound(channel="test", external_id="two", sender="+994501112233",
                                           text="Xaçmazda bir kişi izləyir"))
        assert created and len(commits) == 2
        assert seen_by_plugin == [1]
        db.session.expire_all()
        stored = db.session.get(Message, message.id)
        assert stored.data["processed"] and stored.data["suggestions"]["places"]
        assert stored.sender == "+994501112233"
    other.dispose()


def test_a_plugin_that_fails_keeps_the_suggestions_and_is_left_for_the_worker(app, caplog):
    """The message is followed up apart from that plugin, which the worker calls again
    (tests/test_late_followups.py)."""
    from core import hookimpl
    from core.extensions import db

    class Plugin:
        @hookimpl
        def sesim_message_received(self, message):
            raise RuntimeError("plugin exploded")

    with app.app_context():
        app.extensions["sesim"].manager.register(Plugin(), name="broken")
        message, created = receive(Inbound(channel="test", external_id="f1", text="Xaçmazda izləyirlər"))
        db.session.expire_all()
        stored = db.session.get(Message, message.id)
        assert stored.data["suggestions"]["places"] and stored.data["plugins_failed"] == ["broken"]
        assert "processed" not in stored.data
    assert "plugin exploded" in caplog.text


def test_sqlite_runs_with_a_write_ahead_log_and_full_sync(app):
    from core.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL has its own durability settings")
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() == 10000


def test_a_new_message_is_not_read_back_after_it_is_stored(app):
    """The INSERT leaves the columns it did not name NULL and a new message has no attachments:
    reading them again after the store would cost a SELECT per message (~20 % of intake)."""
    from tests.test_public_counts import recorded_statements

    with app.app_context():
        receive(Inbound(channel="test", external_id="warm", text="Xaçmazda izləyirlər"))
        with recorded_statements() as statements:
            message, created = receive(Inbound(channel="test", external_id="r1", sender="+994501112233",
                                               text="Xaçmazda bir kişi izləyir"))
        assert created and message.data["processed"]
        reads = [sql for sql, _ in statements if sql.lstrip().upper().startswith("SELECT")
                 and ("FROM messages" in sql or "FROM attachments" in sql)]
        assert reads == []
        writes = [sql.split()[0].upper() for sql, _ in statements if "messages" in sql]
        assert writes == ["INSERT", "UPDATE"]
