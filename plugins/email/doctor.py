"""``sesim doctor`` for e-mail: an enabled channel with no way in (no mailbox, no webhook secret)
or a half-configured mailbox is an ERROR with the fix; ``--live`` logs in to IMAP and says EHLO to
the SMTP server, with short time-outs."""

from __future__ import annotations

import smtplib
import ssl

from core.doctor import LIVE_TIMEOUT, Finding


def checks(app, live: bool) -> list[Finding]:
    config = app.config
    found: list[Finding] = []
    imap_host = config.get("SESIM_EMAIL_IMAP_HOST")
    if not imap_host and not config.get("SESIM_EMAIL_INBOUND_SECRET"):
        found.append(Finding("error", "email: the e-mail plugin is on but no mail can come in — set "
                                      "SESIM_EMAIL_IMAP_HOST (a mailbox) or SESIM_EMAIL_INBOUND_SECRET "
                                      "(the webhook)"))
    if imap_host:
        missing = [k for k in ("SESIM_EMAIL_IMAP_USER", "SESIM_EMAIL_IMAP_PASSWORD") if not config.get(k)]
        if missing:
            found.append(Finding("error", f"email: the mailbox {imap_host} cannot be read without "
                                          f"{', '.join(missing)} — set it"))
        elif live:
            found.append(_imap_live(config))
    smtp_host = config.get("SESIM_EMAIL_SMTP_HOST")
    sender = config.get("SESIM_EMAIL_SMTP_FROM") or config.get("SESIM_EMAIL_SMTP_USER") or ""
    if not smtp_host:
        found.append(Finding("warning", "email: replies by e-mail cannot be sent — set "
                                        "SESIM_EMAIL_SMTP_HOST and SESIM_EMAIL_SMTP_FROM"))
    elif "@" not in sender:
        found.append(Finding("error", "email: replies have no sender address — set SESIM_EMAIL_SMTP_FROM"))
    elif live:
        found.append(_smtp_live(config))
    return found


def _imap_live(config) -> Finding:
    from plugins.email.imap import MailboxError, _close, _connect, _settings

    try:
        settings = {**_settings(config), "timeout": float(LIVE_TIMEOUT)}
        conn = _connect(settings)
    except MailboxError as exc:
        return Finding("error", f"email: {exc}")
    _close(conn)
    return Finding("ok", f"email: logged in to the mailbox at {settings['host']}:{settings['port']}")


def _smtp_live(config) -> Finding:
    from plugins.email.smtp import _tls

    host, tls = config["SESIM_EMAIL_SMTP_HOST"], _tls(config)
    port = int(config.get("SESIM_EMAIL_SMTP_PORT") or {"ssl": 465, "starttls": 587}.get(tls, 25))
    try:
        if tls == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=LIVE_TIMEOUT, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=LIVE_TIMEOUT)
        with client:
            client.ehlo()
            if tls == "starttls":
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if config.get("SESIM_EMAIL_SMTP_USER"):
                client.login(config["SESIM_EMAIL_SMTP_USER"], config.get("SESIM_EMAIL_SMTP_PASSWORD") or "")
    except smtplib.SMTPAuthenticationError as exc:
        return Finding("error", f"email: the SMTP server {host}:{port} rejected the login "
                                f"({exc.smtp_code}) — "
                                "check SESIM_EMAIL_SMTP_USER and SESIM_EMAIL_SMTP_PASSWORD")
    except (smtplib.SMTPException, OSError) as exc:
        return Finding("error", f"email: the SMTP server {host}:{port} is unreachable ({type(exc).__name__}: "
                                f"{exc}) — check SESIM_EMAIL_SMTP_HOST, _PORT and _TLS")
    return Finding("ok", f"email: the SMTP server {host}:{port} answered EHLO")
