"""Navigation entries contributed by plugins: public (``sesim_nav_items``) and staff
(``sesim_admin_nav_items``)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    endpoint: str  # url_for target, e.g. "map.index"
    label: str  # lazy_gettext string
    order: int = 50
    roles: tuple[str, ...] = ()  # staff navigation only: the roles that see it (empty: every role)
