"""An installed Sesim runs: the wheel built from this checkout, installed in a fresh virtualenv
whose site-packages is read-only, with nothing but a writable instance folder beside it.

Nothing is downloaded: the wheel is built without build isolation, installed without
dependencies, and the new venv reaches the dependencies through a ``.pth`` line naming this venv's
site-packages. Sesim's own code comes only from the wheel (the test checks ``core.__file__``).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["core", "plugins", "themes", "migrations", "setup.py", "setup.cfg", "pyproject.toml",
           "MANIFEST.in", "README.md", "gunicorn.conf.py", "wsgi.py"]
NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
PAGES = ["/", "/report", "/admin/login", "/map", "/stories/feed.atom", "/stats",
         "/static/style.css", "/admin/static/admin.css", "/map/static/map.js"]


def _run(*args, env=None, cwd=None, timeout=120):
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _files(folder: Path) -> set[str]:
    """Every file under ``folder`` (relative), without byte code."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def _snapshot(folders) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for folder in folders for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the wheel from a copy of the checkout (a build writes build/ and *.egg-info beside
    its sources) and install it alone in a new venv; yield (venv, its site-packages)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=NOT_SHIPPED)
        else:
            shutil.copy2(ROOT / name, source / name)
    built = _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                 "--wheel-dir", str(tmp / "dist"), str(source))
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("sesim-*.whl"))

    venv = tmp / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                "--no-deps", "--no-index", str(wheel))
    assert done.returncode == 0, done.stderr
    shipped = [site / "core", site / "plugins"]
    for folder in shipped:  # what a root-owned site-packages looks like to the service user
        for path in [folder, *folder.rglob("*")]:
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)
    yield venv, site
    for folder in shipped:  # let pytest clean up its temporary folder
        for path in [folder, *folder.rglob("*")]:
            path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)


def test_wheel_carries_code_templates_static_data_migrations_and_compiled_catalogues(installed):
    _venv, site = installed
    for package in ("core", "plugins"):
        in_checkout = {f for f in _files(ROOT / package) if not f.endswith(".mo")}
        catalogues = {f for f in in_checkout if f.endswith(".po")}
        shipped = _files(site / package)
        left_out = sorted(in_checkout - catalogues - shipped)
        assert not left_out, f"left out of the wheel (setup.cfg's package_data): {left_out}"
        assert catalogues and {f[:-3] + ".mo" for f in catalogues} <= shipped, f"{package}: not compiled"
        assert not {f for f in shipped if f.endswith(".po")}, "sources of catalogues shipped"
    assert _files(ROOT / "themes") == _files(site / "core" / "_themes")
    assert _files(ROOT / "migrations") == _files(site / "core" / "_migrations")
    assert {"env.py", "alembic.ini", "script.py.mako"} <= _files(site / "core" / "_migrations")
    for plugin in ("alerts", "webhooks"):  # plugin branches of the migrations travel in the plugin
        assert _files(ROOT / "plugins" / plugin / "migrations") <= _files(site / "plugins" / plugin
                                                                          / "migrations")


SERVE = """
import json, sys
import core
from core import create_app

client = create_app().test_client()
pages = {}
for path in sys.argv[1:]:
    response = client.get(path, headers={"Accept-Language": "az"})
    pages[path] = [response.status_code, response.get_data(as_text=True)]
print(json.dumps({"core": core.__file__, "pages": pages}))
"""


def test_installed_sesim_inits_checks_and_serves_in_azerbaijani(installed, tmp_path):
    venv, site = installed
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESIM_") and k != "PYTHONPATH"}
    env.update(SESIM_INSTANCE_PATH=str(instance), PYTHONDONTWRITEBYTECODE="1")
    sesim = str(venv / "bin" / "sesim")
    before = _snapshot([site / "core", site / "plugins"])

    helped = _run(sesim, "--help", env=env, cwd=tmp_path)
    assert helped.returncode == 0 and "Traceback" not in helped.stderr, helped.stderr
    assert "init" in helped.stdout and "doctor" in helped.stdout  # Sesim's commands, not just Flask's

    initialised = _run(sesim, "init", env=env, cwd=tmp_path)
    assert initialised.returncode == 0, initialised.stderr
    assert "Categories added: 7" in initialised.stdout
    assert "webhooks plugin" in initialised.stderr and "alerts plugin" in initialised.stderr  # branches

    doctor = _run(sesim, "doctor", env=env, cwd=tmp_path)
    # A fresh production instance: migrated and private, only SESIM_PUBLIC_URL left to set.
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "database reachable and migrated" in doctor.stdout and "ERROR" not in doctor.stdout

    served = _run(str(venv / "bin" / "python"), "-c", SERVE, *PAGES, env=env, cwd=tmp_path)
    assert served.returncode == 0, served.stderr
    result = json.loads(served.stdout.splitlines()[-1])
    assert Path(result["core"]).is_relative_to(site)  # Sesim came from the wheel, not the checkout
    pages = result["pages"]
    assert {path: status for path, (status, _body) in pages.items()} == dict.fromkeys(PAGES, 200)
    assert "müraciət" in pages["/"][1].lower() and "müraciət" in pages["/report"][1].lower()
    assert "Əməkdaş girişi" in pages["/admin/login"][1]  # the admin catalogue
    assert ">Xəritə<" in pages["/"][1]  # the map plugin's catalogue

    assert _snapshot([site / "core", site / "plugins"]) == before  # nothing written into the install
    assert (instance / "secrets.json").is_file() and (instance / "sesim.db").is_file()
