"""Counts of published reports by public point (``public_counts``), kept in step with every change.

Every write to a report goes through a session flush, whoever makes it (publish, withdraw, edit,
bulk actions, purge). Just before a flush the published state of the reports it touches is read
from the database, just after it again, and the difference is added to ``public_counts`` with an
upsert: atomic on SQLite and PostgreSQL, so two app servers publishing at once both count. A bulk
statement on reports (which bypasses the flush) makes the commit rebuild every count instead.

The map reads these few thousand rows instead of every report; ``rebuild`` recounts from the
reports (the migration, bulk statements and bulk loads such as bench/map_geojson.py use it).

Each row also has running totals by the day the reports occurred (``public_count_days``), kept in
the same upserts, so a date filter reads two running totals per row instead of the reports.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict

from sqlalchemy import and_, delete, event, inspect, select, update
from sqlalchemy.orm import Session

from core.models import PublicCount, PublicCountDay, Report, report_categories

log = logging.getLogger("sesim.counts")

FIELDS = ("kind", "location_precision", "public_latitude", "public_longitude", "region_id",
          "place_id", "verified", "categories")
_TOUCHED = "sesim_counts_touched"
_BEFORE = "sesim_counts_before"
_REBUILD = "sesim_counts_rebuild"
CHUNK = 500
_installed = False


def install() -> None:
    """Listen to every session once per process (the listeners need no app)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _bulk_statement)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_soft_rollback", _forget)
    _installed = True


def category_key(ids) -> str:
    """``",3,7,"``: the sorted ids, fenced so ``LIKE '%,3,%'`` finds exactly category 3."""
    return "," + ",".join(str(i) for i in sorted(set(ids))) + "," if ids else ""


def row_key(values: tuple) -> str:
    return hashlib.sha256(repr(values).encode()).hexdigest()


_COLUMNS = (Report.id, Report.location_precision, Report.public_latitude, Report.public_longitude,
            Report.region_id, Report.place_id, Report.verified, Report.occurred_at)


def published_keys(connection, ids) -> Counter:
    """``Counter({(kind, precision, lat, lon, region, place, verified, categories, day): reports})``
    of the published reports among ``ids``, as the database holds them now (see ``PublicCount``;
    ``day``: the date they occurred on)."""
    found: Counter = Counter()
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(
            select(*_COLUMNS)
            .where(Report.id.in_(ids[start:start + CHUNK]), Report.status == "published")
        ).all()
        found.update(_keyed(connection, rows))
    return found


def _keyed(connection, rows) -> Counter:
    categories = defaultdict(list)
    if rows:
        links = select(report_categories.c.report_id, report_categories.c.category_id).where(
            report_categories.c.report_id.in_([row[0] for row in rows]))
        for report_id, category_id in connection.execute(links):
            categories[report_id].append(category_id)
    found: Counter = Counter()
    for rid, precision, lat, lon, region, place, verified, occurred_at in rows:
        point = (precision, lat, lon, region, place, bool(verified))
        day = occurred_at.date()
        found[("total", *point, "", day)] += 1
        found[("set", *point, category_key(categories[rid]), day)] += 1
        for category_id in set(categories[rid]):
            found[("category", *point, category_key([category_id]), day)] += 1
    return found


def _by_row(delta: dict) -> tuple[Counter, Counter]:
    """Split ``{(fields…, day): change}`` into changes per ``public_counts`` row, keyed
    ``(digest, fields)``, and per ``(digest, day)``. Each row's digest is worked out once, however
    many days it has (a rebuild sees every day of every row)."""
    rows: Counter = Counter()
    days: Counter = Counter()
    digests: dict = {}
    for (*fields, day), change in delta.items():
        if change:
            values = tuple(fields)
            digest = digests.get(values) or digests.setdefault(values, row_key(values))
            rows[(digest, values)] += change
            days[(digest, day)] += change
    return rows, days


def add(connection, delta: dict) -> None:
    """Add ``{key tuple with day: change}`` to the counts (one upsert per row, then its running
    totals from that day on), dropping rows that reach 0."""
    table = PublicCount.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows, days = _by_row(delta)
    emptied = []
    # In the order of their keys: two transactions lock shared rows in the same order, so they
    # wait for each other instead of deadlocking (whatever process or hash seed).
    for (digest, values), change in sorted(rows.items(), key=lambda item: item[0][0]):
        # The upsert locks this row until the commit (PostgreSQL), even when only its days change
        # (+0: a report moved to another day): two transactions changing the same row's running
        # totals below take turns.
        statement = insert(table).values(key=digest, count=change, **dict(zip(FIELDS, values, strict=True)))
        connection.execute(statement.on_conflict_do_update(
            index_elements=["key"], set_={"count": table.c.count + change}))
        if change < 0:
            emptied.append(digest)
    for (digest, day), change in sorted(days.items()):
        if change:
            _add_from(connection, insert, digest, day, change)
    if emptied:
        connection.execute(delete(table).where(table.c.key.in_(emptied), table.c.count <= 0))
        running = PublicCountDay.__table__
        # Running totals never fall along the days: a row at 0 has only 0s before it.
        connection.execute(delete(running).where(running.c.key.in_(emptied), running.c.running <= 0))


def _add_from(connection, insert, digest: str, day, change: int) -> None:
    """Add ``change`` to the running totals of row ``digest`` on ``day`` and every later day,
    first making the row for ``day`` (carrying the total of the day before) if it is missing."""
    running = PublicCountDay.__table__
    before = connection.execute(
        select(running.c.running).where(running.c.key == digest, running.c.day < day)
        .order_by(running.c.day.desc()).limit(1)).scalar() or 0
    connection.execute(insert(running).values(key=digest, day=day, running=before)
                       .on_conflict_do_nothing(index_elements=["key", "day"]))
    connection.execute(update(running).where(and_(running.c.key == digest, running.c.day >= day))
                       .values(running=running.c.running + change))


def rebuild(connection, batch: int = 5000) -> int:
    """Recount every published report (keyset batches: flat memory); return the rows written."""
    table = PublicCount.__table__
    connection.execute(delete(table))
    counts: Counter = Counter()
    last = 0
    while True:
        rows = connection.execute(
            select(*_COLUMNS)
            .where(Report.status == "published", Report.id > last).order_by(Report.id).limit(batch)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        counts.update(_keyed(connection, rows))
    rows, days = _by_row(counts)
    del counts
    values = [{"key": digest, "count": n, **dict(zip(FIELDS, k, strict=True))}
              for (digest, k), n in rows.items()]
    for start in range(0, len(values), batch):
        connection.execute(table.insert(), values[start:start + batch])
    if inspect(connection).has_table(PublicCountDay.__tablename__):  # not yet at the migration
        _rebuild_days(connection, days, batch)                       # that first counted
    return len(values)


def _rebuild_days(connection, days: Counter, batch: int) -> None:
    """Write the running totals of every row from ``{(key, day): reports}``."""
    running = PublicCountDay.__table__
    connection.execute(delete(running))
    values, key, total = [], None, 0
    for (digest, day), count in sorted(days.items()):
        if digest != key:
            key, total = digest, 0
        total += count
        values.append({"key": digest, "day": day, "running": total})
        if len(values) >= batch:
            connection.execute(running.insert(), values)
            values = []
    if values:
        connection.execute(running.insert(), values)


# ---------------------------------------------------------------- session events

def _reports(objects) -> list[int]:
    return [obj.id for obj in objects if isinstance(obj, Report) and obj.id is not None]


def _before_flush(session, flush_context, instances) -> None:
    touched = _reports(session.dirty) + _reports(session.deleted)
    if touched:
        session.info[_BEFORE] = published_keys(session.connection(), touched)
    session.info[_TOUCHED] = touched


def _after_flush(session, flush_context) -> None:
    touched = session.info.pop(_TOUCHED, []) + _reports(session.new)
    before = session.info.pop(_BEFORE, Counter())
    if not touched:
        return
    connection = session.connection()
    after = published_keys(connection, touched)
    delta = {key: after[key] - before[key] for key in set(after) | set(before)}
    add(connection, delta)


def _bulk_statement(state) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete or state.is_insert) and getattr(table, "name", None) in (
            "reports", "report_categories"):
        state.session.info[_REBUILD] = True


def _before_commit(session) -> None:
    if session.info.pop(_REBUILD, False):
        log.info("a bulk statement changed reports: recounting public counts")
        rebuild(session.connection())


def _forget(session, previous_transaction) -> None:
    for key in (_TOUCHED, _BEFORE, _REBUILD):
        session.info.pop(key, None)
