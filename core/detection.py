"""Text analysis any channel can use: language, places and category hints in a short message.

Everything here only *suggests*: the results go to ``Message.data["suggestions"]`` for a
moderator and are never published by themselves. Written for SMS-length text in Azerbaijani
(Latin, or Cyrillic typed with Russian habits), Russian (Cyrillic or transliterated) and English,
where general-purpose detectors guess badly: a few words, no diacritics, mixed scripts.

Public API::

    detect_language(text) -> "az" | "ru" | "en"
    detect_places(text) -> [place_id, ...]     # gazetteer ids, in order of appearance
    category_hints(text) -> [slug, ...]        # category slugs, strongest first
    suggestions(text) -> {"language": ..., "places": [...], "categories": [...]}
    fold(word) -> str                          # the spelling-insensitive key used for matching
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from core import gazetteer

LANGUAGES = ("az", "ru", "en")

# Russian and Azerbaijani Cyrillic to Latin, the way people in Azerbaijan transliterate.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "ı", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Azerbaijani Cyrillic (1939-1991), still typed by older people
    "ә": "ə", "ғ": "ğ", "һ": "h", "ө": "ö", "ү": "ü", "ҹ": "c", "ј": "y", "ҝ": "g", "ҕ": "ğ",
}
_AZ_CYRILLIC_LETTERS = set("әғһөүҹјҝҕ")
_AZ_LATIN_LETTERS = set("əığşçöü")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text or "").replace("İ", "i").lower())


def _latin(word: str) -> str:
    """Cyrillic letters to Latin; Latin letters (and their diacritics) kept."""
    return "".join(_CYRILLIC.get(ch, ch) for ch in word)


def _ascii(word: str) -> str:
    """Latin without diacritics, as on a phone without an Azerbaijani keyboard (``mən`` → ``men``)."""
    word = _latin(word).replace("ə", "e").replace("ı", "i").replace("ä", "e")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_FOLDS = [  # order matters: digraphs before single letters
    ("shch", "s"), ("dzh", "c"), ("dj", "c"), ("zh", "c"), ("kh", "h"), ("gh", "g"),
    ("ch", "c"), ("sh", "s"), ("ts", "c"), ("j", "c"), ("x", "h"), ("q", "g"), ("w", "v"),
    ("e", "a"),
]


def fold(word: str) -> str:
    """A spelling-insensitive key: ``Xətai``, ``Khatai``, ``Hatai`` and ``Хатаи`` all fold to
    ``hatai``; ``Gəncəli``, ``Ganjali`` and ``Гянджали`` to ``gancali``. Both sides of every
    comparison go through it, so it may be rough."""
    word = _latin(word.lower())
    word = word.replace("ç", "ch").replace("ş", "sh").replace("ğ", "gh")
    word = _ascii(word)
    for old, new in _FOLDS:
        word = word.replace(old, new)
    word = re.sub(r"(?<=[a-z])y", "", word)  # Гянджали → gyanjali, İsmayıllı → ismaili
    return re.sub(r"(.)\1+", r"\1", word)  # doubled letters: Masallı / Masalı


# ---------------------------------------------------------------- language

_AZ_WORDS = {
    "men", "mene", "meni", "menim", "sen", "seni", "o", "onu", "ona", "onun", "biz", "bu", "bir",
    "ve", "var", "yox", "ki", "ile", "ucun", "kimi", "amma", "cox", "indi", "olan", "oldu",
    "edir", "etdi", "deyir", "dedi", "isleyir", "izleyir", "vurdu", "gece", "kuce", "kucede",
    "evde", "iste", "isde", "qiz", "qizi", "qadin", "kisi", "adam", "komek", "komeyi", "xahis",
    "edirem", "qorxuram", "her", "gun", "gunu", "yaninda", "yerde", "tehqir", "sozler", "nece",
    "niye", "ne", "salam", "rayonu", "rayonunda", "kendde", "kend", "avtobusda", "metroda",
}
_RU_WORDS = {
    "и", "в", "во", "не", "что", "он", "она", "на", "я", "с", "со", "как", "а", "то", "все",
    "так", "его", "но", "ты", "к", "у", "же", "вы", "за", "бы", "по", "только", "ее", "её", "мне",
    "меня", "было", "вот", "от", "о", "из", "ему", "когда", "даже", "ну", "ли", "если", "уже",
    "или", "был", "была", "до", "там", "себя", "ничего", "ей", "может", "они", "тут", "где",
    "есть", "надо", "для", "мы", "тебя", "их", "чем", "без", "кто", "этот", "это", "здесь",
    "мой", "моя", "чтобы", "сейчас", "можно", "при", "после", "через", "нас", "про", "помогите",
    "помощь", "мужчина", "мужик", "улице", "работе", "каждый", "день", "боюсь", "пожалуйста",
    "нему", "нам", "около", "возле", "районе",
}
# Russian written in Latin letters (no word here is also Azerbaijani or English).
_RU_TRANSLIT = {
    "menya", "mne", "eto", "chto", "pomogite", "pomosh", "pomoshch", "ochen", "kogda", "gde",
    "seychas", "muzhchina", "muzhik", "on", "ona", "ya", "v", "na", "menja", "bojus", "boyus",
    "pozhaluysta", "zdes", "vozle", "okolo", "rayone", "kazhdyy", "kazhdiy", "den", "rabote",
}
_EN_WORDS = {
    "the", "and", "i", "me", "my", "he", "she", "him", "her", "is", "was", "are", "were", "to",
    "of", "in", "on", "at", "a", "an", "it", "this", "that", "help", "please", "man",
    "street", "work", "near", "every", "day", "with", "for", "from", "by", "followed", "someone",
    "touched", "harassed", "afraid", "bus", "district", "village", "boss", "home", "what", "where",
}


def _language_scores(text: str) -> dict[str, float]:
    scores = {"az": 0.0, "ru": 0.0, "en": 0.0}
    for word in _words(text):
        if set(word) & _AZ_CYRILLIC_LETTERS:
            scores["az"] += 3
            continue
        cyrillic = any("а" <= ch <= "я" or ch == "ё" for ch in word)
        plain = _ascii(word)
        if cyrillic:
            if word in _RU_WORDS:
                scores["ru"] += 1
            elif plain in _AZ_WORDS:  # Azerbaijani typed on a Russian keyboard: мен, бу, вар
                scores["az"] += 1.5
            else:
                scores["ru"] += 0.2  # Cyrillic leans Russian when nothing else is known
            continue
        if set(word) & _AZ_LATIN_LETTERS:
            scores["az"] += 2
        if plain in _AZ_WORDS:
            scores["az"] += 1
        if plain in _EN_WORDS:
            scores["en"] += 1
        if plain in _RU_TRANSLIT:
            scores["ru"] += 1
    return scores


def detect_language(text: str, default: str = "az") -> str:
    """``"az"``, ``"ru"`` or ``"en"``; ``default`` when the text gives no clue (empty, numbers)."""
    scores = _language_scores(text)
    best = max(scores.values())
    if best <= 0:
        return default if default in LANGUAGES else "az"
    winners = [lang for lang in LANGUAGES if scores[lang] == best]
    return default if default in winners else winners[0]


# ---------------------------------------------------------------- places

_AREA_WORDS = {fold(w) for w in ("rayon", "rayonu", "район", "district", "region", "r-n", "r")}
MAX_SUFFIX = 5  # Azerbaijani and Russian case endings: Bakıda, Xətaidən, Хачмазе, Лагиче


@dataclass(frozen=True)
class _Alias:
    key: str  # folded
    place_id: str
    is_region: bool


@cache
def _aliases() -> tuple[_Alias, ...]:
    found: dict[tuple[str, str], _Alias] = {}
    gaz = gazetteer.load()
    for place in gaz.places.values():
        is_region = place.kind == "region" or (place.kind == "city" and place.id == place.region_id)
        spellings = set(place.aliases) | set(place.names.values())
        for spelling in spellings:
            words = [w for w in _words(spelling) if fold(w) not in _AREA_WORDS]
            if len(words) != 1:
                continue  # "Xaçmaz rayonu" is covered by the single word "Xaçmaz"
            key = fold(words[0])
            if len(key) >= 3:
                found[(key, place.id)] = _Alias(key, place.id, is_region)
    return tuple(found.values())


@cache
def _alias_index() -> tuple[dict[str, tuple[int, ...]], tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """``{key: alias positions}`` for exact and prefix look-ups, and the distinct keys long enough
    to forgive a slip (with their alias positions) for rapidfuzz."""
    by_key: dict[str, list[int]] = {}
    for position, alias in enumerate(_aliases()):
        by_key.setdefault(alias.key, []).append(position)
    long_keys = tuple(key for key in by_key if len(key) >= 6)
    return ({k: tuple(v) for k, v in by_key.items()}, long_keys,
            tuple(tuple(by_key[k]) for k in long_keys))


@lru_cache(maxsize=65536)  # words repeat across messages; each is matched once per process
def _token_hits(token: str) -> tuple[tuple[int, ...], int] | None:
    """Positions in ``_aliases()`` of the aliases ``token`` names best, and how well (0 exact,
    1 with a case ending, 2 misspelt); None when it names none.

    The rules, over every alias: 0 when the word is the key; 1 when a key of 4+ letters starts it
    and at most ``MAX_SUFFIX`` letters follow; 2 when a key of 6+ letters is one edit away from
    the word or from one of its beginnings (a slip of the thumb, with or without an ending). Exact
    keys and prefixes are dictionary look-ups; rapidfuzz computes the edit distances over all long
    keys at once, in C.
    """
    by_key, long_keys, long_positions = _alias_index()
    if token in by_key:
        return by_key[token], 0
    prefixes = [token[:cut] for cut in range(max(4, len(token) - MAX_SUFFIX), len(token))]
    found = sorted({p for prefix in prefixes for p in by_key.get(prefix, ())})
    if found:
        return tuple(found), 1
    near = {position
            for cut in range(5, len(token) + 1)
            for _, _, index in process.extract(token[:cut], long_keys, scorer=Levenshtein.distance,
                                               score_cutoff=1, limit=None)
            for position in long_positions[index]}
    return (tuple(sorted(near)), 2) if near else None


def detect_places(text: str) -> list[str]:
    """Gazetteer ids of the places named in ``text``, most specific first for each mention.

    A town that shares its name with its district (Xaçmaz) is read as the town, unless the next
    word says "district" (``Xaçmaz rayonu``, ``Хачмазский район``).
    """
    tokens = [fold(w) for w in _words(text)]
    found: list[str] = []
    for index, token in enumerate(tokens):
        if len(token) < 3:
            continue
        hits = _token_hits(token)
        if hits is None:
            continue
        aliases = _aliases()
        candidates = [aliases[position] for position in hits[0]]
        next_is_area = index + 1 < len(tokens) and tokens[index + 1] in _AREA_WORDS
        adjective = token.endswith(("skii", "ski", "skogo", "skom"))  # Хачмазский → hacmaz-ski
        want_region = next_is_area or adjective
        preferred = [a for a in candidates if a.is_region == want_region] or candidates
        for alias in preferred:
            if alias.place_id not in found:
                found.append(alias.place_id)
    return found


# ---------------------------------------------------------------- categories

# slug → word stems in az (Latin), ru (Cyrillic) and en, matched on word beginnings without
# diacritics (so "soyus" finds "söyüş"); a trailing "$" asks for the whole word ("муж", not
# "мужчина"). The last word of a phrase is a stem too ("ad qoy" finds "ad qoyur").
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "verbal": (
        "söyd", "söyür", "söyüş", "təhqir", "sözlü", "ədəbsiz", "fit çal", "qışqır", "ad qoy",
        "sataş", "оскорб", "обзыва", "матом", "матер", "пристава", "свист", "кричал", "грязн",
        "insult", "catcall", "whistl", "shout", "verbal", "comment", "swear",
    ),
    "physical": (
        "vurd", "vuru", "vurub", "döyd", "döyür", "döyə", "toxun", "tutdu", "itələ", "zorla",
        "sıxışdır", "əl at", "qucaql",
        "удар", "избил", "бьёт", "бьет", "трога", "схват", "толкн", "насил", "лапал", "прижал",
        "hit$", "hits$", "beat", "touch", "grab", "push", "rape", "assault", "groped",
    ),
    "stalking": (
        "izlə", "arxamca", "təqib", "güdür", "pusur",
        "преслед", "следи", "следу", "ходит за", "поджида",
        "follow", "stalk", "waits for me", "watching me",
    ),
    "online": (
        "instagram", "facebook", "whatsapp", "telegram", "tiktok", "onlayn", "internet", "sosial",
        "şəkil", "video", "profil", "mesaj",
        "интернет", "соцсет", "фото", "видео", "сообщен", "переписк", "инстаграм", "ватсап",
        "телеграм",
        "online", "photo", "message", "dm$", "account", "nudes",
    ),
    "sextortion": (
        "şantaj", "rüşvət", "yatmaq", "intim", "vəzifə",
        "шантаж", "вымога", "интим", "взятк", "переспать",
        "blackmail", "sextort", "bribe", "sleep with",
    ),
    "workplace": (
        "iş yeri", "işdə", "müdir", "rəis", "həmkar", "ofis", "işəgötürən",
        "на работе", "начальн", "работодат", "коллег", "офис", "директор",
        "workplace", "at work", "boss", "manager", "coworker", "colleague", "office", "employer",
    ),
    "family-pressure": (
        "ailə", "qaynana", "qayınata", "ərim", "erkən nikah", "qız qaçır", "qohum", "evlən",
        "семья", "семье", "семьи", "муж$", "мужа$", "мужем$", "мужу$", "свекр", "родствен",
        "ранний брак", "выдать замуж", "похищ",
        "family", "husband", "in-law", "early marriage", "forced marriage", "relatives",
    ),
    "land-inheritance": (
        "torpaq", "miras", "vərəsə", "mülk",
        "земл", "наслед", "имуществ", "участок", "доля",
        "land", "inherit", "property", "estate", "plot",
    ),
}


@cache
def _keyword_keys() -> dict[str, tuple[tuple[tuple[str, ...], bool], ...]]:
    """Each keyword as ``(words, whole)``: plain-Latin words (a phrase matches consecutive
    words). Not ``fold``: it is too rough for common words (семья and сама would meet)."""
    return {
        slug: tuple((tuple(_ascii(w) for w in _words(k)), k.endswith("$")) for k in keywords)
        for slug, keywords in CATEGORY_KEYWORDS.items()
    }


@cache
def _keyword_index() -> tuple[dict[str, list], dict[str, list]]:
    """The keywords by what a word must be to start them: one-word stems by the stem (looked up
    with each beginning of a word), phrases by their exact first word; entries ``(slug, phrase,
    whole)``."""
    stems: dict[str, list] = {}
    phrases: dict[str, list] = {}
    for slug, keys in _keyword_keys().items():
        for phrase, whole in keys:
            table = stems if len(phrase) == 1 else phrases
            table.setdefault(phrase[0], []).append((slug, phrase, whole))
    return stems, phrases


def _phrase_at(tokens: list[str], index: int, phrase: tuple[str, ...], whole_word: bool) -> bool:
    if index + len(phrase) > len(tokens):
        return False
    *whole, last = phrase
    words = tokens[index : index + len(phrase)]
    if words[:-1] != whole:
        return False
    ending = words[-1]
    return ending == last if whole_word else ending.startswith(last)


def category_hints(text: str) -> list[str]:
    """Category slugs whose keywords appear in ``text``, most mentioned first.

    Slugs are those of ``core.seed`` (including the profile extras); a caller may drop the ones
    its deployment does not use.
    """
    tokens = [_ascii(w) for w in _words(text)]
    stems, phrases = _keyword_index()
    counts: dict[str, int] = {}
    for i, token in enumerate(tokens):
        starts = [entry for cut in range(1, len(token) + 1) for entry in stems.get(token[:cut], ())]
        for slug, phrase, whole in starts + phrases.get(token, []):
            if _phrase_at(tokens, i, phrase, whole):
                counts[slug] = counts.get(slug, 0) + 1
    order = list(CATEGORY_KEYWORDS)
    return sorted(counts, key=lambda slug: (-counts[slug], order.index(slug)))


def suggestions(text: str, default_language: str = "az") -> dict:
    """Everything above in one JSON-ready dict, for ``Message.data["suggestions"]``."""
    return {
        "language": detect_language(text, default_language),
        "places": detect_places(text),
        "categories": category_hints(text),
    }
