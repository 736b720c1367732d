"""Export plugin: published reports as CSV, GeoJSON and KML downloads and ``sesim export``.

Other plugins add formats through ``sesim_export_formats``; every declared format is served at
``/export/reports.<name>``.
"""

from flask_babel import lazy_gettext as _l

from core import hookimpl
from core.exports import ExportFormat
from core.nav import NavItem


@hookimpl
def sesim_export_formats():
    from plugins.export import writers

    return [
        ExportFormat("csv", "text/csv", writers.write_csv),
        ExportFormat("geojson", "application/geo+json", writers.write_geojson),
        ExportFormat("kml", "application/vnd.google-earth.kml+xml", writers.write_kml),
    ]


@hookimpl
def sesim_register_blueprints(app):
    from plugins.export.views import bp

    app.register_blueprint(bp)


@hookimpl
def sesim_nav_items():
    return [NavItem("export.index", _l("Download the list"), order=70)]


@hookimpl
def sesim_cli_commands(cli):
    from plugins.export.cli import export_command

    cli.add_command(export_command)
