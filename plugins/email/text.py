"""Turning mail bodies into plain text a moderator can read: charsets that lie, HTML without
scripts, and the quoted replies and signatures that would only repeat what we already have."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Single-byte charsets used for Russian and Azerbaijani Cyrillic mail; senders' programs often
# label one as the other, or label nothing at all.
CYRILLIC_SINGLE_BYTE = ("windows-1251", "koi8-r")
_CHARSET_ALIASES = {"cp1251": "windows-1251", "win-1251": "windows-1251", "koi8r": "koi8-r",
                    "x-koi8-r": "koi8-r", "koi8-u": "koi8-r", "ascii": "us-ascii"}


def _cyrillic_score(text: str) -> float:
    """Real text is mostly lower-case letters; the wrong Cyrillic code page turns it upper-case."""
    cyrillic = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if not cyrillic:
        return 0.0
    lower = sum(1 for c in cyrillic if c.islower())
    return lower / len(cyrillic)


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Decode ``payload``, trusting the declared charset only when the bytes agree with it."""
    declared = (declared or "").strip().lower().strip('"')
    declared = _CHARSET_ALIASES.get(declared, declared)
    if payload.isascii():
        return payload.decode("ascii")
    try:  # valid multi-byte UTF-8 almost never happens by accident: trust it over any label
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "us-ascii", "iso-8859-1", "latin-1", "windows-1252"):
        try:
            text = payload.decode(declared)
        except (LookupError, UnicodeDecodeError):
            text = None
        if text is not None and (declared not in CYRILLIC_SINGLE_BYTE or _cyrillic_score(text) >= 0.5):
            return text
    # Not valid UTF-8 and no trustworthy label: pick the Cyrillic code page that reads best,
    # or fall back to Latin-1 when the text has no Cyrillic letters either way.
    decoded = {cs: payload.decode(cs, errors="replace") for cs in CYRILLIC_SINGLE_BYTE}
    best = max(decoded, key=lambda cs: _cyrillic_score(decoded[cs]))
    cyrillic_letters = sum(1 for c in decoded[best] if "\u0400" <= c <= "\u04ff")
    if cyrillic_letters >= 3 and _cyrillic_score(decoded[best]) >= 0.5:
        return decoded[best]
    return payload.decode(declared if declared in ("iso-8859-1", "windows-1252") else "latin-1",
                          errors="replace")


# --- HTML -------------------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
          "table", "ul", "ol", "hr"}


class _TextBuilder(HTMLParser):
    """Collects text with line breaks at block elements; blockquotes become ``>`` lines so the
    quote stripper treats HTML replies like plain-text ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK:
            self._newline()
        if tag == "blockquote":
            self.quote_depth += 1

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        if tag in _BLOCK:
            self._newline()

    def handle_data(self, data):
        chunk = re.sub(r"\s+", " ", data)
        if not chunk.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote_depth:
            self.lines[-1] = "> " * min(self.quote_depth, 3)  # deep nesting must not multiply text
        self.lines[-1] += chunk.lstrip() if self.lines[-1].endswith(" ") else chunk


HTML_LIMIT = 100_000  # characters of HTML read: deeply nested tags cost nh3 quadratic time


def html_to_text(html: str) -> str:
    """Sanitise with nh3 (scripts, styles and comments go, with their content), then keep text."""
    cleaned = nh3.clean(html[:HTML_LIMIT], tags=_BLOCK | {"span", "b", "i", "u", "strong", "em", "td", "th",
                                              "a", "font", "tbody", "thead"}, attributes={},
                        link_rel=None)
    builder = _TextBuilder()
    builder.feed(cleaned)
    builder.close()
    text = "\n".join(line.rstrip() for line in builder.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- quoted replies and signatures ------------------------------------------------------------

# "On Mon, 3 Jun 2024 at 10:00, X <x@y> wrote:" in the languages our reporters' mail programs use.
_ATTRIBUTION = re.compile(
    r"^(on\b.*\bwrote:|.*\byazdı:|.*\bнаписал[аи]?(\(а\))?:|.*\bpisze:|.*\bschrieb:)\s*$",
    re.IGNORECASE,
)
# Markers after which everything is the forwarded evidence itself: never strip below them.
_FORWARD = re.compile(
    r"^\s*(-{2,}\s*)?(forwarded message|original message|begin forwarded message|"
    r"пересылаемое сообщение|переадресованное сообщение|исходное сообщение|"
    r"yönləndirilmiş məktub|yönləndirilən məktub)\b",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(r"^(sent from my|отправлено с|göndərildi)\b", re.IGNORECASE)


def strip_replies(text: str) -> tuple[str, bool]:
    """Drop trailing quoted replies (``>`` lines and their "X wrote:" line) and the signature.

    Forwarded mail is kept whole: it is usually the evidence. When stripping would leave nothing,
    the text is kept as it was. Returns ``(text, stripped)``.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped_line = line.strip()
        if _FORWARD.match(stripped_line):
            kept.extend(lines[index:])
            break
        if stripped_line.startswith(">"):
            continue
        if _ATTRIBUTION.match(stripped_line) and _quote_follows(lines, index + 1):
            continue
        if _SIGNATURE.match(line) or _MOBILE_SIGNATURE.match(stripped_line):
            rest = lines[index + 1 :]
            forwarded = next((i for i, rl in enumerate(rest) if _FORWARD.match(rl.strip())), None)
            if forwarded is None:
                break
            kept.extend(rest[forwarded:])
            break
        kept.append(line)
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    original = text.strip()
    if not result:
        return original, False
    return result, result != original


def _quote_follows(lines: list[str], start: int) -> bool:
    for index in range(start, len(lines)):  # by index: a slice per call would be quadratic
        if lines[index].strip():
            return lines[index].strip().startswith(">")
    return False
