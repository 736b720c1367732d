"""core.detection: language, places and category hints in short messages (no app needed)."""

import pytest

from core import detection
from core.gazetteer import load


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Xətai rayonunda bir kişi məni hər gün izləyir", "az"),
        ("Xetai rayonunda bir kisi meni her gun izleyir", "az"),  # no Azerbaijani keyboard
        ("Мен Бакыда яшайырам, бир киши мени изляйир", "az"),  # Azerbaijani on a Russian keyboard
        ("Мән Бакыда јашајырам", "az"),  # the old Azerbaijani Cyrillic letters
        ("Меня преследует мужчина возле метро", "ru"),
        ("menya presleduet muzhchina v metro", "ru"),  # Russian in Latin letters
        ("A man followed me near the metro and touched me", "en"),
        ("KÖMƏK", "az"),
        ("ПОМОЩЬ", "ru"),
        ("help", "en"),
    ],
)
def test_detect_language(text, language):
    assert detection.detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "12345", "!!!", None])
def test_detect_language_without_clues_gives_the_default(text):
    assert detection.detect_language(text) == "az"
    assert detection.detect_language(text, default="ru") == "ru"


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Xətai rayonunda", ["baku-khatai"]),
        ("Khatai", ["baku-khatai"]),
        ("в Хатаи", ["baku-khatai"]),
        ("Nərimanovda metroda", ["baku-narimanov"]),
        ("Nerimanovda", ["baku-narimanov"]),  # ə typed as e
        ("Нариманов", ["baku-narimanov"]),
        ("Бакыда", ["baku"]),  # Azerbaijani case ending in Cyrillic
        ("Bakıda", ["baku"]),
        ("Gəncəlidə", ["khachmaz-ganjali"]),
        ("Гянджали", ["khachmaz-ganjali"]),
        ("Lahıcda", ["ismailli-lahij"]),
        ("в Лагиче", ["ismailli-lahij"]),  # Russian case ending
        ("ismayillida", ["ismailli-town"]),
        ("Masalida", ["masalli-town"]),  # a letter missing
        ("Sabirbad", ["sabirabad-town"]),  # misspelt
        ("Сураханы", ["baku-surakhani"]),
        ("Xaçmazda", ["khachmaz-town"]),  # the town…
        ("Xacmaz rayonu", ["khachmaz"]),  # …unless the district is meant
        ("Хачмазский район", ["khachmaz"]),
        ("Binəqədi, sonra Yasamal", ["baku-binagadi", "baku-yasamal"]),
        ("Bu gün çox pis oldu", []),
        ("", []),
    ],
)
def test_detect_places(text, places):
    assert detection.detect_places(text) == places


def test_every_gazetteer_name_is_found_in_every_language():
    for place in load().places.values():
        for name in place.names.values():
            assert place.id in detection.detect_places(name), (place.id, name)


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Müdir işdə mənə toxundu", {"workplace", "physical"}, set()),
        ("Mudir isde mene toxundu", {"workplace", "physical"}, set()),
        ("Начальник на работе трогал меня", {"workplace", "physical"}, set()),
        ("He keeps following me and sends messages on Instagram", {"stalking", "online"}, set()),
        ("Şəkillərimlə şantaj edir", {"sextortion", "online"}, set()),
        ("Sabirabadda qonşumuz mənə söyüş söydü", {"verbal"}, set()),
        ("Меня преследует мужчина", {"stalking"}, {"family-pressure"}),  # мужчина is not муж
        ("Муж бьёт меня", {"family-pressure", "physical"}, set()),
        ("Qardaşım mirasdan torpaq payımı vermir", {"land-inheritance"}, set()),
    ],
)
def test_category_hints(text, expected, absent):
    hints = set(detection.category_hints(text))
    assert expected <= hints
    assert not hints & absent


def test_category_hints_are_known_slugs_most_mentioned_first():
    from core.seed import DEFAULT_CATEGORIES, EXTRA_CATEGORIES

    known = {slug for slug, *_ in DEFAULT_CATEGORIES} | set(EXTRA_CATEGORIES)
    assert set(detection.CATEGORY_KEYWORDS) <= known
    assert detection.category_hints("follow stalk izləyir touched") == ["stalking", "physical"]


def test_suggestions_bundle_everything_as_json_ready_data():
    import json

    found = detection.suggestions("Xətai rayonunda bir kişi məni izləyir")
    assert found == {"language": "az", "places": ["baku-khatai"], "categories": ["stalking"]}
    assert json.loads(json.dumps(found)) == found


@pytest.mark.parametrize(
    "spellings",
    [("Xətai", "Khatai", "Hatai", "Хатаи", "xetai"), ("Gəncəli", "Ganjali", "Гянджали", "gencali")],
)
def test_fold_makes_spellings_meet(spellings):
    assert len({detection.fold(s) for s in spellings}) == 1
