"""Posting one delivery to a partner, without letting a URL reach inside our own network.

The host name is resolved once and every address it gives must be public (not loopback, private,
link-local, shared, multicast or reserved) unless ``SESIM_WEBHOOKS_ALLOW_PRIVATE``; the connection
then goes to that checked address, so a second DNS answer cannot rebind it, while TLS still checks
the certificate against the host name. Redirects are never followed; time-outs are short; at most a
few bytes of the answer are read.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from flask import current_app
from flask_babel import lazy_gettext as _l

USER_AGENT = "Sesim-Webhooks/1"


class UnsafeURL(ValueError):
    """The URL may not be called; ``str(error)`` is a translated reason for the admin."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> Target:
    """Resolve ``url`` and refuse what the settings do not allow."""
    config = current_app.config
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(_l("This is not a valid web address.")) from exc
    schemes = ("https", "http") if config["SESIM_WEBHOOKS_ALLOW_HTTP"] else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeURL(_l("The address must start with https://."))
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeURL(_l("This is not a valid web address."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(_l("The partner's server name cannot be found.")) from exc
    addresses = sorted({info[4][0] for info in infos})
    if not config["SESIM_WEBHOOKS_ALLOW_PRIVATE"] and not all(_is_public(a) for a in addresses):
        raise UnsafeURL(_l("The address points into a private or local network; Sesim does not "
                           "send data there."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    error: str | None = None  # short, technical, never part of the body


def post(url: str, body: bytes, headers: dict) -> Outcome:
    """POST ``body`` once; any network error or non-2xx answer is a failure."""
    try:
        target = check_url(url)
    except UnsafeURL as exc:
        return Outcome(False, error=str(exc))
    seconds = float(current_app.config["SESIM_WEBHOOKS_TIMEOUT"])
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    common = {"timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.address, target.port, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                           **common)
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **common)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen("POST", target.path, body=body, redirect=False,
                                preload_content=False, assert_same_host=False,
                                headers={**headers, "Host": host_header, "User-Agent": USER_AGENT,
                                         "Content-Type": "application/json"})
        response.read(1024, decode_content=False)
        response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(False, error=type(exc).__name__)
    finally:
        pool.close()
    if 200 <= response.status < 300:
        return Outcome(True, response.status)
    return Outcome(False, response.status, error=f"HTTP {response.status}")
