"""``sesim demo`` per profile: reports in the deployment's own regions, and an inbox with the same
sender's SMS to try a merge, a conversation with a staff reply, and adding to an existing report."""

from __future__ import annotations

import re

import pytest

from tests.test_admin_support import client_as, make_staff, post

RURAL = {"khachmaz", "sabirabad", "ismailli", "masalli"}


@pytest.mark.parametrize(("profile", "regions"), [("rural", RURAL), ("baku", {"baku"})])
def test_demo_uses_the_profiles_regions(make_app, profile, regions):
    from core.models import Message, Report

    app = make_app(SESIM_PROFILE=profile, SESIM_PLUGINS="")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        found = {r.region_id for r in Report.query.all() if r.region_id}
        assert found and found <= regions
        if profile == "rural":
            assert found == RURAL or len(found) >= 3  # spread over the districts
        inbound = Message.query.filter_by(direction="in", channel="sms").all()
        by_sender = {}
        for m in inbound:
            by_sender.setdefault(m.sender_hash, []).append(m)
        assert sorted(len(v) for v in by_sender.values()) == [1, 2, 3]


def test_rural_demo_inbox_can_be_merged_threaded_and_added_to(make_app):
    from core.extensions import db
    from core.models import Message, Report

    app = make_app(SESIM_PROFILE="rural", SESIM_PLUGINS="")
    app.test_cli_runner().invoke(args=["demo"])
    make_staff(app)
    moderator = client_as(app, "moderator")
    with app.app_context():
        groups = {}
        for m in Message.query.filter_by(direction="in", channel="sms").order_by(Message.id):
            groups.setdefault(m.sender_hash, []).append(m.id)
        three = next(ids for ids in groups.values() if len(ids) == 3)
        two = next(ids for ids in groups.values() if len(ids) == 2)
        report = db.session.get(Message, two[0]).report
        assert report is not None and report.region_id == "ismailli"
        public_id, report_id = report.public_id, report.id

    inbox = moderator.get("/admin/messages").get_data(as_text=True)
    assert re.search(r'class="badge"[^>]*>[^<]*\b3\b', inbox) and "Masallıda bazarda" in inbox  # az only
    thread = moderator.get(f"/admin/messages/{two[1]}").get_data(as_text=True)
    assert 'data-direction="out"' in thread and public_id in thread  # the thread shows the reply

    response = post(moderator, "/admin/messages/attach", {"ids": [two[1]], "report": public_id},
                    f"/admin/messages/attach?ids={two[1]}")
    assert response.status_code == 302
    page = moderator.get(f"/admin/messages/report?{'&'.join(f'ids={i}' for i in three)}")
    assert page.status_code == 200 and "Bu gün yenə gəldi" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Message, two[1]).report_id == report_id
        assert Report.query.count() == 37
