"""Benchmark: SMS intake through the SMSSync webhook against a bare Flask INSERT, side by side.

Both run under gunicorn with the same settings (one sync worker, no config file: the production
``gunicorn.conf.py`` in Sesim's folder would otherwise apply to Sesim alone) on 127.0.0.1 with a
SQLite file; four client threads post the same messages to each (a tenth of them delivered twice,
as gateways do), a slice at a time, the two apps taking turns. The bare
baseline is a Flask endpoint doing one INSERT and one commit into a table with the same unique
key, on the same SQLite settings as Sesim. The script then checks that every unique message was
stored exactly once in both, and prints messages per second and the ratio (target ≥ 0.5).

    .venv/bin/python bench/intake.py                 # 1,500 messages
    .venv/bin/python bench/intake.py --messages 3000 --clients 4

The machine may be shared: only the ratio of the two figures, measured in the same run, counts.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5
SECRET = "bench-secret"
VENV_BIN = Path(sys.executable).parent
SESIM = "from core.cli import main; main()"  # this checkout's code, whatever is installed

BASELINE_APP = textwrap.dedent('''
    """A bare Flask endpoint doing one INSERT per request: the yardstick for intake."""
    import os, sqlite3
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    PATH = os.environ["BENCH_DB"]

    def connect():
        conn = sqlite3.connect(PATH)
        for pragma in os.environ.get("BENCH_PRAGMAS", "").split(";"):
            if pragma:
                conn.execute(pragma)
        return conn

    with connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, "
                     "external_id TEXT UNIQUE, sender TEXT, text TEXT)")

    @app.post("/channels/sms/smssync")
    def inbound():
        conn = connect()
        try:
            conn.execute("INSERT OR IGNORE INTO messages (external_id, sender, text) VALUES (?, ?, ?)",
                         (request.form["message_id"], request.form["from"], request.form["message"]))
            conn.commit()
        finally:
            conn.close()
        return jsonify(payload={"success": True, "error": None})
''')

PLACES = ["Xətai rayonunda", "Nərimanovda", "Bakıda", "в Хатаи", "Sabunçuda", "Yasamalda",
          "Xaçmazda", "Lənkəranda", "в Сумгаите", "Gəncədə", "Masallıda", "İsmayıllıda"]
STORIES = [
    "bir kişi məni hər gün izləyir, metroda da arxamca gəlir",
    "işdə müdir mənə söyüş söyür və təhqir edir",
    "меня преследует мужчина возле остановки каждый день",
    "a man followed me near the bus stop and touched me",
    "avtobusda bir adam mənə toxundu, qorxuram",
    "начальник на работе пристаёт и шантажирует",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited early: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def gunicorn(app: str, env: dict, cwd: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--config", os.devnull, "--workers", "1", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    wait_for(port, proc)
    return proc, port


def messages(count: int, rng: random.Random) -> list[dict]:
    unique = []
    for i in range(count):
        unique.append({
            "from": f"+99450{rng.randrange(10**6, 10**7)}",
            "message": f"{rng.choice(PLACES)} {rng.choice(STORIES)} #{i}",
            "message_id": f"bench-{i:07d}",
            "sent_timestamp": str(1_764_000_000_000 + i * 1000),
            "secret": SECRET,
            "device_id": "bench",
        })
    repeats = rng.sample(unique, count // 10)  # a gateway that did not hear our answer retries
    sequence = unique + repeats
    rng.shuffle(sequence)
    return sequence


def post_all(port: int, sequence: list[dict], clients: int) -> tuple[float, int]:
    """Post every message with ``clients`` threads; return (seconds, failures)."""
    url = f"http://127.0.0.1:{port}/channels/sms/smssync"
    chunks = [sequence[i::clients] for i in range(clients)]
    failures = [0] * clients

    def run(index: int) -> None:
        for fields in chunks[index]:
            body = urllib.parse.urlencode(fields).encode()
            try:
                with urllib.request.urlopen(url, data=body, timeout=30) as response:
                    ok = response.status == 200 and b'"success":true' in response.read().replace(b" ", b"")
            except (urllib.error.URLError, OSError):
                ok = False
            failures[index] += not ok

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, sum(failures)


def stored_ids(path: Path, table: str, column: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute(f"SELECT {column} FROM {table}")]


def check_once(ids: list[str], sequence: list[dict], prefix: str) -> str:
    wanted = {prefix + m["message_id"] for m in sequence}
    missing, extra = wanted - set(ids), set(ids) - wanted
    duplicates = len(ids) - len(set(ids))
    if missing or extra or duplicates:
        return f"FAILED: {len(missing)} missing, {len(extra)} unexpected, {duplicates} duplicates"
    return f"all {len(wanted):,} unique messages stored exactly once"


def sesim_env(instance: Path) -> dict:
    return {
        "SESIM_INSTANCE_PATH": str(instance),
        "SESIM_DATABASE_URL": f"sqlite:///{instance}/sesim.db",
        "SESIM_PLUGINS": "sms",
        "SESIM_SMS_GATEWAYS": "smssync",
        "SESIM_SMS_SMSSYNC_SECRET": SECRET,
        "SESIM_RATELIMIT_STORAGE": "memory://",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--turns", type=int, default=10, help="slices each app is sent in turn")
    args = parser.parse_args()

    try:
        from core.sqlite import PRAGMAS
    except ImportError:
        PRAGMAS = ()

    work = Path(tempfile.mkdtemp(prefix="sesim-bench-intake-"))
    instance = work / "instance"
    env = sesim_env(instance)
    init = subprocess.run([sys.executable, "-c", SESIM, "init"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True)
    if init.returncode:
        raise SystemExit(f"sesim init failed:\n{init.stderr[-2000:]}")
    (work / "baseline_app.py").write_text(BASELINE_APP)
    baseline_env = {"BENCH_DB": str(work / "baseline.db"), "BENCH_PRAGMAS": ";".join(PRAGMAS)}
    sequence = messages(args.messages, random.Random(13))
    warm_up = [{**m, "message_id": f"warm-{i}"} for i, m in enumerate(sequence[:20])]
    unique = len({m["message_id"] for m in sequence})
    print(f"{len(sequence):,} deliveries of {unique:,} unique SMS, {args.clients} clients, "
          "gunicorn with 1 sync worker, SQLite")

    apps = {
        "baseline (bare INSERT)": gunicorn("baseline_app:app", baseline_env, work),
        "Sesim SMSSync intake": gunicorn("wsgi:app", env, ROOT),
    }
    seconds, failures = dict.fromkeys(apps, 0.0), dict.fromkeys(apps, 0)
    try:
        for _proc, port in apps.values():
            post_all(port, warm_up, 1)  # both load their code before the clock starts
        # The two take turns, a slice each, first one then the other: a machine that slows down
        # during the run weighs on both alike.
        for turn in range(args.turns):
            chunk = sequence[turn::args.turns]
            for name in (list(apps) if turn % 2 == 0 else list(apps)[::-1]):
                took, failed = post_all(apps[name][1], chunk, args.clients)
                seconds[name] += took
                failures[name] += failed
    finally:
        for proc, _port in apps.values():
            proc.terminate()
            proc.wait(timeout=30)
    results = {}
    for name in apps:
        results[name] = len(sequence) / seconds[name]
        print(f"{name:24} {results[name]:8.1f} msg/s  ({seconds[name]:.1f} s, "
              f"{failures[name]} failed requests)")

    base_ids = [i for i in stored_ids(work / "baseline.db", "messages", "external_id")
                if not i.startswith("warm-")]
    print("baseline:", check_once(base_ids, sequence, ""))
    sesim_ids = [i for i in stored_ids(instance / "sesim.db", "messages", "external_id")
                 if not i.startswith("smssync:warm-")]
    print("Sesim:   ", check_once(sesim_ids, sequence, "smssync:"))
    ratio = results["Sesim SMSSync intake"] / results["baseline (bare INSERT)"]
    print(f"ratio Sesim / baseline: {ratio:.2f} (target ≥ {TARGET}): "
          f"{'met' if ratio >= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
