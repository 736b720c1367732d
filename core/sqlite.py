"""SQLite settings for every connection: write-ahead log, so readers never block the writer and a
commit costs one flush of the log instead of a rollback journal's several; and a busy timeout, so
two workers writing at once wait for each other instead of failing.

``synchronous=FULL`` keeps SQLite's promise that a committed message survives a power cut (the
log is flushed at every commit); PostgreSQL is untouched."""

from __future__ import annotations

from sqlalchemy import event

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=10000",
           # Reads through the operating system's page cache without a copy, and up to 64 MiB of
           # pages kept per connection (the default is 2 MiB): the map's look-ups in the running
           # totals by day stay in memory as the database grows.
           "PRAGMA mmap_size=268435456", "PRAGMA cache_size=-65536")


def init_app(app, db) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):
        cursor = connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
