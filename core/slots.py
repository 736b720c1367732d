"""What plugins add to named places of core pages, without core naming them.

Two ways in, each for one kind of content:
- ``sesim_template_slot(slot)``: anything a plugin adds at a named slot (``{{ slot("home_ways") }}``
  in a template; FlaskBB's template hooks are the model);
- ``ChannelInfo.reach`` and ``ChannelInfo.notice``: a channel's own "how to reach us" line and
  public notice, listed on the home page for every registered channel.

A contribution is a template name (a plain ``str`` ending in ``.html``, rendered with the page's
context), ``Markup`` (trusted, passed through) or any other text (escaped).
"""

from __future__ import annotations

import logging

from flask import current_app
from jinja2 import pass_context
from markupsafe import Markup, escape

from core import channels

log = logging.getLogger("sesim.slots")
SLOTS = ("home_top", "home_ways", "home_bottom", "report_done", "footer")  # the ones core offers


def render_piece(context, piece, owner: str = "") -> Markup:
    """One contribution as safe markup (see the module docstring); one that cannot be rendered
    is logged and left out, so a plugin's broken template never breaks a core page."""
    try:
        return _render(context, piece)
    except Exception:
        log.exception("a contribution of %s could not be rendered", owner or "a plugin")
        return Markup("")


def _render(context, piece) -> Markup:
    if piece is None or piece == "":
        return Markup("")
    if type(piece) is str and piece.endswith(".html"):
        template = current_app.jinja_env.get_template(piece)
        return Markup(template.render(context.get_all()))  # noqa: S704 (autoescaped template)
    if isinstance(piece, Markup):
        return piece
    return escape(str(piece))


@pass_context
def slot(context, name: str) -> Markup:
    """Every plugin's contribution to slot ``name``, in hook order; a failing one is skipped."""
    from core.plugins import call_hook

    pieces = []
    for answer in call_hook("sesim_template_slot", slot=name):
        for piece in answer if isinstance(answer, list | tuple) else [answer]:
            pieces.append(render_piece(context, piece, f"slot {name}"))
    return Markup("\n").join(pieces)


def reach_lines() -> list:
    """The "how to reach us" lines of every registered channel that has one configured."""
    lines = []
    for info in channels.registered().values():
        try:
            line = info.reach_line()
        except Exception:
            log.exception("channel %s: its reach line failed", info.name)
            continue
        if line:
            lines.append(line if isinstance(line, Markup) else escape(str(line)))
    return lines


@pass_context
def channel_notices(context) -> Markup:
    return Markup("\n").join(render_piece(context, info.notice, info.name)
                             for info in channels.registered().values() if info.notice)


def init_app(app) -> None:
    app.jinja_env.globals.update(slot=slot, reach_lines=reach_lines,
                                 channel_notices=channel_notices,
                                 channel_label=channels.channel_label)
