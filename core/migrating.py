"""Alembic sees the core's migrations and, beside them, each installed plugin's own branch.

A plugin that keeps tables ships its revisions in ``<plugin package>/migrations/`` with a
``branch_labels`` of its own name and ``depends_on`` the core revision it needs, so the core never
names a plugin's tables. Every installed plugin's branch is applied, enabled or not: a plugin
switched off later keeps its data, and one switched on needs no extra step. With several branches
there are several heads, so upgrades go to ``heads``.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from flask import current_app

from core.packaged import migrations_dir

CORE_MIGRATIONS = migrations_dir()


def plugin_version_locations(host) -> list[str]:
    """The ``migrations`` folder of every installed plugin that has one (found without running
    the plugin's code)."""
    locations = []
    for record in host.records.values():
        try:
            spec = find_spec(record.module)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            candidate = Path(folder) / "migrations"
            if candidate.is_dir():
                locations.append(str(candidate))
    return locations


def configure(config):
    """Flask-Migrate callback: add the plugins' branches to Alembic's version locations."""
    core_versions = str(CORE_MIGRATIONS / "versions")
    extra = plugin_version_locations(current_app.extensions["sesim"])
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join([core_versions, *extra]))
    return config


def upgrade_all() -> None:
    """Migrate the core and every plugin branch to its newest revision."""
    from flask_migrate import upgrade

    upgrade(revision="heads")


def _cli_upgrades_every_branch() -> None:
    """``sesim db upgrade`` without a revision means every branch (``heads``), not one ``head``."""
    from flask_migrate.cli import upgrade as upgrade_command

    for param in upgrade_command.params:
        if param.name == "revision":
            param.default = "heads"


_cli_upgrades_every_branch()
