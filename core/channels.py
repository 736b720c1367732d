"""What a channel plugin says about itself (``sesim_channel_info``)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelInfo:
    name: str  # the plugin name, also ``Message.channel``
    label: str  # shown to staff; wrap in lazy_gettext
    pushes: bool = False  # receives webhooks
    polled: bool = False  # fetched by ``sesim channels fetch`` / the worker
