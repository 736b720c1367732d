"""The second-factor page shows a QR code of the provisioning URI, drawn on the server as inline
SVG: no image from another host, no script, and it encodes exactly the key shown beside it."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.test_admin_support import client_as, make_staff


def modules(svg: str) -> set[tuple[int, int]]:
    """The dark squares of the drawn code, from its path (``M x,y H x+1 V y+1 H x z`` each)."""
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", path)}


def test_totp_page_has_a_server_drawn_qr_code_of_the_shown_key(app):
    import qrcode

    make_staff(app)
    client = client_as(app, "moderator")
    page = client.get("/admin/account/totp?lang=en").get_data(as_text=True)
    secret = re.search(r'<p class="secret"><code>([A-Z2-7]+)</code>', page).group(1)
    uri = unquote(re.search(r'<code class="wrap">([^<]+)</code>', page).group(1).replace("&amp;", "&"))
    assert f"secret={secret}" in uri
    svg = re.search(r'<svg role="img"[^>]*class="qr".*?</svg>', page, re.S).group(0)
    assert "QR code of the key above" in svg
    assert "<img" not in page and "<script" not in page and "http://" not in svg.replace(
        "http://www.w3.org/2000/svg", "")

    code = qrcode.QRCode(border=4)
    code.add_data(re.search(r'<code class="wrap">([^<]+)</code>', page).group(1).replace("&amp;", "&"))
    code.make(fit=True)
    expected = {(x, y) for y, line in enumerate(code.get_matrix()) for x, dark in enumerate(line) if dark}
    assert modules(svg) == expected  # the picture is the URI of the key shown, nothing else
