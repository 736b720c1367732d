"""Every export format any enabled plugin declares through ``sesim_export_formats``."""

from __future__ import annotations

from core.exports import ExportFormat
from core.plugins import call_hook


def available() -> dict[str, ExportFormat]:
    """Formats by name; when two plugins declare one name, the first declared wins."""
    found: dict[str, ExportFormat] = {}
    for formats in call_hook("sesim_export_formats"):
        for fmt in formats:
            found.setdefault(fmt.name, fmt)
    return found
