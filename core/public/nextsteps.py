""""What happens next" on the thank-you page and ``/case``: who reads her report, when she may hear
back, how to come back. Support contacts come from the support directory (``_support.html``); until
a deployer has filled it, ``SESIM_SUPPORT_TEXT`` is shown instead."""

from __future__ import annotations

from flask import current_app

from core.i18n import current_language


def support_lines(config, language: str) -> list[str]:
    """The deployer's support contacts, one per line; a ``{language: text}`` table picks hers."""
    text = config.get("SESIM_SUPPORT_TEXT") or ""
    if isinstance(text, dict):
        text = text.get(language) or text.get(config.get("SESIM_DEFAULT_LANGUAGE", "az")) or ""
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def next_steps() -> dict:
    """What the ``_next_steps.html`` include shows besides the directory's contacts."""
    config = current_app.config
    return {
        "reply_days": config.get("SESIM_REPLY_DAYS") or 0,
        "support": support_lines(config, current_language()),
    }


def init_app(app) -> None:
    app.add_template_global(next_steps)
