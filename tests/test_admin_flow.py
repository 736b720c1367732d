"""The whole moderation flow through the real app: a message comes in, becomes a report, is
verified, blurred, redacted and published, and the public page shows only public fields."""

from __future__ import annotations

import re

import pytest

from core import hookimpl
from tests.test_admin_support import audit_entries, client_as, make_staff, post

SENDER = "+994501112233"
STORY = ("A man followed me from the metro at Nizami every evening. "
         "He wrote to me from +994 55 765 43 21 and as @stalker_baku, e-mail bad.man@example.com.")


@pytest.fixture
def staff(app):
    return make_staff(app)


class Recorder:
    def __init__(self):
        self.published = []

    @hookimpl
    def sesim_report_published(self, report):
        self.published.append(report.public_id)


@pytest.fixture
def recorder(app):
    recorder = Recorder()
    app.extensions["sesim"].manager.register(recorder, name="test-recorder")
    return recorder


def receive(app, external_id, text=STORY, sender=SENDER, channel="sms", **data):
    from core.intake import Inbound, receive

    with app.app_context():
        message, created = receive(Inbound(channel=channel, external_id=external_id, text=text,
                                           sender=sender, data=data))
        assert created
        return message.id


def category_ids(app, *slugs):
    from core.models import Category

    with app.app_context():
        return [c.id for c in Category.query.filter(Category.slug.in_(slugs))]


def make_report(client, app, ids, consent=True, **extra):
    data = {"ids": ids, "title": "Followed from the metro", "story": STORY,
            "occurred_on": "2026-03-01", "place": "baku-nasimi",
            "categories": category_ids(app, "stalking"), "language": "en", **extra}
    if consent:
        data["consent_publish"] = "y"
    page = "/admin/messages/report?" + "&".join(f"ids={i}" for i in ids)
    return post(client, "/admin/messages/report", data, page)


def report_id_from(response) -> int:
    return int(re.search(r"/admin/reports/(\d+)$", response.headers["Location"]).group(1))


def test_message_to_published_report(app, staff, recorder):
    from core.extensions import db
    from core.models import Message, Report

    message_id = receive(app, "sms-1", suggestions={"places": ["baku-nasimi"],
                                                    "categories": ["stalking"], "language": "az"})
    moderator = client_as(app, "moderator")

    inbox = moderator.get("/admin/messages").get_data(as_text=True)
    assert "followed me from the metro" in inbox
    assert SENDER not in inbox  # the sender's number stays hidden in the inbox
    form = moderator.get(f"/admin/messages/report?ids={message_id}").get_data(as_text=True)
    assert re.search(r'<option selected value="baku-nasimi"', form)  # the channel's suggestion, pre-chosen

    response = make_report(moderator, app, [message_id])
    assert response.status_code == 302
    report_id = report_id_from(response)
    with app.app_context():
        message = db.session.get(Message, message_id)
        assert message.report_id == report_id and message.status == "converted"
        report = db.session.get(Report, report_id)
        assert report.source_channel == "sms" and report.status == "pending"

    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "[phone]" in page and "[@…]" in page and "[e-mail]" in page  # redaction proposal

    response = post(moderator, f"/admin/reports/{report_id}/moderate", {
        "verified": "y", "verification_note": "Called back; a friend confirmed it.",
        "location_precision": "region",
        "public_story": "A man followed me from the metro every evening. He wrote to me.",
    }, f"/admin/reports/{report_id}")
    assert response.status_code == 302
    assert recorder.published == []

    response = post(moderator, f"/admin/reports/{report_id}/status", {"action": "publish"},
                    f"/admin/reports/{report_id}")
    assert response.status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "published" and report.published_at and report.verified
        assert report.verified_by_id == staff["moderator"]
        public_id = report.public_id
    assert recorder.published == [public_id]

    public = app.test_client().get(f"/reports/{public_id}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "Followed from the metro" in text and "He wrote to me." in text
    for private in ("765 43 21", "stalker_baku", "bad.man@example.com", SENDER, "Nizami", "Nəsimi"):
        assert private not in text
    with app.app_context():
        from core.publicdata import public_fields

        fields = public_fields(db.session.get(Report, report_id))
        from core import gazetteer

        baku = gazetteer.load().region("baku")
        assert (fields["lat"], fields["lon"]) == (baku.lat, baku.lon)  # blurred to the region
        assert "contact" not in fields and "story" in fields

    actions = [e[0] for e in audit_entries(app)]
    assert {"report.created_from_messages", "report.moderated", "report.publish"} <= set(actions)
    assert SENDER not in str(audit_entries(app)) and "765 43 21" not in str(audit_entries(app))


def test_story_without_consent_stays_private_when_published(app, staff, recorder):
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sms-2")], consent=False))
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "did not agree to a public story" in page
    post(moderator, f"/admin/reports/{report_id}/moderate", {
        "location_precision": "place", "public_story": "Secret words she did not want out."},
        f"/admin/reports/{report_id}")
    post(moderator, f"/admin/reports/{report_id}/status", {"action": "publish"},
         f"/admin/reports/{report_id}")
    from core.extensions import db
    from core.models import Report

    with app.app_context():
        public_id = db.session.get(Report, report_id).public_id
    text = app.test_client().get(f"/reports/{public_id}").get_data(as_text=True)
    assert "Secret words" not in text and "Followed from the metro" in text
    assert len(recorder.published) == 1


def test_rejecting_tells_nobody(app, staff, recorder):
    from core.extensions import db
    from core.models import Report

    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sms-3")]))
    post(moderator, f"/admin/reports/{report_id}/status", {"action": "reject"},
         f"/admin/reports/{report_id}")
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "rejected" and report.published_at is None
        public_id = report.public_id
    assert recorder.published == []
    assert app.test_client().get(f"/reports/{public_id}").status_code == 404


def test_messages_of_one_sender_merge_into_one_report(app, staff):
    from core.extensions import db
    from core.models import Message, Report

    first = receive(app, "sms-10", text="He stands at the bus stop.")
    second = receive(app, "sms-11", text="Today he touched me.")
    stranger = receive(app, "sms-12", text="Other story", sender="+994709998877")
    moderator = client_as(app, "moderator")
    inbox = moderator.get("/admin/messages").get_data(as_text=True)
    assert "2 messages from this sender" in inbox

    response = make_report(moderator, app, [first, stranger])
    assert response.status_code == 400
    assert "same sender" in response.get_data(as_text=True)
    with app.app_context():
        assert Report.query.count() == 0

    report_id = report_id_from(make_report(moderator, app, [first, second]))
    with app.app_context():
        linked = Message.query.filter_by(report_id=report_id).all()
        assert {m.id for m in linked} == {first, second}
        assert {m.status for m in linked} == {"converted"}
        assert db.session.get(Message, stranger).status == "new"
    # A message already in a report cannot be used again.
    assert make_report(moderator, app, [second]).status_code == 400


@pytest.mark.parametrize("mark", ["spam", "ignored"])
def test_marking_messages(app, staff, mark):
    from core.extensions import db
    from core.models import Message

    message_id = receive(app, f"sms-{mark}")
    moderator = client_as(app, "moderator")
    response = post(moderator, "/admin/messages/mark", {"action": mark, "ids": [message_id]},
                    "/admin/messages")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Message, message_id).status == mark
    listed = moderator.get(f"/admin/messages?status={mark}").get_data(as_text=True)
    assert "followed me from the metro" in listed
    assert "followed me" not in moderator.get("/admin/messages?status=new").get_data(as_text=True)
    assert audit_entries(app)[-1][:5] == (f"message.{mark}", "messages", message_id,
                                          {"status": "new"}, {"status": mark})


def test_editing_keeps_the_original_and_shows_the_change(app, staff):
    from core.extensions import db
    from core.models import Report

    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sms-20")]))
    url = f"/admin/reports/{report_id}"
    response = post(moderator, f"{url}/edit", {
        "title": "Followed from Nizami metro", "story": "A man followed me from the metro.",
        "occurred_on": "2026-03-02", "place": "baku-nasimi", "language": "en",
        "categories": category_ids(app, "stalking", "verbal"), "consent_publish": "y"}, url)
    assert response.status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.title == "Followed from Nizami metro"
        (revision,) = report.revisions
        assert revision.changes["story"][0] == STORY  # the original words are kept
        assert revision.changes["categories"] == [["stalking"], ["stalking", "verbal"]]
    page = moderator.get(url).get_data(as_text=True)
    assert "<ins>Nizami metro</ins>" in page or "<ins>Nizami" in page
    assert "<del>" in page
    edited = [e for e in audit_entries(app) if e[0] == "report.edited"][0]
    assert "765 43 21" not in str(edited)  # story text in the audit log is redacted


@pytest.mark.parametrize("field, value", [
    ("title", ""), ("occurred_on", "yesterday"), ("story", ""), ("place", "atlantis"),
])
def test_bad_edit_input_is_a_clear_400(app, staff, field, value):
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sms-30")]))
    url = f"/admin/reports/{report_id}"
    data = {"title": "T", "story": "S", "occurred_on": "2026-03-02", "place": "", "language": "en",
            field: value}
    response = post(moderator, f"{url}/edit", data, url)
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)


def test_title_is_not_copied_from_the_message_and_a_revealing_title_blocks_publishing(app, staff, recorder):
    from core.extensions import db
    from core.models import Report

    moderator = client_as(app, "moderator")
    message_id = receive(app, "sms-title", text="Call me on +994 55 765 43 21, I was followed")
    form = moderator.get(f"/admin/messages/report?ids={message_id}").get_data(as_text=True)
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', form).group()
    assert "765" not in title_input  # the raw text never becomes the (always public) title

    report_id = report_id_from(make_report(moderator, app, [message_id], title="Call +994 55 765 43 21"))
    page = f"/admin/reports/{report_id}"
    response = post(moderator, f"{page}/status", {"action": "publish"}, page)
    assert response.status_code == 400
    assert "The public text may identify her (title: phone number)" in response.get_data(as_text=True)
    bulk = post(moderator, "/admin/reports/bulk", {"ids": [report_id], "action": "publish"},
                "/admin/reports")
    assert bulk.status_code == 302
    with app.app_context():
        assert db.session.get(Report, report_id).status == "pending"
    assert recorder.published == []


def test_making_a_report_from_messages_fires_report_created(app, staff):
    created = []

    class Plugin:
        @hookimpl
        def sesim_report_created(self, report):
            created.append(report.source_channel)

    app.extensions["sesim"].manager.register(Plugin(), name="created-probe")
    moderator = client_as(app, "moderator")
    make_report(moderator, app, [receive(app, "sms-created")])
    assert created == ["sms"]


@pytest.mark.parametrize("path", ["/admin/reports/100000000000000000000", "/admin/audit?target_type=reports"
                                  "&target_id=100000000000000000000", "/admin/messages?sender=%C2%B2"])
def test_huge_or_odd_numbers_are_not_a_500(app, staff, path):
    admin = client_as(app, "admin")
    assert admin.get(path).status_code in (200, 404)


@pytest.mark.parametrize("app_config", [{"SESIM_PLUGINS": "sms"}])  # the label is the plugin's
def test_staff_read_words_not_codes(app, staff):
    moderator = client_as(app, "moderator")
    report_id = report_id_from(make_report(moderator, app, [receive(app, "sms-words")]))
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert '<option value="hidden">hidden: no place at all</option>' in page
    assert "· SMS ·" in page
    moderator.get("/admin/account?lang=ru")
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "скрыто: место не указывается" in page


def test_limits_staff_read_come_from_the_settings(make_app):
    """The grid size in the precision choices is the deployment's SESIM_LOCATION_GRID, and the note
    and reply limits quote the limits the code applies."""
    from core.admin.casework import NOTE_MAX_CHARS, REPLY_MAX_CHARS

    app = make_app(SESIM_LOCATION_GRID=0.1)
    make_staff(app)
    moderator = client_as(app, "moderator")
    url = f"/admin/reports/{report_id_from(make_report(moderator, app, [receive(app, 'sms-grid')]))}"
    page = moderator.get(url).get_data(as_text=True)
    assert '<option value="grid">a square of about 11 km (its centre)</option>' in page
    assert f'maxlength="{REPLY_MAX_CHARS}"' in page
    refused = post(moderator, f"{url}/note", {"body": "x" * (NOTE_MAX_CHARS + 1)}, url)
    assert refused.status_code == 400
    assert f"at most {NOTE_MAX_CHARS} characters" in refused.get_data(as_text=True)
    refused = post(moderator, f"{url}/reply", {"text": "x" * (REPLY_MAX_CHARS + 1)}, url)
    assert f"at most {REPLY_MAX_CHARS} characters" in refused.get_data(as_text=True)
    moderator.get("/admin/account?lang=az")
    assert "təxminən 11 km-lik kvadrat" in moderator.get(url).get_data(as_text=True)


def test_default_grid_is_described_with_a_decimal_in_each_language(make_app):
    app = make_app()
    make_staff(app)
    moderator = client_as(app, "moderator")
    url = f"/admin/reports/{report_id_from(make_report(moderator, app, [receive(app, 'sms-grid5')]))}"
    assert "a square of about 5.6 km" in moderator.get(url).get_data(as_text=True)
    moderator.get("/admin/account?lang=ru")
    assert "квадрат около 5,6 км" in moderator.get(url).get_data(as_text=True)
