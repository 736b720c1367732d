"""SQLite settings for every connection: write-ahead log, so readers never block the writer and a
commit costs one flush of the log instead of a rollback journal's several; and a busy timeout, so
two workers writing at once wait for each other instead of failing.

``synchronous=FULL`` keeps SQLite's promise that a committed message survives a power cut (the
log is flushed at every commit); PostgreSQL is untouched."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=10000",
           # Reads through the operating system's page cache without a copy, and up to 64 MiB of
           # pages kept per connection (the default is 2 MiB): the map's look-ups in the running
           # totals by day stay in memory as the database grows.
           "PRAGMA mmap_size=268435456", "PRAGMA cache_size=-65536")


class HintingCompiler(SQLiteCompiler):
    """SQLite's compiler, writing a table's hint from ``with_hint(table, "INDEXED BY …", "sqlite")``
    or ``"NOT INDEXED"`` after it (SQLAlchemy writes hints only for dialects it knows to have
    them). SQLite keeps no statistics of values, so where the application knows better
    (``core.publicdata``) it says which index to read, or not to walk."""

    def get_from_hint_text(self, table, text):
        return text


def init_app(app, db) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine
    engine.dialect.statement_compiler = HintingCompiler

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):
        cursor = connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
