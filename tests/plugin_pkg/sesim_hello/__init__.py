"""A tiny third-party plugin: one page, one navigation entry, one CLI command, one message hook."""

import click
from flask import Blueprint

from core import hookimpl
from core.nav import NavItem

bp = Blueprint("hello", __name__)
SEEN = []


@bp.route("/hello")
def index():
    return "Hello from a third-party plugin"


@hookimpl
def sesim_register_blueprints(app):
    app.register_blueprint(bp)


@hookimpl
def sesim_nav_items():
    return [NavItem("hello.index", "Hello", order=90)]


@hookimpl
def sesim_cli_commands(cli):
    @cli.command("hello")
    def hello_command():
        click.echo("hello from the plugin")


@hookimpl
def sesim_message_received(message):
    SEEN.append(message.external_id)
