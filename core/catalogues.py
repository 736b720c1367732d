"""One workflow for every catalogue (``make translations``, i.e. ``python -m core.catalogues``).

Each folder with a ``translations/`` folder of its own owns one catalogue per language: the core
(with the themes), ``core/admin``, ``core/stats`` and every plugin. A catalogue holds exactly the
messages its folder's code and templates ask to translate (a sub-folder with its own catalogue
excluded), found with the keywords below, which tests/test_i18n.py uses too.

The update keeps translations, translators' comments and the order of what is there, appends new
messages at the end (the ``.po`` files merge with ``merge=union``; a message that another catalogue
already translates arrives with that translation), and drops messages no code uses. It writes no
line numbers and never touches the header, so on an up-to-date tree it changes nothing.
A third-party plugin keeps its catalogues the same way: ``python -m core.catalogues path/to/plugin``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("az", "ru")
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2)}
CATALOGUE = "{language}/LC_MESSAGES/messages.po"


@dataclass(frozen=True)
class Scope:
    """A catalogue folder and the source folders whose messages it holds."""

    folder: Path  # the package folder; its catalogues are in folder/translations
    extra: tuple[Path, ...] = ()  # more sources (the core's catalogue also serves the themes)

    @property
    def translations(self) -> Path:
        return self.folder / "translations"

    def po(self, language: str) -> Path:
        return self.translations / CATALOGUE.format(language=language)


def scopes(root: Path = ROOT) -> list[Scope]:
    """The checkout's catalogues: core (and themes), core/admin, core/stats, each plugin."""
    core = root / "core"
    found = [Scope(core, (root / "themes",))]
    found += [Scope(folder.parent) for folder in sorted(core.glob("*/translations"))]
    found += [Scope(plugin) for plugin in sorted((root / "plugins").iterdir())
              if (plugin / "__init__.py").is_file()]
    return found


def extract(scope: Scope) -> dict:
    """``(context, singular) -> msgid`` for every message the scope's sources use, in source order."""

    def own(path: str) -> bool:  # not __pycache__ or .hidden, nor a sub-folder with its own catalogue
        folder = Path(path)
        if folder.name.startswith((".", "_")):
            return False
        return folder == scope.folder or not (folder / "translations").is_dir()

    found: dict = {}
    for source in (scope.folder, *scope.extra):
        for _name, _line, message, _comments, context in extract_from_dir(
            source, METHOD_MAP, keywords=KEYWORDS, directory_filter=own
        ):
            singular = message[0] if isinstance(message, tuple) else message
            found.setdefault((context, singular), message)
    return found


def _key(message) -> tuple:
    return message.context, message.id[0] if isinstance(message.id, tuple) else message.id


def _read(po: Path) -> Catalog | None:
    if not po.is_file():
        return None
    with po.open("rb") as fh:
        return read_po(fh)


def known_translations(all_scopes) -> dict:
    """``(language, key) -> translation`` from every catalogue, to fill a message that moves."""
    known: dict = {}
    for scope in all_scopes:
        for language in LANGUAGES:
            for message in _read(scope.po(language)) or ():
                if message.id and message.string and not message.fuzzy:
                    known.setdefault((language, _key(message)), message.string)
    return known


def render(scope: Scope, language: str, wanted: dict, known: dict) -> str:
    """The catalogue's new text: its header as it is, kept messages in their order, new ones last."""
    po = scope.po(language)
    catalog = _read(po)
    if catalog is None:
        catalog = Catalog(locale=language, project="Sesim", copyright_holder="Sesim developers")
        header = _write(catalog, omit_header=False).split("\n\n")[0]
    else:
        header = po.read_text(encoding="utf-8").split("\n\n")[0]
    existing = {_key(m): m for m in catalog if m.id}
    for key in list(existing):
        catalog.delete(*reversed(key))
    for key in [*(k for k in existing if k in wanted), *(k for k in wanted if k not in existing)]:
        msgid, old = wanted[key], existing.get(key)
        plural = isinstance(msgid, tuple)
        string = old.string if old else known.get((language, key), "")
        if isinstance(string, tuple) != plural:  # the code switched between gettext and ngettext
            string = ""
        catalog.add(msgid, string or (("",) * catalog.num_plurals if plural else ""),
                    user_comments=old.user_comments if old else (),
                    flags=("fuzzy",) if old and old.fuzzy else (), context=key[0])
    body = _write(catalog, omit_header=True).strip("\n")
    return f"{header}\n\n{body}\n" if body else f"{header}\n"


def _write(catalog: Catalog, omit_header: bool) -> str:
    out = BytesIO()
    write_po(out, catalog, width=0, no_location=True, omit_header=omit_header, ignore_obsolete=True,
             include_previous=False)
    return out.getvalue().decode("utf-8")


def outdated(selected=None, all_scopes=None) -> dict[Path, str]:
    """``path -> new text`` for every catalogue that ``make translations`` would change."""
    all_scopes = all_scopes or scopes()
    known = known_translations(all_scopes)
    changes = {}
    for scope in selected or all_scopes:
        wanted = extract(scope)
        if not wanted and not scope.translations.is_dir():
            continue  # a plugin with nothing to translate needs no catalogue
        for language in LANGUAGES:
            po = scope.po(language)
            text = render(scope, language, wanted, known)
            if not po.is_file() or po.read_text(encoding="utf-8") != text:
                changes[po] = text
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.catalogues", description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        help="package folders to update (default: every catalogue of this checkout)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date")
    args = parser.parse_args(argv)
    selected = [Scope(folder.resolve()) for folder in args.folders] or None
    if selected is None and not (ROOT / "setup.py").is_file():
        parser.error("not a checkout of Sesim: name the plugin folders whose catalogues to update")
    changes = outdated(selected, scopes() + (selected or []))
    for po, text in sorted(changes.items()):
        print(f"{'out of date' if args.check else 'updated'}: {po}")
        if not args.check:
            po.parent.mkdir(parents=True, exist_ok=True)
            po.write_text(text, encoding="utf-8")
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
