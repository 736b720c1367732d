"""Retention: raw messages, contact details and the conversation are erased a set number of days
after a report is closed or withdrawn (frozen clock), by ``sesim purge`` and the worker; the purge
is audited with counts only."""

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.admin.audit import record
from core.extensions import db
from core.media import uploads_dir
from core.models import Attachment, AuditLog, Message, Report
from core.models.base import utcnow

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WORDS = "Müdirim hər gün mənə yazır"


@pytest.fixture
def app_config():
    return {"SESIM_RETENTION_DAYS": 30, "SESIM_RETENTION_UNUSED_DAYS": 60}


def message(external_id, report=None, direction="in", status="new", text=WORDS, **extra):
    return Message(channel="sms", external_id=external_id, direction=direction, status=status,
                   sender="+994501234567", sender_hash="h-" + external_id, text=text,
                   data={"gateway": "smssync", "suggestions": {"places": ["baku"]}},
                   report=report, **extra)


def file_for(item_message, report=None) -> Attachment:
    name = f"{item_message.external_id}.bin"
    (uploads_dir() / name).write_bytes(b"evidence")
    return Attachment(kind="file", stored_name=name, content_type="application/pdf", size=8,
                      message=item_message, report=report)


@pytest.fixture
def cases(app):
    """At T0: a report whose conversation is closed, a rejected SMS report, an open one, and two
    messages that never became reports."""
    with time_machine.travel(T0, tick=False), app.app_context():
        def report(title, **extra):
            return Report(title=title, story="Story stays", occurred_at=utcnow(), contact=
                          "leyla@example.org", **extra)

        closed = report("closed", conversation_closed_at=utcnow())
        rejected = report("rejected", status="rejected", source_channel="sms")
        still_open = report("open")
        db.session.add_all([closed, rejected, still_open])
        sms = message("r1", rejected)
        db.session.add_all([
            message("c1", closed), message("c2", closed, direction="out", status="sent",
                                           text="Staff reply to her"),
            sms, file_for(sms, report=rejected),
            message("o1", still_open), message("spam1", status="spam"),
        ])
        ignored = message("ign1", status="ignored")
        db.session.add_all([ignored, file_for(ignored)])
        db.session.flush()
        record("report.reject", rejected, before={"status": "pending"},
               after={"status": "rejected"})
        db.session.commit()
        return {"closed": closed.id, "rejected": rejected.id, "open": still_open.id}


def purge(app, *args):
    result = app.test_cli_runner().invoke(args=["purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def texts(app):
    with app.app_context():
        return {m.external_id: m.text for m in Message.query.all()}


def test_nothing_is_erased_before_the_retention_period(app, cases):
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        assert "0 reports, 0 messages, 0 contacts" in purge(app)
    assert set(texts(app).values()) == {WORDS, "Staff reply to her"}


def test_closed_and_rejected_reports_lose_messages_contact_and_conversation(app, cases):
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        dry = purge(app, "--dry-run")
        assert "2 reports, 3 messages, 2 contacts, 0 files" in dry
        assert set(texts(app).values()) == {WORDS, "Staff reply to her"}  # a dry run changes nothing
        with app.app_context():
            assert AuditLog.query.filter_by(action="retention.purged").count() == 0

        assert "2 reports, 3 messages, 2 contacts, 0 files, 0 unused messages" in purge(app)

    with app.app_context():
        closed, rejected, still_open = (db.session.get(Report, cases[k])
                                        for k in ("closed", "rejected", "open"))
        assert closed.contact is None and rejected.contact is None
        assert still_open.contact == "leyla@example.org"  # open: kept
        assert closed.story == "Story stays"  # the report itself stays
        for external_id in ("c1", "c2", "r1"):
            erased = Message.query.filter_by(external_id=external_id).one()
            assert (erased.text, erased.sender, erased.sender_hash) == ("", None, None)
            assert erased.data == {"gateway": "smssync"}
        assert Message.query.filter_by(external_id="o1").one().text == WORDS
        assert Message.query.filter_by(external_id="spam1").one().text == WORDS  # 60 days
        assert Attachment.query.filter_by(report_id=rejected.id).count() == 1  # her evidence stays
        [audit] = AuditLog.query.filter_by(action="retention.purged").all()
        assert audit.after == {"reports": 2, "messages": 3, "contacts": 2, "files": 0,
                               "unused_messages": 0}
        assert audit.created_at == (T0 + timedelta(days=31)).replace(tzinfo=None)
        assert WORDS not in json.dumps([audit.before, audit.after, audit.note])

    with time_machine.travel(T0 + timedelta(days=32), tick=False):
        assert "0 reports, 0 messages" in purge(app)  # nothing left: no second audit entry
    with app.app_context():
        assert AuditLog.query.filter_by(action="retention.purged").count() == 1


def test_unused_messages_and_their_files_go_after_their_own_period(app, cases):
    with app.app_context():
        path = uploads_dir() / "ign1.bin"
    assert path.exists()
    with time_machine.travel(T0 + timedelta(days=61), tick=False):
        assert "1 files, 2 unused messages" in purge(app)
    assert not path.exists()
    assert texts(app)["spam1"] == "" and texts(app)["ign1"] == ""
    assert texts(app)["o1"] == WORDS


def test_the_worker_purges_too(app, cases):
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        output = app.test_cli_runner().invoke(args=["worker", "--once"]).output
    assert "running purge" in output
    assert texts(app)["c1"] == ""


def test_zero_keeps_everything(make_app, cases):
    keeper = make_app(SESIM_RETENTION_DAYS=0, SESIM_RETENTION_UNUSED_DAYS=0)
    with time_machine.travel(T0 + timedelta(days=400), tick=False):
        assert "0 reports, 0 messages" in purge(keeper)
    assert os.path.exists(os.path.join(keeper.instance_path, "uploads", "ign1.bin"))


def test_an_open_legal_case_keeps_everything_until_it_is_closed(app, cases):
    from core.models import LegalCase

    with time_machine.travel(T0, tick=False), app.app_context():
        db.session.add(LegalCase(report_id=cases["closed"], state="in_progress"))
        db.session.commit()
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert "1 reports, 1 messages, 1 contacts" in purge(app)  # only the rejected one
        assert texts(app)["c1"] == WORDS
        with app.app_context():
            legal = LegalCase.query.filter_by(report_id=cases["closed"]).one()
            legal.state, legal.closed_at = "closed", utcnow()
            db.session.commit()
    with time_machine.travel(T0 + timedelta(days=60), tick=False):
        assert "0 reports" in purge(app)  # 29 days after the legal case closed
    with time_machine.travel(T0 + timedelta(days=62), tick=False):
        assert "1 reports, 2 messages, 1 contacts" in purge(app)
    assert texts(app)["c1"] == "" and texts(app)["c2"] == ""


def test_sesim_purge_shows_progress_on_a_terminal_only(app, cases, monkeypatch):
    import io
    import sys

    from core.retention import purge as purge_now

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    with time_machine.travel(T0 + timedelta(days=61), tick=False):
        output = purge(app, "--dry-run")  # CliRunner: not a terminal, so no bar
        assert "Closed reports" not in output and "Would erase: 2 reports" in output
        screen = Terminal()
        monkeypatch.setattr(sys, "stderr", screen)
        with app.app_context():
            purge_now(dry_run=True)  # the worker's job: never a bar, even on a terminal
            assert screen.getvalue() == ""
            purge_now(dry_run=True, show_progress=True)  # what `sesim purge` asks for
    assert "Closed reports" in screen.getvalue() and "2/2" in screen.getvalue()
    assert "Unused messages" in screen.getvalue()
