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

    from core.catalogues import KEYWORDS, METHOD_MAP  # the keywords `make translations` uses

    root = Path(__file__).resolve().parent.parent
    found = set()
    for folder in ("core", "plugins", "themes"):
        for _name, _line, message, _comments, context in extract_from_dir(
            root / folder, METHOD_MAP, keywords=KEYWORDS
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


def test_catalogues_are_up_to_date():
    """`make translations` would change nothing: each catalogue holds every message its folder's
    code and templates use, and none that no code uses any more."""
    from core.catalogues import ROOT, outdated

    stale = sorted(str(po.relative_to(ROOT)) for po in outdated())
    assert not stale, f"run `make translations`, then translate what it added: {stale}"


def test_make_translations_appends_new_messages_and_drops_unused_ones(tmp_path):
    """A plugin's catalogue, updated as a third-party author would: kept entries stay in place with
    their comments, a message the core already translates arrives translated, a new one arrives
    empty at the end, an unused one goes; a second run changes nothing."""
    from core.catalogues import main

    plugin = tmp_path / "sesim_example"
    (plugin / "templates" / "example").mkdir(parents=True)
    (plugin / "__init__.py").write_text('from flask_babel import gettext as _\n\n'
                                        'LABELS = [_("Kept"), _("Report")]\n')
    (plugin / "templates" / "example" / "page.html").write_text('<p>{{ _("Brand new") }}</p>\n')
    po = plugin / "translations" / "az" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Language: az\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    po.write_text(f'{header}\n# said by the moderators\nmsgid "Kept"\nmsgstr "Saxlanıb"\n\n'
                  'msgid "Nobody says this any more"\nmsgstr "Heç kim"\n')

    written = po.read_text()
    assert main(["--check", str(plugin)]) == 1 and po.read_text() == written  # out of date, untouched
    assert main([str(plugin)]) == 0
    assert po.read_text() == (f'{header}\n# said by the moderators\nmsgid "Kept"\nmsgstr "Saxlanıb"\n\n'
                              'msgid "Report"\nmsgstr "Müraciət"\n\n'
                              'msgid "Brand new"\nmsgstr ""\n')
    ru = plugin / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
    assert 'msgid "Report"\nmsgstr "Обращение"' in ru.read_text()  # a new catalogue, filled where it can be
    before = {path: path.read_bytes() for path in (po, ru)}
    assert main(["--check", str(plugin)]) == 0
    assert main([str(plugin)]) == 0
    assert {path: path.read_bytes() for path in (po, ru)} == before
