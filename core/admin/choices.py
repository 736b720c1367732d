"""Select options shared by the staff forms: places of the deployment, categories, lawyers."""

from __future__ import annotations

from flask import current_app

from core import gazetteer
from core.config import split_list
from core.i18n import current_language as language
from core.models import Category, User

try:  # WTForms >= 3.3 deprecates tuple choices
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None


def as_choices(pairs) -> list:
    """``[(value, label)]`` as WTForms choices, without the deprecated tuple shape."""
    return [SelectChoice(v, label) for v, label in pairs] if SelectChoice else list(pairs)


def regions():
    wanted = split_list(current_app.config["SESIM_REGIONS"])
    return [r for r in gazetteer.load().regions if not wanted or r.id in wanted]


def place_choices() -> list:
    """Form choices: each region, then its places, grouped by region (works without JavaScript)."""
    lang = language()
    if SelectChoice is None:  # pragma: no cover
        return [("", "—")] + [(p.id, p.name(lang)) for r in regions() for p in (r, *r.places)]
    options = [SelectChoice("", "—")]
    for region in regions():
        group = region.name(lang)
        options.append(SelectChoice(region.id, f"{group} ({region.kind})", optgroup=group))
        options += [SelectChoice(p.id, p.name(lang), optgroup=group) for p in region.places]
    return options


def region_choices() -> list[tuple[str, str]]:
    lang = language()
    return [(r.id, r.name(lang)) for r in regions()]


def place_label(place_id: str | None) -> str:
    place = gazetteer.load().place(place_id or "")
    return place.name(language()) if place else ""


def categories() -> list[Category]:
    """Top-level categories, each followed by its children."""
    tops = Category.query.filter(Category.parent_id.is_(None)).order_by(Category.position).all()
    ordered = []
    for top in tops:
        ordered.append(top)
        ordered += list(top.children)
    return ordered


def category_choices() -> list[tuple[int, str]]:
    return [(c.id, f"— {c.name}" if c.parent_id else c.name) for c in categories()]


def lawyers() -> list[User]:
    return User.query.filter_by(role="lawyer", active=True).order_by(User.email).all()
