"""Import and export lists of ties (CSV, the columns of `cities/data/friendship_links.csv`).

`ties_import` is the one service behind `manage.py import_links` and the admin's
"Import ties" page. It reads the whole file first and plans every row — which
place each name means (or which place it would create), whether the tie is new,
changed or unchanged — and writes only when no row is invalid (or when asked to
skip invalid rows), in one transaction, with bulk queries: 100,000 rows take
seconds, not minutes.

`ties_export` writes the same format; exporting and importing into an empty
database gives the same ties.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from exchangeportal.infra.cache import data_version_bump

from .bulk import ids_after, insert_rows, last_id, statistics_refresh
from .csvdata import (
    LoadReport,
    MissingColumnsError,
    country_from_name,
    csv_rows,
    date_basis_from_note,
    source_values,
)
from .dates import DatePrecision, parse_partial_date, partial_date_iso
from .gazetteer import GazetteerIndex, GazetteerPlace, gazetteer_city_values, gazetteer_index
from .models import (
    AdminLevel,
    City,
    CitySearchKey,
    ConflictField,
    DateBasis,
    FriendshipLink,
    HistoryAction,
    HistoryEntry,
    HistoryVia,
    LinkMilestone,
    Source,
    TieConflict,
    TieKind,
    TieNote,
)
from .reconcile import Reconciliation, TieFacts, tie_reconcile
from .services import city_search_keys_rebuild, tie_history_changes

TIE_COLUMNS = [
    "city_a",
    "country_a",
    "city_b",
    "country_b",
    "kind",
    "established",
    "source",
    "note",
]
# Optional columns: each side's own word for the tie, the basis of the date, a public note.
# A file without them imports as before; the export writes them all.
OPTIONAL_COLUMNS = [
    "date_basis",
    "label_a",
    "label_b",
    "public_note",
    "native_a",
    "native_b",
    "verified",
    "geonames_a",
    "geonames_b",
]
_BOOLEAN_CELLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
EXPORT_COLUMNS = [*TIE_COLUMNS, *OPTIONAL_COLUMNS]
REQUIRED_CELLS = ["city_a", "country_a", "city_b", "country_b", "kind"]
SOURCE_SEPARATOR = " | "
UNCERTAIN = "UNCERTAIN"
BATCH_SIZE = 2000
# From this many rows on, the import has the database re-measure the tables it wrote.
STATISTICS_AFTER_ROWS = 1000
TIE_KINDS = frozenset(TieKind.values)

# What a name's last word says about the place: "Nagasaki Prefecture" is a
# prefecture, not the city of Nagasaki. Longest first.
LEVEL_SUFFIXES = [
    (" special self-governing province", AdminLevel.PROVINCE),
    (" special administrative region", AdminLevel.SAR),
    (" metropolitan city", AdminLevel.METROPOLITAN_CITY),
    (" special city", AdminLevel.SPECIAL_CITY),
    (" prefecture", AdminLevel.PREFECTURE),
    (" province", AdminLevel.PROVINCE),
    (" district", AdminLevel.DISTRICT),
    (" county", AdminLevel.COUNTY),
    (" city", AdminLevel.MUNICIPALITY),
    (" sar", AdminLevel.SAR),
    ("-gu", AdminLevel.DISTRICT),
    ("-gun", AdminLevel.COUNTY),
    ("-si", AdminLevel.MUNICIPALITY),
    ("-do", AdminLevel.PROVINCE),
    ("특별자치도", AdminLevel.PROVINCE),
    ("광역시", AdminLevel.METROPOLITAN_CITY),
    ("特别行政区", AdminLevel.SAR),
    ("特別行政區", AdminLevel.SAR),
    ("省", AdminLevel.PROVINCE),
    ("県", AdminLevel.PREFECTURE),
    ("市", AdminLevel.MUNICIPALITY),
    ("区", AdminLevel.DISTRICT),
    ("區", AdminLevel.DISTRICT),
    ("县", AdminLevel.COUNTY),
    ("縣", AdminLevel.COUNTY),
    ("郡", AdminLevel.COUNTY),
    ("시", AdminLevel.MUNICIPALITY),
    ("구", AdminLevel.DISTRICT),
    ("군", AdminLevel.COUNTY),
]
_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*\((?P<qualifier>[^()]+)\)$")
# "Tokyo – Arakawa": the part after the dash is a part of the place before it.
_DASHED = re.compile(r"^(?P<qualifier>[^–—]+?)\s+[–—-]\s+(?P<base>.+)$")
# "Suzhou, Jiangsu", "Izumi, Kagoshima": the place, then where it is.
_COMMA = re.compile(r"^(?P<base>[^,]+?),\s*(?P<qualifier>[^,]+)$")
# A name fitting several places means the one that has at least this many times the
# people of any other (Changsha of Hunan, not the three villages): said in the report.
PROMINENCE_RATIO = 10


def split_qualifier(text: str) -> tuple[str, str]:
    """ "Arakawa (Tokyo)", "Tokyo – Arakawa", "Arakawa, Tokyo" → ("Arakawa", "Tokyo")."""
    for pattern in (_QUALIFIED, _DASHED, _COMMA):
        match = pattern.match(text.strip())
        if match:
            return match.group("base").strip(), match.group("qualifier").strip()
    return text.strip(), ""


def normalise(text: str) -> str:
    """The form names are compared in: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


_LEVEL_SUFFIX = re.compile(
    "(?:" + "|".join(re.escape(suffix) for suffix, _level in LEVEL_SUFFIXES) + ")$", re.IGNORECASE
)
_LEVEL_OF_SUFFIX = {suffix: str(level) for suffix, level in LEVEL_SUFFIXES}


def split_level(name: str) -> tuple[str, str | None]:
    """ "Nagasaki Prefecture" → ("Nagasaki", "prefecture"); "Nara" → ("Nara", None)."""
    match = _LEVEL_SUFFIX.search(name)
    if match is None or match.start() == 0:
        return name, None
    return name[: match.start()].strip(), _LEVEL_OF_SUFFIX[match.group().lower()]


@dataclass
class NewPlace:
    """A place the import creates: from the gazetteer, or unresolved for a curator."""

    key: int  # a negative stand-in for the id until it is saved
    name_en: str
    country: str
    admin_level: str
    parent_id: int | None  # a stored place's id, or another new place's (negative) key
    parent_name: str
    aliases: list[str]
    line: int
    gazetteer: GazetteerPlace | None = None
    used: bool = False

    @property
    def unresolved(self) -> bool:
        return self.gazetteer is None


class PlaceResolver:
    """Every stored name and alias of every place, by country, to match the names of a file.

    A name is resolved, in this order, to a stored place (any name, any script, with a
    qualifier such as "Arakawa (Tokyo)" or "Tokyo – Arakawa"), then to a place of the
    gazetteer (created with its names, coordinates and province), and only then to a new
    unresolved place that a curator is asked to check.
    """

    NAME_FIELDS = [name for name in City.NAME_FIELDS if name != "aliases"]

    def __init__(self, gazetteer: GazetteerIndex | Callable[[], GazetteerIndex] | None = None):
        self.by_name: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.by_stem: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.by_geonames: dict[int, int] = {}
        self.level: dict[int, str] = {}
        self.parent: dict[int, int | None] = {}
        self.name_en: dict[int, str] = {}
        self.population: dict[int, int] = {}
        self.choices: list[RowChoice] = []  # names that fit several places, and what was taken
        self.new_places: dict[tuple[str, str], NewPlace] = {}
        self.new_by_key: dict[int, NewPlace] = {}
        self._gazetteer = gazetteer
        fields = ["id", "country", "admin_level", "parent_id", "geonames_id", "population"]
        rows = City.objects.order_by().values_list(*fields, *self.NAME_FIELDS, "aliases")
        for pk, country, level, parent_id, geonames_id, people, *names in rows.iterator(
            chunk_size=5000
        ):
            self._add(pk, country, level, parent_id, *names)
            self.population[pk] = people or 0
            if geonames_id:
                self.by_geonames[geonames_id] = pk

    @property
    def gazetteer(self) -> GazetteerIndex:
        """Built on the first name no stored place answers to (most imports never need it)."""
        if self._gazetteer is None:
            self._gazetteer = gazetteer_index()
        elif callable(self._gazetteer):
            self._gazetteer = self._gazetteer()
        return self._gazetteer

    def _add(self, pk, country, level, parent_id, *names_and_aliases) -> None:
        *names, aliases = names_and_aliases
        self.level[pk], self.parent[pk], self.name_en[pk] = level, parent_id, names[0]
        for name in [*names, *aliases.splitlines()]:
            if name.strip():
                self.by_name[(country, normalise(name))].add(pk)
                stem, level = split_level(name)
                if level:
                    self.by_stem[(country, normalise(stem))].add(pk)

    def _describe(self, ids: Iterable[int]) -> str:
        return ", ".join(sorted(self.name_en[pk] for pk in ids))

    def _choose(self, text: str, options: dict[int, tuple[str, int]]) -> int | None:
        """Of several places {key: (English name, people)} a name fits, the one it means.

        The one whose own English name it is ("Fukuoka": the city, not Fukuoka Prefecture,
        which answers to the name too); else the one PROMINENCE_RATIO times as populous as
        any other, noted in `choices`; else None (the caller reports the ambiguity).
        """
        wanted = normalise(split_qualifier(text)[0])
        exact = [key for key, (name, _people) in options.items() if normalise(name) == wanted]
        if len(exact) == 1:
            return exact[0]
        ranked = sorted(options.items(), key=lambda item: -item[1][1])
        (best, (name, people)), (_other, (_name, runner_up)) = ranked[0], ranked[1]
        if people and people >= PROMINENCE_RATIO * runner_up:
            self.choices.append(
                RowChoice(
                    text,
                    f"'{text}' fits {len(options)} places; taken for {name} "
                    f"({people:,} people), the largest by far",
                )
            )
            return best
        return None

    def _stored_options(self, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
        return {pk: (self.name_en[pk], self.population.get(pk, 0)) for pk in ids}

    def find(self, text: str, country: str) -> int | None:
        """The stored place a name means, without creating any; ValueError when ambiguous."""
        ids = self.by_name.get((country, normalise(text)), set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1 and (chosen := self._choose(text, self._stored_options(ids))):
            return chosen
        if len(ids) > 1:
            raise ValueError(
                f"'{text}' in {country} could be any of {len(ids)} places "
                f"({self._describe(ids)}): add the place it belongs to, e.g. 'Name (Parent)'"
            )
        base, qualifier = split_qualifier(text)
        stem, level = split_level(base)
        candidates = self.by_name.get((country, normalise(base)), set()) | (
            {
                pk
                for pk in self.by_name.get((country, normalise(stem)), set())
                if self.level[pk] == level
            }
            if level
            else set()
        )
        if qualifier:
            parents = self.parents_named(qualifier, country)
            # "Jinzhou (Dalian)": a part of Dalian, or a place of Dalian's province.
            areas = parents | {self.parent[pk] for pk in parents if self.parent.get(pk)}
            candidates = {pk for pk in candidates if self.parent[pk] in areas}
        elif not level:
            return None
        if len(candidates) > 1:
            chosen = self._choose(text, self._stored_options(candidates))
            if chosen:
                return chosen
            raise ValueError(
                f"'{text}' in {country} could be any of {len(candidates)} places "
                f"({self._describe(candidates)})"
            )
        return next(iter(candidates)) if candidates else None

    def parents_named(self, text: str, country: str) -> set[int]:
        key = (country, normalise(text))
        return {pk for pk in self.by_name.get(key, set()) | self.by_stem.get(key, set()) if pk > 0}

    def _gazetteer_candidates(self, base: str, qualifier: str, country: str):
        stem, level = split_level(base)
        names = [base] if not level else [base, stem]
        found: dict[int, GazetteerPlace] = {}
        for name in names:
            for place in self.gazetteer.candidates(name, country, parent_name=qualifier or None):
                found[place.geonames_id] = place
        if not found and qualifier:
            # The qualifier may be a city ("Arakawa (Tokyo)", "Jinzhou (Dalian)"): look
            # within its province.
            for pk in self.parents_named(qualifier, country):
                province = self.parent.get(pk)
                if not province:
                    continue  # a province-level qualifier: searched above already
                for name in names:
                    for place in self.gazetteer.candidates(
                        name, country, parent_name=self.name_en[province]
                    ):
                        found[place.geonames_id] = place
        places = list(found.values())
        if level:
            # "Zhongshan District (Dalian)" is a district: never the town Zhongshan nearby.
            places = [place for place in places if place.admin_level == level]
        return places

    def _gazetteer_parent_name(self, place: GazetteerPlace) -> str:
        parent = self.gazetteer.by_id.get(place.parent_geonames_id)
        return parent.name_en if parent else place.admin_level

    def _new(self, text: str, country: str, line: int, **values) -> int:
        place = NewPlace(key=-(len(self.new_by_key) + 1), country=country, line=line, **values)
        self.new_places[(country, normalise(text))] = place
        self.new_by_key[place.key] = place
        self.level[place.key], self.parent[place.key] = place.admin_level, place.parent_id
        self.name_en[place.key] = place.name_en
        self.by_name[(country, normalise(text))].add(place.key)
        self.by_name[(country, normalise(place.name_en))].add(place.key)
        return place.key

    def _from_gazetteer(self, place: GazetteerPlace, line: int, parent_id: int | None) -> int:
        """The id of the stored place with this GeoNames id, else a new place's key."""
        if place.geonames_id in self.by_geonames:
            return self.by_geonames[place.geonames_id]
        if parent_id is None and place.parent_geonames_id:
            province = self.gazetteer.by_id.get(place.parent_geonames_id)
            if province is not None:
                parent_id = self._from_gazetteer(province, line, None)
        key = self._new(
            place.name_en,
            place.country,
            line,
            name_en=place.name_en,
            admin_level=place.admin_level,
            parent_id=parent_id,
            parent_name=self.name_en.get(parent_id, "") if parent_id else "",
            aliases=[],
            gazetteer=place,
        )
        self.by_geonames[place.geonames_id] = key
        return key

    def by_geonames_id(self, geonames_id: int, line: int) -> int | None:
        """The stored place with this GeoNames id, else the gazetteer's (to create)."""
        if geonames_id in self.by_geonames:
            return self.by_geonames[geonames_id]
        place = self.gazetteer.by_id.get(geonames_id)
        return self._from_gazetteer(place, line, None) if place is not None else None

    def resolve(self, text: str, country: str, line: int, *, native: str = "") -> int:
        """The id of the place a name means; a negative key for a place to create.

        `native` (the place's name in its own script, e.g. 深圳市) tells apart places
        that share the name (Shenzhen 深圳 and Shenzhen 深镇). Raises ValueError when
        the name fits several stored or gazetteer places.
        """
        try:
            return self._resolve(text, country, line)
        except ValueError:
            if not native or native == text:
                raise
            qualifier = split_qualifier(text)[1]
            return self._resolve(f"{native} ({qualifier})" if qualifier else native, country, line)

    def _resolve(self, text: str, country: str, line: int) -> int:
        found = self.find(text, country)
        if found is not None:
            return found
        base, qualifier = split_qualifier(text)
        candidates = self._gazetteer_candidates(base, qualifier, country)
        if len(candidates) > 1:
            options = {
                place.geonames_id: (place.name_en, place.population or 0) for place in candidates
            }
            chosen = self._choose(text, options)
            if chosen:
                candidates = [self.gazetteer.by_id[chosen]]
        if len(candidates) > 1:
            listed = "; ".join(
                f"{place.name_en} ({self._gazetteer_parent_name(place)}, "
                f"GeoNames {place.geonames_id})"
                for place in candidates[:6]
            )
            raise ValueError(
                f"'{text}' in {country} could be any of {len(candidates)} gazetteer places "
                f"({listed}): add the place it belongs to, e.g. 'Name (Province)'"
            )
        parent_id = None
        if qualifier:
            parents = self.parents_named(qualifier, country)
            parent_id = next(iter(parents)) if len(parents) == 1 else None
        if candidates:
            # A ward or district named with its city keeps that city as its parent.
            keep = parent_id if parent_id and self.level.get(parent_id) in _CITY_LEVELS else None
            key = self._from_gazetteer(candidates[0], line, keep)
            self.by_name[(country, normalise(text))].add(key)
            if key < 0:
                self.new_by_key[key].aliases = [text] if text != base else []
            return key
        return self._new(
            text,
            country,
            line,
            name_en=base,
            admin_level=str(split_level(base)[1] or AdminLevel.MUNICIPALITY),
            parent_id=parent_id,
            parent_name=self.name_en[parent_id] if parent_id else "",
            aliases=[text] if text != base else [],
        )

    def export_name(self, city: City) -> str:
        """A name of `city` that an import resolves back to it (qualified when needed)."""
        candidates = [city.name_en]
        if city.parent is not None:
            candidates.append(f"{city.name_en} ({city.parent.name_en})")
        candidates += city.alias_list
        candidates += [getattr(city, name) for name in self.NAME_FIELDS[1:]]
        for name in candidates:
            try:
                if name and self.find(name, city.country) == city.pk:
                    return name
            except ValueError:
                continue
        return city.name_en


_CITY_LEVELS = {
    AdminLevel.MUNICIPALITY,
    AdminLevel.METROPOLITAN_CITY,
    AdminLevel.SPECIAL_CITY,
    AdminLevel.PREFECTURE,  # Tokyo is a prefecture: its wards belong to it
}


class DuplicateTieError(ValueError):
    def __init__(self, line: int):
        self.line = line
        super().__init__(f"the same tie as line {line}")


@dataclass
class RowChoice:
    """A name that fit several places, and the one the import took (said in the report)."""

    name: str
    reason: str


@dataclass
class RowError:
    line: int
    reason: str
    duplicate_of: int | None = None  # the line of the same tie earlier in the file

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class PlannedTie:
    line: int
    a: int
    b: int
    existing: int | None
    incoming: TieFacts
    sources: list[tuple[str, str]]
    values: dict = field(default_factory=dict)
    outcome: str = "created"
    reconciliation: Reconciliation | None = None
    all_sources: list[tuple[str, str]] = field(default_factory=list)  # before known ones go


@dataclass
class ConflictLine:
    """One disagreement of a file's line with a curated tie, with both values and sources."""

    line: int
    tie_id: int
    tie: str
    field: str
    current: str
    incoming: str
    current_sources: list[str]
    incoming_sources: list[str]

    @property
    def field_label(self) -> str:
        return str(ConflictField(self.field).label)


@dataclass
class TieImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: LoadReport = field(default_factory=LoadReport)
    created_places: list[NewPlace] = field(default_factory=list)
    conflicts: list[ConflictLine] = field(default_factory=list)
    kept_notes: int = 0
    milestones: int = 0
    choices: list[RowChoice] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False
    # The resolver, for the next import of a series, while it still matches the database.
    resolver: PlaceResolver | None = None
    lines_by_outcome: dict[str, list[int]] = field(
        default_factory=lambda: {"created": [], "updated": [], "unchanged": [], "conflicts": []}
    )

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, dict[str, int]]:
        return self.outcomes.counts()

    @property
    def summary(self) -> dict[str, int]:
        """Ties created / updated / unchanged, lines with a conflict, places created."""
        return {
            "created": len(self.lines_by_outcome["created"]),
            "updated": len(self.lines_by_outcome["updated"]),
            "unchanged": len(self.lines_by_outcome["unchanged"]),
            "conflicts": len(self.lines_by_outcome["conflicts"]),
            "places_from_gazetteer": sum(1 for p in self.created_places if not p.unresolved),
            "unresolved_places": sum(1 for p in self.created_places if p.unresolved),
        }

    @property
    def unresolved_places(self) -> list[NewPlace]:
        return [place for place in self.created_places if place.unresolved]


class _Planner:
    def __init__(self, report: TieImportReport, places: PlaceResolver):
        self.report = report
        self.places = places
        self.seen_pairs: dict[tuple[int, int], int] = {}
        self.planned: list[PlannedTie] = []
        self.source_keys: dict[str, tuple[str, str]] = {}

    def source_key(self, citation: str) -> tuple[str, str]:
        key = self.source_keys.get(citation)
        if key is None:
            values = source_values(citation)
            key = self.source_keys[citation] = (values["url"], values["title"])
        return key

    def _place(self, row: dict, side: str, country: str, line: int) -> int:
        """A side's place: by its GeoNames id when the row gives one, else by its name."""
        cell = (row.get(f"geonames_{side}") or "").strip()
        if cell:
            if not cell.isdigit():
                raise ValueError(f"'{cell}' is not a GeoNames id (column geonames_{side})")
            found = self.places.by_geonames_id(int(cell), line)
            if found is not None:
                return found
        name, native = row[f"city_{side}"], row.get(f"native_{side}") or ""
        return self.places.resolve(name, country, line, native=native)

    @staticmethod
    def _verified(cell: str, note: str) -> bool:
        """The `verified` column when given, else: a note starting with UNCERTAIN is not."""
        if not cell:
            return not note.startswith(UNCERTAIN)
        try:
            return _BOOLEAN_CELLS[cell.lower()]
        except KeyError:
            raise ValueError(f"'{cell}' is not true or false (column verified)") from None

    def plan_row(self, line: int, row: dict[str, str | None]) -> PlannedTie:
        missing = [name for name in TIE_COLUMNS if row.get(name) is None]
        if missing:
            raise ValueError(f"missing column(s): {', '.join(missing)}")
        empty = [name for name in REQUIRED_CELLS if not row[name]]
        if empty:
            raise ValueError(f"empty cell(s): {', '.join(empty)}")
        country_a = country_from_name(row["country_a"])
        country_b = country_from_name(row["country_b"])
        kind = row["kind"].lower().replace(" ", "_").replace("-", "_")
        if kind not in TIE_KINDS:
            raise ValueError(
                f"unknown kind '{row['kind']}' (use one of {', '.join(TieKind.values)})"
            )
        established, precision = None, DatePrecision.YEAR
        if row["established"]:
            established, precision = parse_partial_date(row["established"])
        note = row["note"] or ""
        basis = (row.get("date_basis") or "").lower() or date_basis_from_note(note)
        if basis not in DateBasis.values:
            raise ValueError(
                f"unknown date basis '{basis}' (use one of {', '.join(DateBasis.values)})"
            )
        a = self._place(row, "a", country_a, line)
        b = self._place(row, "b", country_b, line)
        if a == b:
            raise ValueError(f"'{row['city_a']}' and '{row['city_b']}' are the same place")
        pair = (min(a, b), max(a, b))
        if pair in self.seen_pairs:
            raise DuplicateTieError(self.seen_pairs[pair])
        self.seen_pairs[pair] = line
        incoming = TieFacts(
            kind=kind,
            established_on=established,
            established_precision=str(precision),
            date_basis=str(basis),
            label_a=row.get("label_a") or "",
            label_b=row.get("label_b") or "",
            verified=self._verified(row.get("verified") or "", note),
            note=note,
            public_note_en=row.get("public_note") or "",
        )
        sources = []
        for citation in (row["source"] or "").split(SOURCE_SEPARATOR.strip()):
            if citation.strip():
                sources.append(self.source_key(citation))
        sources = list(dict.fromkeys(sources))
        return PlannedTie(line, a, b, None, incoming, sources, all_sources=sources)


_A_TIE, _A_PLACE = FriendshipLink(), City()  # stand-ins for the report's labels


def _new_tie_values(facts: TieFacts) -> dict:
    return {
        "kind": facts.kind,
        "established_on": facts.established_on,
        "established_precision": facts.established_precision,
        "date_basis": facts.date_basis or str(DateBasis.UNKNOWN),
        "label_a": facts.label_a,
        "label_b": facts.label_b,
        "note": facts.note,
        "public_note_en": facts.public_note_en,
        "verified": bool(facts.verified),
    }


_FACT_FIELDS = [
    "kind",
    "established_on",
    "established_precision",
    "date_basis",
    "label_a",
    "label_b",
    "verified",
    "note",
    "public_note_en",
]


def _load_existing_ties(pairs: set[tuple[int, int]]):
    """Stored ties between places of the file: {(low id, high id): (id, a id, TieFacts)}."""
    found = {}
    rows = FriendshipLink.objects.order_by().values_list(
        "id", "city_a_id", "city_b_id", *_FACT_FIELDS
    )
    for pk, a, b, *values in rows.iterator(chunk_size=5000):
        pair = (min(a, b), max(a, b))
        if pair in pairs:
            found[pair] = (pk, a, TieFacts(**dict(zip(_FACT_FIELDS, values, strict=True))))
    return found


def _tie_sources(tie_ids: set[int]) -> dict[int, set[tuple[str, str]]]:
    through = FriendshipLink.sources.through
    result: dict[int, set[tuple[str, str]]] = defaultdict(set)
    rows = through.objects.order_by().values_list(
        "friendshiplink_id", "source__url", "source__title"
    )
    for tie_id, url, title in rows.iterator(chunk_size=5000):
        if tie_id in tie_ids:
            result[tie_id].add((url, title))
    return result


def _has_source(known: set[tuple[str, str]], source: tuple[str, str]) -> bool:
    """A source is known by its URL when it has one (a title added later is the same source)."""
    url, title = source
    return source in known or bool(url) and any(k_url == url for k_url, _t in known)


def _unique_slug(name: str, country: str, parent: str, taken: set[str]) -> str:
    base = slugify(name) or slugify(f"place {country}")
    for candidate in (base, slugify(f"{name} {parent or country}") or base):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    taken.add(f"{base}-{number}")
    return f"{base}-{number}"


def _swap_sides(facts: TieFacts) -> TieFacts:
    return replace(facts, label_a=facts.label_b, label_b=facts.label_a)


def ties_import(
    *,
    handle,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    origin: str = "",
    gazetteer: GazetteerIndex | Callable[[], GazetteerIndex] | None = None,
    places: PlaceResolver | None = None,
) -> TieImportReport:
    """Import ties from an open CSV text stream; return what was (or would be) done.

    Plans every row first. Writes nothing when `dry_run`, and nothing when any
    row is invalid unless `skip_invalid` (then the valid rows are written).
    Names resolve to stored places, then to gazetteer places (created with their
    coordinates and names), then to new unresolved places. An existing tie (either
    order) is reconciled (`cities.reconcile`): the import never makes curated data
    worse, real disagreements become open `TieConflict`s for a curator, a later
    upgrade becomes a milestone, a new source is added. All writes happen in one
    transaction. `origin` (a file name) is kept with conflicts and notes.
    `progress` is called with the number of rows read so far every 500 rows.
    `places` may pass the resolver of an earlier import that created no place (several
    files in a row); `gazetteer` is an index, or a function that builds one when needed.
    """
    report = TieImportReport(dry_run=dry_run)
    if places is None or places.new_by_key:
        places = PlaceResolver(gazetteer)
    planner = _Planner(report, places)
    try:
        for line, row in csv_rows(handle, TIE_COLUMNS):
            report.rows += 1
            if progress and report.rows % 500 == 0:
                progress(report.rows)  # (the last call, below, says "done")
            try:
                planner.planned.append(planner.plan_row(line, row))
            except DuplicateTieError as error:
                report.errors.append(RowError(line, str(error), duplicate_of=error.line))
            except ValueError as error:
                report.errors.append(RowError(line, str(error)))
    except MissingColumnsError as error:
        report.errors.append(RowError(1, str(error)))
        return report
    except (csv.Error, UnicodeDecodeError) as error:
        report.errors.append(RowError(report.rows + 2, f"not a readable CSV file ({error})"))
        return report
    if progress:
        progress(report.rows)

    planned = planner.planned
    places = planner.places
    existing = _load_existing_ties({(min(p.a, p.b), max(p.a, p.b)) for p in planned})
    existing_ids = {tie[0] for tie in existing.values()}
    existing_sources = _tie_sources(existing_ids)
    kept_before = set(TieNote.objects.filter(tie_id__in=existing_ids).values_list("tie_id", "text"))
    steps_before = set(
        LinkMilestone.objects.filter(link_id__in=existing_ids).values_list(
            "link_id", "date", "kind"
        )
    )

    for plan in planned:
        for key in (plan.a, plan.b):
            if key < 0:
                _mark_used(places, key)
        stored = existing.get((min(plan.a, plan.b), max(plan.a, plan.b)))
        if stored is None:
            plan.values = _new_tie_values(plan.incoming)
            report.outcomes.record(_A_TIE, "created", key=("line", plan.line))
            report.lines_by_outcome["created"].append(plan.line)
            continue
        pk, stored_a, current = stored
        plan.existing = pk
        if stored_a != plan.a:
            plan.a, plan.b = plan.b, plan.a  # keep the stored orientation
            plan.incoming = _swap_sides(plan.incoming)
        result = tie_reconcile(current=current, incoming=plan.incoming)
        # What an earlier import already kept or recorded is not new.
        result.kept_notes = [text for text in result.kept_notes if (pk, text) not in kept_before]
        if result.upgrade and (pk, result.upgrade.date, result.upgrade.kind) in steps_before:
            result.upgrade = None
        step = result.earlier_step
        if step and (pk, step.date, step.kind) in steps_before:
            result.earlier_step = None
        plan.reconciliation = result
        plan.values = result.changes
        known = existing_sources.get(pk, set())
        plan.sources = [s for s in plan.sources if not _has_source(known, s)]
        if result.conflicts:
            tie_label = f"{places.name_en[plan.a]} — {places.name_en[plan.b]}"
            for conflict in result.conflicts:
                report.conflicts.append(
                    ConflictLine(
                        line=plan.line,
                        tie_id=pk,
                        tie=tie_label,
                        field=conflict.field,
                        current=conflict.current,
                        incoming=conflict.incoming,
                        current_sources=sorted(url or title for url, title in known),
                        incoming_sources=[url or title for url, title in plan.all_sources],
                    )
                )
            report.lines_by_outcome["conflicts"].append(plan.line)
        report.kept_notes += len(result.kept_notes)
        report.milestones += len(result.milestones)
        changed = result.changed or plan.sources or result.kept_notes
        plan.outcome = "updated" if changed else "unchanged"
        report.outcomes.record(_A_TIE, plan.outcome, key=pk)
        report.lines_by_outcome[plan.outcome].append(plan.line)

    report.created_places = sorted(
        (p for p in places.new_by_key.values() if p.used), key=lambda p: (p.line, -p.key)
    )
    for place in report.created_places:
        report.outcomes.record(_A_PLACE, "created", key=("new", place.key))

    report.resolver = places if not report.created_places else None
    report.choices = list(places.choices)
    if dry_run or (report.errors and not skip_invalid):
        return report
    with transaction.atomic():
        _write(report, planned, origin)
        data_version_bump()  # bulk writes send no signals
    report.written = True
    if len(planned) >= STATISTICS_AFTER_ROWS:
        statistics_refresh(
            City, CitySearchKey, Source, FriendshipLink, FriendshipLink.sources.through
        )
    return report


def _mark_used(places: PlaceResolver, key: int) -> None:
    """A new place a row uses, and the new places it belongs to (its province)."""
    while key is not None and key < 0:
        place = places.new_by_key[key]
        place.used = True
        key = place.parent_id


def _new_city(place: NewPlace, slug: str, parent_id: int | None) -> City:
    values = {
        "slug": slug,
        "name_en": place.name_en,
        "country": place.country,
        "admin_level": place.admin_level,
        "parent_id": parent_id,
        "aliases": "\n".join(place.aliases),
    }
    if place.gazetteer is None:
        values["unresolved"] = True
        values["note"] = f"Created by a tie import (line {place.line}): not in the gazetteer."
    else:
        values.update(gazetteer_city_values(place.gazetteer))
        values["aliases"] = "\n".join(dict.fromkeys([*place.aliases, *place.gazetteer.aliases]))
        values["note"] = f"From the gazetteer, for a tie import (line {place.line})."
    return City(**values)


def _create_places(report: TieImportReport) -> dict[int, int]:
    """Save the new places (provinces before their places); return {key: id}."""
    ids: dict[int, int] = {}
    taken = set(City.objects.values_list("slug", flat=True))
    pending = list(report.created_places)
    while pending:
        ready = [p for p in pending if p.parent_id is None or p.parent_id > 0 or p.parent_id in ids]
        cities = [
            _new_city(
                p,
                _unique_slug(p.name_en, p.country, p.parent_name, taken),
                ids.get(p.parent_id, p.parent_id),
            )
            for p in ready
        ]
        City.objects.bulk_create(cities, batch_size=BATCH_SIZE)
        if any(city.pk is None for city in cities):
            by_slug = dict(
                City.objects.filter(slug__in=[c.slug for c in cities]).values_list("slug", "id")
            )
            for city in cities:
                city.pk = by_slug[city.slug]
        ids.update({p.key: city.pk for p, city in zip(ready, cities, strict=True)})
        city_search_keys_rebuild(cities=cities)  # new places are findable at once
        pending = [p for p in pending if p.key not in ids]
    return ids


def _source_ids(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the sources a write needs, creating the missing ones; known by URL first."""
    by_key, by_url = {}, {}
    for pk, url, title in Source.objects.order_by("id").values_list("id", "url", "title"):
        by_key.setdefault((url, title), pk)
        if url:
            by_url.setdefault(url, pk)
    result = {}
    missing = []
    for key in wanted:
        url, _title = key
        pk = by_key.get(key) or (by_url.get(url) if url else None)
        if pk is None:
            missing.append(key)
        else:
            result[key] = pk
    if missing:
        Source.objects.bulk_create(
            [
                Source(**source_values(url or title) | {"url": url, "title": title})
                for url, title in missing
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        for pk, url, title in Source.objects.order_by().values_list("id", "url", "title"):
            if (url, title) in missing:
                result[(url, title)] = pk
    return result


def _where(origin: str, line: int) -> str:
    return f"{origin}, line {line}" if origin else f"line {line}"


def _stored_ties(ids: list[int]) -> dict[int, FriendshipLink]:
    """The ties an import updates, as stored before it writes (for their history)."""
    stored = {}
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        stored.update({tie.pk: tie for tie in FriendshipLink.objects.filter(pk__in=chunk)})
    return stored


def _write(report: TieImportReport, planned: list[PlannedTie], origin: str) -> None:
    now = timezone.now()
    ids = _create_places(report) if report.created_places else {}
    wanted = {s for plan in planned if plan.outcome != "unchanged" for s in plan.sources}
    wanted |= {
        s
        for plan in planned
        if plan.reconciliation and plan.reconciliation.conflicts
        for s in plan.all_sources
    }
    source_ids = _source_ids(wanted)

    through = FriendshipLink.sources.through
    links = []
    history: list[HistoryEntry] = []  # each tie's line: created, or what changed (old → new)
    new_ties = [plan for plan in planned if plan.existing is None]
    for start in range(0, len(new_ties), BATCH_SIZE):
        batch = new_ties[start : start + BATCH_SIZE]
        before = last_id(FriendshipLink)
        insert_rows(
            FriendshipLink,
            [
                {
                    **plan.values,
                    "city_a_id": ids.get(plan.a, plan.a),
                    "city_b_id": ids.get(plan.b, plan.b),
                }
                for plan in batch
            ],
        )
        created = {
            (a, b): pk for pk, a, b in ids_after(FriendshipLink, before, "city_a_id", "city_b_id")
        }
        for plan in batch:
            pk = created[(ids.get(plan.a, plan.a), ids.get(plan.b, plan.b))]
            links += [{"friendshiplink_id": pk, "source_id": source_ids[s]} for s in plan.sources]
            history.append(
                HistoryEntry(
                    tie_id=pk,
                    action=HistoryAction.CREATED,
                    via=HistoryVia.IMPORT,
                    via_detail=_where(origin, plan.line),
                    source_id=source_ids[plan.sources[0]] if plan.sources else None,
                    created_at=now,
                )
            )

    updated = [plan for plan in planned if plan.outcome == "updated"]
    by_fields: dict[tuple[str, ...], list[FriendshipLink]] = defaultdict(list)
    conflicts, notes, milestones = [], [], []
    stored = _stored_ties([plan.existing for plan in updated if plan.values])
    for plan in updated:
        if plan.values:
            tie = FriendshipLink(pk=plan.existing, updated_at=now, **plan.values)
            by_fields[tuple(sorted(plan.values))].append(tie)
            history.append(
                HistoryEntry(
                    tie_id=plan.existing,
                    action=HistoryAction.CHANGED,
                    changes=tie_history_changes(stored[plan.existing], plan.values),
                    via=HistoryVia.IMPORT,
                    via_detail=_where(origin, plan.line),
                    source_id=source_ids[plan.sources[0]] if plan.sources else None,
                    created_at=now,
                )
            )
        links += [
            {"friendshiplink_id": plan.existing, "source_id": source_ids[s]} for s in plan.sources
        ]
        result = plan.reconciliation
        first_source = source_ids.get(plan.sources[0]) if plan.sources else None
        where = f"{origin}, line {plan.line}" if origin else f"line {plan.line}"
        notes += [
            TieNote(tie_id=plan.existing, text=text, source_id=first_source, origin=where)
            for text in result.kept_notes
        ]
        milestones += [(plan, step) for step in result.milestones]
    for names, ties in by_fields.items():
        FriendshipLink.objects.bulk_update(ties, [*names, "updated_at"], batch_size=BATCH_SIZE)
    insert_rows(through, links)  # only sources the tie does not have yet: no conflicts

    for line in report.conflicts:
        plan = next(p for p in planned if p.line == line.line)
        source = plan.all_sources[0] if plan.all_sources else None
        conflicts.append(
            TieConflict(
                tie_id=line.tie_id,
                field=line.field,
                current_value=line.current,
                incoming_value=line.incoming,
                current_sources="\n".join(line.current_sources),
                incoming_source_id=source_ids.get(source) if source else None,
                origin=f"{origin}, line {line.line}" if origin else f"line {line.line}",
            )
        )
    TieConflict.objects.bulk_create(conflicts, batch_size=BATCH_SIZE, ignore_conflicts=True)
    HistoryEntry.objects.bulk_create(history, batch_size=BATCH_SIZE)
    TieNote.objects.bulk_create(notes, batch_size=BATCH_SIZE, ignore_conflicts=True)
    for plan, upgrade in milestones:
        milestone, created = LinkMilestone.objects.get_or_create(
            link_id=plan.existing,
            date=upgrade.date,
            kind=upgrade.kind,
            defaults={"date_precision": upgrade.precision, "kind_after": upgrade.kind_after},
        )
        if created and plan.sources:
            milestone.sources.set([source_ids[s] for s in plan.sources])


def ties_import_file(*, path: Path, **options) -> TieImportReport:
    """`ties_import` on a file (UTF-8, with or without a byte-order mark)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return ties_import(handle=handle, **options)


def _citation(source: Source) -> str:
    """The cell that imports back to this source: its title when that says it all, else URL."""
    if source.title and source_values(source.title)["url"] == source.url:
        return source.title
    return source.url or source.title


def ties_export(*, handle) -> int:
    """Write every tie to an open text stream in the import's format; return the count.

    Each place is written under a name the import resolves back to it; several
    sources are joined with " | "; an unverified tie's note starts with
    "UNCERTAIN" so that importing it again keeps it unverified.
    """
    places = PlaceResolver()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    sources: dict[int, list[str]] = defaultdict(list)
    through = FriendshipLink.sources.through.objects.order_by("source_id")
    citations = {
        source.pk: _citation(source)
        for source in Source.objects.only("url", "title").iterator(chunk_size=5000)
    }
    for tie_id, source_id in through.values_list("friendshiplink_id", "source_id").iterator(
        chunk_size=5000
    ):
        sources[tie_id].append(citations[source_id])
    names: dict[int, tuple[str, str]] = {}
    native: dict[int, str] = {}
    geonames: dict[int, str] = {}
    for city in City.objects.select_related("parent").iterator(chunk_size=2000):
        names[city.pk] = (places.export_name(city), city.country)
        geonames[city.pk] = str(city.geonames_id or "")
        native[city.pk] = city.own_script_name if city.own_script_name != city.name_en else ""
    rows = FriendshipLink.objects.order_by("id").values_list(
        "id",
        "city_a_id",
        "city_b_id",
        "kind",
        "established_on",
        "established_precision",
        "note",
        "verified",
        "date_basis",
        "label_a",
        "label_b",
        "public_note_en",
    )
    count = 0
    for pk, a, b, kind, established, precision, note, verified, *optional in rows.iterator(
        chunk_size=5000
    ):
        if not verified and not note.startswith(UNCERTAIN):
            note = f"{UNCERTAIN}: {note}" if note else UNCERTAIN
        writer.writerow(
            [
                *names[a],
                *names[b],
                kind,
                partial_date_iso(established, precision),
                SOURCE_SEPARATOR.join(sources.get(pk, [])),
                note,
                *optional,
                native[a],
                native[b],
                "true" if verified else "false",
                geonames[a],
                geonames[b],
            ]
        )
        count += 1
    return count
