"""The SMS plugin's settings, their defaults, and small readers over ``current_app.config``."""

from __future__ import annotations

from flask import current_app

from core.config import split_list

GATEWAYS = ("smssync", "twilio", "aggregator", "generic")
SENDING_GATEWAYS = ("twilio", "smssync")  # the ones that can carry a reply back

DEFAULTS = {
    "SESIM_SMS_GATEWAYS": "",  # nothing listens until the deployer names a gateway
    "SESIM_SMS_SMSSYNC_SECRET": "",
    # SMSSync's "Message Results API": wait for the phone's ``task=sent`` before a reply counts as
    # sent (and offer it again, up to 3 times, if the phone never confirms). Off: handed over = sent.
    "SESIM_SMS_SMSSYNC_CONFIRM": True,
    "SESIM_SMS_TWILIO_ACCOUNT_SID": "",
    "SESIM_SMS_TWILIO_AUTH_TOKEN": "",
    "SESIM_SMS_TWILIO_NUMBER": "",
    "SESIM_SMS_AGGREGATOR_TOKEN": "",
    "SESIM_SMS_GENERIC_TOKEN": "",
    # ``ours=theirs`` pairs; ours are from, text, id, date, to. Only ``from`` and ``text`` are needed.
    "SESIM_SMS_GENERIC_FIELDS": "from=from,text=text,id=id,date=date,to=to",
    # How the generic gateway's operator encodes bodies that are not UTF-8 (e.g. cp1251).
    "SESIM_SMS_GENERIC_ENCODING": "",
    # Off by default: an SMS arriving later on a phone someone else checks can endanger her.
    "SESIM_SMS_AUTO_REPLY": False,
    # She asked for the instructions, so HELP is answered even when auto-replies are off.
    "SESIM_SMS_HELP_REPLY": True,
    # Which gateway carries replies to messages that came through one that cannot send
    # (aggregator, generic): twilio or smssync; empty = the first enabled of those two.
    "SESIM_SMS_OUTBOUND_GATEWAY": "",
    # The number shown on the home page (and the alerts page) as a way to report; empty: not shown.
    # SESIM_REPORT_SMS_NUMBER, its name before it moved here, is still read (deprecated).
    "SESIM_SMS_REPORT_NUMBER": "",
}

GENERIC_KEYS = ("from", "text", "id", "date", "to")


def setting(name: str):
    return current_app.config[f"SESIM_SMS_{name}"]


def report_number() -> str:
    """The number to text, under its new name or its deprecated one."""
    config = current_app.config
    return str(config.get("SESIM_SMS_REPORT_NUMBER") or config.get("SESIM_REPORT_SMS_NUMBER") or "")


def enabled_gateways() -> list[str]:
    return [g for g in split_list(setting("GATEWAYS")) if g in GATEWAYS]


def generic_fields() -> dict[str, str]:
    """``{our key: the operator's field name}`` from ``SESIM_SMS_GENERIC_FIELDS``."""
    mapping = dict(zip(GENERIC_KEYS, GENERIC_KEYS, strict=True))
    for pair in split_list(setting("GENERIC_FIELDS")):
        ours, _, theirs = pair.partition("=")
        if ours.strip() in GENERIC_KEYS and theirs.strip():
            mapping[ours.strip()] = theirs.strip()
    return mapping
