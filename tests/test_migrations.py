"""The Alembic migrations and the models describe the same schema, on SQLite and PostgreSQL:
the core's chain and each plugin's own branch (tables of every installed plugin)."""

from contextlib import contextmanager

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


@contextmanager
def migrated_afresh(name: str, tmp_path):
    """An app on a database of its own, migrated to the heads, in its app context: for tests that
    migrate down and up again without touching the suite's shared database."""
    from core import create_app
    from core.migrating import upgrade_all
    from tests.conftest import BASE_CONFIG, private_database

    with private_database(f"sesim_{name}", tmp_path / f"{name}.db") as url:
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                          "SESIM_INSTANCE_PATH": str(tmp_path / "instance")})
        with app.app_context():
            upgrade_all()
            yield app
            db.session.remove()
            db.engine.dispose()


# SQLite's reflection leaves out an index on an expression (the story wall's); Alembic then
# compares it on PostgreSQL only.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
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


def _stored_days(table: str, rows: str, link: str) -> set:
    """``{(row key, day, running)}`` of ``table``, keyed by hash or (after f3b9d6e1a4c7) by id."""
    from sqlalchemy import MetaData, Table, select

    found = MetaData()
    days = Table(table, found, autoload_with=db.engine)
    if "key" in days.c:
        query = select(days.c.key, days.c.day, days.c.running)
    else:
        owners = Table(rows, found, autoload_with=db.engine)
        query = (select(owners.c.key, days.c.day, days.c.running)
                 .join_from(days, owners, owners.c.id == days.c[link]))
    with db.engine.connect() as conn:
        return {(key, str(day), running) for key, day, running in conn.execute(query)}


def test_running_totals_survive_being_rekeyed_both_ways(tmp_path):
    """f3b9d6e1a4c7 keys the running totals by row id: an upgrade from before there were any
    (every earlier migration recounting on the way) fills them as the app would, and a downgrade
    gives them their hash keys back, same totals."""
    from flask_migrate import downgrade

    from core.migrating import upgrade_all
    from core.seed import ensure_categories
    from tests.outputs_data import populate

    tables = (("public_count_days", "public_counts", "count_id"),
              ("public_cell_days", "public_cells", "cell_id"))
    with migrated_afresh("rekey", tmp_path) as app:
        ensure_categories(app.config)
        populate()
        db.session.commit()
        kept = [_stored_days(*table) for table in tables]
        assert all(kept), "the sample reports make running totals"

        downgrade(revision="e8c1f5a2b7d4")
        assert [_stored_days(*table) for table in tables] == kept

        downgrade(revision="d4a7c2b9e613")  # before any running totals
        upgrade_all()
        assert [_stored_days(*table) for table in tables] == kept


def test_answered_at_marks_the_recent_messages_already_answered(tmp_path):
    """a7d2e9c4b1f6: a recent message that holds a case code or has a reply counts as answered (a
    repeat must not answer it again); an unanswered one, or an old one, stays unmarked."""
    from datetime import timedelta

    from flask_migrate import downgrade
    from sqlalchemy import text

    from core.migrating import upgrade_all
    from core.models.base import utcnow

    now, old = utcnow(), utcnow() - timedelta(days=30)
    rows = [  # id, direction, case_code_hash, in_reply_to_id, received_at
        (1, "in", "c" * 64, None, now), (2, "in", None, None, now), (3, "out", None, 2, now),
        (4, "in", None, None, now), (5, "in", "d" * 64, None, old), (6, "in", None, 4, now)]
    with migrated_afresh("answered", tmp_path):
        downgrade(revision="c9f3e7a2d5b8")
        for id_, direction, code, parent, at in rows:
            db.session.execute(text(
                "INSERT INTO messages (id, channel, external_id, direction, text, received_at, "
                "status, case_code_hash, data, unread, in_reply_to_id) VALUES (:id, 'sms', :ext, "
                ":direction, 'x', :at, 'new', :code, '{}', false, :parent)"),
                {"id": id_, "ext": f"m{id_}", "direction": direction, "at": at, "code": code,
                 "parent": parent})
        db.session.commit()
        upgrade_all()
        marked = db.session.execute(text(
            "SELECT id FROM messages WHERE answered_at IS NOT NULL ORDER BY id")).scalars().all()
        # 4 has only an inbound mail threaded under it (6), not a reply: not answered.
        assert marked == [1, 2]


def test_public_version_starts_from_the_reports_already_published(tmp_path):
    """b8f4c2d7e1a9: a deployment that already published reports gets the public data's version at
    once, dated as the API's Last-Modified was before (the newest change to a report ever
    published); one that published nothing gets none until its first."""
    from flask_migrate import downgrade
    from sqlalchemy import func

    from core.migrating import upgrade_all
    from core.models import ChannelCursor, Report
    from core.publiccounts import VERSION, changed_at, version
    from core.seed import ensure_categories
    from tests.outputs_data import populate

    with migrated_afresh("version", tmp_path) as app:
        downgrade(revision="a7d2e9c4b1f6")
        upgrade_all()
        assert version(db.session.connection()) == "" and ChannelCursor.query.count() == 0
        db.session.rollback()

        ensure_categories(app.config)
        populate()
        db.session.commit()
        downgrade(revision="a7d2e9c4b1f6")
        assert ChannelCursor.query.filter_by(channel=VERSION[0], stream=VERSION[1]).count() == 0
        db.session.rollback()
        upgrade_all()
        newest = (db.session.query(func.max(Report.updated_at))
                  .filter(Report.status != "pending", Report.published_at.isnot(None)).scalar())
        assert version(db.session.connection()) and changed_at(db.session.connection()) == newest
