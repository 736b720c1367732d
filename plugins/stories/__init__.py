"""Story wall plugin: the stories women agreed to share, redacted, with Atom and RSS feeds."""

from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.nav import NavItem


@hookimpl
def sesim_register_blueprints(app):
    from plugins.stories.views import bp

    app.register_blueprint(bp)


@hookimpl
def sesim_nav_items():
    return [NavItem("stories.index", _l("Stories"), order=20)]
