"""Where the folders kept at the top of the checkout (``themes/``, ``migrations/``) are found.

A wheel carries them inside the core package (``core/_themes``, ``core/_migrations``: setup.py's
build step copies them), so an installed Sesim runs from a read-only site-packages with nothing
but its instance folder beside it. A checkout has no such copies and uses its own folders.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PACKAGED = {"themes": "_themes", "migrations": "_migrations"}  # top-level folder -> copy in core


def _folder(name: str) -> Path:
    packaged = Path(str(files("core") / PACKAGED[name]))
    return packaged if packaged.is_dir() else CHECKOUT / name


def themes_dir() -> Path:
    """The folder holding one sub-folder per theme (``default``, ``baku``, …)."""
    return _folder("themes")


def migrations_dir() -> Path:
    """The core's Alembic folder (``env.py``, ``alembic.ini``, ``script.py.mako``, ``versions/``)."""
    return _folder("migrations")
