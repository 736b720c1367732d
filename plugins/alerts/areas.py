"""The places one can follow: every region of the gazetteer and the districts, towns and villages
in it. A report matches by its public place only, so an alert never says more than the map."""

from __future__ import annotations

from core import gazetteer


def choices(language: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """``(region id, region name, [(place id, place name), …])`` for a grouped select."""
    return [(r.id, r.name(language), sorted(((p.id, p.name(language)) for p in r.places),
                                            key=lambda p: p[1]))
            for r in gazetteer.load().regions]


def known(area: str) -> bool:
    gaz = gazetteer.load()
    return area == "" or gaz.region(area) is not None or gaz.place(area) is not None


def name(area: str, language: str) -> str:
    gaz = gazetteer.load()
    found = gaz.region(area) or gaz.place(area)
    return found.name(language) if found else ""


def public_areas(report) -> set[str]:
    """The areas whose followers hear of ``report``: everywhere, its public region, and its place
    when the place itself is public."""
    areas = {""}
    if report.location_precision == "hidden":
        return areas
    if report.region_id:
        areas.add(report.region_id)
    if report.place_id and report.location_precision in ("place", "grid"):
        areas.add(report.place_id)
    return areas
