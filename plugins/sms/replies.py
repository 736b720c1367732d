"""What Sesim says back by SMS: keywords, reply texts in her language, opt-out, and redaction.

A reply can endanger a woman whose phone is checked, so replies are short, end with a safety note,
never repeat what she wrote, and stop for good after she sends STOP. The case code is stored
only as a hash on her message; the outbound copy of the reply loses the code once it is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.detection import fold
from core.extensions import db
from core.models import Message


@dataclass(frozen=True)
class Keyword:
    name: str  # help | stop | start
    language: str


# A keyword is the whole message (one word, any case, with or without Azerbaijani letters).
_KEYWORDS = {
    "help": {"en": ["help", "info"], "az": ["kömək", "komek", "yardım", "кемек", "комек"],
             "ru": ["помощь", "помогите", "pomosh", "pomoshch", "инфо"]},
    "stop": {"en": ["stop", "unsubscribe"], "az": ["dayan", "dayandır", "dur"],
             "ru": ["стоп", "хватит"]},
    "start": {"en": ["start"], "az": ["başla", "basla"], "ru": ["старт", "начать"]},
}
_LOOKUP = {
    fold(word): Keyword(name, language)
    for name, languages in _KEYWORDS.items()
    for language, words in languages.items()
    for word in reversed(words)
}


def keyword(text: str) -> Keyword | None:
    words = re.findall(r"[^\W\d_]+", text or "")
    if len(words) != 1 or len(text.strip()) > 20:
        return None
    return _LOOKUP.get(fold(words[0]))


def opted_out(sender_hash: str | None) -> bool:
    """True when this sender's latest STOP/START keyword was STOP."""
    if not sender_hash:
        return False
    said = Message.data["keyword"].as_string()  # only her keyword messages: no decrypting them all
    latest = (db.session.query(said)
              .filter(Message.channel == "sms", Message.direction == "in",
                      Message.sender_hash == sender_hash, said.in_(("stop", "start")))
              .order_by(Message.id.desc()).limit(1).scalar())
    return latest == "stop"


def _site() -> str:
    return current_app.config.get("SESIM_SITE_NAME") or "Sesim"


def case_code_text(language: str | None, code: str) -> str:
    """Her code, in her language; in the deployment's when none is known (the analysis that guesses
    it failed): a code in some language beats no code at all."""
    with force_locale(language or current_app.config["SESIM_DEFAULT_LANGUAGE"]):
        return _(
            "%(site)s: we received your message. Case code: %(code)s. Keep it secret: with it you "
            "can follow your case. For your safety, delete this SMS and the one you sent.",
            site=_site(), code=code,
        )


def help_text(language: str | None, case_codes: bool) -> str:
    with force_locale(language or current_app.config["SESIM_DEFAULT_LANGUAGE"]):
        if case_codes:
            return _(
                "%(site)s: write in one SMS what happened, where (district, town or village) and "
                "when. We reply with a case code. Send STOP for no more SMS. Delete these messages.",
                site=_site(),
            )
        return _(
            "%(site)s: write in one SMS what happened, where (district, town or village) and "
            "when. Send STOP for no more SMS. Delete these messages.",
            site=_site(),
        )


CODE = re.compile(r"\b\d{4}[- ]?\d{4}[- ]?\d{4}\b")


def redact(text: str) -> str:
    """Replace a case code in a stored copy of a reply once the SMS has left."""
    return CODE.sub("XXXX-XXXX-XXXX", text or "")
