"""One search for places, whatever script or spelling the reader types.

A place is found by its name in simplified or traditional Chinese or Japanese kanji
(扬州 = 揚州; 广岛 = 廣島 = 広島), in hangul (경주), in pinyin with or without spaces
and tones (Yangzhou, yang zhou, Yángzhōu), in Hepburn with or without macrons
(Kyōto, Kyoto, Kyouto), in Revised Romanization or an old spelling kept as an alias
(Taegu), with or without an administrative suffix (扬州市, 대구광역시, Nara-shi,
Oita Prefecture, 大分県), in full-width or half-width characters, in any case.

How: every name of a place is turned into *search keys* by one normalisation
(`search_key`) and stored, with every end of each key, in `CitySearchKey`
(indexed): "contains" is then "some end of a key starts with", which the index
answers without a scan. A query goes through the same normalisation,
so both sides meet in one form:

1. NFKC (full-width → half-width Latin, half-width → full-width kana), case folding;
2. Latin letters lose their accents and macrons (ō → o);
3. Han characters are brought to one form: Japanese shinjitai → traditional (jp2t,
   a data table from OpenCC, `cities/data/search/jp_variants.tsv`), then traditional
   → simplified (OpenCC t2s); hiragana → katakana;
4. one administrative suffix is stripped (市 区 県 道 시 군 구 도 광역시 특별자치도,
   -shi, -ken, Prefecture, Province, District, City …) when a name remains;
5. everything that is not a letter or a digit is dropped (spaces, hyphens,
   apostrophes, ・), and long Latin vowels are folded (ou, oo → o; uu → u), so
   "Kyouto", "Kyoto" and "Kyōto" all become "kyoto".

Keys also hold the pinyin reading (pypinyin) of a Chinese place's name, and the
kana reading of a Japanese place (奈良 → なら, kept as ナラ by step 3, and its Hepburn
spelling "nara"), stored on the place (`City.name_kana`): GeoNames' own kana, else an
analyser's reading kept only when the place's own Latin names confirm it
(`cities.readings.city_reading`, run when the gazetteer is refreshed, not here). Korean and Japanese
romanisations are never machine-made: they are data (the official romanisation and
the aliases of the place), and they decide which machine reading is kept.

Ranking: a place whose key equals the query comes first (the query as typed
before the query without its suffix), then one with a key starting with it, then
one containing it; among equals, the place with more ties.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, partial
from pathlib import Path

from django.db import connection
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Left
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

from .models import City, CitySearchKey, FriendshipLink
from .readings import SUFFIX_READINGS, city_reading, hiragana, kana_romaji

SEARCH_DATA_DIR = Path(__file__).resolve().parent / "data" / "search"

# A query longer than this is cut: no place name is longer, and it bounds the work.
MAX_QUERY_LENGTH = 100
# Latin queries shorter than this match whole keys and key beginnings only ("ko" should
# not list every place with "ko" somewhere in a name).
MIN_SUBSTRING_LENGTH = 3

# Suffixes, in the canonical (simplified) form step 3 produces, longest first.
_HAN_SUFFIXES = (
    "特别自治道",
    "特别自治市",
    "特别行政区",
    "特别市",
    "广域市",
    "自治区",
    "自治州",
    "自治县",
    "新区",
    "市",
    "区",
    "县",
    "省",
    "道",
    "郡",
    "町",
    "村",
    "都",
    "府",
)
_HANGUL_SUFFIXES = ("특별자치도", "특별자치시", "광역시", "특별시", "시", "군", "구", "도")
# Latin suffixes are words (or hyphenated endings) at the end of the name.
_LATIN_SUFFIXES = (
    "special self governing province",
    "special self governing city",
    "special administrative region",
    "metropolitan city",
    "special city",
    "new area",
    "prefecture",
    "province",
    "district",
    "county",
    "city",
    "municipality",
    "ward",
    "town",
    "village",
    "sar",
    "teukbyeoljachido",
    "teukbyeoljachisi",
    "gwangyeoksi",
    "teukbyeolsi",
    "sheng",
    "shi",
    "qu",
    "xian",
    "ken",
    "fu",
    "to",
    "ku",
    "cho",
    "machi",
    "mura",
    "gun",
    "gu",
    "si",
    "do",
)
_LATIN_SUFFIX_RE = re.compile(
    r"^(?P<name>.+?)[\s-]+(?:" + "|".join(re.escape(s) for s in _LATIN_SUFFIXES) + r")$"
)
_LONG_VOWELS = re.compile(r"ou|oo|uu|aa|ee|ii")
_SEPARATORS = re.compile(r"[^\w]+|_")


def _is_latin(char: str) -> bool:
    return char.isascii() or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\U00020000"


@cache
def _jp_to_traditional() -> dict[str, str]:
    """Japanese shinjitai → traditional (the OpenCC JPVariants table, read backwards)."""
    table: dict[str, str] = {}
    path = SEARCH_DATA_DIR / "jp_variants.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        traditional, japanese = line.split("\t")
        for form in japanese.split():
            # Several traditional characters can share one Japanese form (辨 辯 瓣 → 弁):
            # the table's first wins, as OpenCC's own jp2t does.
            table.setdefault(form, traditional)
    return table


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def canonical_han(text: str) -> str:
    """One form for Han text: shinjitai → traditional (jp2t) → simplified (t2s)."""
    if not any(_is_han(char) for char in text):
        return text
    table = _jp_to_traditional()
    traditional = "".join(table.get(char, char) for char in text)
    return _t2s().convert(traditional)


def _fold_latin(text: str) -> str:
    """Drop accents, macrons and tone marks from Latin letters only (never from kana)."""
    out = []
    for char in text:
        if _is_latin(char) and not char.isascii():
            base = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
            out.append(base.replace("ø", "o").replace("đ", "d"))
        else:
            out.append(char)
    return "".join(out)


def _katakana(text: str) -> str:
    return "".join(chr(ord(char) + 0x60) if "\u3041" <= char <= "\u3096" else char for char in text)


def _strip_suffix(text: str) -> str:
    """Remove one administrative suffix if a name of at least two characters remains."""
    match = _LATIN_SUFFIX_RE.match(text)
    if match and len(_SEPARATORS.sub("", match.group("name"))) >= 2:
        return match.group("name")
    for suffix in _HAN_SUFFIXES + _HANGUL_SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


def _compact(text: str) -> str:
    text = _SEPARATORS.sub("", text)
    if text.isascii():
        text = _LONG_VOWELS.sub(lambda match: match.group(0)[0], text)
    else:
        text = re.sub(
            r"[a-z]+", lambda match: _LONG_VOWELS.sub(lambda m: m.group(0)[0], match.group()), text
        )
    return text


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _fold_latin(text)
    text = canonical_han(_katakana(text))
    # Punctuation between words becomes one space: "Gwangju (Metropolitan City)".
    return " ".join(_SEPARATORS.sub(" ", text).split())


def search_key(text: str, *, strip_suffix: bool = True) -> str:
    """The normalised form of a name or a query ("" when nothing searchable is left)."""
    prepared = _prepare(text[: MAX_QUERY_LENGTH * 2])
    if strip_suffix:
        prepared = _strip_suffix(prepared)
    return _compact(prepared)[:MAX_QUERY_LENGTH]


def pinyin_key(text: str) -> str:
    """The toneless pinyin reading of a Chinese name, as one key ("扬州市" → "yangzhoshi")."""
    han = canonical_han(unicodedata.normalize("NFKC", text))
    if not any(_is_han(char) for char in han):
        return ""
    return _compact(" ".join(lazy_pinyin(han, style=Style.NORMAL, errors="ignore")))


# The fields a place's names live in (defined on the model); the search keys derive from them.
CITY_NAME_FIELDS = City.NAME_FIELDS


def city_key_set(city) -> set[str]:
    """Every search key of a place: each name with and without its suffix, pinyin readings."""
    names = [
        getattr(city, field) for field in CITY_NAME_FIELDS if field != "aliases"
    ] + city.alias_list
    keys = set()
    for name in filter(None, names):
        keys.add(search_key(name, strip_suffix=False))
        keys.add(search_key(name))
    if city.country == "CN":
        for name in (city.name_zh_hans, city.name_zh_hant):
            if name:
                keys.add(pinyin_key(name))
                keys.add(pinyin_key(_strip_suffix(canonical_han(name))))
    for reading in city_kana_readings(city):  # stored readings (Japanese places)
        keys.add(search_key(reading, strip_suffix=False))
        keys.add(search_key(kana_romaji(reading), strip_suffix=False))
    keys.discard("")
    return keys


def name_kana_readings(*, name_ja: str, latin_names: Iterable[str]) -> list[str]:
    """The analyser's hiragana readings of a kanji name that the Latin names confirm.

    Run by the gazetteer refresh (`gazetteer_extract`), never by the search keys. The rule
    is `cities.readings.city_reading`; the Latin names (English name, romanisation, Latin
    aliases) are folded as search keys, with and without their suffix.
    """
    return city_reading(name_ja, latin_name_keys(latin_names), fold=_fold_reading)


def latin_name_keys(latin_names: Iterable[str]) -> set[str]:
    """The search keys of the Latin names among `latin_names`, with and without suffix."""
    latin = [
        name for name in latin_names if name and all(_is_latin(c) or not c.isalpha() for c in name)
    ]
    return {search_key(name, strip_suffix=strip) for name in latin for strip in (True, False)}


_fold_reading = partial(search_key, strip_suffix=False)


def kana_confirmed(reading: str, latin_keys: set[str]) -> bool:
    """A hiragana reading, spelt in Hepburn and folded, is one of the Latin keys."""
    return _fold_reading(kana_romaji(reading)) in latin_keys


def city_kana_readings(city) -> list[str]:
    """The hiragana readings of a place the search keys hold: its stored `name_kana` (no
    analyser runs here), and the first reading with an ending (ならし, とうきょうと) where
    the place has a kanji name with that ending: an alias that is the Japanese name plus
    the ending (奈良 → 奈良市), or a name with an ending its Latin names spell (東京都,
    "Tōkyō-to": the stored reading may be of the gazetteer's shorter name)."""
    readings = [hiragana(reading) for reading in city.kana_list]
    if not readings:
        return []
    latin_keys = None
    for name in filter(None, [city.name_ja, *city.alias_list]):
        ending = name[len(city.name_ja) :] if city.name_ja and name != city.name_ja else ""
        alias_of_name = name.startswith(city.name_ja) and ending in SUFFIX_READINGS
        for suffix, ending_readings in SUFFIX_READINGS.items():
            if alias_of_name and suffix != ending:
                continue
            if not alias_of_name and not (name.endswith(suffix) and len(name) > len(suffix)):
                continue
            for ending_reading in ending_readings:
                candidate = readings[0] + ending_reading
                if not alias_of_name:
                    if latin_keys is None:
                        latin_keys = latin_name_keys(
                            [city.name_en, city.romanization, *city.alias_list]
                        )
                    if not kana_confirmed(candidate, latin_keys):
                        continue
                readings.append(candidate)
    return list(dict.fromkeys(readings))


def city_key_rows(city) -> dict[str, bool]:
    """Every key of a place, and every end of one, mapped to whether it is only an end.

    "yangzho" gives {"yangzho": False, "angzho": True, "ngzho": True, "gzho": True,
    "zho": True}: Latin ends shorter than `MIN_SUBSTRING_LENGTH` are left out, as
    such short queries only match whole keys and their beginnings.
    """
    whole = city_key_set(city)
    rows = dict.fromkeys(whole, False)
    for key in whole:
        for start in range(1, len(key)):
            end = key[start:]
            if end.isascii() and len(end) < MIN_SUBSTRING_LENGTH:
                break
            rows.setdefault(end, True)
    return rows


def _startswith(value: str) -> Q:
    """`key` starts with `value`, in the form the database's index can serve."""
    if connection.vendor == "postgresql":
        return Q(key__startswith=value)  # LIKE 'v%' on a varchar_pattern_ops index
    # SQLite's LIKE is case-insensitive and skips the index; a range over the keys does not.
    return Q(key__gte=value, key__lt=value + "\U0010ffff")


def _keys_of_place_starting_with(value: str) -> QuerySet:
    """The outer place's keys that start with `value`, for a correlated subquery answered by
    the (place, key) index alone.

    On PostgreSQL `key LIKE 'v%'` would let the planner pick the key index instead and filter
    its range by place for every place found: quadratic for a broad query ("Sawa": 500
    places × 600 keys, 0.5 s). A plain `key >= 'v'` (which the pattern-ops key index cannot
    serve) with an exact prefix test leaves it the (place, key) index: a few rows a place.
    """
    keys = CitySearchKey.objects.filter(city_id=OuterRef("pk"))
    if connection.vendor != "postgresql":
        return keys.filter(_startswith(value))
    return keys.annotate(prefix=Left("key", len(value))).filter(key__gte=value, prefix=value)


def _tie_count(side: str) -> Subquery:
    """The number of ties with the outer place on one side, as a correlated subquery.

    One subquery per side (rather than one with city_a OR city_b) so that each is an
    index lookup on every database: PostgreSQL may scan all ties for an OR.
    """
    ties = (
        FriendshipLink.objects.filter(**{side: OuterRef("pk")})
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    # COUNT without GROUP BY always gives one row (0 when there is no tie): no NULL.
    return Subquery(ties, output_field=IntegerField())


def _candidate_ids(key: str) -> QuerySet:
    """Ids of the places with a key containing `key` (starting with it, if it is short).

    Served from the key index: a key contains `key` when one of its ends starts with it.
    """
    matches = CitySearchKey.objects.filter(_startswith(key))
    if key.isascii() and len(key) < MIN_SUBSTRING_LENGTH:
        matches = matches.filter(is_suffix=False)
    return matches.values("city_id")


def city_match_ids(query: str) -> QuerySet:
    """The ids of the places `query` finds, unranked: a subquery for ties, events, filters."""
    key = search_key(query or "")
    if not key:
        return CitySearchKey.objects.none().values("city_id")
    return _candidate_ids(key)


def city_name_match(queryset: QuerySet, query: str) -> QuerySet:
    """The places of `queryset` that `query` finds, best first.

    Ranked by `search_rank`: 0 a key equals the query as typed (suffix kept), 1 a key
    equals the query without its suffix, 2 a key starts with it, 3 a key contains it;
    then the place with more ties (`search_tie_count`), then the English name. An
    empty or unsearchable query finds nothing. One SQL query: the match is a range
    of the key index, the ranking a correlated lookup on the (place, key) index.
    """
    key = search_key(query or "")
    if not key:
        return queryset.none()
    full_key = search_key(query, strip_suffix=False)
    # The best of the place's matching keys: one lookup on the (place, key) index.
    best = (
        _keys_of_place_starting_with(key)
        .order_by()
        .annotate(
            rank=Func(
                Case(
                    When(is_suffix=True, then=Value(3)),
                    When(key=full_key, then=Value(0)),
                    When(key=key, then=Value(1)),
                    default=Value(2),
                ),
                function="MIN",
            )
        )
        .values("rank")
    )
    return (
        queryset.filter(pk__in=_candidate_ids(key))
        .annotate(
            search_rank=Subquery(best, output_field=IntegerField()),
            search_tie_count=_tie_count("city_a") + _tie_count("city_b"),
        )
        .order_by("search_rank", "-search_tie_count", "name_en", "pk")
    )


def city_search(query: str, *, queryset: QuerySet | None = None) -> QuerySet:
    """`city_name_match` over all places (or `queryset`), with their parent place loaded."""
    base = queryset if queryset is not None else City.objects.all()
    return city_name_match(base.select_related("parent"), query)
