"""Progress for long CLI work (export, demo, fetch, purge, backup): a bar on a terminal, nothing at
all otherwise, so cron mails and logs stay clean.

    from core.progress import progress, tracked

    for row in tracked(rows, "Exporting", length=total):   # wraps an iterable
        ...
    with progress("Backing up files", length=len(names)) as bar:   # or counts by hand
        ...
        bar.update(1)

The bar is drawn on standard error, so ``sesim export > reports.csv`` shows it while the file gets
only data; it is drawn only when standard error is a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import click


class _Silent:
    """Stands in for the bar when nobody is watching."""

    def update(self, n_steps: int = 1, current_item=None) -> None:
        pass


def on_terminal(stream=None) -> bool:
    stream = stream if stream is not None else sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


@contextmanager
def progress(label: str, length: int, stream=None):
    """A bar with ``update(n)`` for ``length`` steps."""
    stream = stream if stream is not None else sys.stderr
    if not on_terminal(stream):
        yield _Silent()
        return
    with click.progressbar(length=length, label=label, file=stream, show_pos=True) as bar:
        yield bar


def tracked(items: Iterable, label: str, length: int | None = None, stream=None) -> Iterator:
    """Yield from ``items``, advancing a bar by one for each (no length: a running count)."""
    stream = stream if stream is not None else sys.stderr
    if not on_terminal(stream):
        yield from items
        return
    with click.progressbar(items, length=length, label=label, file=stream, show_pos=True) as bar:
        yield from bar
