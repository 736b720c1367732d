"""Periodic work contributed by plugins (``sesim_periodic_jobs``), run by ``sesim worker``."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    run: Callable  # called with the app, inside an app context
