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

Every change to a published report also gives the public data a new ``version`` (a row of
``channel_cursors``): figures computed from the reports (``/stats``) are kept while it stays the same.

The same changes are added to ``public_cells``: the reports drawn at their own public point,
counted per map grid cell at each band zoom (``core.mapgrid``) with the sums of their coordinates,
and their running totals by day (``public_cell_days``). A country view reads a few dozen cells.

And to two tables that keep fewer facts (``SUMMED``), each row the sum of the ``public_counts``
rows it holds: ``public_point_counts`` (per point, without place names and verification: the
map's points) and ``public_area_counts`` (per region and place, without points and verification:
the choropleth and the count of every match). A read without a verified filter takes the one with
the fewest rows (``core.publicdata.counts_model``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.orm import Session

from core import mapgrid
from core.models import (
    PublicAreaCount,
    PublicAreaCountDay,
    PublicCell,
    PublicCellDay,
    PublicCount,
    PublicCountDay,
    PublicPointCount,
    PublicPointCountDay,
    Report,
    report_categories,
)
from core.models.base import utcnow
from core.models.channel import ChannelCursor

log = logging.getLogger("sesim.counts")

FIELDS = ("kind", "location_precision", "public_latitude", "public_longitude", "region_id",
          "place_id", "verified", "categories")
CELL_FIELDS = ("kind", "zoom", "cell_row", "cell_col", "region_id", "verified", "categories")
POINT_FIELDS = ("kind", "location_precision", "public_latitude", "public_longitude", "region_id",
                "categories")
AREA_FIELDS = ("kind", "location_precision", "region_id", "place_id", "categories")
_TOUCHED = "sesim_counts_touched"
_BEFORE = "sesim_counts_before"
_REBUILD = "sesim_counts_rebuild"
CHUNK = 500
WRITER_LOCK = 0x5E51_C0DE  # PostgreSQL advisory lock of the transaction changing the counts
VERSION = ("core", "public-version")  # the channel_cursors row holding the public data's version
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


@dataclass(frozen=True)
class _Ledger:
    """A table of counts keyed by the hash of ``fields``, its value columns, and its running totals
    by day (same values, summed over the days up to each), whose ``link`` column holds the id of
    their row."""

    model: type
    days: type
    fields: tuple[str, ...]
    values: tuple[str, ...]
    running: tuple[str, ...]
    link: str


POINTS = _Ledger(PublicCount, PublicCountDay, FIELDS, ("count",), ("running",), "count_id")
# The same counts with fewer facts, so that a read which needs no more reads fewer rows.
SUMMED = (
    _Ledger(PublicPointCount, PublicPointCountDay, POINT_FIELDS, ("count",), ("running",), "point_id"),
    _Ledger(PublicAreaCount, PublicAreaCountDay, AREA_FIELDS, ("count",), ("running",), "area_id"),
)
CELLS = _Ledger(PublicCell, PublicCellDay, CELL_FIELDS, ("count", "lat_sum", "lon_sum"),
                ("running", "running_lat", "running_lon"), "cell_id")


def running_link(model):
    """The column of ``model``'s running totals by day that holds the id of their row (a date
    filter reads them through it)."""
    ledger = next(ledger for ledger in (POINTS, *SUMMED, CELLS) if ledger.model is model)
    return getattr(ledger.days, ledger.link)


def cell_changes(delta: dict, zooms=mapgrid.BANDS) -> dict:
    """``{point key with day: change}`` → ``{cell key with day: (change, Σ lat, Σ lon)}`` at every
    band zoom, for the reports drawn at their own public point (not hidden, not at a region's
    centre), coordinates in micro-degrees. A cell is split by region, so the region filter reads
    cells too."""
    latitude = mapgrid.reference_latitude()
    cells: dict = {}
    for (kind, precision, lat, lon, region, _place, verified, categories, day), n in delta.items():
        if not n or precision in ("hidden", "region") or lat is None or lon is None:
            continue
        change = (n, n * mapgrid.micro(lat), n * mapgrid.micro(lon))
        for zoom in zooms:
            row, col = mapgrid.cell_key(lat, lon, zoom, latitude)
            _accumulate(cells, (kind, zoom, row, col, region, verified, categories, day), change)
    return cells


def summed(delta: dict, ledger: _Ledger) -> dict:
    """``{point key with day: change}`` → ``{key of ``ledger``'s fields with day: (change,)}``:
    the rows of a ledger that keeps fewer facts add up the rows of ``POINTS`` they hold."""
    where = [FIELDS.index(name) for name in ledger.fields]
    rows: dict = {}
    for key, n in delta.items():
        if n:
            _accumulate(rows, (*(key[i] for i in where), key[-1]), (n,))
    return rows


def _accumulate(totals: dict, key, change: tuple) -> None:
    held = totals.get(key)
    totals[key] = change if held is None else tuple(a + b for a, b in zip(held, change, strict=True))


def _by_row(items) -> tuple[dict, dict]:
    """Split ``((fields…, day), change)`` pairs into changes per row, keyed ``(digest, fields)``,
    and per ``(digest, day)``; a change is a tuple of the ledger's values. Each row's digest is
    worked out once, however many days it has (a rebuild sees every day of every row)."""
    rows: dict = {}
    days: dict = {}
    digests: dict = {}
    for (*fields, day), change in items:
        if any(change):
            values = tuple(fields)
            digest = digests.get(values) or digests.setdefault(values, row_key(values))
            _accumulate(rows, (digest, values), change)
            _accumulate(days, (digest, day), change)
    return rows, days


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def add(connection, delta: dict) -> None:
    """Add ``{point key tuple with day: change}`` to the counts and to the cells holding those
    points, with their running totals by day, dropping rows that reach 0."""
    if not any(delta.values()):
        return
    _one_writer(connection)
    _add(connection, POINTS, ((key, (n,)) for key, n in delta.items()))
    for ledger in SUMMED:
        _add(connection, ledger, summed(delta, ledger).items())
    _add(connection, CELLS, cell_changes(delta).items())


def _one_writer(connection) -> None:
    """On PostgreSQL, one transaction at a time changes reports, the counts and the public data's
    version, from its first change to its commit. A cell is shared by every point around it, and
    a transaction may flush several times (a bulk action): without this, two transactions holding
    points and cells in different orders would deadlock. Editing reports is a moderator's action,
    so waiting costs little; intake never gets here (a new message changes no report, a new
    report from the form is not public). SQLite's single writer already does the same."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})


def _add(connection, ledger: _Ledger, items) -> None:
    """Upsert every changed row, then add to its running totals from each changed day on: three
    statements, each run once over all of its rows (a change touches a few dozen rows and days)."""
    upsert, first_day, add_on = _statements(connection.dialect.name, ledger)
    rows, days = _by_row(items)
    if not rows:
        return
    # In the order of their keys: two transactions lock shared rows in the same order, so they
    # wait for each other instead of deadlocking (whatever process or hash seed). The upsert locks
    # each row until the commit (PostgreSQL), even when only its days change (+0: a report moved
    # to another day): two transactions changing the same row's running totals below take turns.
    ordered = sorted(rows.items(), key=lambda item: item[0][0])
    connection.execute(upsert, [
        {"b_key": digest, **_bound(ledger.fields, values), **_bound(ledger.values, change)}
        for (digest, values), change in ordered])
    ids = _ids(connection, ledger.model.__table__, [digest for (digest, _values), _ in ordered])
    changes = [{"b_row": ids[digest], "b_day": day, **_bound(ledger.running, change)}
               for (digest, day), change in sorted(days.items())]
    # Every missing day row first, carrying the totals of the day before as they were (it reads
    # only the row and day of each change); then each change is added to its day and every later one.
    connection.execute(first_day, changes)
    connection.execute(add_on, changes)
    emptied = [ids[digest] for (digest, _values), change in ordered if change[0] < 0]
    if emptied:
        table = ledger.model.__table__
        gone = connection.execute(select(table.c.id).where(table.c.id.in_(emptied),
                                                           table.c.count <= 0)).scalars().all()
        running = ledger.days.__table__
        link = running.c[ledger.link]
        # Every running total of a row that is gone (its id may be handed out again), and the
        # zeros a report that moved or went left before the first one still counted.
        connection.execute(delete(running).where(
            or_(link.in_(gone), and_(link.in_(emptied), running.c.running <= 0))))
        if gone:
            connection.execute(delete(table).where(table.c.id.in_(gone)))


def _bound(names, values) -> dict:
    return {f"b_{name}": value for name, value in zip(names, values, strict=True)}


@cache
def _statements(dialect: str, ledger: _Ledger) -> tuple:
    """``(upsert of a row, its day's running totals if missing, added change)`` for ``ledger``,
    built once per process: building a statement costs far more than running it (a moderator's
    change ran some 130 freshly built statements before)."""
    table, running = ledger.model.__table__, ledger.days.__table__
    insert = _insert(dialect)
    upsert = insert(table).values({"key": bindparam("b_key"), **{
        name: bindparam(f"b_{name}", type_=table.c[name].type)
        for name in (*ledger.fields, *ledger.values)}})
    upsert = upsert.on_conflict_do_update(index_elements=["key"], set_={
        name: table.c[name] + upsert.excluded[name] for name in ledger.values})
    row = bindparam("b_row", type_=running.c[ledger.link].type)
    day = bindparam("b_day", type_=running.c.day.type)
    earlier = running.alias("earlier")

    def before(name: str):
        return func.coalesce(select(earlier.c[name])
                             .where(earlier.c[ledger.link] == row, earlier.c.day < day)
                             .order_by(earlier.c.day.desc()).limit(1).scalar_subquery(), 0)

    first_day = insert(running).from_select(
        [ledger.link, "day", *ledger.running],
        # WHERE: SQLite's documentation asks for one in the SELECT of an upsert (a parsing ambiguity).
        select(row, day, *(before(name) for name in ledger.running)).where(true()),
    ).on_conflict_do_nothing(index_elements=[ledger.link, "day"])
    add_on = update(running).where(running.c[ledger.link] == row, running.c.day >= day).values({
        name: running.c[name] + bindparam(f"b_{name}", type_=running.c[name].type)
        for name in ledger.running})
    return upsert, first_day, add_on


def _ids(connection, table, digests) -> dict:
    """``{key: id}`` of the rows with those keys (no RETURNING: SQLite before 3.35 has none)."""
    found = {}
    for start in range(0, len(digests), CHUNK):
        found.update(connection.execute(select(table.c.key, table.c.id).where(
            table.c.key.in_(digests[start:start + CHUNK]))).all())
    return found


def rebuild(connection, batch: int = 5000) -> int:
    """Recount every published report, its points and its cells (keyset batches over the
    reports); return the point rows written."""
    _one_writer(connection)
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
    _clear(connection, POINTS)
    written = _write(connection, POINTS, ((key, (n,)) for key, n in counts.items()), batch)
    for ledger in SUMMED:
        if inspect(connection).has_table(ledger.model.__tablename__):  # not yet at its migration
            _clear(connection, ledger)
            _write(connection, ledger, summed(counts, ledger).items(), batch)
    if inspect(connection).has_table(PublicCell.__tablename__):  # not yet at the migration
        _clear(connection, CELLS)                                  # that made cells
        for zoom in mapgrid.BANDS:  # one band at a time: a quarter of the memory
            _write(connection, CELLS, cell_changes(counts, (zoom,)).items(), batch)
    return written


def _clear(connection, ledger: _Ledger) -> None:
    connection.execute(delete(ledger.model.__table__))
    if inspect(connection).has_table(ledger.days.__tablename__):  # not yet at the migration
        connection.execute(delete(ledger.days.__table__))           # that first counted by day


def _days_ready(connection, ledger: _Ledger) -> bool:
    """Whether the running totals' table is there as the model has it: an earlier migration that
    recounts runs before the one that made it, or made it keyed by the row's hash; the later one
    recounts again."""
    found = inspect(connection)
    return (found.has_table(ledger.days.__tablename__) and ledger.link in
            {column["name"] for column in found.get_columns(ledger.days.__tablename__)})


def _write(connection, ledger: _Ledger, items, batch: int) -> int:
    """Insert the rows of ``items`` and their running totals by day into emptied tables."""
    table = ledger.model.__table__
    rows, days = _by_row(items)
    values = [{"key": digest, **dict(zip(ledger.values, change, strict=True)),
               **dict(zip(ledger.fields, k, strict=True))}
              for (digest, k), change in rows.items()]
    for start in range(0, len(values), batch):
        connection.execute(table.insert(), values[start:start + batch])
    if _days_ready(connection, ledger):
        ids = dict(connection.execute(select(table.c.key, table.c.id)).all())  # all just written
        _write_days(connection, ledger, ids, days, batch)
    return len(values)


def _write_days(connection, ledger: _Ledger, ids: dict, days: dict, batch: int) -> None:
    """Write the running totals of every row from ``{(key, day): change}`` and ``{key: row id}``,
    in the order of the table's primary key."""
    running = ledger.days.__table__
    values, row, total = [], None, None
    for (digest, day), change in sorted(days.items(), key=lambda item: (ids[item[0][0]], item[0][1])):
        row_id = ids[digest]
        if row_id != row:
            row, total = row_id, (0,) * len(change)
        total = tuple(a + b for a, b in zip(total, change, strict=True))
        values.append({ledger.link: row_id, "day": day,
                       **dict(zip(ledger.running, total, strict=True))})
        if len(values) >= batch:
            connection.execute(running.insert(), values)
            values = []
    if values:
        connection.execute(running.insert(), values)


def version(connection) -> str:
    """The public data's version: it changes in the transaction of every change to a published
    report (empty before the first)."""
    return (_version_row(connection) or ("", None))[0]


def changed_at(connection):
    """When a published report last changed (None before the first)."""
    return (_version_row(connection) or ("", None))[1]


def _version_row(connection):
    table = ChannelCursor.__table__
    return connection.execute(select(table.c.value, table.c.updated_at).where(
        table.c.channel == VERSION[0], table.c.stream == VERSION[1])).first()


def _new_version(connection) -> None:
    """A new random version (no counter: two transactions cannot hand out the same one). Its
    callers already hold the writer lock (taken before any report's row, or by ``add`` or
    ``rebuild``), so this row is always locked after it."""
    table = ChannelCursor.__table__
    statement = _insert(connection.dialect.name)(table).values(channel=VERSION[0], stream=VERSION[1],
                                                  value=secrets.token_hex(8), updated_at=utcnow())
    connection.execute(statement.on_conflict_do_update(
        index_elements=["channel", "stream"],
        set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at}))


# ---------------------------------------------------------------- session events

def _reports(objects) -> list[int]:
    return [obj.id for obj in objects if isinstance(obj, Report) and obj.id is not None]


def _before_flush(session, flush_context, instances) -> None:
    touched = _reports(session.dirty) + _reports(session.deleted)
    if touched:
        # The writer lock before reading what is public and before any report's row: a publish
        # and a rejection of one report at once cannot both read it as pending, and every
        # transaction takes the lock, report rows and the version in that order.
        _one_writer(session.connection())
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
    if before or after:  # a published report changed, if only its title or channel
        _new_version(connection)


def _bulk_statement(state) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete or state.is_insert) and getattr(table, "name", None) in (
            "reports", "report_categories"):
        state.session.info[_REBUILD] = True


def _before_commit(session) -> None:
    if session.info.pop(_REBUILD, False):
        log.info("a bulk statement changed reports: recounting public counts")
        rebuild(session.connection())
        _new_version(session.connection())


def _forget(session, previous_transaction) -> None:
    for key in (_TOUCHED, _BEFORE, _REBUILD):
        session.info.pop(key, None)
