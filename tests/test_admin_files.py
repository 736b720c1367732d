"""Photos and files reach staff who may see the report, as cleaned images or plain downloads."""

import io
import re

from PIL import Image

from core.intake import Inbound, receive
from tests.test_admin_support import audit_actions, client_as, make_staff
from tests.test_report_form import jpeg_with_gps


def _web_report_with_photo(app):
    from datetime import datetime

    from core.extensions import db
    from core.media import store_upload
    from core.models import Report

    with app.app_context():
        report = Report(title="With a photo", story="s", occurred_at=datetime(2026, 1, 1))
        db.session.add(report)
        store_upload(jpeg_with_gps(), report=report, require_image=True)
        db.session.commit()
        return report.id


def test_moderator_sees_the_cleaned_photo_and_the_opening_is_audited(app):
    make_staff(app)
    report_id = _web_report_with_photo(app)
    moderator = client_as(app, "moderator")
    page = moderator.get(f"/admin/reports/{report_id}").get_data(as_text=True)
    link = re.search(r'href="(/admin/files/[^"]+)"', page).group(1)
    with moderator.get(link) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        with Image.open(io.BytesIO(response.data)) as image:
            assert not image.getexif()
    assert "attachment.opened" in audit_actions(app)

    assert app.test_client().get(link).status_code == 302  # no session: to the login page
    lawyer = client_as(app, "lawyer")
    assert lawyer.get(link).status_code == 403  # not her case


def test_other_files_are_plain_downloads(app):
    make_staff(app)
    with app.app_context():
        message, _ = receive(Inbound(channel="email", external_id="<f@x>", text="see attached",
                                     attachments=[("page.html", "text/html", b"<script>alert(1)</script>")]))
        public_id = message.attachments[0].public_id
    with client_as(app, "moderator").get(f"/admin/files/{public_id}") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/octet-stream"
        assert response.headers["Content-Disposition"].startswith("attachment")
    assert client_as(app, "lawyer").get(f"/admin/files/{public_id}").status_code == 403
