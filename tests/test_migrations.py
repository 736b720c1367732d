"""The Alembic migrations and the models describe the same schema, on SQLite and PostgreSQL:
the core's chain and each plugin's own branch (tables of every installed plugin)."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core import _migrations_dir
from core.extensions import db


@pytest.fixture
def app_config():
    """Every installed plugin loaded, so that plugins' models are part of the metadata."""
    return {"SESIM_PLUGINS": "all"}


def test_models_and_migrations_agree(app):
    """Autogenerate against the migrated database finds nothing to add, drop or alter."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def _scripts(app) -> ScriptDirectory:
    from alembic.config import Config

    from core.migrating import configure

    config = Config()
    config.set_main_option("script_location", str(_migrations_dir()))
    with app.app_context():
        configure(config)
    return ScriptDirectory.from_config(config)


def test_every_branch_has_one_head_and_the_database_is_at_them(app):
    scripts = _scripts(app)
    heads = scripts.get_heads()
    bases = scripts.get_bases()
    assert len(heads) == len(bases), f"a branch has several heads: {heads}"
    with app.app_context(), db.engine.connect() as conn:
        assert set(MigrationContext.configure(conn).get_current_heads()) == set(heads)


def test_plugin_tables_come_from_the_plugins_own_branch(app):
    """The core's chain creates no plugin table: a plugin's schema lives with the plugin."""
    scripts = _scripts(app)
    branches = {label for rev in scripts.walk_revisions() for label in rev.branch_labels}
    assert "webhooks" in branches
    core_files = {p.name for p in (_migrations_dir() / "versions").glob("*.py")}
    webhooks_rev = scripts.get_revision("webhooks@head")
    assert webhooks_rev.path.split("/")[-1] not in core_files
