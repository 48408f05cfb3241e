"""Translated content: one stored field per UI language, read with English fallback.

A model declares `title_en`, `title_zh_hans`, `title_ja`, `title_ko` and a
`title = Translated("title")` attribute; reading `obj.title` gives the value in
the active language, or the English one where that is empty. This is the one
mechanism for all translated content (names, titles, summaries, descriptions,
themes).
"""

from django.conf import settings
from django.utils.translation import get_language

CONTENT_LANGUAGE_SUFFIXES = tuple(code.replace("-", "_") for code, _name in settings.LANGUAGES)


def language_suffix(language_code: str | None = None) -> str:
    """`zh-hans` → `zh_hans`; an unknown or missing language → `en`."""
    code = (language_code or get_language() or "en").lower().replace("-", "_")
    if code in CONTENT_LANGUAGE_SUFFIXES:
        return code
    base = code.split("_")[0]
    return base if base in CONTENT_LANGUAGE_SUFFIXES else "en"


def translated_value(obj, base: str, language_code: str | None = None) -> str:
    value = getattr(obj, f"{base}_{language_suffix(language_code)}", "")
    return value or getattr(obj, f"{base}_en", "")


def translated_field_names(base: str) -> list[str]:
    return [f"{base}_{suffix}" for suffix in CONTENT_LANGUAGE_SUFFIXES]


class Translated:
    """Descriptor: `obj.<base>` in the active language, falling back to English.

    With `original` (the name of a field holding the language the text was written in, as a
    partner's proposal has), the fallback is that language first, then English, then any
    language given.

    On the class, `Model.<base>.field_names` lists the stored fields (one per UI language):
    admin search, serializers and selectors take their lists from it."""

    def __init__(self, base: str, *, original: str | None = None):
        self.base = base
        self.original = original
        self.field_names = tuple(translated_field_names(base))

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        if self.original is None:
            return translated_value(obj, self.base)
        active = getattr(obj, f"{self.base}_{language_suffix()}", "")
        original = getattr(obj, f"{self.base}_{language_suffix(getattr(obj, self.original))}", "")
        return (
            active
            or original
            or next((getattr(obj, name) for name in self.field_names if getattr(obj, name)), "")
        )
