"""``sesim export --format csv|geojson|kml [-o FILE]``: the same stream as the web download."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from plugins.export import formats


@click.command("export")
@click.option("--format", "name", default="csv", show_default=True,
              help="An export format: csv, geojson, kml or one a plugin adds.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="File to write (default: standard output).")
@click.option("--language", default="en", show_default=True, help="Language of category and place names.")
@with_appcontext
def export_command(name, output, language):
    """Write every published report (public fields only) in the chosen format."""
    from core.progress import tracked
    from core.publicdata import iter_published, published_count

    available = formats.available()
    if name not in available:
        raise click.BadParameter(f"choose one of: {', '.join(sorted(available))}", param_hint="--format")
    rows = tracked(iter_published(language=language), "Exporting reports", length=published_count())
    for chunk in available[name].write(rows):
        output.write(chunk)
