"""The zh-hans, ja and ko catalogs: complete, reviewed, compiled, and up to date with the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOG_LANGUAGES = ["zh_Hans", "ja", "ko"]


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def describe(entries) -> list[str]:
    return [f"{entry.msgid!r} ({', '.join(o[0] for o in entry.occurrences)})" for entry in entries]


def test_every_ui_language_but_english_has_a_catalog():
    languages = [code for code, _name in settings.LANGUAGES if code != "en"]

    assert [code.replace("-hans", "_Hans") for code in languages] == CATALOG_LANGUAGES


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_has_no_untranslated_entry(language):
    assert describe(catalog(language).untranslated_entries()) == []


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_has_no_fuzzy_entry(language):
    po = catalog(language)

    assert describe(po.fuzzy_entries()) == []
    assert po.metadata_is_fuzzy is False or po.metadata_is_fuzzy == []


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_compiled_catalog_matches_its_po_file(language):
    po = catalog(language)
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))

    def messages(entries):
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural): (
                entry.msgstr or tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
            )
            for entry in entries
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
        }

    assert messages(mo) == messages(po.translated_entries())


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_keeps_the_placeholders_of_each_message(language):
    placeholder = re.compile(r"%\((\w+)\)[sd]|\{\w+\}")
    wrong = []
    for entry in catalog(language).translated_entries():
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        expected = sorted(placeholder.findall(entry.msgid_plural or entry.msgid))
        for text in translations:
            found = sorted(placeholder.findall(text))
            if set(found) != set(expected) and not (entry.msgid_plural and not found):
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_catalogs_hold_every_translatable_string_of_the_code(tmp_path):
    """makemessages on a copy of the project adds nothing: `make messages` was run."""
    project = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        project,
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
    for language in CATALOG_LANGUAGES:
        known = {(entry.msgctxt, entry.msgid) for entry in catalog(language)}
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        missing[language] = sorted(
            entry.msgid for entry in fresh if (entry.msgctxt, entry.msgid) not in known
        )
    assert missing == {language: [] for language in CATALOG_LANGUAGES}
