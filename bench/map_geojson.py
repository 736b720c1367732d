"""Benchmark: the map's GeoJSON for 100,000 published reports, and the map page's size.

Seeds published reports by bulk insert (60 % in Baku's districts, the rest in the regions; a
quarter published on a 0.05° grid instead of a place centre; one or two categories each), then
times ``/map/points.geojson`` through the test client at a low zoom (the whole country) and a high
zoom (a Baku bounding box), and prints each time's ratio to the 1-second target. It also prints the
size of ``/map`` with 1,000 and with all the reports: the ratio should be about 1.0.

    .venv/bin/python bench/map_geojson.py                      # SQLite, 100,000 reports
    .venv/bin/python bench/map_geojson.py --reports 20000
    .venv/bin/python bench/map_geojson.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_SECONDS = 1.0
COUNTRY = "44.76,38.39,50.63,41.91"
BAKU = "49.70,40.30,50.05,40.50"
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
            "public_id": new_public_id(),
            "title": f"Bench report {i}",
            "story": "Private story text that never leaves the admin area.",
            "language": "az",
            "occurred_at": when,
            "occurred_time_known": False,
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
    """Insert ``count`` published reports and their categories in batches; return seconds taken."""
    from core import gazetteer
    from core.extensions import db
    from core.models import Category, Report, report_categories

    began = time.perf_counter()
    gaz = gazetteer.load()
    category_ids = [i for (i,) in db.session.query(Category.id)]
    rows = _rows(count, start, gaz, rng)
    while True:
        batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
        if not batch:
            break
        db.session.execute(Report.__table__.insert(), batch)
        ids = db.session.execute(
            db.select(Report.id, Report.public_id).where(
                Report.public_id.in_([row["public_id"] for row in batch]))
        ).all()
        links = [
            {"report_id": report_id, "category_id": category_id}
            for report_id, _ in ids
            for category_id in rng.sample(category_ids, rng.choice((1, 1, 2)))
        ]
        db.session.execute(report_categories.insert(), links)
        db.session.commit()
    return time.perf_counter() - began


def timed(client, url: str, repeat: int = 5) -> tuple[float, int, dict]:
    """Median seconds of ``repeat`` GETs (after one warm-up), body size and the parsed body."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
    return statistics.median(times), len(response.data), response.get_json()


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000, help="reports for the first page size")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: a SQLite file)")
    args = parser.parse_args()

    from core.extensions import db
    from core.migrating import upgrade_all as upgrade
    from core.seed import ensure_categories

    instance = tempfile.mkdtemp(prefix="sesim-bench-")
    drop = None
    database_url = None
    if args.database_url:
        database_url, drop = postgres_database(args.database_url)
    app = make_app(database_url, instance)
    engine = "PostgreSQL" if database_url else "SQLite"
    rng = random.Random(7)
    try:
        with app.app_context():
            upgrade()
            ensure_categories(app.config)
            client = app.test_client()
            seconds = seed(args.small, 0, rng)
            small_page = len(client.get("/map?lang=en").data)
            seconds += seed(args.reports - args.small, args.small, rng)
            if database_url:  # what autovacuum would do soon after a bulk load
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(db.text("ANALYZE"))
            print(f"{engine}: seeded {args.reports:,} published reports in {seconds:.1f} s")
            big_page = len(client.get("/map?lang=en").data)

            low, low_size, low_body = timed(client, f"/map/points.geojson?bbox={COUNTRY}&zoom=7")
            high, high_size, high_body = timed(client, f"/map/points.geojson?bbox={BAKU}&zoom=12")
            areas, areas_size, _ = timed(client, "/map/areas.geojson")
            page, _, _ = timed(client, "/map?lang=en")
            db.session.remove()
    finally:
        if drop:
            with app.app_context():
                db.engine.dispose()
            drop()

    print(f"points, whole country (zoom 7): {low * 1000:7.1f} ms, {len(low_body['features'])} "
          f"features for {low_body['total']:,} reports, {low_size:,} bytes; "
          f"ratio to the {TARGET_SECONDS:.0f} s target: {low / TARGET_SECONDS:.3f}")
    print(f"points, Baku bbox (zoom 12):    {high * 1000:7.1f} ms, {len(high_body['features'])} "
          f"features for {high_body['total']:,} reports, {high_size:,} bytes; "
          f"ratio to the {TARGET_SECONDS:.0f} s target: {high / TARGET_SECONDS:.3f}")
    print(f"areas (choropleth):             {areas * 1000:7.1f} ms, {areas_size:,} bytes; "
          f"ratio: {areas / TARGET_SECONDS:.3f}")
    print(f"/map page: {page * 1000:.1f} ms; {small_page:,} bytes with {args.small:,} reports, "
          f"{big_page:,} bytes with {args.reports:,}; ratio {big_page / small_page:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
