""""What happens next" on the thank-you page and ``/case``: who reads her report, when she may hear
back, how to come back, and where to get help now. Support contacts come from the support directory
when one is installed (a ``public.resources`` page), else from the deployer's ``SESIM_SUPPORT_TEXT``."""

from __future__ import annotations

from flask import current_app, url_for
from werkzeug.routing import BuildError

from core.i18n import current_language


def support_lines(config, language: str) -> list[str]:
    """The deployer's support contacts, one per line; a ``{language: text}`` table picks hers."""
    text = config.get("SESIM_SUPPORT_TEXT") or ""
    if isinstance(text, dict):
        text = text.get(language) or text.get(config.get("SESIM_DEFAULT_LANGUAGE", "az")) or ""
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def next_steps(region_id: str | None = None) -> dict:
    """What the ``_next_steps.html`` include shows, for a report in ``region_id`` (if known)."""
    config = current_app.config
    try:
        directory = url_for("public.resources", region=region_id) if region_id else url_for(
            "public.resources")
    except BuildError:  # no support directory on this deployment (yet)
        directory = None
    return {
        "reply_days": config.get("SESIM_REPLY_DAYS") or 0,
        "support": support_lines(config, current_language()),
        "directory_url": directory,
    }


def init_app(app) -> None:
    app.add_template_global(next_steps)
