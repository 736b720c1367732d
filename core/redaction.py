"""What to hide in a public title or story: every common way of writing a personal identifier.

Phone numbers (any separators, country codes, digits spelled out with spaces or dots, or read
out in words in az, ru or en), e-mail
addresses (also "name at gmail dot com", "ad [at] mail [dot] ru", "собака"), @handles in any script
and "insta: name", links to social profiles, messengers and any web page, map links, geo: URIs and
precise coordinates, car plates, ID card / passport numbers and FIN codes, and the names of small
villages (fewer people than ``SESIM_SMALL_PLACE_POPULATION``: naming one can point at her).

These are suggestions for the redaction proposal and the reasons the publish gate refuses: the
moderator has the final say (an override is audited). Every pattern is linear in the text's
length: no nested quantifiers over overlapping classes, and matches start only at a word edge
(``tests/test_redaction.py`` times a long adversarial story).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from flask import current_app, has_app_context

SMALL_PLACE_POPULATION = 10_000  # default of SESIM_SMALL_PLACE_POPULATION

_SEP = r"[\s().\-–—/\\]"  # what people type between the digits of a phone number
_URL_TAIL = r"[^\s<>\"'()\[\]{}«»]*"

# --- links: any web address; social profiles, messengers and maps are named for the moderator ---
SOCIAL = (r"facebook\.com|fb\.com|fb\.me|m\.me|messenger\.com|instagram\.com|instagr\.am|t\.me"
          r"|telegram\.me|telegram\.dog|wa\.me|whatsapp\.com|vk\.com|vk\.ru|vk\.me|ok\.ru"
          r"|tiktok\.com|twitter\.com|x\.com|linkedin\.com|youtube\.com|youtu\.be|snapchat\.com"
          r"|threads\.net|viber\.com|signal\.me|discord\.gg|imo\.im|ask\.fm|tinder\.com|badoo\.com")
MAPS = (r"maps\.google\.[a-z.]+|google\.[a-z.]+/maps|goo\.gl/maps|maps\.app\.goo\.gl"
        r"|yandex\.[a-z]+/maps|maps\.yandex\.[a-z]+|openstreetmap\.org|osm\.org|2gis\.[a-z]+"
        r"|maps\.apple\.com|wego\.here\.com|bing\.com/maps|waze\.com")
MAP_LINK = re.compile(rf"(?<![\w.@/])(?:https?://)?(?:www\.)?(?:{MAPS})(?:[/?#]{_URL_TAIL})?", re.I)
SOCIAL_LINK = re.compile(
    rf"(?<![\w.@/])(?:https?://)?(?:(?:www|m|mobile|web|vm|api|chat|invite)\.)?(?:{SOCIAL})"
    rf"(?:[/?#]{_URL_TAIL})?", re.I)
URL = re.compile(rf"(?<![\w@])(?:https?://|www\.){_URL_TAIL}", re.I)
GEO_URI = re.compile(r"(?<!\w)geo:\s?[-+]?\d{1,3}(?:\.\d+)?,\s?[-+]?\d{1,3}(?:\.\d+)?[^\s]*", re.I)

# --- e-mail, written or spelled out ---
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT_WORD = r"at|собака|sobaka|sobachka|собачка"
_DOT_WORD = r"dot|dt|точка|tochka|nöqtə|noqte|nokta"
_AT = (rf"(?:\s*[\[(<{{]\s*(?:{_AT_WORD}|@)\s*[\])>}}]\s*|\s+(?:{_AT_WORD})\s+|\s*@\s*"
       r"|\s*\(а\)\s*)")
_DOT = rf"(?:\s*[\[(<{{]\s*(?:{_DOT_WORD}|\.)\s*[\])>}}]\s*|\s+(?:{_DOT_WORD})\s+|\s?\.\s?)"
_TLD = r"(?:com|net|org|ru|az|ua|by|kz|ge|tr|de|uk|info|io|me|edu|gov|biz|su|co|рф|am|uz|us)"
SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}{_TLD}(?![\w-])", re.I)
PROVIDER_EMAIL = re.compile(  # "leyla.m at gmail": the provider alone is enough
    rf"(?<![\w.+-])[\w.+-]+{_AT}(?:gmail|googlemail|yahoo|hotmail|outlook|yandex|rambler|icloud"
    r"|protonmail|proton|mail\.ru|inbox\.ru|list\.ru|bk\.ru)(?![\w-])", re.I)

# --- @handles in any script, and "insta: name" ---
HANDLE = re.compile(r"(?<![\w.@])@\w[\w.]{1,29}")
_NETWORKS = (r"instagram|insta|ig|tiktok|tik tok|telegram|teleqram|tg|facebook|fb|vk|vkontakte"
             r"|snapchat|snap|twitter|whatsapp|imo|signal|viber|skype|discord|threads"
             r"|инстаграм|инста|телеграм|телега|тикток|вк|вконтакте|фейсбук|ватсап|вайбер|скайп")
NAMED_HANDLE = re.compile(rf"(?<!\w)(?:{_NETWORKS})\w{{0,4}}\s?[:：=]\s?@?(\w[\w.]{{1,29}})", re.I)

# --- places: coordinates ---
_DEC = r"[-+]?\d{1,3}[.,]\d{4,}"
COORD_PAIR = re.compile(
    rf"(?<![\d.,])(?:[NSСЮ]\s?)?{_DEC}\s?°?\s?[NSnsСЮсю]?(?:\s?[,;/]\s?|\s+)"
    rf"(?:(?:lon|lng|long|uzunluq|долгота)\w{{0,6}}\s?[:=]?\s?)?(?:[EWВЗ]\s?)?{_DEC}(?![\d])", re.I)
LABELLED_COORD = re.compile(
    r"(?<!\w)(?:lat|lon|lng|long|latitude|longitude|широта|долгота|enlik|uzunluq)\w{0,6}"
    r"\s?[:=]?\s?[-+]?\d{1,3}[.,]\d{3,}", re.I)
_MIN = r"\d{1,2}(?:[.,]\d+)?\s?['′’]"
_SEC = r"\d{1,2}(?:[.,]\d+)?\s?(?:\"|″|''|”|′′)"
_HEMI = r"[NSEWnsewСЮВЗ](?!\w)|(?:şm|ş)\.|(?:с|ю|в|з)\.\s?(?:ш|д)\."
_DEG = (rf"\d{{1,3}}(?:[.,]\d+)?\s?°\s?(?:{_MIN}\s?(?:{_SEC}\s?)?(?:{_HEMI})?|(?:{_HEMI}))")
DEGREES = re.compile(rf"(?<![\w.]){_DEG}(?:\s?[,;/]?\s?{_DEG})?")

# --- vehicles and documents ---
PLATE = re.compile(  # Azerbaijan 10-AB-123 / 90 XX 123; Russia А 123 ВС 77
    r"(?<![\w-])\d{2}\s?[-–]?\s?[A-Z]{2}\s?[-–]?\s?\d{3}(?![\w-])"
    r"|(?<![\w-])[АВЕКМНОРСТУХABEKMHOPCTYX]\s?\d{3}\s?[АВЕКМНОРСТУХABEKMHOPCTYX]{2}\s?\d{2,3}(?!\w)")
ID_NUMBER = re.compile(  # AZE12345678, AA1234567, C 12345678; ID/passport keyword + number
    r"(?<!\w)(?:ID|(?i:passport|pasport|паспорт\w{0,2}|vəsiqə\w{0,3}|vesiqe\w{0,3}"
    r"|удостоверени\w{0,2}|şəxsiyyət\w{0,3}))\s?(?i:№|no\.?|nömrə\w{0,3}|номер)?\s?[:#]?\s?"
    r"(?P<n>[A-ZА-Я]{0,3}\s?\d{6,10})(?!\w)"
    r"|(?<!\w)(?:AZE|АЗЕ)\s?[-№]?\s?\d{7,9}(?!\w)"
    r"|(?<!\w)[A-Z]{1,2}\s?№?\s?\d{7,8}(?!\w)")
FIN = re.compile(r"(?<![\w-])(?:(?i:FİN|FIN|ФИН)\s?(?i:kod\w{0,2}|код)?\s?[:#-]?\s?)?([0-9A-Z]{7})"
                 r"(?![\w-])")
FIN_LABEL = re.compile(r"(?i:FİN|FIN|ФИН)")

# --- phone numbers, and what only looks like one ---
PHONE = re.compile(rf"(?<![\w+])(?:\+|\(\+?)?\d(?:{_SEP}{{0,3}}\d){{6,15}}(?!\w)")
_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))"
NOT_PHONE = re.compile(
    # dates and date ranges: 2026-01-31, 31.01.2026, 31/01/26, 01.01.2020-05.05.2020 (not inside
    # a longer run of digit groups)
    rf"(?<!\d)(?<!\d[./-]){_DATE}(?:\s?[-–—]\s?{_DATE})?(?![./-]?\d)"
    # years and ranges of years: 2019-2023, 1990–95
    r"|(?<!\d)(?<!\d[ .\-/])(?:19|20)\d\d(?:\s?[-–—/]\s?(?:(?:19|20)\d\d|\d\d))?(?!\d)"
    # amounts grouped in thousands: 1 500 000, 12.000.000, 2,500,000 (not a phone-like start)
    r"|(?<![\d+])(?<!\d[ .,\u00a0])(?!0|994)\d{1,3}(?:([ .,\u00a0])\d{3})(?:\1\d{3})*(?!\d)"
    r"(?![ .,\-]\d)"
    # amounts followed by a currency
    r"|(?<![\d.,])(?<!\d[ \u00a0])\d{1,3}(?:[ .,\u00a0]?\d{3})*(?:[.,]\d{1,2})?"
    r"(?=\s?(?:AZN|manat|man\.|₼|\$|€|USD|EUR|RUB|руб|манат|доллар|евро"
    r"|dollar|euro|qəpik|копе))", re.I)

# --- phone numbers said in words: "sıfır əlli beş, yüz iyirmi üç…", "ноль пять ноль…" ---
_AZ_NUMBERS = ("sıfır sifir bir iki üç uc dörd dord beş bes altı alti yeddi səkkiz sekkiz doqquz on "
               "iyirmi otuz qırx qirx əlli elli altmış altmis yetmiş yetmis səksən seksen doxsan "
               "yüz yuz")
_RU_NUMBERS = ("ноль нуль один одна два две три четыре пять шесть семь восемь девять десять "
               "одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
               "восемнадцать девятнадцать двадцать тридцать сорок пятьдесят шестьдесят семьдесят "
               "восемьдесят девяносто сто двести триста четыреста пятьсот шестьсот семьсот "
               "восемьсот девятьсот")
_EN_NUMBERS = ("zero oh one two three four five six seven eight nine ten eleven twelve thirteen "
               "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty "
               "seventy eighty ninety hundred")
_NUMBER_WORDS = " ".join((_AZ_NUMBERS, _RU_NUMBERS, _EN_NUMBERS)).split()
_NUMBER_WORD = "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
_SPOKEN_TOKEN = rf"(?:(?:{_NUMBER_WORD})(?!\w)|\d{{1,4}}(?!\w))"
# Six or more numbers in a row (checked for three words among them): a phone number read out.
# Each token starts with a word character and no separator has one, so matching stays linear.
SPOKEN_RUN = re.compile(rf"(?<![\w+]){_SPOKEN_TOKEN}(?:[\s,.\-–]{{1,3}}{_SPOKEN_TOKEN}){{5,}}", re.I)
NUMBER_WORD = re.compile(rf"(?<!\w)(?:{_NUMBER_WORD})(?!\w)", re.I)

MARKERS = {"email": "[e-mail]", "handle": "[@…]", "phone": "[phone]", "link": "[link]",
           "location": "[location]", "plate": "[plate]", "id": "[id]", "place": "[place]"}


@dataclass(frozen=True)
class Suggestion:
    kind: str  # one of MARKERS
    start: int
    end: int
    text: str

    @property
    def replacement(self) -> str:
        return MARKERS[self.kind]


def _fin_like(token: str) -> bool:
    """A FIN code mixes letters and digits; a word like COVID19 changes class only once."""
    kinds = ["d" if c.isdigit() else "a" for c in token]
    changes = sum(1 for a, b in zip(kinds, kinds[1:], strict=False) if a != b)
    return changes >= 2 and kinds.count("d") >= 2 and kinds.count("a") >= 2


def _phone_spans(text: str):
    """Phone-like runs of digits that are not wholly dates, years or amounts."""
    masked = NOT_PHONE.sub(lambda m: "\x00" * len(m.group()), text)
    for match in PHONE.finditer(masked):
        start, end = match.span()
        while end > start and not text[end - 1].isdigit():
            end -= 1
        yield start, end


def _spans(text: str, small_places) -> list[tuple[str, int, int]]:
    """Every candidate ``(kind, start, end)``, most specific kinds first."""
    found: list[tuple[str, int, int]] = []
    for kind, pattern in (("location", MAP_LINK), ("location", GEO_URI), ("link", SOCIAL_LINK),
                          ("link", URL), ("email", EMAIL), ("email", SPELLED_EMAIL),
                          ("email", PROVIDER_EMAIL), ("location", COORD_PAIR),
                          ("location", LABELLED_COORD), ("location", DEGREES), ("plate", PLATE)):
        found += [(kind, *m.span()) for m in pattern.finditer(text)]
    found += [("id", *m.span("n" if m.group("n") else 0)) for m in ID_NUMBER.finditer(text)]
    for match in HANDLE.finditer(text):
        start, end = match.span()
        while end > start + 2 and text[end - 1] == ".":
            end -= 1
        found.append(("handle", start, end))
    found += [("handle", *m.span(1)) for m in NAMED_HANDLE.finditer(text)]
    for match in FIN.finditer(text):
        if FIN_LABEL.match(match.group()) or _fin_like(match.group(1)):
            found.append(("id", *match.span(1)))
    # Read out in words, perhaps ending in digits: the whole run, before its digits alone.
    found += [("phone", *m.span()) for m in SPOKEN_RUN.finditer(text)
              if len(NUMBER_WORD.findall(m.group())) >= 3]
    found += [("phone", start, end) for start, end in _phone_spans(text)]
    if small_places is not None:
        found += [("place", *m.span()) for m in small_places.finditer(text)]
    return found


def suggest(text: str, small_places=...) -> list[Suggestion]:
    """Every identifier in ``text``, in order, never overlapping (the first kind found wins).

    ``small_places``: a pattern of village names to flag; by default the gazetteer's places under
    the configured population (when an app is running), ``None`` for none."""
    text = text or ""
    if small_places is ...:
        small_places = small_place_pattern(configured_threshold()) if has_app_context() else None
    found: list[Suggestion] = []
    starts: list[int] = []  # of the spans taken so far, which never overlap: sorted by start
    ends: list[int] = []
    for kind, start, end in _spans(text, small_places):
        at = bisect.bisect_right(starts, start)
        if end <= start or (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
            continue
        starts.insert(at, start)
        ends.insert(at, end)
        found.append(Suggestion(kind, start, end, text[start:end]))
    return sorted(found, key=lambda s: s.start)


def redact(text: str, suggestions: list[Suggestion] | None = None) -> str:
    """``text`` with the suggestions (default: all of them) replaced by neutral markers."""
    if not text:
        return text or ""
    chosen = suggest(text) if suggestions is None else suggestions
    out, position = [], 0
    for item in sorted(chosen, key=lambda s: s.start):
        out.append(text[position:item.start])
        out.append(item.replacement)
        position = item.end
    out.append(text[position:])
    return "".join(out)


def configured_threshold() -> int:
    return int(current_app.config.get("SESIM_SMALL_PLACE_POPULATION", SMALL_PLACE_POPULATION))


def _stem(name: str) -> str:
    """Russian names change their ending (Набрань → в Набрани, Ивановка → в Ивановке)."""
    name = name.strip()
    return name[:-1] if len(name) >= 5 and name[-1] in "ьйаяо" else name


def is_small_place(place, threshold: int) -> bool:
    """A village (not a city, district or region) of fewer than ``threshold`` people; one
    without a figure counts as small."""
    if place.kind in ("city", "district", "region"):
        return False
    return place.population is None or place.population < threshold


@cache
def small_place_pattern(threshold: int):
    """Names and aliases of places under ``threshold`` people (a village without a figure counts
    as small), with any suffix (Lahıcda, Лахидже); ``None`` when there is none."""
    from core import gazetteer

    names: set[str] = set()
    for region in gazetteer.load().regions:
        for place in region.places:
            if not is_small_place(place, threshold):
                continue
            names.update(_stem(n) for n in (*place.names.values(), *place.aliases) if n.strip())
    stems = sorted({re.escape(n) for n in names if len(n) >= 4}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(stems)})\w{{0,6}}", re.I) if stems else None
