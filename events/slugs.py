"""Event addresses: a romanised title plus the year, unique.

`romanise` is the one place where a title in Chinese, Japanese or Korean becomes Latin
letters: Hanyu Pinyin for Chinese (pypinyin), modified Hepburn for Japanese (cutlet, with
the UniDic-lite dictionary) and the Revised Romanization of Korean, with its sound changes
(koroman: 신라 → Silla). All three are permissively licensed (MIT); GPL romanisers
(pykakasi, korean-romanizer) are not used. Machine romanisation is good enough for an
address, not for a place's official spelling (that is data, see DOMAIN.md).
"""

import functools

import cutlet
import koroman
from django.utils.text import slugify
from pypinyin import lazy_pinyin

from exchangeportal.infra.translation import language_suffix

MAX_BASE_LENGTH = 80


@functools.cache
def _japanese() -> cutlet.Cutlet:
    # Loading the dictionary takes a moment: once per process.
    return cutlet.Cutlet(system="hepburn")


def romanise(text: str, *, language: str) -> str:
    """`text` in Latin letters, read as `language` (en, zh-hans, ja, ko); English and
    Latin text come back as they are."""
    suffix = language_suffix(language)
    if suffix == "zh_hans":
        return " ".join(lazy_pinyin(text))
    if suffix == "ja":
        return _japanese().romaji(text)
    if suffix == "ko":
        return koroman.romanize(text)
    return text


def romanised_title(text: str, *, language: str) -> str:
    """The romanised text as a title: each Chinese or Korean word capitalised ("Yang Zhou Yun
    He Lun Tan"); Japanese as the romaniser writes it (names capitalised: "Nara no matsuri")."""
    romanised = romanise(text, language=language)
    if language_suffix(language) in ("zh_hans", "ko"):
        return " ".join(word[:1].upper() + word[1:] for word in romanised.split())
    return romanised


def slug_base(title: str, *, language: str) -> str:
    """The romanised title as an address part, at most MAX_BASE_LENGTH characters, cut at a
    word; empty when nothing readable is left."""
    base = slugify(romanise(title, language=language))
    if len(base) > MAX_BASE_LENGTH:
        base = base[:MAX_BASE_LENGTH].rsplit("-", 1)[0]
    return base


def event_slug(*, title: str, language: str, year: int, taken) -> str:
    """`<romanised title>-<year>` (the year not repeated when the title ends with it), with
    -2, -3 … added while `taken(slug)` says it is in use. Never the year alone: a title with
    nothing to romanise gives `event-<year>`."""
    base = slug_base(title, language=language) or "event"
    year_text = str(year)
    slug = base if base.endswith(f"-{year_text}") else f"{base}-{year_text}"
    candidate, number = slug, 1
    while taken(candidate):
        number += 1
        candidate = f"{slug}-{number}"
    return candidate
