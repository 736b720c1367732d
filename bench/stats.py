"""Benchmark: the statistics (``/stats``, ``/stats.csv``, ``/api/v1/stats``) at two sizes.

Counting reads every matching report, so its cost grows with them; the figures are then kept until
a published report changes (``core.publiccounts.version``). This times, on the same two databases
as bench/map_geojson.py (10,000 and, by default, 100,000 published reports), the first visit after
a change (a report taken down or published again before each, not timed) and the visits after it,
the two databases' requests taking turns, and prints each ratio large/small. No target: what
counts is that a crowd of visitors costs what the next visits cost.

    .venv/bin/python bench/stats.py                          # SQLite, 10,000 → 100,000
    .venv/bin/python bench/stats.py --reports 1000000
    .venv/bin/python bench/stats.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from map_geojson import build  # noqa: E402  (the same seeded databases)

CASES = [
    ("/stats", "/stats?lang=en"),
    ("/stats, a region", "/stats?lang=en&region=baku"),
    ("/stats.csv", "/stats.csv?lang=en"),
    ("/api/v1/stats", "/api/v1/stats"),
]


def timed(client, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def change(client, report_id: int) -> None:
    """Take report ``report_id`` down, or publish it again: the public data's version changes."""
    from core.extensions import db
    from core.models import Report

    with client.application.app_context():
        report = db.session.get(Report, report_id)
        report.status = "archived" if report.status == "published" else "published"
        db.session.commit()
        db.session.remove()


def measure(clients, repeat: int) -> dict:
    """``{(case, "first" | "next"): (small seconds, large seconds)}``, medians."""
    results = {}
    for label, url in CASES:
        first: tuple[list, list] = ([], [])
        following: tuple[list, list] = ([], [])
        for turn in range(repeat):
            for client, cold, warm in zip(clients, first, following, strict=True):
                change(client, 1 + turn % 2)  # reports 1 and 2 exist in both
                cold.append(timed(client, url))
                warm.extend(timed(client, url) for _ in range(3))
        results[label, "first"] = tuple(statistics.median(side) for side in first)
        results[label, "next"] = tuple(statistics.median(side) for side in following)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=8, help="changes per case and database")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    args = parser.parse_args()

    engine = "PostgreSQL" if args.database_url else "SQLite"
    cleanups: list = []
    try:
        clients = [build(count, args.database_url, engine, cleanups)
                   for count in (args.small, args.reports)]
        results = measure(clients, args.repeat)
    finally:
        for cleanup in cleanups:
            cleanup()

    print(f"\n{engine:48} {args.small:>10,} {args.reports:>12,}   ratio")
    for (label, visit), (few, many) in results.items():
        name = f"{label}, {'first visit after a change' if visit == 'first' else 'next visits'}"
        print(f"{name:48} {few * 1000:8.1f} ms {many * 1000:10.1f} ms   {many / few:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
