"""Suggestions for what to hide in a public story: phone numbers, e-mail addresses, @handles.

Only suggestions: the moderator reads the result and has the final say. Names cannot be found
reliably by a pattern, so they stay the moderator's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The lookbehind starts a match only at the beginning of an address: without it a long run of
# word characters is retried from every position (quadratic time on a 20,000-character story).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A handle starts a word (not the middle of an e-mail address).
HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_.]{2,30}\b")
# Seven or more digits, optionally with +, spaces, dots, dashes or brackets between them.
PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s().-]{0,2}\d){6,14}(?!\w)")

DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")  # not a phone number

MARKERS = {"email": "[e-mail]", "handle": "[@…]", "phone": "[phone]"}


@dataclass(frozen=True)
class Suggestion:
    kind: str  # phone | email | handle
    start: int
    end: int
    text: str

    @property
    def replacement(self) -> str:
        return MARKERS[self.kind]


def suggest(text: str) -> list[Suggestion]:
    """Every phone number, e-mail address and @handle in ``text``, in order, never overlapping."""
    found: list[Suggestion] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("email", EMAIL), ("handle", HANDLE), ("phone", PHONE)):
        for match in pattern.finditer(text or ""):
            span = match.span()
            if kind == "phone" and DATE.fullmatch(match.group()):
                continue
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append(Suggestion(kind, span[0], span[1], match.group()))
    return sorted(found, key=lambda s: s.start)


def redact(text: str, suggestions: list[Suggestion] | None = None) -> str:
    """``text`` with the suggestions (default: all of them) replaced by neutral markers."""
    if not text:
        return text or ""
    chosen = suggest(text) if suggestions is None else suggestions
    out, position = [], 0
    for item in sorted(chosen, key=lambda s: s.start):
        out.append(text[position:item.start])
        out.append(item.replacement)
        position = item.end
    out.append(text[position:])
    return "".join(out)
