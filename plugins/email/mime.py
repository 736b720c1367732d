"""Rebuild a MIME mail from the fields a provider already parsed, so that pushed mail goes
through exactly the same reading (charsets, HTML, quotes, attachment limits) as polled mail."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

# Provider field names for the same thing (generic JSON, Mailgun, SendGrid, Postmark).
ALIASES = {
    "From": ("from", "sender", "From"),
    "To": ("to", "recipient", "To"),
    "Subject": ("subject", "Subject"),
    "Message-ID": ("message_id", "Message-Id", "Message-ID", "MessageID"),
    "In-Reply-To": ("in_reply_to", "In-Reply-To"),
    "References": ("references", "References"),
    "Date": ("date", "Date"),
}
TEXT = ("text", "body-plain", "TextBody", "plain")
HTML = ("html", "body-html", "HtmlBody")


def _first(fields: dict, names) -> str:
    for name in names:
        value = fields.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def from_fields(fields: dict, files: list) -> bytes:
    """``files`` are ``(filename, content_type, bytes)``. Raise ``ValueError`` if there is no mail."""
    text, html = _first(fields, TEXT), _first(fields, HTML)
    if not (text or html or files):
        raise ValueError("no text, html or attachment in the parsed mail")
    mail = EmailMessage(policy=policy.default)
    for header, names in ALIASES.items():
        value = _first(fields, names)
        if value:
            try:
                mail[header] = " ".join(value.split())
            except (ValueError, TypeError):
                continue  # a header that cannot be written is left out, the mail is kept
    if text:
        mail.set_content(text)
        if html:
            mail.add_alternative(html, subtype="html")
    elif html:
        mail.set_content(html, subtype="html")
    for filename, content_type, payload in files:
        maintype, _sep, subtype = (content_type or "application/octet-stream").partition("/")
        mail.add_attachment(payload, maintype=maintype or "application",
                            subtype=subtype or "octet-stream", filename=filename or None)
    return mail.as_bytes()
