"""Build step for the wheel (metadata lives in setup.cfg).

The repository keeps ``themes/`` and ``migrations/`` at the top and ``.po`` catalogues beside the
code. An installed Sesim has no checkout, so the wheel carries copies of both folders inside the
core package (``core/_themes``, ``core/_migrations``; core/packaged.py finds them) and the
catalogues compiled to ``.mo``: site-packages may be read-only, so nothing is compiled at run time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"themes": "core/_themes", "migrations": "core/_migrations"}
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")


class BuildPyWithData(build_py):
    """``build_py`` plus the top-level folders and compiled catalogues."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout itself
            return
        for source, target in BUNDLED.items():
            destination = Path(self.build_lib, target)
            shutil.rmtree(destination, ignore_errors=True)  # no stale file from an older build
            shutil.copytree(ROOT / source, destination, ignore=SKIPPED)
        self.compile_catalogues()

    def compile_catalogues(self):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for package in self.packages:
            source = Path(self.get_package_dir(package))
            for po in sorted(source.glob("translations/*/LC_MESSAGES/*.po")):
                mo = Path(self.build_lib, *package.split("."), po.relative_to(source)).with_suffix(".mo")
                mo.parent.mkdir(parents=True, exist_ok=True)
                with po.open("rb") as fh:
                    catalog = read_po(fh)
                with mo.open("wb") as fh:
                    write_mo(fh, catalog)


setup(cmdclass={"build_py": BuildPyWithData})
