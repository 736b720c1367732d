"""``sesim doctor`` for SMS: an enabled plugin without a gateway, or a gateway without its secret,
answers every SMS with 404 or 403 — an ERROR with the fix. ``--live`` checks the Twilio account."""

from __future__ import annotations

import requests

from core.config import split_list
from core.doctor import LIVE_TIMEOUT, Finding
from plugins.sms.settings import GATEWAYS, SENDING_GATEWAYS, enabled_gateways, setting

NEEDS = {
    "smssync": ("SMSSYNC_SECRET",),
    "twilio": ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"),
    "aggregator": ("AGGREGATOR_TOKEN",),
    "generic": ("GENERIC_TOKEN",),
}
TWILIO_API = "https://api.twilio.com/2010-04-01"


def checks(app, live: bool) -> list[Finding]:
    found: list[Finding] = []
    named = split_list(setting("GATEWAYS"))
    unknown = [g for g in named if g not in GATEWAYS]
    if unknown:
        found.append(Finding("error", f"sms: SESIM_SMS_GATEWAYS names unknown gateway(s) "
                                      f"{', '.join(unknown)} — use {', '.join(GATEWAYS)}"))
    gateways = enabled_gateways()
    if not gateways:
        found.append(Finding("error", "sms: the SMS plugin is on but no gateway is, so every SMS URL "
                                      "answers 404 — set SESIM_SMS_GATEWAYS (e.g. smssync)"))
        return found
    for gateway in gateways:
        missing = [f"SESIM_SMS_{key}" for key in NEEDS[gateway] if not str(setting(key) or "").strip()]
        if missing:
            found.append(Finding("error", f"sms: the {gateway} gateway cannot work without "
                                          f"{', '.join(missing)} — set it"))
        else:
            found.append(Finding("ok", f"sms: {gateway} gateway configured"))
    if "twilio" in gateways and not app.config.get("SESIM_PUBLIC_URL"):
        found.append(Finding("error", "sms: Twilio signs requests for the public URL — set "
                                      "SESIM_PUBLIC_URL to the address Twilio posts to"))
    replies = setting("AUTO_REPLY") or setting("HELP_REPLY")
    if replies and not any(g in SENDING_GATEWAYS for g in gateways):
        found.append(Finding("warning", "sms: replies cannot be sent (only smssync or twilio can) — "
                                        "add one of them to SESIM_SMS_GATEWAYS or set "
                                        "SESIM_SMS_AUTO_REPLY and SESIM_SMS_HELP_REPLY to false"))
    if live and "twilio" in gateways and all(setting(k) for k in NEEDS["twilio"]):
        found.append(_twilio_live())
    return found


def _twilio_live() -> Finding:
    sid = str(setting("TWILIO_ACCOUNT_SID")).strip()
    try:
        response = requests.get(f"{TWILIO_API}/Accounts/{sid}.json", timeout=LIVE_TIMEOUT,
                                auth=(sid, str(setting("TWILIO_AUTH_TOKEN"))))
    except requests.RequestException as exc:
        return Finding("error", f"sms: cannot reach Twilio ({type(exc).__name__}) — check the network")
    if response.status_code == 200:
        return Finding("ok", "sms: Twilio accepted the account credentials")
    return Finding("error", f"sms: Twilio refused the credentials (HTTP {response.status_code}) — "
                            "check SESIM_SMS_TWILIO_ACCOUNT_SID and SESIM_SMS_TWILIO_AUTH_TOKEN")
