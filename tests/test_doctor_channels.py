"""``sesim doctor`` catches dead channels (an ERROR with the fix, exit 1) and says nothing about
channels that are off; ``--live`` tries IMAP, SMTP (the real in-process servers) and the HTTP APIs
(faked at the HTTP layer) with short time-outs."""

from __future__ import annotations

import re

import pytest
import responses

from tests import mail_servers
from tests.mail_servers import IMAP_PASSWORD, email_settings, free_port

imap_server, smtp_server = mail_servers.imap_server, mail_servers.smtp_server  # fixtures
SOUND = {"SESIM_PUBLIC_URL": "https://sesim.example.org", "SESSION_COOKIE_SECURE": True}
FB_SETTINGS = {"SESIM_PLUGINS": "facebook", "SESIM_FACEBOOK_PAGE_ID": "1234",
               "SESIM_FACEBOOK_PAGE_ACCESS_TOKEN": "page-token", "SESIM_FACEBOOK_APP_SECRET": "s3cret",
               "SESIM_FACEBOOK_VERIFY_TOKEN": "verify-me"}
TWILIO = {"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "twilio", "SESIM_SMS_TWILIO_ACCOUNT_SID": "AC123",
          "SESIM_SMS_TWILIO_AUTH_TOKEN": "tok", "SESIM_SMS_TWILIO_NUMBER": "+15550001111"}


def doctor(make_app, *args, **settings):
    result = make_app(**{**SOUND, **settings}).test_cli_runner().invoke(args=["doctor", *args])
    return result.exit_code, result.output


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ERROR")]


@pytest.mark.parametrize(("settings", "expected"), [
    ({"SESIM_PLUGINS": "sms"}, "no gateway is, so every SMS URL answers 404 — set SESIM_SMS_GATEWAYS"),
    ({"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "smssync"},
     "the smssync gateway cannot work without SESIM_SMS_SMSSYNC_SECRET — set it"),
    ({"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "smssync,pigeon", "SESIM_SMS_SMSSYNC_SECRET": "x"},
     "unknown gateway(s) pigeon"),
    ({"SESIM_PLUGINS": "sms", "SESIM_SMS_GATEWAYS": "generic"},
     "the generic gateway cannot work without SESIM_SMS_GENERIC_TOKEN"),
    ({**TWILIO, "SESIM_SMS_TWILIO_AUTH_TOKEN": ""}, "without SESIM_SMS_TWILIO_AUTH_TOKEN"),
    ({"SESIM_PLUGINS": "email"}, "no mail can come in — set SESIM_EMAIL_IMAP_HOST"),
    ({"SESIM_PLUGINS": "email", "SESIM_EMAIL_IMAP_HOST": "mail.example.org"},
     "cannot be read without SESIM_EMAIL_IMAP_USER, SESIM_EMAIL_IMAP_PASSWORD"),
    ({**FB_SETTINGS, "SESIM_FACEBOOK_VERIFY_TOKEN": ""},
     "SESIM_FACEBOOK_VERIFY_TOKEN is not set: Facebook cannot subscribe the webhook — set it"),
    ({**FB_SETTINGS, "SESIM_FACEBOOK_APP_SECRET": ""}, "SESIM_FACEBOOK_APP_SECRET is not set"),
    ({"SESIM_PLUGINS": "twitter"}, "the X plugin is on without credentials"),
])
def test_dead_channel_is_an_error_with_its_fix(make_app, settings, expected):
    code, output = doctor(make_app, **settings)
    assert code == 1
    [line] = [e for e in errors(output) if expected in e]
    assert " — " in line  # the fix, on the same line


def test_channels_that_are_off_are_not_reported(make_app):
    code, output = doctor(make_app, SESIM_PLUGINS="map", SESIM_SMS_GATEWAYS="smssync")
    assert code == 0, output
    assert "sms" not in output.lower() and "facebook" not in output.lower()
    # A gateway that is off: its secrets are not asked for either.
    code, output = doctor(make_app, SESIM_PLUGINS="sms", SESIM_SMS_GATEWAYS="smssync",
                          SESIM_SMS_SMSSYNC_SECRET="x")
    assert code == 0, output
    assert "TWILIO" not in output and "AGGREGATOR" not in output
    assert "sms: smssync gateway configured" in output


def test_live_imap_and_smtp_against_real_servers(make_app, imap_server, smtp_server):
    settings = email_settings(imap=imap_server, smtp=smtp_server)
    code, output = doctor(make_app, "--live", **settings)
    assert code == 0, output
    assert "email: logged in to the mailbox at 127.0.0.1" in output
    assert "answered EHLO" in output

    code, output = doctor(make_app, **{**settings, "SESIM_EMAIL_IMAP_PASSWORD": "wrong"})
    assert code == 0  # without --live nothing is tried
    code, output = doctor(make_app, "--live", **{**settings, "SESIM_EMAIL_IMAP_PASSWORD": "wrong"})
    assert code == 1 and any("rejected the login" in e for e in errors(output))
    assert "wrong" not in output and IMAP_PASSWORD not in output

    dead = free_port()
    code, output = doctor(make_app, "--live", **{**settings, "SESIM_EMAIL_SMTP_PORT": dead})
    assert code == 1
    assert any(f"the SMTP server 127.0.0.1:{dead} is unreachable" in e for e in errors(output))


@pytest.mark.parametrize(("status", "ok"), [(200, True), (401, False)])
def test_live_twilio(make_app, status, ok):
    with responses.RequestsMock() as rsps:
        rsps.get("https://api.twilio.com/2010-04-01/Accounts/AC123.json", status=status,
                 json={"sid": "AC123"} if ok else {"code": 20003, "message": "Authenticate"})
        code, output = doctor(make_app, "--live", **TWILIO)
    assert (code == 0) is ok, output
    assert ("Twilio accepted the account credentials" in output) is ok
    assert ("Twilio refused the credentials (HTTP 401)" in output) is not ok


@pytest.mark.parametrize(("body", "status", "ok"), [
    ({"id": "1234"}, 200, True),
    ({"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190}},
     400, False),
])
def test_live_facebook(make_app, body, status, ok):
    with responses.RequestsMock() as rsps:
        rsps.get(re.compile(r"https://graph\.facebook\.com/v22\.0/me.*"), json=body, status=status)
        code, output = doctor(make_app, "--live", **FB_SETTINGS)
    assert (code == 0) is ok, output
    if not ok:
        assert any("refused the page access token" in e for e in errors(output))


@pytest.mark.parametrize(("status", "ok"), [(200, True), (401, False)])
def test_live_x(make_app, status, ok):
    with responses.RequestsMock() as rsps:
        rsps.get(re.compile(r"https://api\.twitter\.com/2/users/me.*"), status=status,
                 json={"data": {"id": "42", "name": "Sesim", "username": "sesim"}} if ok
                 else {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
        code, output = doctor(make_app, "--live", SESIM_PLUGINS="twitter",
                              SESIM_TWITTER_BEARER_TOKEN="bearer")
    assert (code == 0) is ok, output
    assert ("X accepted the credentials" in output) is ok
    assert ("401 Unauthorized" in output) is not ok
