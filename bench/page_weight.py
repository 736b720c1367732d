"""Benchmark: bytes on the wire for every public page, JavaScript on, first visit (target ≤ 50 KB).

Starts Sesim under gunicorn on 127.0.0.1 with the demo data, finds the public pages from the home
page's links (plus the report form, the case page and one published report), and opens each in
Debian's chromium through Playwright with an empty cache. Every request the page makes (HTML, CSS,
JavaScript, GeoJSON, images) is counted with its encoded body and headers as chromium received
them. Chromium asks plain-http servers for gzip only; over https (as deployed) it also accepts
brotli, so each response is fetched once more asking for brotli, and both totals are printed.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 50 * 1024
CHROMIUM = "/usr/bin/chromium"
SESIM = "from core.cli import main; main()"  # this checkout's code, whatever is installed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(instance: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "SESIM_INSTANCE_PATH": str(instance),
           "SESIM_PLUGINS": "map,stories,export,sms,email", "SESIM_CONFIG": str(instance / "bench.toml")}
    (instance / "bench.toml").parent.mkdir(parents=True, exist_ok=True)
    (instance / "bench.toml").write_text("SESSION_COOKIE_SECURE = false\n")
    for command in (["init"], ["demo"]):
        subprocess.run([sys.executable, "-c", SESIM, *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/", timeout=5).close()
            return proc, base
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def public_pages(base: str) -> list[str]:
    home = urllib.request.urlopen(base + "/?lang=az", timeout=30).read().decode()
    found = ["/"]
    for href in re.findall(r'href="(/[^"#]*)"', home):
        path = urlparse(href).path
        if path.startswith(("/admin", "/static", "/map/static")) or "." in path.rsplit("/", 1)[-1]:
            continue
        if path not in found:
            found.append(path)
    stories = urllib.request.urlopen(base + "/map?lang=az", timeout=30).read().decode()
    detail = re.search(r'href="(/reports/[^"?#]+)"', stories)
    extra = ["/report", "/case"] + ([detail.group(1)] if detail else [])
    return found + [p for p in extra if p not in found]


def brotli_size(url: str, headers_size: int) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return len(response.read()) + headers_size


def main() -> int:
    from playwright.sync_api import sync_playwright

    instance = Path(tempfile.mkdtemp(prefix="sesim-bench-weight-"))
    proc, base = start(instance)
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            for path in public_pages(base):
                context = browser.new_context(locale="az-AZ", viewport={"width": 360, "height": 740})
                page = context.new_page()
                seen = []
                page.on("requestfinished", lambda request, seen=seen: seen.append(request))
                page.goto(urljoin(base, path), wait_until="networkidle")
                gzip_total = br_total = 0
                parts = []
                for request in seen:
                    if not request.url.startswith(base):
                        raise SystemExit(f"{path} asked another host: {request.url}")
                    sizes = request.sizes()
                    wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                    gzip_total += wire
                    br = (brotli_size(request.url, sizes["responseHeadersSize"])
                          if request.method == "GET" else wire)
                    br_total += br
                    parts.append((request.url[len(base):], sizes["responseHeadersSize"], br))
                rows.append((path, len(seen), gzip_total, br_total))
                if br_total > TARGET or "--detail" in sys.argv:  # what to trim first
                    for url, headers, br in parts:
                        print(f"  {path}: {url[:60]:60} headers {headers:5} B, brotli {br:6} B")
                context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    print(f"{'page (JavaScript on, empty cache)':36} {'requests':>8} {'gzip':>9} {'brotli':>9}  "
          f"ratio to {TARGET // 1024} KB")
    worst = 0.0
    for path, count, gzip_total, br_total in rows:
        worst = max(worst, br_total / TARGET)
        print(f"{path:36} {count:8} {gzip_total / 1024:7.1f} KB {br_total / 1024:7.1f} KB  "
              f"{gzip_total / TARGET:.2f} / {br_total / TARGET:.2f}")
    print(f"heaviest page over https (brotli): {worst:.2f} of the target "
          f"({'met' if worst <= 1 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
