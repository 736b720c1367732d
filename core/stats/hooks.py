"""The statistics page takes part in the public navigation through the same hook plugins use."""

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.nav import NavItem


@hookimpl
def sesim_nav_items():
    return [NavItem("stats.index", _l("Statistics"), order=40)]
