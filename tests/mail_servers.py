"""Real mail servers on 127.0.0.1 for the e-mail and worker tests: pymap (IMAP, in-memory
backend, its own process) and aiosmtpd (SMTP, a thread). Import the fixtures into a test module."""

from __future__ import annotations

import contextlib
import imaplib
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest

IMAP_USER, IMAP_PASSWORD = "reports@sesim.test", "correct horse battery"
SENDER = "leyla.h@example.org"
OUR_ADDRESS = "reply@sesim.test"
INBOUND_SECRET = "hook-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class ImapServer:
    port: int
    process: subprocess.Popen

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(IMAP_USER, IMAP_PASSWORD)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.connect()
        try:
            status, data = conn.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def uids(self, folder: str = "INBOX", criteria: str = "ALL") -> list[int]:
        conn = self.connect()
        try:
            conn.select(folder)
            _status, data = conn.uid("SEARCH", None, criteria)
            return [int(u) for u in data[0].split()]
        finally:
            conn.logout()

    def empty(self) -> None:
        """Remove every mail from INBOX and every other folder."""
        conn = self.connect()
        try:
            _status, listing = conn.list()
            for line in listing or []:
                name = line.decode().rsplit(' "/" ', 1)[-1].strip('"')
                if name != "INBOX":
                    conn.delete(f'"{name}"')
            conn.select("INBOX")
            conn.store("1:*", "+FLAGS", "(\\Deleted)")
            conn.expunge()
        finally:
            conn.logout()


@pytest.fixture(scope="session")
def imap_server():
    port = free_port()
    pymap = Path(sys.executable).parent / "pymap"
    process = subprocess.Popen(
        [str(pymap), "--host", "127.0.0.1", "--port", str(port), "dict",
         "--demo-user", IMAP_USER, "--demo-password", IMAP_PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield ImapServer(port, process)
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def mailbox(imap_server):
    imap_server.empty()
    return imap_server


@dataclass
class SmtpSink:
    """Every mail the aiosmtpd server accepted, parsed."""

    port: int
    received: list = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"

    def wait(self, count: int, timeout: float = 10) -> list:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.received.clear()
    smtp_server.refuse = False
    return smtp_server


def email_settings(imap: ImapServer | None = None, smtp: SmtpSink | None = None, **extra) -> dict:
    settings = {
        "SESIM_PLUGINS": "email",
        "SESIM_PUBLIC_URL": "https://sesim.test",
        "SESIM_EMAIL_INBOUND_SECRET": INBOUND_SECRET,
        "SESIM_EMAIL_SMTP_FROM": OUR_ADDRESS,
        "SESIM_EMAIL_SMTP_TLS": "off",
        "SESIM_EMAIL_IMAP_TLS": "off",
        "SESIM_EMAIL_TIMEOUT": 10,
    }
    if imap is not None:
        settings.update({"SESIM_EMAIL_IMAP_HOST": "127.0.0.1", "SESIM_EMAIL_IMAP_PORT": imap.port,
                         "SESIM_EMAIL_IMAP_USER": IMAP_USER,
                         "SESIM_EMAIL_IMAP_PASSWORD": IMAP_PASSWORD})
    if smtp is not None:
        settings.update({"SESIM_EMAIL_SMTP_HOST": "127.0.0.1", "SESIM_EMAIL_SMTP_PORT": smtp.port})
    return {**settings, **extra}


def plain_mail(text: str, message_id: str | None = "<m1@example.org>", subject: str = "Metroda",
               sender: str = SENDER, extra_headers: str = "") -> bytes:
    headers = f"From: Leyla <{sender}>\r\nTo: {IMAP_USER}\r\nSubject: {subject}\r\n"
    if message_id:
        headers += f"Message-ID: {message_id}\r\n"
    headers += extra_headers
    headers += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    headers += "Content-Transfer-Encoding: 8bit\r\n\r\n"
    return headers.encode() + text.encode("utf-8") + b"\r\n"
