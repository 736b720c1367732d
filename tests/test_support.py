"""The support directory (/resources) and awareness pages (/learn): managed by admins, shown to
her on the done page, her case page and in the SMS answer to HELP; clean HTML, PDFs as downloads."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from tests.conftest import QUICK_EXIT_SCRIPT, post_form
from tests.test_admin_support import audit_entries, client_as, make_staff, post

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff(app):
    return make_staff(app)


def add_resource(admin, **fields):
    data = {"kind": "hotline", "region_id": "", "name_az": "Qaynar xətt", "name_ru": "Горячая линия",
            "name_en": "Hotline", "phone": "+994 12 555 00 00", "hours_en": "Every day",
            "position": "0", "active": "y", **fields}
    return post(admin, "/admin/resources", data, "/admin/resources")


def test_admin_adds_contacts_and_the_public_sees_them_by_region(app, staff):
    admin = client_as(app, "admin")
    assert add_resource(admin).status_code == 302
    assert add_resource(admin, kind="shelter", region_id="khachmaz", name_az="Xaçmaz sığınacağı",
                        name_en="Khachmaz shelter", phone="+994 23 000 11 22",
                        address_en="Main street 1").status_code == 302
    assert add_resource(admin, kind="ngo", region_id="masalli", name_az="Masallı QHT",
                        name_en="Masalli NGO", active="").status_code == 302  # hidden
    assert [e[0] for e in audit_entries(app)][-3:] == ["resource.created"] * 3

    client = app.test_client()
    page = client.get("/resources?lang=en").get_data(as_text=True)
    assert "Hotline" in page and "Khachmaz shelter" in page and "Main street 1" in page
    assert "Masalli NGO" not in page and "<script" not in page.replace(QUICK_EXIT_SCRIPT, "")
    assert 'href="tel:+994125550000"' in page
    only = client.get("/resources?region=khachmaz&lang=en").get_data(as_text=True)
    assert "Khachmaz shelter" in only and "Hotline" in only
    assert "Khachmaz shelter" not in client.get("/resources?region=masalli").get_data(as_text=True)
    # Unknown region: the whole directory, never an error.
    assert client.get("/resources?region=%00x").status_code in (200, 400)
    assert client.get("/resources?region=nowhere").status_code == 200
    az = client.get("/resources?lang=az").get_data(as_text=True)
    assert "Qaynar xətt" in az and "Harada kömək ala bilərsiniz" in az
    ru = client.get("/resources?lang=ru").get_data(as_text=True)
    assert "Горячая линия" in ru and "Где можно получить помощь" in ru


@pytest.mark.parametrize(("fields", "says"), [
    ({"name_az": ""}, "This field is required"),
    ({"phone": "call <me>"}, "Digits, spaces"),
    ({"website": "javascript:alert(1)"}, "https://"),
    ({"region_id": "atlantis"}, "Not a valid choice"),
    ({"kind": "casino"}, "Not a valid choice"),
    ({"position": "99999999999"}, "Number must be between"),
])
def test_bad_contacts_are_explained(app, staff, fields, says):
    from core.models import SupportResource

    response = add_resource(client_as(app, "admin"), **fields)
    assert response.status_code == 400 and says in response.get_data(as_text=True)
    with app.app_context():
        assert SupportResource.query.count() == 0


def test_only_admins_manage_the_directory(app, staff):
    for role in ("moderator", "lawyer"):
        client = client_as(app, role)
        assert client.get("/admin/resources").status_code == 403
        assert client.get("/admin/pages").status_code == 403


def test_admin_edits_a_contact(app, staff):
    from core.models import SupportResource

    admin = client_as(app, "admin")
    add_resource(admin)
    with app.app_context():
        entry_id = SupportResource.query.one().id
    url = f"/admin/resources/{entry_id}"
    assert admin.get(url).status_code == 200
    response = post(admin, url, {"kind": "hotline", "region_id": "", "name_az": "Yeni ad",
                                 "phone": "112", "position": "1", "active": "y"}, url)
    assert response.status_code == 302
    with app.app_context():
        assert SupportResource.query.one().name_az == "Yeni ad"
    assert audit_entries(app)[-1][0] == "resource.edited"
    assert admin.get("/admin/resources/2147483647").status_code == 404


def test_her_region_contacts_on_the_done_page(app, staff):
    from core.models import Category

    admin = client_as(app, "admin")
    add_resource(admin, kind="shelter", region_id="khachmaz", name_en="Khachmaz shelter")
    add_resource(admin, kind="shelter", region_id="masalli", name_en="Masalli shelter")
    with app.app_context():
        category = Category.query.filter_by(slug="verbal").one().id
    client = app.test_client()
    client.get("/?lang=en")
    response = post_form(client, "/report", {
        "title": "At the bus stop", "story": "He shouted at me.",
        "occurred_on": (date.today() - timedelta(days=1)).isoformat(), "place": "khachmaz",
        "categories": [str(category)]}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Where you can get help" in page and "Khachmaz shelter" in page and "Hotline" not in page
    assert "Masalli shelter" not in page


def test_help_sms_lists_the_national_hotline(make_app):
    app = make_app(SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync", SESIM_SMS_SMSSYNC_SECRET="s3cret")
    make_staff(app)
    add_resource(client_as(app, "admin"))
    add_resource(client_as(app, "admin"), region_id="masalli", name_az="Yerli", phone="+994 25 1")
    client = app.test_client()
    client.post("/channels/sms/smssync", data={"from": "+994501234567", "message": "KÖMƏK",
                                                "message_id": "help-1", "secret": "s3cret",
                                                "sent_timestamp": "1714560000000"})
    from core.models import Message

    with app.app_context():
        reply = Message.query.filter_by(direction="out").one()
    assert "Qaynar xətt: +994 12 555 00 00" in reply.text and "Yerli" not in reply.text


def add_page(admin, pdf=None, **fields):
    data = {"slug": "know-your-rights", "kind": "rights", "title_az": "Hüquqlarınız",
            "title_en": "Your rights at work", "summary_en": "What the law says.",
            "body_en": '<p onclick="steal()">The law <strong>protects</strong> you.</p>'
                       '<script>alert(1)</script><img src="https://tracker.example/x.gif">'
                       '<iframe src="https://evil.example"></iframe><a href="javascript:x()">x</a>'
                       '<a href="https://e-qanun.az">law</a>',
            "position": "0", "published": "y", **fields}
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), "report.pdf")
    return post(admin, "/admin/pages", data, "/admin/pages", content_type="multipart/form-data")


def test_awareness_pages_are_cleaned_and_pdfs_downloaded(app, staff):
    admin = client_as(app, "admin")
    assert add_page(admin, pdf=PDF).status_code == 302
    assert audit_entries(app)[-1][0] == "page.created"
    client = app.test_client()
    listing = client.get("/learn?lang=en").get_data(as_text=True)
    assert "Your rights at work" in listing and "What the law says." in listing
    page = client.get("/learn/know-your-rights?lang=en").get_data(as_text=True)
    assert "<strong>protects</strong>" in page
    for bad in ("onclick", "<script", "alert(1)", "tracker.example", "<iframe", "evil.example",
                "javascript:"):
        assert bad not in page.replace(QUICK_EXIT_SCRIPT, "")
    assert 'href="https://e-qanun.az"' in page and "nofollow" in page
    assert not re.search(r'<(script|img|iframe)[^>]+src="https?://', page)
    with client.get("/learn/know-your-rights.pdf") as response:
        assert response.status_code == 200 and response.data == PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_is_not_a_pdf_is_refused_and_the_text_kept(app, staff):
    from core.models import AwarenessPage

    response = add_page(client_as(app, "admin"), pdf=b"<html><script>alert(1)</script></html>")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "This file is not a PDF." in text
    assert "Your rights at work" in text  # what the admin typed is still on the form
    with app.app_context():
        assert AwarenessPage.query.count() == 0


@pytest.mark.parametrize(("fields", "says"), [
    ({"slug": "Not A Slug!"}, "lower-case letters"),
    ({"title_az": ""}, "This field is required"),
    ({"kind": "advert"}, "Not a valid choice"),
])
def test_bad_pages_are_explained(app, staff, fields, says):
    response = add_page(client_as(app, "admin"), **fields)
    assert response.status_code == 400 and says in response.get_data(as_text=True)


def test_a_duplicate_slug_is_explained(app, staff):
    admin = client_as(app, "admin")
    add_page(admin)
    response = add_page(admin)
    assert response.status_code == 400 and "already uses this short name" in response.get_data(as_text=True)


def test_unpublished_pages_and_missing_pdfs_are_404(app, staff):
    from core.models import AwarenessPage

    admin = client_as(app, "admin")
    add_page(admin, published="")
    client = app.test_client()
    assert client.get("/learn/know-your-rights").status_code == 404
    assert client.get("/learn/know-your-rights.pdf").status_code == 404
    assert "Your rights at work" not in client.get("/learn?lang=en").get_data(as_text=True)
    with app.app_context():
        page_id = AwarenessPage.query.one().id
    url = f"/admin/pages/{page_id}"
    response = post(admin, url, {"slug": "know-your-rights", "kind": "rights", "title_az": "Hüquqlar",
                                 "position": "0", "published": "y"}, url,
                    content_type="multipart/form-data")
    assert response.status_code == 302
    assert client.get("/learn/know-your-rights").status_code == 200
    assert client.get("/learn/know-your-rights.pdf").status_code == 404  # no PDF uploaded
    assert client.get("/learn/" + "x" * 5000).status_code == 404


def test_public_support_pages_need_no_javascript_and_no_other_host(app, staff):
    admin = client_as(app, "admin")
    add_resource(admin, website="https://ngo.example.org")
    add_page(admin)
    client = app.test_client()
    for url in ("/resources", "/learn", "/learn/know-your-rights"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page.replace(QUICK_EXIT_SCRIPT, "")
        assert not re.search(r'<(link|img|iframe)[^>]+(href|src)="https?://', page)


def test_demo_loads_contacts_and_a_page(make_app):
    app = make_app(SESIM_LEGAL_HELP=True)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    from core.models import AwarenessPage, LegalCase, Report, SupportResource

    with app.app_context():
        assert SupportResource.query.count() >= 3
        assert AwarenessPage.query.filter_by(published=True).count() == 1
        assert LegalCase.query.count() == Report.query.filter_by(wants_legal_help=True).count() > 0
    assert app.test_client().get("/learn/know-your-rights").status_code == 200


def test_her_region_contacts_on_her_case_page(app, staff):
    from core.models import Category

    add_resource(client_as(app, "admin"), kind="shelter", region_id="khachmaz", name_en="Khachmaz shelter")
    with app.app_context():
        category = Category.query.filter_by(slug="verbal").one().id
    client = app.test_client()
    client.get("/?lang=en")
    done = post_form(client, "/report", {
        "title": "At the bus stop", "story": "He shouted at me.",
        "occurred_on": (date.today() - timedelta(days=1)).isoformat(), "place": "khachmaz",
        "categories": [str(category)]}, follow_redirects=True).get_data(as_text=True)
    code = re.search(r'id="case-code">([\d-]+)<', done).group(1)
    page = post_form(client, "/case", {"code": code}, follow_redirects=True).get_data(as_text=True)
    assert "Khachmaz shelter" in page and "Where you can get help" in page


def test_every_public_page_links_to_help_and_rights(app):
    page = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert 'href="/resources"' in page and 'href="/learn"' in page


def test_pdf_size_message_quotes_the_limit_applied(app):
    from core import resources

    with app.test_request_context("/?lang=en"), pytest.raises(resources.BadPdf) as refused:
        resources.store_pdf(b"%PDF-" + b"0" * resources.PDF_MAX_BYTES)
    assert str(refused.value) == f"The PDF is too large (at most {resources.PDF_MAX_BYTES // 2**20} MB)."
