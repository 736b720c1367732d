"""Languages: each app reads its own catalogues, including those of the plugins it enables."""

import pytest


def test_each_app_has_its_own_catalogues(make_app):
    without_map = make_app(SESIM_PLUGINS="")
    assert "Bildir" in without_map.test_client().get("/").get_data(as_text=True)  # fills the cache
    with_map = make_app(SESIM_PLUGINS="map")
    page = with_map.test_client().get("/").get_data(as_text=True)
    assert ">Xəritə<" in page  # the map plugin's own Azerbaijani catalogue


def test_language_choice_is_remembered_in_the_session(make_app):
    client = make_app().test_client()
    assert '<html lang="ru">' in client.get("/?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in client.get("/report").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/case").get_data(as_text=True)


def test_unknown_language_falls_back_to_the_browser_then_azerbaijani(make_app):
    app = make_app()
    assert '<html lang="az">' in app.test_client().get("/?lang=fr").get_data(as_text=True)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru-RU,ru;q=0.9"
    assert '<html lang="ru">' in client.get("/").get_data(as_text=True)


def _catalogues(language):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for folder in ("core", "plugins"):
        yield from (root / folder).glob(f"**/translations/{language}/LC_MESSAGES/messages.po")


@pytest.mark.parametrize("language", ["az", "ru"])
def test_catalogues_agree_on_every_shared_message(language):
    """All catalogues merge into one domain: a message translated two ways would show whichever
    catalogue loaded last (the nav's verb "Report" once became the admin's noun)."""
    from babel.messages.pofile import read_po

    seen: dict = {}
    conflicts = []
    for po in _catalogues(language):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                key = (message.context, str(message.id))
                first = seen.setdefault(key, (message.string, po))
                if first[0] != message.string:
                    conflicts.append(f"{key}: {first[1].parent.parent.parent} vs {po.parent.parent.parent}")
    assert not conflicts


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_catalogue_message_is_translated(language):
    from babel.messages.pofile import read_po

    missing = []
    for po in _catalogues(language):
        with po.open("rb") as fh:
            missing += [f"{po}: {m.id!r}" for m in read_po(fh) if m.id and not m.string]
    assert not missing


def _extracted() -> set:
    """Every message the code and templates ask to translate."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent.parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2)}
    found = set()
    for folder in ("core", "plugins", "themes"):
        for _name, _line, message, _comments, context in extract_from_dir(
            root / folder, method_map, keywords=keywords
        ):
            found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_message_in_the_code_is_translated(language):
    from babel.messages.pofile import read_po

    translated = set()
    for po in _catalogues(language):
        with po.open("rb") as fh:
            translated |= {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id)
                           for m in read_po(fh) if m.id and m.string}
    missing = sorted(str(m) for m in _extracted() - translated)
    assert not missing, f"{len(missing)} untranslated: {missing[:20]}"
