"""Export formats contributed by plugins (``sesim_export_formats``)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    name: str  # "csv", "geojson", "kml": the file extension too
    mimetype: str
    # Takes an iterable of public report dicts and yields text chunks: streamed, never built whole.
    write: Callable[[Iterable[dict]], Iterator[str]]


# A spreadsheet program runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text and never evaluates (formula injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
