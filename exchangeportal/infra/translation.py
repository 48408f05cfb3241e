"""Translated content: one stored field per UI language, each marked as original or not.

A model declares `title_en`, `title_zh_hans`, `title_ja`, `title_ko` and a
`title = Translated("title")` attribute; reading `obj.title` gives a `ShownText`: the value
in the active language, or — where that is empty — the text in its original language
(a field marked original in the model's `text_origins`), else the English one, else any.
The `ShownText` knows which language it is in, so a template can mark a text that is not in
the reader's language (`{{ event.title|in_language }}`: `lang` attribute and a small
"Original: 日本語" label). This is the one mechanism for all translated content (names,
titles, summaries, descriptions, themes, notes).

`text_origins` (a JSON object on the model, see `TextOriginsField`) maps a stored field to
`original` (the text as its source published it) or `translation` (a translation the
portal's team made); a field it does not name was written by a curator.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CONTENT_LANGUAGE_SUFFIXES = tuple(code.replace("-", "_") for code, _name in settings.LANGUAGES)


def language_suffix(language_code: str | None = None) -> str:
    """`zh-hans` → `zh_hans`; an unknown or missing language → `en`."""
    code = (language_code or get_language() or "en").lower().replace("-", "_")
    if code in CONTENT_LANGUAGE_SUFFIXES:
        return code
    base = code.split("_")[0]
    return base if base in CONTENT_LANGUAGE_SUFFIXES else "en"


class TextOrigin(models.TextChoices):
    ORIGINAL = "original", _("original")
    TRANSLATION = "translation", _("translation by the portal")


def validate_text_origins(value) -> None:
    """A `text_origins` value: an object whose keys are stored translated fields
    (`<base>_<language>`) and whose values are "original" or "translation"."""
    if not isinstance(value, dict):
        raise ValidationError(_("Give an object: field name → “original” or “translation”."))
    errors = []
    for name, origin in value.items():
        if not (isinstance(name, str) and name.rpartition("_")[0] and _language_of(name)):
            errors.append(_("“%(name)s” is not a translated field.") % {"name": name})
        elif origin not in TextOrigin.values:
            message = _("“%(origin)s” is not an origin (original, translation).")
            errors.append(message % {"origin": origin})
    if errors:
        raise ValidationError(errors)


def _language_of(field_name: str) -> str:
    """The UI language suffix a stored field ends with ("" when none)."""
    return next(
        (suffix for suffix in CONTENT_LANGUAGE_SUFFIXES if field_name.endswith(f"_{suffix}")), ""
    )


def TextOriginsField():  # noqa: N802 — reads like a field class in a model body
    """`text_origins = TextOriginsField()`: {stored field: "original" | "translation"}."""
    return models.JSONField(
        _("origin of the texts"),
        default=dict,
        blank=True,
        validators=[validate_text_origins],
        help_text=_(
            "Which texts are originals and which are translations by the portal, e.g. "
            '{"title_ja": "original", "title_en": "translation"}. A text not named here was '
            "written by a curator."
        ),
    )


def text_origin(obj, field_name: str) -> str:
    """The origin of one stored field: "original", "translation" or "" (a curator's text).

    Read only when loaded: a queryset that defers `text_origins` (`.only(...)` without it)
    gets "" rather than a query per object — list it in `.only()` where origins matter.
    """
    return (vars(obj).get("text_origins") or {}).get(field_name, "")


class ShownText(str):
    """A text as shown to a reader: the `language` (a UI language code) it is written in,
    and whether it is in the reader's language (`is_fallback` when not)."""

    language: str
    is_fallback: bool
    origin: str

    def __new__(cls, text: str, *, language: str, is_fallback: bool, origin: str = ""):
        shown = super().__new__(cls, text)
        shown.language = language
        shown.is_fallback = is_fallback
        shown.origin = origin
        return shown

    def __reduce__(self):  # cached pages and querysets pickle it
        return (_shown_text, (str(self), self.language, self.is_fallback, self.origin))


def _shown_text(text, language, is_fallback, origin):
    return ShownText(text, language=language, is_fallback=is_fallback, origin=origin)


def _code(suffix: str) -> str:
    return suffix.replace("_", "-")


def shown_text(
    obj, base: str, language_code: str | None = None, *, original_language: str | None = None
) -> ShownText:
    """The text of `base` for a reader of `language_code` (default: the active language).

    Where that is empty: the text in its original language (the fields marked original in
    `text_origins`, or `original_language` when the object says which it was written in),
    else English, else any language given."""
    wanted = language_suffix(language_code)
    value = getattr(obj, f"{base}_{wanted}", "")
    if value:
        origin = text_origin(obj, f"{base}_{wanted}")
        return ShownText(value, language=_code(wanted), is_fallback=False, origin=origin)
    originals = [
        suffix
        for suffix in CONTENT_LANGUAGE_SUFFIXES
        if text_origin(obj, f"{base}_{suffix}") == TextOrigin.ORIGINAL
    ]
    if original_language:
        originals.insert(0, language_suffix(original_language))
    for suffix in [*originals, "en", *CONTENT_LANGUAGE_SUFFIXES]:
        value = getattr(obj, f"{base}_{suffix}", "")
        if value:
            origin = text_origin(obj, f"{base}_{suffix}")
            return ShownText(value, language=_code(suffix), is_fallback=True, origin=origin)
    return ShownText("", language=_code(wanted), is_fallback=False)


def translated_value(obj, base: str, language_code: str | None = None) -> str:
    return shown_text(obj, base, language_code)


def translated_field_names(base: str) -> list[str]:
    return [f"{base}_{suffix}" for suffix in CONTENT_LANGUAGE_SUFFIXES]


class Translated:
    """Descriptor: `obj.<base>` in the active language, else its original (`shown_text`).

    With `original` (the name of a field holding the language the text was written in, as a
    partner's proposal has), that language is the original one.

    On the class, `Model.<base>.field_names` lists the stored fields (one per UI language):
    admin search, serializers and selectors take their lists from it."""

    def __init__(self, base: str, *, original: str | None = None):
        self.base = base
        self.original = original
        self.field_names = tuple(translated_field_names(base))

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        original = getattr(obj, self.original) if self.original else None
        return shown_text(obj, self.base, original_language=original)


def translated_bases(model) -> tuple[str, ...]:
    """The model's translated texts (`"title"`, `"summary"` …), in the order they are declared."""
    bases: dict[str, None] = {}
    for klass in reversed(model.__mro__):
        for value in vars(klass).values():
            if isinstance(value, Translated):
                bases[value.base] = None
    return tuple(bases)
