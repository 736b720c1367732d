"""The public side: home, the anonymous report form, case follow-up, one published report,
the support directory and awareness pages."""

from core.public.views import bp


def init_app(app) -> None:
    from core.extensions import csrf
    from core.public import (
        case,  # noqa: F401  (adds the /case views to ``bp``)
        nextsteps,
        support,
    )

    app.register_blueprint(bp)
    support.init_app(app)
    app.context_processor(_template_globals)
    nextsteps.init_app(app)
    # These forms check their own CSRF token so a stale token is explained on the form, with
    # everything she typed kept, instead of an error page.
    csrf.exempt("core.public.views.report")
    for view in ("case", "case_reply", "case_leave", "case_withdraw"):
        csrf.exempt(f"core.public.case.{view}")


def _template_globals():
    from flask import current_app, request

    from core.i18n import LANGUAGE_NAMES, current_language, languages
    from core.plugins import call_hook

    nav = sorted((item for items in call_hook("sesim_nav_items") for item in items),
                 key=lambda item: item.order)
    return {
        "site_name": current_app.config["SESIM_SITE_NAME"],
        "nav_items": nav,
        "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages()],
        "current_language": current_language(),
        "quick_exit_url": current_app.config["SESIM_QUICK_EXIT_URL"],
        "legal_help": current_app.config["SESIM_LEGAL_HELP"],
        "current_path": request.path,
        "place_name": _place_name,
    }


def _place_name(report) -> str:
    """The public place of a report in the reader's language (never finer than the blur)."""
    from core import gazetteer
    from core.i18n import current_language

    place = gazetteer.load().place(report.place_id or report.region_id or "")
    if place is None or report.location_precision == "hidden":
        return ""
    if report.location_precision == "region":
        place = gazetteer.load().place(report.region_id) or place
    return place.name(current_language())
