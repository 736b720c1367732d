"""Channels: what a channel plugin says about itself (``sesim_channel_info``) and what happened to
a reply it was asked to send (``Delivery``).

Core knows no channel by name except its own ``web`` form: labels, the home page's "other ways to
reach us", the inbox filters, statistics and exports all come from ``registered()``, and replies
and polls are dispatched to the ``send``/``fetch`` of the channel the message belongs to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

log = logging.getLogger("sesim.channels")
WEB = "web"  # core's own channel: the anonymous form


@dataclass(frozen=True)
class Delivery:
    """The outcome of ``ChannelInfo.send``: ``sent``, ``deferred`` (stays queued, e.g. until the
    SMSSync phone polls) or ``failed`` with a reason staff can read (redacted before storing)."""

    state: str
    reason: str = ""

    @classmethod
    def sent(cls) -> Delivery:
        return cls("sent")

    @classmethod
    def deferred(cls, reason: str = "") -> Delivery:
        return cls("deferred", reason)

    @classmethod
    def failed(cls, reason: str) -> Delivery:
        return cls("failed", reason or "failed")


@dataclass(frozen=True)
class ChannelInfo:
    """A channel, fully described. ``name`` is also ``Message.channel`` and
    ``Report.source_channel``; ``label`` is shown to staff and in statistics (``lazy_gettext``).

    - ``send(message) -> Delivery`` delivers an outbound ``Message`` of this channel (None: the
      channel cannot answer; replies stay queued and staff see why).
    - ``fetch(app)`` yields ``core.intake.Inbound`` messages; each is stored before the generator
      resumes, so the plugin may advance its cursor right after a ``yield``.
    - ``pushes``: it receives webhooks; ``polled``: ``sesim channels fetch`` and the worker call
      ``fetch``.
    - ``reach``: the "how to reach us" line on the home page (a lazy string, or a callable
      returning one, or None/"" to show nothing, e.g. when no number is configured).
    - ``notice``: shown publicly on the home page: a template name (``"twitter/_notice.html"``)
      or a lazy text; for warnings such as "a public post is visible to everyone".
    """

    name: str
    label: Any
    send: Callable[[Any], Delivery] | None = None
    fetch: Callable[[Any], Iterator] | None = None
    pushes: bool = False
    polled: bool = False
    reach: Any = None
    notice: Any = None

    def reach_line(self):
        """The reach line now (a callable is asked each time: settings may name no number)."""
        value = self.reach() if callable(self.reach) else self.reach
        return value or ""


def web_channel() -> ChannelInfo:
    return ChannelInfo(name=WEB, label=_l("web form"))


def registered() -> dict[str, ChannelInfo]:
    """Every channel of this app by name, core's ``web`` first, then plugins' by name. Cached per
    app until the set of registered plugins changes."""
    from core.plugins import host

    # The plugins themselves (not their ids, which a new object may reuse) key the cache.
    key = frozenset(host().manager.list_name_plugin())
    cached = current_app.extensions.get("sesim_channels")
    if cached and cached[0] == key:
        return cached[1]
    channels = {WEB: web_channel()}
    found = [i for i in host().call("sesim_channel_info") if isinstance(i, ChannelInfo)]
    for info in sorted(found, key=lambda i: i.name):
        if info.name in channels:
            log.warning("two channels are named %s: the second one is ignored", info.name)
            continue
        channels[info.name] = info
    current_app.extensions["sesim_channels"] = (key, channels)
    return channels


def get(name: str) -> ChannelInfo | None:
    return registered().get(name)


def channel_label(code) -> str:
    """The label of channel ``code``; the code itself for a channel no longer installed."""
    info = registered().get(code)
    return info.label if info else code


def polled() -> list[ChannelInfo]:
    return [c for c in registered().values() if c.polled and c.fetch]


def filter_choices(with_data) -> list[str]:
    """Channel codes for a staff filter: every registered channel, then any other code that still
    has rows (a plugin switched off since)."""
    channels = registered()
    return [*channels, *sorted(set(with_data) - set(channels))]
