"""Benchmark: the map's cost at 10,000 and at 1,000,000 published reports (target: within 1.2×).

Seeds published reports by bulk insert (60 % in Baku's districts, the rest in the regions; a
quarter published on a 0.05° grid instead of a place centre; one or two categories each; explicit
ids, no ORM), recounts the public counts once, and times ``/map/points.geojson`` at every zoom the
page uses and with each filter it offers, and the ``/map`` page, through the test client. Then it
adds reports up to the large count, times everything again and prints each ratio large/small
against the 1.2 target. The map reads counts per grid cell at zooms 7 to 10 and per public point
(``core.publiccounts``); date filters read their running totals by day.

    .venv/bin/python bench/map_geojson.py                      # SQLite, 10,000 → 1,000,000
    .venv/bin/python bench/map_geojson.py --small 10000 --reports 200000
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
TARGET_RATIO = 1.2
COUNTRY = "44.76,38.39,50.63,41.91"
BAKU = "49.70,40.30,50.05,40.50"
STREET = "49.83,40.37,49.86,40.39"  # a few blurred points of central Baku
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


def cases() -> list[tuple[str, str]]:
    """Every zoom the page uses and every filter it offers, as ``(label, URL)``."""
    points = "/map/points.geojson?"
    return [
        ("points zoom 7, country", f"{points}bbox={COUNTRY}&zoom=7"),
        ("points zoom 10, Baku", f"{points}bbox={BAKU}&zoom=10"),
        ("points zoom 13, Baku", f"{points}bbox={BAKU}&zoom=13"),
        ("points zoom 17, streets", f"{points}bbox={STREET}&zoom=17"),
        ("points zoom 20, streets", f"{points}bbox={STREET}&zoom=20"),
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


def measure(client, repeat: int) -> dict[str, float]:
    return {label: timed(client, url, repeat)[0] for label, url in cases() + DATED}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
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
            analyse(database_url)
            print(f"{engine}: seeded {args.small:,} published reports in {seconds:.1f} s")
            small = measure(client, args.repeat)
            seconds = seed(args.reports - args.small, args.small, rng)
            analyse(database_url)
            print(f"{engine}: seeded {args.reports - args.small:,} more in {seconds:.1f} s")
            large = measure(client, args.repeat)
            db.session.remove()
    finally:
        if drop:
            with app.app_context():
                db.engine.dispose()
            drop()

    print(f"\n{'':32} {args.small:>10,} {args.reports:>10,}   ratio (target ≤ {TARGET_RATIO})")
    worst = 0.0
    for label, _ in cases() + DATED:
        ratio = large[label] / small[label]
        worst = max(worst, ratio)
        print(f"{label:32} {small[label] * 1000:8.1f} ms {large[label] * 1000:8.1f} ms   {ratio:5.2f}")
    print(f"worst ratio over every zoom and filter: {worst:.2f} "
          f"({'met' if worst <= TARGET_RATIO else 'NOT met'})")
    return 0


def analyse(database_url) -> None:
    """What autovacuum does soon after a bulk load: statistics for the planner, and the visibility
    map, without which every index look-up also reads the table."""
    from core.extensions import db

    if database_url:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE"))


if __name__ == "__main__":
    raise SystemExit(main())
