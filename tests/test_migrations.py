"""The Alembic migrations and the models describe the same schema, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core import _migrations_dir
from core.extensions import db


def test_models_and_migrations_agree(app):
    """Autogenerate against the migrated database finds nothing to add, drop or alter."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_the_single_head(app):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_migrations_dir()))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    with app.app_context(), db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)
