"""Every hook a Sesim plugin can implement. Built-in plugins use these and nothing else.

A plugin writes ``from core import hookimpl`` and registers a module under the ``sesim.plugins``
entry-point group. Each hook is documented in ``docs/plugins.md`` and tested in
``tests/test_hooks.py``.
"""

import pluggy

hookspec = pluggy.HookspecMarker("sesim")
hookimpl = pluggy.HookimplMarker("sesim")


@hookspec
def sesim_config_defaults():
    """Return a dict of this plugin's settings and their defaults (``SESIM_<PLUGIN>_*``)."""


@hookspec
def sesim_register_blueprints(app):
    """Register the plugin's blueprints (webhooks, pages) on ``app``."""


@hookspec
def sesim_csp_sources(app):
    """Return ``{directive: [source, ...]}`` to add to the Content-Security-Policy (e.g. a tile host
    the deployer configured). Public pages load nothing else from other hosts."""


@hookspec
def sesim_channel_info():
    """Return a ``core.channels.ChannelInfo`` describing a channel: name, label, its ``send`` and
    ``fetch`` callables, whether it pushes or is polled, its "how to reach us" line and notice."""


@hookspec(firstresult=True)
def sesim_spam_verdict(message):
    """Return True (spam) or False (not spam) for a stored inbound message; None to abstain."""


@hookspec
def sesim_message_received(message):
    """Called after an inbound message is stored (auto-replies, place detection, notifications)."""


@hookspec
def sesim_report_created(report):
    """Called after a new report is stored, whatever its source."""


@hookspec
def sesim_report_published(report):
    """Called after a report goes public (alerts, webhooks, re-export)."""


@hookspec
def sesim_report_updated(report):
    """Called after a published report's public fields change (a moderator's edit)."""


@hookspec
def sesim_report_unpublished(report, reason):
    """Called after a published report leaves every public output. ``reason`` is ``withdrawn``
    (she withdrew it with her case code), ``reject``, ``archive`` or ``reopen`` (a moderator).
    A withdrawn report's words are already erased: only ``report.public_id`` is left to use."""


@hookspec
def sesim_template_slot(slot):
    """Return what to show at the named place ``slot`` of a core page (``core.slots.SLOTS``): a
    template name, ``Markup``, plain text (escaped) or a list of them; None for nothing."""


@hookspec
def sesim_export_formats():
    """Return a list of ``core.exports.ExportFormat`` the plugin can write."""


@hookspec
def sesim_nav_items():
    """Return a list of ``core.nav.NavItem`` for the public navigation."""


@hookspec
def sesim_admin_nav_items():
    """Return a list of ``core.nav.NavItem`` for the staff navigation; ``roles`` limits who sees
    each (the views check access themselves)."""


@hookspec
def sesim_periodic_jobs():
    """Return a list of ``core.jobs.PeriodicJob`` for ``sesim worker`` to run on a schedule."""


@hookspec
def sesim_doctor_checks(app, live):
    """Return a list of ``core.doctor.Finding`` about this plugin's own settings, asked of enabled
    plugins only: an ERROR names what cannot work and the fix in one line. With ``live`` true,
    also try the connections (log in, say EHLO, check a token) with short time-outs."""


@hookspec
def sesim_cli_commands(cli):
    """Add click commands to the ``sesim`` command group ``cli``."""
