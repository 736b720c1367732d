"""Words staff read for the codes stored in the database (roles, precisions, states). Channel
labels come from the channels themselves (``core.channels.channel_label``)."""

from flask import current_app
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

KM_PER_DEGREE = 111.32  # of latitude; a cell is a little narrower east-west


def grid_km() -> str:
    """The side of a grid cell (``SESIM_LOCATION_GRID`` degrees) in km, as people say it."""
    km = current_app.config["SESIM_LOCATION_GRID"] * KM_PER_DEGREE
    return format_decimal(round(km) if km >= 10 else round(km, 1))


def _grid_label() -> str:
    return gettext("a square of about %(km)s km (its centre)", km=grid_km())


ROLE_LABELS = {"admin": _l("administrator"), "moderator": _l("moderator"), "lawyer": _l("lawyer")}

PRECISION_LABELS = {
    "place": _l("district or village (its centre)"),
    "region": _l("region only (its centre)"),
    "grid": LazyString(_grid_label),  # the size is the deployment's
    "hidden": _l("hidden: no place at all"),
}

MESSAGE_STATUS_LABELS = {"new": _l("new"), "converted": _l("in a report"), "spam": _l("spam"),
                         "ignored": _l("ignored"), "withdrawn": _l("withdrawn by her"),
                         "queued": _l("waiting to be sent"),
                         "sent": _l("sent"), "failed": _l("not sent")}

IDENTIFIER_LABELS = {"phone": _l("phone number"), "email": _l("e-mail address"),
                     "handle": _l("account name (@handle)"), "link": _l("link"),
                     "location": _l("exact location or map link"), "plate": _l("car plate"),
                     "id": _l("ID or passport number"), "place": _l("name of a small village")}

PUBLIC_FIELD_LABELS = {"title": _l("title"), "story": _l("public story"),
                       "point": _l("public place (choose “region only” or “hidden” to blur it)")}


def label(table: dict, code):
    """The label for ``code``, or the code itself for one we do not know (e.g. a new plugin)."""
    return table.get(code, code)


def init_app(app) -> None:
    from core.admin.auditview import action_label

    app.jinja_env.globals.update(
        audit_action=action_label,
        role_label=lambda code: label(ROLE_LABELS, code),
        message_status_label=lambda code: label(MESSAGE_STATUS_LABELS, code),
        identifier_label=lambda code: label(IDENTIFIER_LABELS, code),
        public_field_label=lambda code: label(PUBLIC_FIELD_LABELS, code),
    )
