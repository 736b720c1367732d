"""Benchmark: the map's cost at 10,000 and at 1,000,000 published reports (target: within 1.2×).

Seeds two databases by bulk insert, one with 10,000 published reports and one with 1,000,000
(60 % in Baku's districts, the rest in the regions; a quarter published on a 0.05° grid instead of
a place centre; one or two categories each; explicit ids, no ORM; the large one starts with the
same reports as the small), and recounts their public counts once. Then it times
``/map/points.geojson`` at every zoom the page uses and with each filter it offers, and the
``/map`` page, through the test client, the two databases' requests taking turns, and prints each
ratio large/small against the 1.2 target. The map reads counts per grid cell at zooms 7 to 10 and
per public point (``core.publiccounts``); date filters read their running totals by day.

    .venv/bin/python bench/map_geojson.py                      # SQLite, 10,000 → 1,000,000
    .venv/bin/python bench/map_geojson.py --small 10000 --reports 200000
    .venv/bin/python bench/map_geojson.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_RATIO = 1.2
COUNTRY = "44.76,38.39,50.63,41.91"
BAKU = "49.70,40.30,50.05,40.50"
STREET = "49.83,40.37,49.86,40.39"  # a few blurred points of central Baku
VILLAGE = "48.66,38.96,48.69,38.99"  # a grid point in the south: 21 reports at 10,000, 1,897 at 1M
# A grid point by Masalli: 62 reports at 10,000, 4,929 at 1M, so its list is a full page (50) at both.
TOWN = "48.67,39.01,48.69,39.03"
BATCH = 10_000


def _rows(count: int, start: int, gaz, rng: random.Random):
    from core.gazetteer import snap_to_grid
    from core.models.base import new_public_id

    baku = [p for r in gaz.regions if r.id == "baku" for p in r.places]
    rural = [p for r in gaz.regions if r.id != "baku" for p in (r, *r.places)]
    epoch = datetime(2024, 1, 1)
    for i in range(start, start + count):
        place = rng.choice(baku if rng.random() < 0.6 else rural)
        lat, lon = place.lat + rng.uniform(-0.03, 0.03), place.lon + rng.uniform(-0.03, 0.03)
        precision = "grid" if rng.random() < 0.25 else "place"
        public = snap_to_grid(lat, lon, 0.05) if precision == "grid" else (place.lat, place.lon)
        when = epoch + timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
        yield {
            "id": i + 1,
            "public_id": new_public_id(),
            "title": f"Bench report {i}",
            "story": "Private story text that never leaves the admin area.",
            "language": "az",
            "occurred_at": when,
            "created_at": when,
            "updated_at": when,
            "published_at": when,
            "status": "published",
            "verified": rng.random() < 0.3,
            "latitude": lat,
            "longitude": lon,
            "place_id": place.id,
            "region_id": place.region_id,
            "public_latitude": public[0],
            "public_longitude": public[1],
            "location_precision": precision,
            "source_channel": rng.choice(("web", "sms", "email")),
            "consent_publish": False,
            "wants_legal_help": False,
        }


def seed(count: int, start: int, rng: random.Random) -> float:
    """Insert ``count`` published reports and their categories in batches on one connection (no
    ORM, no session events), then recount the public counts and cells once; return seconds taken."""
    from core import gazetteer, publiccounts
    from core.extensions import db
    from core.models import Category, Report, report_categories

    began = time.perf_counter()
    gaz = gazetteer.load()
    category_ids = [i for (i,) in db.session.query(Category.id)]
    rows = _rows(count, start, gaz, rng)
    with db.engine.begin() as conn:
        while True:
            batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
            if not batch:
                break
            conn.execute(Report.__table__.insert(), batch)
            links = [
                {"report_id": row["id"], "category_id": category_id}
                for row in batch
                for category_id in rng.sample(category_ids, rng.choice((1, 1, 2)))
            ]
            conn.execute(report_categories.insert(), links)
        publiccounts.rebuild(conn)
    if conn.dialect.name == "postgresql":
        with conn.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.execute(db.text("SELECT setval('reports_id_seq', (SELECT max(id) FROM reports))"))
    return time.perf_counter() - began


def get(client, url: str) -> tuple[float, int | None]:
    """Seconds taken, and how many features the answer holds (None for the page)."""
    began = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return seconds, len(response.get_json()["features"]) if response.is_json else None


def make_app(database_url: str | None, instance: str):
    from core import create_app

    url = database_url or f"sqlite:///{instance}/bench.db"
    return create_app({
        "TESTING": True, "SESIM_PLUGINS": "map", "SQLALCHEMY_DATABASE_URI": url,
        "SESIM_INSTANCE_PATH": instance, "SESSION_COOKIE_SECURE": False,
    })


def postgres_database(server_url: str):
    """Create a throw-away database on the server; return its URL and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core.config import database_url as normalise

    server = normalise(server_url)
    name = f"sesim_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def cases() -> list[tuple[str, str]]:
    """Every zoom the page uses and every filter it offers, as ``(label, URL)``."""
    points = "/map/points.geojson?"
    return [
        ("points zoom 7, country", f"{points}bbox={COUNTRY}&zoom=7"),
        ("points zoom 10, Baku", f"{points}bbox={BAKU}&zoom=10"),
        ("points zoom 13, Baku", f"{points}bbox={BAKU}&zoom=13"),
        ("points zoom 17, streets", f"{points}bbox={STREET}&zoom=17"),
        ("points zoom 20, streets", f"{points}bbox={STREET}&zoom=20"),
        ("points zoom 16, a village", f"{points}bbox={VILLAGE}&zoom=16"),
        ("points, one category", f"{points}bbox={COUNTRY}&zoom=7&category=verbal"),
        ("points, two categories", f"{points}bbox={COUNTRY}&zoom=7&category=verbal&category=online"),
        ("points, region", f"{points}bbox={COUNTRY}&zoom=9&region=khachmaz"),
        ("points, verified", f"{points}bbox={COUNTRY}&zoom=7&verified=true"),
        ("points, all filters", f"{points}bbox={BAKU}&zoom=12&region=baku&verified=true&category=physical"),
        ("areas (choropleth)", "/map/areas.geojson"),
        ("areas, category", "/map/areas.geojson?category=stalking"),
        ("/map page", "/map?lang=en"),
        ("/map page, filtered", "/map?lang=en&region=baku&category=verbal&verified=true"),
        ("/map page, page 20", "/map?lang=en&page=20"),
        ("/map page, a village", f"/map?lang=en&bbox={TOWN}"),  # a cluster's list: a full page
    ]


DATED = [  # the page's From / To fields (any two days; read from running totals by day)
    ("points, a month", f"/map/points.geojson?bbox={COUNTRY}&zoom=7&since=2024-03-01&until=2024-03-31"),
    ("points, odd days", f"/map/points.geojson?bbox={BAKU}&zoom=12&since=2024-02-17&until=2025-05-09"),
    ("points, since a day", f"/map/points.geojson?bbox={COUNTRY}&zoom=7&since=2025-06-15"),
    ("points, a month + category", f"/map/points.geojson?bbox={COUNTRY}&zoom=7&since=2024-03-01"
     "&until=2024-03-31&category=verbal"),
    ("points, a month + verified", f"/map/points.geojson?bbox={COUNTRY}&zoom=7&since=2024-03-01"
     "&until=2024-03-31&verified=true"),
    ("areas, a month", "/map/areas.geojson?since=2024-03-01&until=2024-03-31"),
    ("/map page, a month", "/map?lang=en&since=2024-03-01&until=2024-03-31"),
]


def measure(small, large, repeat: int) -> tuple[dict, dict]:
    """``{case: (median seconds, features)}`` on each database, their requests taking turns (after
    one warm-up each), so a machine that slows down or speeds up mid-run weighs on both alike."""
    results: tuple[dict, dict] = ({}, {})
    for label, url in cases() + DATED:
        features = [get(client, url)[1] for client in (small, large)]
        runs: tuple[list, list] = ([], [])
        for _ in range(repeat):
            for client, seconds in zip((small, large), runs, strict=True):
                seconds.append(get(client, url)[0])
        for side, seconds, count in zip(results, runs, features, strict=True):
            side[label] = statistics.median(seconds), count
    return results


def measure_publishing(small, large, reports: int, among: int) -> tuple[list, list]:
    """Seconds to take a published report down and to publish it again (a status change and its
    commit: the counts, cells and running totals kept in step in the same flush), for the same
    ``reports`` of the small database's ``among`` (the large one starts with them) on each
    database, the two taking turns; ``(small, large)`` lists of ``(take down, publish)`` pairs.
    Each report ends as it began."""
    ids = random.Random(11).sample(range(1, among + 1), reports)
    results: tuple[list, list] = ([], [])
    for report_id in ids:
        for client, side in zip((small, large), results, strict=True):
            side.append(_take_down_and_publish(client, [report_id]))
    return results


def measure_bulk(small, large, reports: int, among: int) -> tuple[list, list]:
    """Seconds for a moderator's bulk action on ``reports`` of the small database's ``among`` (the
    same on each database): all taken down in one transaction, then all published again;
    ``(small, large)`` lists of ``(take down, publish)``, one pair per turn (three turns, the
    databases taking turns)."""
    results: tuple[list, list] = ([], [])
    for turn in range(3):
        ids = random.Random(17 + turn).sample(range(1, among + 1), reports)
        for client, side in zip((small, large), results, strict=True):
            side.append(_take_down_and_publish(client, ids))
    return results


def _take_down_and_publish(client, ids: list[int]) -> tuple[float, float]:
    """Seconds to take the reports ``ids`` down in one transaction and to publish them again in
    another, each report flushed as the report list's bulk action does (which, like this, has
    read them before)."""
    from core.extensions import db
    from core.models import Report

    with client.application.app_context():
        chosen = [db.session.get(Report, report_id) for report_id in ids]
        timings = []
        for status in ("archived", "published"):
            began = time.perf_counter()
            for report in chosen:
                report.status = status
                db.session.flush()
            db.session.commit()
            timings.append(time.perf_counter() - began)
        db.session.remove()
    return timings[0], timings[1]


def build(count: int, server_url: str | None, engine: str, cleanups: list):
    """A fresh database of ``count`` published reports; return its test client."""
    from core.migrating import upgrade_all as upgrade
    from core.seed import ensure_categories

    instance = tempfile.mkdtemp(prefix="sesim-bench-")
    cleanups.append(lambda: shutil.rmtree(instance))
    database_url = None
    if server_url:
        database_url, drop = postgres_database(server_url)
        cleanups.append(drop)
    app = make_app(database_url, instance)
    with app.app_context():
        upgrade()
        ensure_categories(app.config)
        seconds = seed(count, 0, random.Random(7))  # one seed: the large one starts as the small
        analyse(database_url)
        cleanups.insert(0, lambda: _dispose(app))
    print(f"{engine}: seeded {count:,} published reports in {seconds:.1f} s", flush=True)
    return app.test_client()


def _dispose(app) -> None:
    from core.extensions import db

    with app.app_context():
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=41)  # the timings are ms: many cost little
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--publish", type=int, default=21,
                        help="reports taken down and published again on each database (0: none)")
    parser.add_argument("--bulk", type=int, default=100,
                        help="reports of a bulk action taken down and published again (0: none)")
    args = parser.parse_args()

    engine = "PostgreSQL" if args.database_url else "SQLite"
    cleanups: list = []
    try:
        small_client = build(args.small, args.database_url, engine, cleanups)
        large_client = build(args.reports, args.database_url, engine, cleanups)
        small, large = measure(small_client, large_client, args.repeat)
        publishing = (measure_publishing(small_client, large_client, args.publish, args.small)
                      if args.publish else None)
        bulk = measure_bulk(small_client, large_client, args.bulk, args.small) if args.bulk else None
    finally:
        for cleanup in cleanups:
            cleanup()

    print(f"\n{'':32} {args.small:>10,} {args.reports:>10,}   ratio (target ≤ {TARGET_RATIO})"
          "   features")
    worst = 0.0
    for label, _ in cases() + DATED:
        (few, few_features), (many, many_features) = small[label], large[label]
        ratio = many / few
        worst = max(worst, ratio)
        shown = "" if few_features is None else f"{few_features:>6} → {many_features}"
        print(f"{label:32} {few * 1000:8.1f} ms {many * 1000:8.1f} ms   {ratio:5.2f}   {shown}")
    print(f"worst ratio over every zoom and filter: {worst:.2f} "
          f"({'met' if worst <= TARGET_RATIO else 'NOT met'})")
    if publishing:
        print(f"\nA moderator's status change, median of {args.publish} reports (writes, no target):")
        for index, action in enumerate(("take down", "publish again")):
            few, many = (statistics.median(pair[index] for pair in side) for side in publishing)
            print(f"{action:32} {few * 1000:8.1f} ms {many * 1000:8.1f} ms   {many / few:5.2f}")
    if bulk:
        print(f"\nA bulk action on {args.bulk} reports in one transaction, median of 3 (no target):")
        for index, action in enumerate(("take down", "publish again")):
            few, many = (statistics.median(pair[index] for pair in side) for side in bulk)
            print(f"{action:32} {few * 1000:8.0f} ms {many * 1000:8.0f} ms   {many / few:5.2f}")
    return 0


def analyse(database_url) -> None:
    """What a running deployment's database has soon after a bulk load. PostgreSQL: autovacuum's
    statistics for the planner and visibility map, without which every index look-up also reads
    the table. SQLite: the write-ahead log checkpointed and restarted, as the next ordinary
    commit does; until then every page read searches the log index of the whole bulk load."""
    from core.extensions import db

    if database_url:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE"))
    else:
        db.session.remove()  # no reader left holding the log
        with db.engine.connect() as conn:
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert not busy, "a reader kept the write-ahead log from being checkpointed"


if __name__ == "__main__":
    raise SystemExit(main())
