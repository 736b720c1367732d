"""Benchmark: export 1,000,000 published reports and keep peak memory under 100 MB.

    .venv/bin/python bench/export_memory.py [--reports N] [--format csv|geojson|kml] [--no-tracemalloc]

Reports are bulk-inserted into a fresh SQLite file by a child process (so the insert's memory is
not counted); this process then streams ``GET /export/reports.<format>`` through the test client,
counting bytes without keeping them, while tracemalloc records the peak of Python allocations and
a sampler thread records the peak resident set size (RSS).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_BYTES = 100 * 1024 * 1024


def make_app(instance: str):
    from core import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.db",
                       "SESIM_INSTANCE_PATH": instance, "SESIM_PLUGINS": "export", "TESTING": True})


def populate(instance: str, count: int) -> None:
    """Migrate, add categories, then insert ``count`` published reports with plain executemany."""
    from core.migrating import upgrade_all as upgrade
    from core.seed import ensure_categories

    app = make_app(instance)
    with app.app_context():
        upgrade()
        ensure_categories(app.config)
    from core import gazetteer

    places = [p for r in gazetteer.load().regions for p in r.places]
    rng = random.Random(7)
    conn = sqlite3.connect(f"{instance}/bench.db")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    category_ids = [row[0] for row in conn.execute("SELECT id FROM categories")]
    start = datetime(2024, 1, 1)
    now = datetime(2026, 5, 1).isoformat(sep=" ")

    def rows():
        for i in range(1, count + 1):
            place = places[i % len(places)]
            occurred = (start + timedelta(minutes=i)).isoformat(sep=" ")
            yield (i, f"p{i:011d}", f"Report {i}", "private original story", "Redacted story text.", "az",
                   occurred, now, now, now, "published", i % 3 == 0, 40.0, 49.0, place.id,
                   place.region_id, place.lat, place.lon, "place", rng.choice(("web", "sms", "email")),
                   i % 4 != 0, 0)

    conn.executemany(
        "INSERT INTO reports (id, public_id, title, story, public_story, language, occurred_at,"
        " created_at, updated_at, published_at, status, verified, latitude,"
        " longitude, place_id, region_id, public_latitude, public_longitude, location_precision,"
        " source_channel, consent_publish, wants_legal_help) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    conn.executemany("INSERT INTO report_categories (report_id, category_id) VALUES (?, ?)",
                     ((i, category_ids[i % len(category_ids)]) for i in range(1, count + 1)))
    conn.commit()
    conn.close()


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def export(instance: str, fmt: str, trace: bool) -> dict:
    app = make_app(instance)
    client = app.test_client()
    client.get("/export/")  # warm up imports, templates and the plugin hooks
    baseline = rss_bytes()
    peak = {"rss": baseline}
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak["rss"] = max(peak["rss"], rss_bytes())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    size = 0
    with client.get(f"/export/reports.{fmt}", buffered=False) as response:
        assert response.status_code == 200, response.status
        for chunk in response.response:
            size += len(chunk)
    elapsed = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    done.set()
    sampler.join()
    return {"seconds": elapsed, "bytes": size, "traced_peak": traced, "rss_baseline": baseline,
            "rss_peak": peak["rss"], "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--format", default="csv")
    parser.add_argument("--no-tracemalloc", action="store_true", help="time without tracing overhead")
    parser.add_argument("--populate-only", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.populate_only:
        populate(args.populate_only, args.reports)
        return
    mb = 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="sesim-bench-") as instance:
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--reports", str(args.reports),
                        "--populate-only", instance], check=True)
        print(f"inserted {args.reports:,} published reports in {time.perf_counter() - started:.1f} s")
        result = export(instance, args.format, not args.no_tracemalloc)
    print(f"exported {args.reports:,} reports as {args.format}: {result['bytes'] / mb:.1f} MB "
          f"in {result['seconds']:.1f} s ({args.reports / result['seconds']:,.0f} reports/s"
          f"{', with tracemalloc on' if result['traced_peak'] is not None else ''})")
    if result["traced_peak"] is not None:
        print(f"tracemalloc peak during export: {result['traced_peak'] / mb:.1f} MB "
              f"-> ratio to the 100 MB target: {result['traced_peak'] / TARGET_BYTES:.3f}")
    growth = result["rss_peak"] - result["rss_baseline"]
    print(f"RSS: {result['rss_baseline'] / mb:.1f} MB before export, peak {result['rss_peak'] / mb:.1f} MB "
          f"(+{growth / mb:.1f} MB) -> ratio of peak RSS to the 100 MB target: "
          f"{result['rss_peak'] / TARGET_BYTES:.3f}")


if __name__ == "__main__":
    main()
