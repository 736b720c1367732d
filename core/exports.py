"""Export formats contributed by plugins (``sesim_export_formats``)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    name: str  # "csv", "geojson", "kml": the file extension too
    mimetype: str
    # Takes an iterable of public report dicts and yields text chunks: streamed, never built whole.
    write: Callable[[Iterable[dict]], Iterator[str]]
