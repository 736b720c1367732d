"""Redaction: every common way of writing a personal identifier in az, ru and en is found and
masked, ordinary dates, years and amounts are left alone, and no text can make it slow."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from core.redaction import redact, suggest


@pytest.fixture
def app():
    """Redaction reads one setting: a bare Flask app is enough (and fast)."""
    return Flask(__name__)

# (text, the identifier that must be found, its kind)
FOUND = [
    # phone numbers
    ("Call +994 50 123 45 67 now", "+994 50 123 45 67", "phone"),
    ("zəng et 050-123-45-67", "050-123-45-67", "phone"),
    ("nömrəsi (012) 555 12 34 idi", "(012) 555 12 34", "phone"),
    ("его номер 8 (050) 123-45-67", "8 (050) 123-45-67", "phone"),
    ("telefonu +994(55)7654321", "+994(55)7654321", "phone"),
    ("номер 0 5 0 1 2 3 4 5 6 7, звони", "0 5 0 1 2 3 4 5 6 7", "phone"),
    ("yaz 0.5.0.1.2.3.4.5.6.7", "0.5.0.1.2.3.4.5.6.7", "phone"),
    ("номер +7 (916) 123-45-67 у него", "+7 (916) 123-45-67", "phone"),
    ("whatsapp 00994501234567", "00994501234567", "phone"),
    ("my number is 0501234567.", "0501234567", "phone"),
    ("his office 012 498 76 54", "012 498 76 54", "phone"),
    ("nömrə: 070 - 222 - 33 - 44", "070 - 222 - 33 - 44", "phone"),
    ("+44 20 7946 0958 is his UK number", "+44 20 7946 0958", "phone"),
    ("nömrəsi sıfır əlli beş, yüz iyirmi üç, qırx beş, altmış yeddi idi",
     "sıfır əlli beş, yüz iyirmi üç, qırx beş, altmış yeddi", "phone"),
    ("yaz: sifir bes bir, iki uc dord bes alti", "sifir bes bir, iki uc dord bes alti", "phone"),
    ("его номер ноль пять ноль, сто двадцать три, сорок пять, шестьдесят семь",
     "ноль пять ноль, сто двадцать три, сорок пять, шестьдесят семь", "phone"),
    ("call oh five oh one two three four five six seven tonight",
     "oh five oh one two three four five six seven", "phone"),
    ("nömrə 050 yüz iyirmi üç 45 67", "050 yüz iyirmi üç 45 67", "phone"),
    ("mənim nömrəm sıfır əlli beş 123 45 67", "sıfır əlli beş 123 45 67", "phone"),
    ("номер ноль пять пять, 123 45 67", "ноль пять пять, 123 45 67", "phone"),
    # e-mail, written and spelled out
    ("write to leyla.m@example.az", "leyla.m@example.az", "email"),
    ("mail him: farid at gmail dot com", "farid at gmail dot com", "email"),
    ("пишите ad [at] mail [dot] ru", "ad [at] mail [dot] ru", "email"),
    ("адрес: nigar собака mail точка ru", "nigar собака mail точка ru", "email"),
    ("e-poçt: aysel(at)box(dot)az", "aysel(at)box(dot)az", "email"),
    ("his mail is rauf.b at yandex.ru", "rauf.b at yandex.ru", "email"),
    ("email leyla_92 at gmail", "leyla_92 at gmail", "email"),
    ("ünvan: sevda @ mail.ru", "sevda @ mail.ru", "email"),
    # @handles in any script and named accounts
    ("he is @bad_guy on insta", "@bad_guy", "handle"),
    ("его ник @Игорь_Баку", "@Игорь_Баку", "handle"),
    ("onun səhifəsi @şəhla.güləcöz.", "@şəhla.güləcöz", "handle"),
    ("insta: leyla.92", "leyla.92", "handle"),
    ("инстаграм: nigar_baku", "nigar_baku", "handle"),
    ("tiktokda: elvin.official", "elvin.official", "handle"),
    # links to profiles and messengers
    ("profili facebook.com/elvin.mammadov", "facebook.com/elvin.mammadov", "link"),
    ("see https://www.instagram.com/nigar_a/", "https://www.instagram.com/nigar_a/", "link"),
    ("пиши в t.me/samir_bk", "t.me/samir_bk", "link"),
    ("wa.me/994501234567 yaz", "wa.me/994501234567", "link"),
    ("его страница vk.com/id123456", "vk.com/id123456", "link"),
    ("video: https://vm.tiktok.com/ZMabc123/", "https://vm.tiktok.com/ZMabc123/", "link"),
    ("his blog www.samir-blog.az/about", "www.samir-blog.az/about", "link"),
    # coordinates and maps
    ("burada idi: 40.4093, 49.8671", "40.4093, 49.8671", "location"),
    ("точка 40,4093 49,8671 у дома", "40,4093 49,8671", "location"),
    ("at 40°24′33″N 49°52′02″E", "40°24′33″N 49°52′02″E", "location"),
    ("ev 40° 24' N-dədir", "40° 24' N", "location"),
    ("https://maps.google.com/?q=40.40,49.86 here", "https://maps.google.com/?q=40.40,49.86", "location"),
    ("yandex.az/maps/?ll=49.86%2C40.40", "yandex.az/maps/?ll=49.86%2C40.40", "location"),
    ("osm: https://www.openstreetmap.org/#map=19/40.4/49.8",
     "https://www.openstreetmap.org/#map=19/40.4/49.8", "location"),
    ("geo:40.4093,49.8671 is the house", "geo:40.4093,49.8671", "location"),
    ("https://maps.app.goo.gl/AbCdEf123", "https://maps.app.goo.gl/AbCdEf123", "location"),
    ("lat: 40.409 was written on it", "lat: 40.409", "location"),
    # cars and documents
    ("maşının nömrəsi 10-AB-123 idi", "10-AB-123", "plate"),
    ("номер машины 90 XX 123", "90 XX 123", "plate"),
    ("white Prius 77MM777", "77MM777", "plate"),
    ("машина А 123 ВС 77", "А 123 ВС 77", "plate"),
    ("şəxsiyyət vəsiqəsi AZE 12345678", "AZE 12345678", "id"),
    ("passport AA1234567 was taken", "AA1234567", "id"),
    ("паспорт № C 12345678", "C 12345678", "id"),
    ("FİN kod: 5ZK3P7R", "5ZK3P7R", "id"),
    ("onun FIN-i 64JHK2M idi", "64JHK2M", "id"),
    ("удостоверение номер 1234567", "1234567", "id"),
    # small villages (under the population threshold), with suffixes
    ("Lahıcda yaşayır", "Lahıcda", "place"),
    ("в Набрани у моря", "Набрани", "place"),
    ("she lives in Basqal", "Basqal", "place"),
    ("Qalaqayın kəndində", "Qalaqayın", "place"),
]

# Text that must pass untouched: dates, times, years, amounts, bus numbers, big places.
NOT_FOUND = [
    "on 2026-01-31 at 18:30, bus 125, 3 men",
    "on 31.01.2026 near house 12",
    "31/01/2026 и 01.02.26",
    "2019-2023 ildə işləyirdim",
    "с 1998 по 2004 год",
    "from 2015–2020 he harassed her",
    "he asked for 1 500 000 manat",
    "rüşvət 12.000.000 AZN idi",
    "a bribe of 2,500,000 dollars",
    "заплатила 1500000 манат",
    "300 AZN, then 5000 ₼",
    "it was 30°C and 18:45",
    "Bakıda, Nəsimi rayonunda",
    "Xaçmaz şəhərində, Sabirabad yolunda",
    "COVID19 vaxtı",
    "avtobus 65, marşrut 5, ev 12, mənzil 34",
    "between 10 and 15 people, aged 25-30",
    "she is 23 and he is 45",
    "01.01.2020-05.05.2020 arası",
    "at the event at school. Then he left",
    "xərc 1.234,50 man.",
    "iki-üç dəfə, bəlkə dörd-beş dəfə gəldi",
    "один или два раза, может три",
    "one, two, three of them; 2 or 3 times",
]


@pytest.mark.parametrize("text, identifier, kind", FOUND)
def test_identifier_is_found_and_masked(app, text, identifier, kind):
    with app.app_context():
        found = suggest(text)
        assert [(s.text, s.kind) for s in found] == [(identifier, kind)], found
        masked = redact(text)
    assert identifier not in masked
    assert found[0].replacement in masked


@pytest.mark.parametrize("text", NOT_FOUND)
def test_dates_years_amounts_and_big_places_are_left_alone(app, text):
    with app.app_context():
        assert suggest(text) == []
        assert redact(text) == text


def test_the_table_covers_every_kind_in_three_languages():
    kinds = {kind for _text, _id, kind in FOUND}
    assert kinds == {"phone", "email", "handle", "link", "location", "plate", "id", "place"}
    assert len(FOUND) >= 40


def test_several_identifiers_in_one_story_are_all_masked(app):
    story = ("Mənə @elvin_99 yazdı, nömrəsi +994 55 765 43 21, e-poçtu elvin at gmail dot com, "
             "maşını 10-AB-123, evi 40.4093, 49.8671 yaxınlığında, Lahıcda.")
    with app.app_context():
        masked = redact(story)
    for secret in ("elvin_99", "765 43 21", "gmail", "10-AB-123", "40.4093", "Lahıc"):
        assert secret not in masked
    assert masked.count("[") == 6


def test_village_threshold_is_a_setting(app):
    with app.app_context():
        assert [s.kind for s in suggest("İvanovkada")] == ["place"]  # 3,002 people
        app.config["SESIM_SMALL_PLACE_POPULATION"] = 1000
        assert suggest("İvanovkada") == []  # now above the threshold
        assert [s.kind for s in suggest("Nabranda")] == ["place"]  # 614 people


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        redact(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("unit", [
    "1", "1 ", "1-", "a.", "a at ", "a@", "@a.", "40.4093 ", "http://a", "x@", " ", "AA1",
    "10-AB-", "1°", "(", "a [at] b [dot] ", "+9", "insta: ", "Lahıc", "beş ", "пять, ", "1 one ",
])
def test_long_adversarial_stories_are_redacted_in_linear_time(app, unit):
    """Four times the text takes about four times as long (a backtracking pattern: sixteen)."""
    with app.app_context():
        redact(unit)  # the village pattern is built once
        small = _seconds(unit * (2_500 // len(unit)) + "@")
        large = _seconds(unit * (10_000 // len(unit)) + "@")
    assert large < 10 * small + 0.1, (small, large)
    assert large < 1.0
