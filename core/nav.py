"""Public navigation entries contributed by output plugins (``sesim_nav_items``)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    endpoint: str  # url_for target, e.g. "map.index"
    label: str  # lazy_gettext string
    order: int = 50
