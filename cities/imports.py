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
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from exchangeportal.cache import data_version_bump

from .bulk import ids_after, insert_rows, last_id, statistics_refresh
from .dates import DatePrecision, parse_partial_date, partial_date_iso
from .demo import (
    LoadReport,
    MissingColumnsError,
    country_from_name,
    csv_rows,
    date_basis_from_note,
    source_values,
)
from .models import AdminLevel, City, CitySearchKey, DateBasis, FriendshipLink, Source, TieKind
from .services import city_search_keys_rebuild

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
    """A place the import creates: the data names it, no stored place has that name."""

    key: int  # a negative stand-in for the id until it is saved
    name_en: str
    country: str
    admin_level: str
    parent_id: int | None
    parent_name: str
    aliases: list[str]
    line: int
    used: bool = False


class PlaceResolver:
    """Every stored name and alias of every place, by country, to match the names of a file."""

    NAME_FIELDS = [
        "name_en",
        "name_zh_hans",
        "name_zh_hant",
        "name_ja",
        "name_ko",
        "romanization",
    ]

    def __init__(self):
        self.by_name: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.by_stem: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.level: dict[int, str] = {}
        self.parent: dict[int, int | None] = {}
        self.name_en: dict[int, str] = {}
        self.new_places: dict[tuple[str, str], NewPlace] = {}
        self.new_by_key: dict[int, NewPlace] = {}
        self.fields = ["id", "country", "admin_level", "parent_id", *self.NAME_FIELDS, "aliases"]
        rows = City.objects.order_by().values_list(*self.fields)
        for row in rows.iterator(chunk_size=5000):
            self._add(*row)

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

    def find(self, text: str, country: str) -> int | None:
        """The place a name means, without creating any; ValueError when it is ambiguous."""
        ids = self.by_name.get((country, normalise(text)), set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            raise ValueError(
                f"'{text}' in {country} could be any of {len(ids)} places "
                f"({self._describe(ids)}): add the place it belongs to, e.g. 'Name (Parent)'"
            )
        base, qualifier = text, None
        qualified = _QUALIFIED.match(text)
        if qualified:
            base, qualifier = qualified.group("base"), qualified.group("qualifier")
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
            candidates = {pk for pk in candidates if self.parent[pk] in parents}
        elif not level:
            return None
        if len(candidates) > 1:
            raise ValueError(
                f"'{text}' in {country} could be any of {len(candidates)} places "
                f"({self._describe(candidates)})"
            )
        return next(iter(candidates)) if candidates else None

    def parents_named(self, text: str, country: str) -> set[int]:
        key = (country, normalise(text))
        return {pk for pk in self.by_name.get(key, set()) | self.by_stem.get(key, set()) if pk > 0}

    def resolve(self, text: str, country: str, line: int) -> int:
        """The id of the place a name means; a negative key for a place to create."""
        found = self.find(text, country)
        if found is not None:
            return found
        base, qualifier = text, ""
        qualified = _QUALIFIED.match(text)
        if qualified:
            base, qualifier = qualified.group("base"), qualified.group("qualifier")
        parent_id = None
        if qualifier:
            parents = self.parents_named(qualifier, country)
            parent_id = next(iter(parents)) if len(parents) == 1 else None
        level = split_level(base)[1] or AdminLevel.MUNICIPALITY
        place = NewPlace(
            key=-(len(self.new_places) + 1),
            name_en=base,
            country=country,
            admin_level=str(level),
            parent_id=parent_id,
            parent_name=self.name_en[parent_id] if parent_id else "",
            aliases=[text] if text != base else [],
            line=line,
        )
        self.new_places[(country, normalise(text))] = place
        self.new_by_key[place.key] = place
        self._add(place.key, country, place.admin_level, parent_id, base, "", "", "", "", "", "")
        self.by_name[(country, normalise(text))].add(place.key)
        return place.key

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


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class PlannedTie:
    line: int
    a: int
    b: int
    existing: int | None
    values: dict
    sources: list[tuple[str, str]]
    outcome: str = "created"


@dataclass
class TieImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: LoadReport = field(default_factory=LoadReport)
    created_places: list[NewPlace] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False
    lines_by_outcome: dict[str, list[int]] = field(
        default_factory=lambda: {"created": [], "updated": [], "unchanged": []}
    )

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, dict[str, int]]:
        return self.outcomes.counts()


class _Planner:
    def __init__(self, report: TieImportReport):
        self.report = report
        self.places = PlaceResolver()
        self.seen_pairs: dict[tuple[int, int], int] = {}
        self.planned: list[PlannedTie] = []
        self.source_keys: dict[str, tuple[str, str]] = {}

    def source_key(self, citation: str) -> tuple[str, str]:
        key = self.source_keys.get(citation)
        if key is None:
            values = source_values(citation)
            key = self.source_keys[citation] = (values["url"], values["title"])
        return key

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
        a = self.places.resolve(row["city_a"], country_a, line)
        b = self.places.resolve(row["city_b"], country_b, line)
        if a == b:
            raise ValueError(f"'{row['city_a']}' and '{row['city_b']}' are the same place")
        pair = (min(a, b), max(a, b))
        if pair in self.seen_pairs:
            raise ValueError(f"the same tie as line {self.seen_pairs[pair]}")
        self.seen_pairs[pair] = line
        note = row["note"] or ""
        values = {"kind": kind}
        if established is not None:
            values["established_on"] = established
            values["established_precision"] = str(precision)
        if note:
            values["note"] = note
            basis = date_basis_from_note(note)
            if basis != DateBasis.UNKNOWN:
                values["date_basis"] = str(basis)
        if note.startswith(UNCERTAIN):
            values["verified"] = False
        sources = []
        for citation in (row["source"] or "").split(SOURCE_SEPARATOR.strip()):
            if citation.strip():
                sources.append(self.source_key(citation))
        return PlannedTie(line, a, b, None, values, list(dict.fromkeys(sources)))


_TIE_FIELDS = [
    "kind",
    "established_on",
    "established_precision",
    "date_basis",
    "note",
    "verified",
]


_A_TIE, _A_PLACE = FriendshipLink(), City()  # stand-ins for the report's labels
# Every column a new tie gets from a row, with its value when the row leaves it empty.
_NEW_TIE_DEFAULTS = {
    "established_on": None,
    "established_precision": str(DatePrecision.YEAR),
    "date_basis": str(DateBasis.UNKNOWN),
    "note": "",
    "verified": True,
}


def _load_existing_ties(pairs: set[tuple[int, int]]):
    """Stored ties between places of the file: {(low id, high id): (id, a id, {field: value})}."""
    found = {}
    rows = FriendshipLink.objects.order_by().values_list(
        "id", "city_a_id", "city_b_id", *_TIE_FIELDS
    )
    for pk, a, b, *values in rows.iterator(chunk_size=5000):
        pair = (min(a, b), max(a, b))
        if pair in pairs:
            found[pair] = (pk, a, dict(zip(_TIE_FIELDS, values, strict=True)))
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


def ties_import(
    *,
    handle,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TieImportReport:
    """Import ties from an open CSV text stream; return what was (or would be) done.

    Plans every row first. Writes nothing when `dry_run`, and nothing when any
    row is invalid unless `skip_invalid` (then the valid rows are written).
    Places are matched by any stored name or alias within their country;
    unknown ones are created. An existing tie (either order) is updated; empty
    cells never erase what a tie has; a new source is added to its sources. All
    writes happen in one transaction. `progress` is called with the number of
    rows read so far every 500 rows.
    """
    report = TieImportReport(dry_run=dry_run)
    planner = _Planner(report)
    try:
        for line, row in csv_rows(handle, TIE_COLUMNS):
            report.rows += 1
            if progress and report.rows % 500 == 0:
                progress(report.rows)  # (the last call, below, says "done")
            try:
                planner.planned.append(planner.plan_row(line, row))
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
    existing_sources = _tie_sources({tie[0] for tie in existing.values()})

    for plan in planned:
        for key in (plan.a, plan.b):
            if key < 0:
                places.new_by_key[key].used = True
        stored = existing.get((min(plan.a, plan.b), max(plan.a, plan.b)))
        if stored is None:
            report.outcomes.record(_A_TIE, "created", key=("line", plan.line))
            report.lines_by_outcome["created"].append(plan.line)
            continue
        pk, stored_a, stored_values = stored
        plan.existing = pk
        if stored_a != plan.a:
            plan.a, plan.b = plan.b, plan.a  # keep the stored orientation
        changed = {
            name: value for name, value in plan.values.items() if stored_values[name] != value
        }
        new_sources = [s for s in plan.sources if s not in existing_sources.get(pk, set())]
        plan.values, plan.sources = changed, new_sources
        plan.outcome = "updated" if changed or new_sources else "unchanged"
        report.outcomes.record(_A_TIE, plan.outcome, key=pk)
        report.lines_by_outcome[plan.outcome].append(plan.line)

    report.created_places = sorted(
        (p for p in places.new_places.values() if p.used), key=lambda p: p.line
    )
    for place in report.created_places:
        report.outcomes.record(_A_PLACE, "created", key=("new", place.key))

    if dry_run or (report.errors and not skip_invalid):
        return report
    with transaction.atomic():
        _write(report, planned)
    report.written = True
    transaction.on_commit(data_version_bump)
    if len(planned) >= STATISTICS_AFTER_ROWS:
        statistics_refresh(
            City, CitySearchKey, Source, FriendshipLink, FriendshipLink.sources.through
        )
    return report


def _write(report: TieImportReport, planned: list[PlannedTie]) -> None:
    now = timezone.now()
    # Places first, so the ties can point at them.
    ids: dict[int, int] = {}
    if report.created_places:
        taken = set(City.objects.values_list("slug", flat=True))
        new_cities = [
            City(
                slug=_unique_slug(p.name_en, p.country, p.parent_name, taken),
                name_en=p.name_en,
                country=p.country,
                admin_level=p.admin_level,
                parent_id=p.parent_id,
                aliases="\n".join(p.aliases),
                note=f"Created by a tie import (line {p.line}).",
            )
            for p in report.created_places
        ]
        City.objects.bulk_create(new_cities, batch_size=BATCH_SIZE)
        if any(city.pk is None for city in new_cities):
            by_slug = dict(
                City.objects.filter(slug__in=[c.slug for c in new_cities]).values_list("slug", "id")
            )
            for city in new_cities:
                city.pk = by_slug[city.slug]
        ids = {p.key: city.pk for p, city in zip(report.created_places, new_cities, strict=True)}
        city_search_keys_rebuild(cities=new_cities)  # new places are findable at once

    # Sources: create the missing ones, then look every one up.
    wanted = {s for plan in planned if plan.outcome != "unchanged" for s in plan.sources}
    source_ids = {
        (url, title): pk
        for pk, url, title in Source.objects.order_by().values_list("id", "url", "title")
        if (url, title) in wanted
    }
    missing = [key for key in wanted if key not in source_ids]
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
            if (url, title) in wanted:
                source_ids[(url, title)] = pk

    through = FriendshipLink.sources.through
    links = []
    new_ties = [plan for plan in planned if plan.existing is None]
    for start in range(0, len(new_ties), BATCH_SIZE):
        batch = new_ties[start : start + BATCH_SIZE]
        before = last_id(FriendshipLink)
        insert_rows(
            FriendshipLink,
            [
                {
                    **_NEW_TIE_DEFAULTS,
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

    updated = [plan for plan in planned if plan.outcome == "updated"]
    by_fields: dict[tuple[str, ...], list[FriendshipLink]] = defaultdict(list)
    for plan in updated:
        if plan.values:
            tie = FriendshipLink(pk=plan.existing, updated_at=now, **plan.values)
            by_fields[tuple(sorted(plan.values))].append(tie)
        links += [
            {"friendshiplink_id": plan.existing, "source_id": source_ids[s]} for s in plan.sources
        ]
    for names, ties in by_fields.items():
        FriendshipLink.objects.bulk_update(ties, [*names, "updated_at"], batch_size=BATCH_SIZE)
    insert_rows(through, links)  # only sources the tie does not have yet: no conflicts


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
    writer.writerow(TIE_COLUMNS)
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
    for city in City.objects.select_related("parent").iterator(chunk_size=2000):
        names[city.pk] = (places.export_name(city), city.country)
    rows = FriendshipLink.objects.order_by("id").values_list(
        "id",
        "city_a_id",
        "city_b_id",
        "kind",
        "established_on",
        "established_precision",
        "note",
        "verified",
    )
    count = 0
    for pk, a, b, kind, established, precision, note, verified in rows.iterator(chunk_size=5000):
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
            ]
        )
        count += 1
    return count
