"""Plugins whose start-up wiring raises, one per start-up hook (loaded through fake entry points
by tests/test_plugins.py): the app must not start half-wired."""

from types import SimpleNamespace

from core import hookimpl


def _fails(*_args):
    raise RuntimeError("the plugin's own bug")


@hookimpl(specname="sesim_config_defaults")
def _defaults():
    _fails()


@hookimpl(specname="sesim_register_blueprints")
def _blueprints(app):
    _fails()


@hookimpl(specname="sesim_csp_sources")
def _csp(app):
    _fails()


@hookimpl(specname="sesim_cli_commands")
def _cli(cli):
    _fails()


@hookimpl(specname="sesim_config_defaults")
def _bad_default_type():
    return {"SESIM_BROKEN_LIMIT": 5}


@hookimpl
def sesim_send_message(message):  # removed from the hookspecs: a plugin written for the old API
    return True


config_defaults = SimpleNamespace(defaults=_defaults)
register_blueprints = SimpleNamespace(blueprints=_blueprints)
csp_sources = SimpleNamespace(csp=_csp)
cli_commands = SimpleNamespace(cli=_cli)
typed_defaults = SimpleNamespace(defaults=_bad_default_type)
old_api = SimpleNamespace(sesim_send_message=sesim_send_message)
