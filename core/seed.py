"""Default categories, fit for harassment reports, named in az/ru/en."""

from __future__ import annotations

from core.config import split_list
from core.extensions import db
from core.models import Category

# slug, colour, az, ru, en
DEFAULT_CATEGORIES = [
    ("verbal", "#d9822b", "Sözlü təcavüz", "Словесные домогательства", "Verbal harassment"),
    ("physical", "#c0392b", "Fiziki təcavüz", "Физическое насилие", "Physical harassment"),
    ("stalking", "#8e44ad", "İzləmə", "Преследование", "Stalking"),
    ("online", "#2980b9", "Onlayn təcavüz", "Онлайн-домогательства", "Online harassment"),
    ("sextortion", "#7b1e3a", "Seksual şantaj / vəzifədən sui-istifadə",
     "Сексуальное вымогательство / злоупотребление должностью",
     "Sextortion / abuse of office"),
    ("workplace", "#16a085", "İş yerində təcavüz", "Домогательства на работе", "Workplace harassment"),
    ("other", "#7f8c8d", "Digər", "Другое", "Other"),
]

EXTRA_CATEGORIES = {
    "family-pressure": ("#a0522d", "Ailə təzyiqi", "Давление в семье", "Family pressure"),
    "land-inheritance": ("#6b8e23", "Torpaq və miras hüququ", "Земля и наследство",
                         "Land and inheritance rights"),
}


def ensure_categories(config) -> int:
    """Create missing default (and profile) categories; return how many were added."""
    wanted = [(slug, *rest) for slug, *rest in DEFAULT_CATEGORIES]
    wanted += [(slug, *EXTRA_CATEGORIES[slug]) for slug in split_list(
        config.get("SESIM_EXTRA_CATEGORIES")) if slug in EXTRA_CATEGORIES]
    existing = {slug for (slug,) in db.session.query(Category.slug)}
    added = 0
    for position, (slug, colour, az, ru, en) in enumerate(wanted):
        if slug in existing:
            continue
        db.session.add(Category(slug=slug, colour=colour, name_az=az, name_ru=ru, name_en=en,
                                position=position * 10))
        added += 1
    db.session.commit()
    return added
