"""The ``sesim`` command: Flask's CLI group built on ``create_app``, plus Sesim's commands."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, NoAppException, ScriptInfo, with_appcontext

from core import worker


def _create_app():
    """A deployment that cannot start (a bad setting, an instance folder it cannot write) gets one
    clear error line, under ``sesim --help`` too, instead of a traceback."""
    from core import create_app
    from core.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:  # a deployer's mistake: say what to fix, no traceback
        raise NoAppException(str(exc)) from None
    except OSError as exc:  # e.g. an instance folder the service user cannot write
        raise NoAppException(f"{exc}. If that is the instance folder, set SESIM_INSTANCE_PATH to a "
                             "folder the service user can write.") from None


class SesimGroup(FlaskGroup):
    """Flask's group, except that a configuration error stops any command with its message
    (Flask would go on to say the command does not exist). ``sesim --help`` still shows the
    help, after the error line."""

    def resolve_command(self, ctx, args):  # only when a command runs, not when help lists them
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as exc:
            raise click.ClickException(exc.format_message()) from None
        return super().resolve_command(ctx, args)


@click.group(cls=SesimGroup, create_app=_create_app)
def main():
    """Sesim: anonymous harassment reports, mapped."""


def init_app(app, plugins) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(plugins_group)
    app.cli.add_command(users_group)
    app.cli.add_command(channels_group)
    app.cli.add_command(doctor_command)
    app.cli.add_command(worker.worker_command)
    app.cli.add_command(spool_group)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    with app.app_context():
        plugins.wire("sesim_cli_commands", cli=app.cli)


def _upgrade() -> None:
    from core.migrating import upgrade_all

    upgrade_all()


@click.command("init")
@with_appcontext
def init_command():
    """Create the instance folder and keys, migrate the database, add default categories."""
    from core.seed import ensure_categories

    _upgrade()
    added = ensure_categories(current_app.config)
    click.echo(f"Instance: {current_app.instance_path}")
    click.echo(f"Categories added: {added}")


@click.command("demo")
@click.option("--force", is_flag=True, help="Load again even if demo data was loaded before.")
@with_appcontext
def demo_command(force):
    """Load realistic demo reports across Baku and the regions (once)."""
    from core.demo import load_demo

    loaded = load_demo(force=force)
    click.echo(f"Demo reports loaded: {loaded}" if loaded else "Demo data already loaded.")


@click.group("plugins")
def plugins_group():
    """Installed plugins."""


@plugins_group.command("list")
@with_appcontext
def plugins_list():
    """Each plugin with its version, whether it is enabled and the hooks it implements."""
    for record in current_app.extensions["sesim"].records.values():
        state = "enabled" if record.enabled else "disabled"
        hooks = ", ".join(record.hooks) or "-"
        click.echo(f"{record.name:10} {record.version:8} {state:8} {record.module}  hooks: {hooks}")


@click.group("users")
def users_group():
    """Staff accounts."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "moderator", "lawyer"]), default="moderator")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_create(email, role, password):
    """Create a staff account (the password is prompted for when not given)."""
    from email_validator import EmailNotValidError, validate_email

    from core.extensions import db
    from core.models import User
    from core.passwords import MIN_LENGTH, hash_password

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    if len(password) < MIN_LENGTH:
        raise click.BadParameter(f"use at least {MIN_LENGTH} characters", param_hint="--password")
    if User.query.filter_by(email=email).first():
        raise click.ClickException(f"a user {email} already exists")
    db.session.add(User(email=email, role=role, password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Created {role} {email}")


@click.group("channels")
def channels_group():
    """Inbound channels."""


@channels_group.command("fetch")
@click.option("--channel", help="Only this channel (plugin name).")
@with_appcontext
def channels_fetch(channel):
    """Fetch new messages from polled channels and report what was new, duplicate or failed."""
    from core.fetching import fetch

    results = fetch(channel)
    if channel and not results:
        raise click.ClickException(f"no enabled channel named {channel!r} can be fetched")
    for result in results:
        click.echo(result.summary())
    if any(r.error or r.failed for r in results):
        sys.exit(1)


@click.group("spool")
def spool_group():
    """What arrived while the database could not be written."""


@spool_group.command("status")
@with_appcontext
def spool_status():
    """How many items wait in the spool (nothing about their content)."""
    from core.spool import pending

    click.echo(f"{len(pending())} item(s) waiting in the spool")


@spool_group.command("replay")
@with_appcontext
def spool_replay():
    """Store every spooled item now (``sesim worker`` does it every SESIM_SPOOL_INTERVAL)."""
    from core.spool import replay

    result = replay()
    click.echo(result.summary())
    if result.failed or result.database_down:
        sys.exit(1)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due, change nothing.")
@with_appcontext
def purge_command(dry_run):
    """Erase raw messages, contact details and conversations of reports closed longer than
    SESIM_RETENTION_DAYS ago (audited with counts only)."""
    from core.retention import purge

    result = purge(dry_run=dry_run, show_progress=True)
    click.echo(("Would erase: " if dry_run else "Erased: ") + result.summary())


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Archive to write (mode 0600).")
@with_appcontext
def backup_command(output):
    """Write one encrypted archive of the database, uploads and spool (never secrets.json)."""
    from core.backup import BackupError, backup

    try:
        manifest = backup(output)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(f"Backup written to {output}: {rows} rows in {len(manifest['tables'])} tables, "
               f"{manifest['files']['uploads']} uploads, {manifest['files']['spool']} spooled "
               "items. Keep secrets.json backed up separately: without it this archive cannot "
               "be read.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(archive):
    """Restore an archive from `sesim backup` into this empty instance (same secrets.json)."""
    from core.backup import BackupError, restore

    try:
        manifest = restore(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(f"Restored {rows} rows, {manifest['files']['uploads']} uploads and "
               f"{manifest['files']['spool']} spooled items from a backup of "
               f"{manifest['created_at']}.")


@click.command("doctor")
@click.option("--live", is_flag=True, help="Also try each enabled channel's connections "
              "(IMAP login, SMTP EHLO, API tokens) with short time-outs.")
@with_appcontext
def doctor_command(live):
    """Check the deployment's settings, secrets, database and plugins."""
    from core.doctor import check

    findings = check(live=live)
    for finding in findings:
        click.echo(f"{finding.level.upper():8} {finding.text}")
    if any(f.level == "error" for f in findings):
        sys.exit(1)
