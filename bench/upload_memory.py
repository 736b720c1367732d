"""Peak memory of cleaning one uploaded photo, against the 64 MB-per-upload target.

Each case runs in a fresh child process: the child builds the app, reads the file, resets the
kernel's peak-RSS counter (``/proc/self/clear_refs``), cleans the photo with
``core.media.clean_photo`` and reports how far its resident memory rose above where it started.
Pillow allocates outside Python's heap, so ``tracemalloc`` would not see it; the kernel does.

Usage: ``.venv/bin/python bench/upload_memory.py`` (Linux). Prints one line per case with the
ratio to the target; a ratio above 1.00 fails the target.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET = 64 * 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent


def _make(path: Path, fmt: str, size: tuple[int, int], mode: str = "RGB") -> None:
    """A mostly flat picture with a few lines: tiny on disk, huge once decoded (the cheap
    decompression bomb a 2G upload can carry)."""
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, {"RGBA": (255, 255, 255, 128), "P": 0}.get(mode, "white"))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], max(1, size[0] // 40)):
        draw.line([(x, 0), (size[0] - x, size[1])], fill=7 if mode == "P" else "purple", width=3)
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    path.write_bytes(out.getvalue())


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from core import create_app
    from core.media import NotAnImage, TooLarge, clean_photo

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"TESTING": True, "SESIM_PLUGINS": "", "SESIM_INSTANCE_PATH": instance,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.db",
                          "SESIM_PHOTO_MAX_BYTES": 64 * 1024 * 1024})
        payload = Path(path).read_bytes()
        with app.test_request_context("/report", headers={"Accept-Language": "en"}):
            Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
            before = _status("VmRSS")
            outcome = "cleaned"
            try:
                _jpeg, width, height = clean_photo(payload)
                outcome += f" to {width}x{height}"
            except TooLarge as exc:
                outcome = f"refused: {exc}"
            except NotAnImage:
                outcome = "refused: not an image"
            peak = _status("VmHWM")
    print(json.dumps({"rise": peak - before, "outcome": outcome}))


CASES = [  # today's main: the 40 MP PNG and JPEG each rose by ~300 MB (docs/operations.md)
    ("PNG 40 MP RGB (7200x5500)", "PNG", (7200, 5500), "RGB"),
    ("PNG 10 MP RGB, at the cap", "PNG", (3650, 2870), "RGB"),
    ("PNG 5 MP RGBA, at the cap", "PNG", (2560, 2040), "RGBA"),
    ("PNG 10 MP RGBA, refused", "PNG", (3650, 2870), "RGBA"),
    ("PNG 40 MP palette (7200x5500)", "PNG", (7200, 5500), "P"),
    ("WEBP 2 MP, at the cap", "WEBP", (1630, 1280), "RGB"),
    ("WEBP 10 MP, refused", "WEBP", (3650, 2870), "RGB"),
    ("JPEG 40 MP (7200x5500)", "JPEG", (7200, 5500), "RGB"),
    ("JPEG 12 MP (4000x3000)", "JPEG", (4000, 3000), "RGB"),
    ("JPEG panorama (12000x1500)", "JPEG", (12000, 1500), "RGB"),
]


def measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True,
                          text=True, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for label, fmt, size, mode in CASES:
            path = Path(folder) / f"case.{fmt.lower()}"
            _make(path, fmt, size, mode)
            result = measure(path)
            ratio = result["rise"] / TARGET
            worst = max(worst, ratio)
            print(f"{label:30} {path.stat().st_size / 1024:6.0f} KB  peak +{result['rise'] / 2**20:5.1f} MB"
                  f"  ratio {ratio:4.2f}  ({result['outcome'][:60]})")
            path.unlink()
    print(f"worst ratio {worst:.2f} of the 64 MB target: {'OK' if worst <= 1 else 'OVER'}")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        sys.exit(main())
