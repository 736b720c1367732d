"""Load test: 50 concurrent users on gunicorn + PostgreSQL + Redis, all started here on 127.0.0.1.

Creates a throw-away PostgreSQL database with the demo data, starts gunicorn with the production
config (gunicorn.conf.py; limits, salt and queue in Redis, uploads in the database), then runs the
locust scenario of bench/locustfile.py headless for a bounded time: reporters filing the form with
its CSRF token, visitors on the map, stories and API, an SMS gateway posting. It prints requests
per second, p50/p95 per endpoint and the errors, then checks that every report and SMS the server
accepted is in the database (target: 0 errors, 0 lost at 50 users).

    .venv/bin/python bench/load.py                        # 50 users, 60 s
    .venv/bin/python bench/load.py --users 50 --seconds 90 --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SESIM = "from core.cli import main; main()"  # this checkout's code, whatever is installed
REDIS = "redis://127.0.0.1:6379/0"

sys.path.insert(0, str(ROOT))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    from bench.map_geojson import postgres_database

    work = Path(tempfile.mkdtemp(prefix="sesim-bench-load-"))
    database_url, drop = postgres_database(args.database_url)
    sms_secret = uuid.uuid4().hex
    (work / "sesim.toml").write_text("SESSION_COOKIE_SECURE = false\n")
    env = {
        **os.environ,
        "SESIM_CONFIG": str(work / "sesim.toml"),
        "SESIM_INSTANCE_PATH": str(work / "instance"),
        "SESIM_DATABASE_URL": database_url,
        "SESIM_PLUGINS": "map,stories,export,sms",
        "SESIM_SMS_GATEWAYS": "smssync",
        "SESIM_SMS_SMSSYNC_SECRET": sms_secret,
        "SESIM_RATELIMIT_STORAGE": REDIS,
        "SESIM_RATELIMIT_REPORT": "1000000 per hour",  # every simulated woman is 127.0.0.1
        "SESIM_QUEUE_URL": REDIS,
        "SESIM_QUEUE_NAME": f"sesim-load-{uuid.uuid4().hex[:8]}",
        "SESIM_UPLOADS_STORAGE": "database",
    }
    gunicorn = None
    try:
        for command in (["init"], ["demo"]):
            subprocess.run([sys.executable, "-c", SESIM, *command], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        categories = category_ids(database_url)
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--workers", str(args.workers),
             "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env)
        host = f"http://127.0.0.1:{port}"
        wait_for(host)
        ledger = work / "accepted.txt"
        began = time.monotonic()
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(max(1, args.users // 10)),
             "--run-time", f"{args.seconds}s", "--host", host, "--csv", str(work / "load"),
             "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            cwd=work, env={**env, "SESIM_LOAD_LEDGER": str(ledger), "SESIM_LOAD_SMS_SECRET": sms_secret,
                           "SESIM_LOAD_CATEGORIES": ",".join(categories)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=args.seconds + 120)
        elapsed = time.monotonic() - began
        print(f"{args.users} users for {args.seconds} s against gunicorn ({args.workers} workers, "
              f"gthread) + PostgreSQL + Redis on 127.0.0.1 (locust ran {elapsed:.0f} s)\n")
        errors = report(work / "load_stats.csv")
        lost = check_ledger(ledger, database_url)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        drop()
    print(f"\nerrors: {errors}, lost: {lost} (target 0 and 0): "
          f"{'met' if errors == 0 and lost == 0 else 'NOT met'}")
    return 0


def wait_for(host: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(host + "/", timeout=5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def category_ids(database_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    from core.config import database_url as normalise

    engine = create_engine(normalise(database_url))
    with engine.connect() as conn:
        found = [str(i) for (i,) in conn.execute(text("SELECT id FROM categories ORDER BY id"))]
    engine.dispose()
    return found


def report(path: Path) -> int:
    """Print the locust figures per endpoint; return the number of failed requests."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    print(f"{'endpoint':28} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    failures = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        failures += int(row["Failure Count"]) if name != "all" else 0
        print(f"{name:28} {int(row['Request Count']):9} {int(row['Failure Count']):7} "
              f"{float(row['Requests/s']):7.1f} {row['50%']:>7} {row['95%']:>7}")
    return failures


def check_ledger(ledger: Path, database_url: str) -> int:
    """How many accepted reports or SMS are missing from the database."""
    from sqlalchemy import create_engine, text

    from core.config import database_url as normalise

    wanted = {"report": set(), "sms": set()}
    if ledger.exists():
        for line in ledger.read_text(encoding="utf-8").splitlines():
            kind, marker = line.split()
            wanted[kind].add(marker)
    engine = create_engine(normalise(database_url))
    with engine.connect() as conn:
        titles = {t[len("Load "):] for (t,) in conn.execute(
            text("SELECT title FROM reports WHERE title LIKE 'Load %'"))}
        sms = {e[len("smssync:"):] for (e,) in conn.execute(
            text("SELECT external_id FROM messages WHERE channel = 'sms' AND direction = 'in'"))}
    engine.dispose()
    lost = len(wanted["report"] - titles) + len(wanted["sms"] - sms)
    print(f"\naccepted and stored: {len(wanted['report'] & titles)} web reports, "
          f"{len(wanted['sms'] & sms)} SMS; lost: {lost}")
    return lost


if __name__ == "__main__":
    raise SystemExit(main())
