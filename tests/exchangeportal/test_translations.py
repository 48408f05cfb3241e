"""The zh-hans, ja and ko catalogs: complete, reviewed, compiled, and up to date with the code.

The project has one catalog per language, in `locale/` (no app has a `locale/` folder of
its own, so makemessages puts every string there); a test checks that it stays one.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CATALOG_LANGUAGES = ["zh_Hans", "ja", "ko"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog_paths(root: Path = BASE_DIR) -> list[Path]:
    paths = []
    for language in CATALOG_LANGUAGES:
        for pattern in ("locale/{}/LC_MESSAGES/django.po", "*/locale/{}/LC_MESSAGES/django.po"):
            paths += sorted(root.glob(pattern.format(language)))
    return [path for path in paths if ".venv" not in path.parts]


CATALOGS = [str(path.relative_to(BASE_DIR)) for path in catalog_paths()]


def describe(entries) -> list[str]:
    return [f"{entry.msgid!r} ({', '.join(o[0] for o in entry.occurrences)})" for entry in entries]


def test_every_ui_language_but_english_has_the_project_catalog():
    languages = [code for code, _name in settings.LANGUAGES if code != "en"]

    assert [code.replace("-hans", "_Hans") for code in languages] == CATALOG_LANGUAGES
    assert [f"locale/{language}/LC_MESSAGES/django.po" for language in CATALOG_LANGUAGES] == [
        path for path in CATALOGS if path.startswith("locale/")
    ]


@pytest.mark.parametrize("path", CATALOGS)
def test_catalog_has_no_untranslated_entry(path):
    assert describe(polib.pofile(str(BASE_DIR / path)).untranslated_entries()) == []


@pytest.mark.parametrize("path", CATALOGS)
def test_catalog_has_no_fuzzy_entry(path):
    catalog = polib.pofile(str(BASE_DIR / path))

    assert describe(catalog.fuzzy_entries()) == []
    assert not catalog.metadata_is_fuzzy


@pytest.mark.parametrize("path", CATALOGS)
def test_compiled_catalog_matches_its_po_file(path):
    catalog = polib.pofile(str(BASE_DIR / path))
    compiled = polib.mofile(str(BASE_DIR / path).removesuffix(".po") + ".mo")

    def messages(entries):
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural): (
                entry.msgstr or tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
            )
            for entry in entries
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
        }

    assert messages(compiled) == messages(catalog.translated_entries())


@pytest.mark.parametrize("path", CATALOGS)
def test_catalog_keeps_the_placeholders_of_each_message(path):
    wrong = []
    for entry in polib.pofile(str(BASE_DIR / path)).translated_entries():
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        expected = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        wrong += [
            (entry.msgid, text)
            for text in translations
            if set(PLACEHOLDER.findall(text)) != expected
        ]
    assert wrong == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_catalogs_hold_every_translatable_string_of_the_code(tmp_path):
    """makemessages on a copy of the project adds nothing: `make messages` was run."""
    copy = tmp_path / "project"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "tests", "media", "staticfiles", "node_modules", "*.sqlite3"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-l", "ja", "-l", "ko"]
        + ["--no-obsolete", "--add-location=file", "--verbosity=0"],
        cwd=copy,
        check=True,
        env={**os.environ, "DJANGO_DEBUG": "1"},
    )

    missing = {}
    for fresh_path in catalog_paths(copy):
        path = fresh_path.relative_to(copy)
        known = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(BASE_DIR / path))}
        missing[str(path)] = sorted(
            entry.msgid
            for entry in polib.pofile(str(fresh_path))
            if (entry.msgctxt, entry.msgid) not in known
        )
    assert missing == dict.fromkeys(CATALOGS, [])


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_a_message_held_by_several_catalogs_reads_the_same_in_each(language):
    translations: dict[tuple, set[str]] = {}
    for path in catalog_paths():
        if path.parts[-3] != language:
            continue
        for entry in polib.pofile(str(path)).translated_entries():
            text = entry.msgstr or entry.msgstr_plural[0]
            translations.setdefault((entry.msgctxt, entry.msgid), set()).add(text)

    assert {key: texts for key, texts in translations.items() if len(texts) > 1} == {}
