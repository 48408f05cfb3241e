"""Load the researched demo data (cities/data/*.csv, copied from shared/data) into the database.

Every loader is idempotent: rows are matched on their natural key (a place's
slug, a tie's unordered pair, a designation's year and place …), written only
when something differs, and counted as created / updated / unchanged. A row
that cannot be loaded raises `DemoDataError` naming the file, the line and the
reason; the caller runs everything in one transaction so nothing is written.
"""

import csv
import functools
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils.encoding import iri_to_uri
from django.utils.text import slugify

from exchangeportal.infra.translation import TextOrigin

from .csvdata import (
    LoadReport,
    MissingColumnsError,
    country_from_name,
    csv_rows,
    source_values,
)
from .dates import parse_partial_date
from .gazetteer import GazetteerIndex, gazetteer_index, gazetteer_load, gazetteer_read
from .imports import EXPORT_COLUMNS, PlaceResolver, split_qualifier, ties_import
from .models import (
    AdminLevel,
    City,
    CoordinatesBasis,
    Country,
    CultureCityDesignation,
    DateBasis,
    DesignationStatus,
    ExchangeIndicator,
    FriendshipLink,
    LinkMilestone,
    MilestoneKind,
    Source,
    SourceKind,
    TieKind,
    TrilateralGroup,
)
from .selectors import tie_between
from .services import city_search_keys_rebuild

CITIES_DATA_DIR = Path(__file__).resolve().parent / "data"

_ALIAS_NOTE = re.compile(r'^ALIAS of key "([^"]+)"')


class DemoDataError(Exception):
    """A row of the demo data that cannot be loaded: says which file, which line and why."""

    def __init__(self, path: Path, line: int, reason: str):
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path.name}, line {line}: {reason}")


def _describe(error: Exception) -> str:
    messages = getattr(error, "message_dict", None)
    if messages:
        return "; ".join(f"{name}: {' '.join(texts)}" for name, texts in messages.items())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@contextmanager
def row_errors(path: Path, line: int):
    """Turn a bad value or a failed validation into a DemoDataError naming the line."""
    try:
        yield
    except (ValueError, ValidationError, IntegrityError) as error:
        raise DemoDataError(path, line, _describe(error)) from None


def read_rows(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for a CSV file, checking that its columns are there."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise DemoDataError(path, 0, "file not found") from None
    with handle:
        try:
            for line, row in csv_rows(handle, required):
                yield line, {key: value or "" for key, value in row.items()}
        except MissingColumnsError as error:
            raise DemoDataError(path, 1, str(error)) from None


def upsert(
    report: LoadReport,
    model: type[models.Model],
    *,
    match: Q,
    values: dict,
    many: dict[str, list[models.Model]] | None = None,
) -> models.Model:
    """Create the object matched by `match` with `values`, or fill in what it lacks.

    A stored object is curated data: only its empty fields (and empty relations) are
    filled from the demo data; a value a curator changed is kept, never reverted.
    """
    obj = model.objects.filter(match).first()
    outcome = "unchanged"
    if obj is None:
        obj = model(**values)
        # Field and unique checks give readable messages; the database enforces the
        # constraints (an IntegrityError is reported with the row like any other error).
        obj.full_clean(validate_constraints=False)
        obj.save()
        outcome = "created"
    else:
        changed = [
            name
            for name, value in values.items()
            if getattr(obj, name) in ("", None) and value not in ("", None)
        ]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean(validate_constraints=False)
            obj.save()
            outcome = "updated"
    for name, related in (many or {}).items():
        manager = getattr(obj, name)
        wanted = {item.pk for item in related}
        missing = wanted - set(manager.values_list("pk", flat=True))
        if missing:
            manager.add(*missing)  # a source the curator added stays
            if outcome == "unchanged":
                outcome = "updated"
    report.record(obj, outcome)
    return obj


TRANSLATIONS_FILE = "translations.csv"
_TRANSLATION_LANGUAGES = {"zh-hans": "zh_hans", "ja": "ja", "ko": "ko"}


@functools.cache
def read_translations(path: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The portal's translations of the demo texts (`translations.csv`: kind, key, field,
    language, text), by (kind, key): [(stored field, text)]. Keys are built as the loaders
    build them (an event's English title, `city_a|city_b|date|kind` for a milestone …)."""
    translations: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    if not path.exists():
        return translations
    for line, row in read_rows(path, ["kind", "key", "field", "language", "text"]):
        with row_errors(path, line):
            suffix = _TRANSLATION_LANGUAGES.get(row["language"])
            if suffix is None:
                raise ValueError(f"unknown language '{row['language']}'")
            translations[(row["kind"], row["key"])].append(
                (f"{row['field']}_{suffix}", row["text"])
            )
    return translations


def translations_apply(obj: models.Model, items: list[tuple[str, str]]) -> None:
    """Fill the empty translated fields of `obj` with the portal's translations, marked
    "translation" in its `text_origins`; a text already there (an original, a curator's) is
    kept."""
    origins = dict(obj.text_origins or {})
    changed = []
    for field, text in items:
        if not hasattr(obj, field):
            raise ValueError(f"{type(obj).__name__} has no field '{field}'")
        if not getattr(obj, field) and text:
            setattr(obj, field, text)
            origins[field] = TextOrigin.TRANSLATION
            changed.append(field)
    if changed:
        obj.text_origins = origins
        obj.save(update_fields=[*changed, "text_origins"])


def source_for(report: LoadReport, citation: str) -> Source:
    """A Source from a cell that holds a URL or a citation text (one query per source a run)."""
    values = source_values(citation)
    key = (values["url"], values["title"])
    if key not in report.sources:
        # A source is known by its URL: the same page under a title is the same source.
        stored = Source.objects.filter(url=values["url"]).order_by("id").first()
        match = Q(pk=stored.pk) if values["url"] and stored else Q(url="", title=values["title"])
        report.sources[key] = upsert(report, Source, match=match, values=values)
    return report.sources[key]


class PlaceIndex:
    """Places of the demo data by (key, country): keys are names as the files write them."""

    def __init__(self):
        self._by_key: dict[tuple[str, str], City] = {}

    def add(self, key: str, country: str, city: City) -> None:
        self._by_key[(key, country)] = city

    def get(self, key: str, country: str) -> City:
        try:
            return self._by_key[(key, country)]
        except KeyError:
            raise ValueError(f"unknown place '{key}' in {country}") from None

    def ids(self) -> list[int]:
        return [city.pk for city in self._by_key.values()]

    def find_anywhere(self, key: str) -> City | None:
        """A place by key in whatever country, if exactly one has it."""
        found = {city.pk: city for (k, _c), city in self._by_key.items() if k == key}
        return next(iter(found.values())) if len(found) == 1 else None


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


def _optional_decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a number") from None


def designation_local_names(data_dir: Path) -> dict[tuple[str, str], list[str]]:
    """The local names the designation file writes ("扬州市", "광주광역시"): kept as aliases."""
    path = data_dir / "ccea_designations.csv"
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line, row in read_rows(path, ["country", "city", "city_local"]):
        with row_errors(path, line):
            country = country_from_name(row["country"])
        if row["city_local"]:
            names[(row["city"], country)].append(row["city_local"])
    return names


def old_spellings(data_dir: Path) -> dict[tuple[str, str], list[str]]:
    """Old romanisations kept as aliases (Taegu for Daegu), each with its source.

    Read from `old_spellings.csv` (key, country, alias, system, source) when the data
    folder has one; a row without a source is refused.
    """
    path = data_dir / "old_spellings.csv"
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    if not path.exists():
        return names
    for line, row in read_rows(path, ["key", "country", "alias", "system", "source"]):
        with row_errors(path, line):
            if not row["key"] or not row["alias"]:
                raise ValueError("key and alias are required")
            if not row["source"]:
                raise ValueError(f"the old spelling '{row['alias']}' needs a source")
            if row["country"] not in Country.values:
                raise ValueError(f"unknown country '{row['country']}' (use CN, JP or KR)")
        names[(row["key"], row["country"])].append(row["alias"])
    return names


# The name columns of cities.csv and places_added.csv besides name_en: the place's name fields
# (`City.NAME_FIELDS`) but the aliases, which the loader builds.
_OTHER_NAMES = [name for name in City.NAME_FIELDS if name not in ("name_en", "aliases")]


def load_places(
    report: LoadReport,
    data_dir: Path,
    extra_aliases: dict[tuple[str, str], list[str]] | None = None,
) -> PlaceIndex:
    path = data_dir / "cities.csv"
    columns = ["key", "country", "name_en", "admin_level", "parent", *_OTHER_NAMES, "lat", "lon"]
    columns += ["population", "geonames_id", "notes"]
    rows = list(read_rows(path, columns))

    main_rows, alias_rows = [], []
    for line, row in rows:
        (alias_rows if _ALIAS_NOTE.match(row["notes"]) else main_rows).append((line, row))

    by_key = {(row["key"], row["country"]): row for _line, row in main_rows}

    def parent_row(row):
        if not row["parent"]:
            return None
        for candidate in main_rows:
            other = candidate[1]
            if other["country"] == row["country"] and row["parent"] in (
                other["key"],
                other["name_en"],
            ):
                return other
        return None

    def depth(row, seen=()):
        parent = parent_row(row)
        if parent is None or parent["key"] in seen:
            return 0
        return 1 + depth(parent, (*seen, row["key"]))

    slug_counts = defaultdict(int)
    for _line, row in main_rows:
        slug_counts[slugify(row["name_en"])] += 1

    aliases_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line, row in alias_rows:
        target = _ALIAS_NOTE.match(row["notes"]).group(1)
        if (target, row["country"]) not in by_key:
            raise DemoDataError(path, line, f"alias of unknown place '{target}'")
        aliases_of[(target, row["country"])].append(row["key"])
    for (key, country), names in (extra_aliases or {}).items():
        target = key
        for _line, alias_row in alias_rows:
            if alias_row["key"] == key and alias_row["country"] == country:
                target = _ALIAS_NOTE.match(alias_row["notes"]).group(1)
        aliases_of[(target, country)].extend(names)

    index = PlaceIndex()
    for line, row in sorted(main_rows, key=lambda item: depth(item[1])):
        with row_errors(path, line):
            if not row["key"] or not row["name_en"]:
                raise ValueError("key and name_en are required")
            slug = slugify(row["name_en"])
            if slug_counts[slug] > 1:
                slug = slugify(f"{row['name_en']} {row['parent'] or row['country']}")
            parent = None
            if row["parent"]:
                parent_data = parent_row(row)
                if parent_data is None:
                    # The parent is not itself a place of the data set: keep it as a note.
                    parent = None
                else:
                    parent = index.get(parent_data["key"], row["country"])
            aliases = [row["key"]] if row["key"] != row["name_en"] else []
            aliases += aliases_of.get((row["key"], row["country"]), [])
            values = {
                "slug": slug,
                "country": row["country"],
                "admin_level": row["admin_level"],
                "parent": parent,
                "name_en": row["name_en"],
                **{name: row[name] for name in _OTHER_NAMES},
                "aliases": "\n".join(dict.fromkeys(a for a in aliases if a)),
                "latitude": _optional_decimal(row["lat"]),
                "longitude": _optional_decimal(row["lon"]),
                "population": _optional_int(row["population"]),
                "geonames_id": _optional_int(row["geonames_id"]),
                "note": row["notes"],
            }
            match = Q(geonames_id=values["geonames_id"]) if values["geonames_id"] else Q(slug=slug)
            city = upsert(report, City, match=match, values=values)
        index.add(row["key"], row["country"], city)
        for _line, alias_row in alias_rows:
            if _ALIAS_NOTE.match(alias_row["notes"]).group(1) == row["key"]:
                index.add(alias_row["key"], alias_row["country"], city)
    return index


# The researched ties (one row per tie and source, with where in the source the fact
# stands): cities/data/research/*.csv. The research log is these files themselves.
RESEARCH_DIR_NAME = "research"
RESEARCH_COLUMNS = [
    "city_a",
    "country_a",
    "parent_a",
    "native_a",
    "city_b",
    "country_b",
    "parent_b",
    "native_b",
    "kind",
    "established",
    "date_basis",
    "label_a",
    "label_b",
    "source_url",
    "source_title",
    "source_publisher",
    "evidence",
    "where",
    "accessed_on",
    "note",
]
_PRECISION_ORDER = {0: 0, 4: 1, 7: 2, 10: 3}  # length of the ISO partial date → precision


def _place_name(name: str, parent: str) -> str:
    """ "Yeosu (South Jeolla Province)"; a parent named with its own parent keeps its name."""
    base, qualifier = split_qualifier(name)  # "Kashima (Saga)": already qualified
    parent = split_qualifier(parent)[0] if parent else qualifier
    return f"{base} ({parent})" if parent else base


@dataclass
class ResearchRow:
    path: Path
    line: int
    row: dict[str, str]

    @property
    def pair(self) -> frozenset:
        r = self.row
        return frozenset(
            {
                (country_from_name(r["country_a"]), r["city_a"], r["parent_a"]),
                (country_from_name(r["country_b"]), r["city_b"], r["parent_b"]),
            }
        )

    @property
    def rank(self) -> tuple:
        """Best first: a primary source, then the agreement itself (not a memorandum before
        it), then the most precise date, then file order."""
        return (
            self.row["evidence"] != "primary",
            self.row["date_basis"] == DateBasis.MEMORANDUM,
            -_PRECISION_ORDER.get(len(self.row["established"]), 0),
            self.path.name,
            self.line,
        )

    def import_cells(self) -> dict[str, str]:
        r = self.row
        return {
            "city_a": _place_name(r["city_a"], r["parent_a"]),
            "country_a": r["country_a"],
            "city_b": _place_name(r["city_b"], r["parent_b"]),
            "country_b": r["country_b"],
            "kind": r["kind"],
            "established": r["established"],
            "date_basis": r["date_basis"],
            "label_a": r["label_a"],
            "label_b": r["label_b"],
            "source": r["source_url"],
            "note": r["note"],
            "public_note": "",
            "native_a": r["native_a"],
            "native_b": r["native_b"],
        }


def research_rows(data_dir: Path) -> list[ResearchRow]:
    rows = []
    for path in sorted((data_dir / RESEARCH_DIR_NAME).glob("*.csv")):
        for line, row in read_rows(path, RESEARCH_COLUMNS):
            with row_errors(path, line):
                if not row["source_url"]:
                    raise ValueError("every researched tie needs its source")
                if row["evidence"] not in SourceKind.values:
                    raise ValueError(f"unknown evidence '{row['evidence']}'")
                rows.append(ResearchRow(path, line, row))
    return rows


def load_research_sources(report: LoadReport, rows: list[ResearchRow]) -> None:
    """The sources of the researched ties with their title, publisher, kind and access date.

    A source is known by its URL; a stored one only gets what it lacks (a curator's
    title is never replaced), and it becomes primary when any row says so.
    """
    wanted: dict[str, dict] = {}
    for research in sorted(rows, key=lambda r: r.rank):
        r = research.row
        values = wanted.setdefault(
            iri_to_uri(r["source_url"]),
            {
                "url": iri_to_uri(r["source_url"]),
                "title": r["source_title"],
                "publisher": r["source_publisher"],
                "kind": r["evidence"],
                "accessed_on": parse_partial_date(r["accessed_on"])[0]
                if r["accessed_on"]
                else None,
            },
        )
        if r["evidence"] == SourceKind.PRIMARY:
            values["kind"] = SourceKind.PRIMARY
    stored: dict[str, Source] = {}
    for source in Source.objects.filter(url__in=list(wanted)).order_by("id"):
        stored.setdefault(source.url, source)
    for url, values in wanted.items():
        source = stored.get(url)
        if source is None:
            source = Source(**values)
            source.full_clean(validate_constraints=False)
            source.save()
            report.record(source, "created")
            continue
        changed = [
            name
            for name, value in values.items()
            if value
            and (not getattr(source, name) or (name == "kind" and value == SourceKind.PRIMARY))
            and getattr(source, name) != value
        ]
        for name in changed:
            setattr(source, name, values[name])
        if changed:
            source.save(update_fields=changed)
        report.record(source, "updated" if changed else "unchanged")


def load_source_publishers(report: LoadReport, data_dir: Path) -> None:
    """Who publishes the sites the data cites (`source_publishers.csv`: host, publisher, kind).

    A source whose publisher is only its host name gets the publisher's name, and becomes
    primary when the publisher is a government or a registry. A publisher a curator wrote
    is kept.
    """
    path = data_dir / "source_publishers.csv"
    if not path.exists():
        return
    publishers = {}
    for line, row in read_rows(path, ["host", "publisher", "kind"]):
        with row_errors(path, line):
            if row["kind"] not in SourceKind.values:
                raise ValueError(f"unknown kind '{row['kind']}'")
        publishers[row["host"]] = row
    for source in Source.objects.exclude(url="").order_by("id"):
        host = urlsplit(source.url).hostname or ""
        # The site's host or the domain it is part of: cn.tcs-asia.org is tcs-asia.org's.
        parts = host.split(".")
        row = next(
            (
                publishers[".".join(parts[i:])]
                for i in range(len(parts))
                if ".".join(parts[i:]) in publishers
            ),
            None,
        )
        if row is None or source.publisher not in ("", host, row["publisher"]):
            continue
        if source.publisher == row["publisher"] and (
            row["kind"] != SourceKind.PRIMARY or source.kind == SourceKind.PRIMARY
        ):
            continue
        source.publisher = row["publisher"]
        fields = ["publisher"]
        if row["kind"] == SourceKind.PRIMARY and source.kind != SourceKind.PRIMARY:
            source.kind = SourceKind.PRIMARY
            fields.append("kind")
        source.save(update_fields=fields)
        report.record(source, "updated")


def _import_passes(legacy: list[dict], rows: list[ResearchRow]) -> list[tuple[str, list]]:
    """The order the tie files are imported in, each pass holding at most one row per tie.

    The ties of the original demo file come first (curated, with their notes), then the
    researched rows of each tie, best first (a primary source, then the most precise date):
    a later row fills what is missing, adds its source, becomes a step of the tie's life,
    or a conflict for a curator, and never overwrites what is there.
    """
    by_pair: dict[frozenset, list[ResearchRow]] = defaultdict(list)
    for row in rows:
        by_pair[row.pair].append(row)
    passes: list[list[ResearchRow]] = []
    for group in by_pair.values():
        for depth, row in enumerate(sorted(group, key=lambda r: r.rank)):
            if len(passes) <= depth:
                passes.append([])
            passes[depth].append(row)
    ordered = [("friendship_links.csv", legacy)]
    ordered += [(f"research, sources of rank {n}", rows) for n, rows in enumerate(passes, 1)]
    return ordered


def legacy_tie_rows(data_dir: Path, places: PlaceIndex, resolver: PlaceResolver) -> list[dict]:
    """The ties of friendship_links.csv as import rows naming each place unambiguously.

    The file names places by their key in cities.csv; the import is given a name that
    resolves to that place alone (with its parent, or another of its names), so that a
    gazetteer place of the same English name (the other Yangzhou) is never taken for it.
    """
    path = data_dir / "friendship_links.csv"
    columns = ["city_a", "country_a", "city_b", "country_b", "kind", "established"]
    columns += ["source", "note"]
    cities = City.objects.select_related("parent").in_bulk(places.ids())
    rows = []
    for line, row in read_rows(path, columns):
        cells = dict(row)
        for side in ("a", "b"):
            with row_errors(path, line):
                key = places.get(row[f"city_{side}"], country_from_name(row[f"country_{side}"]))
            city = cities[key.pk]
            cells[f"city_{side}"] = resolver.export_name(city)
        rows.append(LegacyRow(path, line, cells))
    return rows


@dataclass
class LegacyRow:
    path: Path
    line: int
    cells: dict[str, str]

    def import_cells(self) -> dict[str, str]:
        return self.cells


def load_ties(
    report: LoadReport,
    data_dir: Path,
    places: PlaceIndex,
    gazetteer: Callable[[], GazetteerIndex] | None,
) -> None:
    """The demo ties, through the tie import (one writer, one set of reconciliation rules)."""
    rows = research_rows(data_dir)
    load_research_sources(report, rows)
    ties_before = set(FriendshipLink.objects.values_list("pk", flat=True))
    places_before = City.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    touched: dict[int, str] = {}
    resolver = PlaceResolver(gazetteer)
    legacy = legacy_tie_rows(data_dir, places, resolver)
    passes = _import_passes(legacy, rows)
    while passes:
        label, items = passes.pop(0)
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        for item in items:
            writer.writerow(item.import_cells())
        buffer.seek(0)
        result = ties_import(
            handle=buffer,
            origin=f"demo data, {label}",
            gazetteer=gazetteer,
            places=resolver,
            skip_invalid=True,  # inside load_demo's transaction: a real error undoes all
        )
        resolver = result.resolver
        lines = dict(enumerate(items, 2))
        # Two spellings of one tie in a pass: the second waits for the next pass.
        again = [lines[error.line] for error in result.errors if error.duplicate_of]
        if again:
            passes.insert(0, (f"{label}, same ties", again))
        for error in result.errors:
            if not error.duplicate_of:
                item = lines.get(error.line)
                raise DemoDataError(
                    item.path if item else data_dir, item.line if item else 0, error.reason
                )
        for key, outcome in result.outcomes.outcomes.get("Ties", {}).items():
            if key in ties_before and touched.get(key) != "updated":
                touched[key] = outcome
    for pk in FriendshipLink.objects.exclude(pk__in=ties_before).values_list("pk", flat=True):
        report.record(FriendshipLink(pk=pk), "created")
    for pk, outcome in touched.items():
        report.record(FriendshipLink(pk=pk), outcome)
    for pk in City.objects.filter(pk__gt=places_before).values_list("pk", flat=True):
        report.record(City(pk=pk), "created")


def load_milestones(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
    translations = data_dir / TRANSLATIONS_FILE
    path = data_dir / "link_milestones.csv"
    columns = ["city_a", "country_a", "city_b", "country_b", "date", "kind", "kind_after"]
    columns += ["source", "note"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            city_a = places.get(row["city_a"], country_from_name(row["country_a"]))
            city_b = places.get(row["city_b"], country_from_name(row["country_b"]))
            tie = tie_between(slug_a=city_a.slug, slug_b=city_b.slug)
            if tie is None:
                raise ValueError(f"no tie between '{row['city_a']}' and '{row['city_b']}'")
            if row["kind"] not in MilestoneKind.values:
                raise ValueError(f"unknown milestone kind '{row['kind']}'")
            if row["kind_after"] and row["kind_after"] not in TieKind.values:
                raise ValueError(f"unknown kind '{row['kind_after']}'")
            date, precision = parse_partial_date(row["date"])
            milestone = upsert(
                report,
                LinkMilestone,
                match=Q(link=tie, date=date, kind=row["kind"]),
                values={
                    "link": tie,
                    "date": date,
                    "date_precision": precision,
                    "kind": row["kind"],
                    "kind_after": row["kind_after"],
                    "note_en": row["note"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )
            key = "|".join(row[name] for name in ("city_a", "city_b", "date", "kind"))
            translations_apply(
                milestone, read_translations(translations).get(("milestone", key), [])
            )


def _designation_status(note: str) -> str:
    lowered = note.lower()
    if "cancelled" in lowered:
        return DesignationStatus.CANCELLED
    if "continued from" in lowered:
        return DesignationStatus.EXTENDED
    if "national selection" in lowered:
        return DesignationStatus.SELECTED
    return DesignationStatus.PROCLAIMED


def load_designations(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
    path = data_dir / "ccea_designations.csv"
    for line, row in read_rows(path, ["year", "country", "city", "city_local", "source", "note"]):
        with row_errors(path, line):
            city = places.get(row["city"], country_from_name(row["country"]))
            if not row["year"].isdigit():
                raise ValueError(f"'{row['year']}' is not a year")
            year = int(row["year"])
            upsert(
                report,
                CultureCityDesignation,
                match=Q(year=year, city=city),
                values={
                    "year": year,
                    "city": city,
                    "status": _designation_status(row["note"]),
                    "note": row["note"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )


def load_indicators(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
    translations = data_dir / TRANSLATIONS_FILE
    path = data_dir / "seed_interview_indicators.csv"
    columns = ["city", "country", "year", "indicator", "value", "unit", "source", "note"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            city = places.get(row["city"], country_from_name(row["country"]))
            value = _optional_decimal(row["value"])
            if value is None:
                raise ValueError("value is required")
            figure = upsert(
                report,
                ExchangeIndicator,
                match=Q(city=city, year=int(row["year"]), indicator_en=row["indicator"]),
                values={
                    "city": city,
                    "year": int(row["year"]),
                    "indicator_en": row["indicator"],
                    "value": value,
                    "unit_en": row["unit"],
                    "note_en": row["note"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )
            key = "|".join(row[name] for name in ("city", "year", "indicator"))
            translations_apply(figure, read_translations(translations).get(("figure", key), []))


_MEMBER = re.compile(r"^(.+) \((CN|JP|KR)\)$")


def load_trilateral_groups(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
    translations = data_dir / TRANSLATIONS_FILE
    path = data_dir / "trilateral_groups.csv"
    columns = ["member_cn", "member_jp", "member_kr", "link_years", "joint_programme", "source"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            members = []
            for column in ("member_cn", "member_jp", "member_kr"):
                match = _MEMBER.match(row[column])
                if not match:
                    raise ValueError(f"{column} '{row[column]}' is not of the form 'Name (CN)'")
                members.append(places.get(match.group(1), match.group(2)))
            city_cn, city_jp, city_kr = members
            group = upsert(
                report,
                TrilateralGroup,
                match=Q(city_cn=city_cn, city_jp=city_jp, city_kr=city_kr),
                values={
                    "city_cn": city_cn,
                    "city_jp": city_jp,
                    "city_kr": city_kr,
                    "link_years": row["link_years"],
                    "joint_programme_en": row["joint_programme"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )
            key = "|".join(row[name] for name in ("member_cn", "member_jp", "member_kr"))
            translations_apply(group, read_translations(translations).get(("group", key), []))


def load_gazetteer(
    report: LoadReport, path: Path, data_dir: Path
) -> Callable[[], GazetteerIndex] | None:
    """The gazetteer's places (GeoNames): created, or their empty fields filled.

    The provinces and prefectures first; then the demo places get the parent cities.csv
    names for them (a province the file itself does not list); then the other places,
    which so find the demo places by name within their province. Returns what builds the
    gazetteer's index for the tie import, when a name needs it.
    """
    if not path.exists():
        return None
    entries = gazetteer_read(path)
    counts = gazetteer_load(places=[entry for entry in entries if entry.is_division])
    fill_parents(report, data_dir)
    more = gazetteer_load(places=[entry for entry in entries if not entry.is_division])
    fill_parents(report, data_dir)  # parents that are cities (Tongzhou District of Nantong)
    label = str(City._meta.verbose_name_plural).title() + " (gazetteer)"
    for outcome in ("created", "updated", "unchanged"):
        for n in range(counts.get(outcome, 0) + more.get(outcome, 0)):
            report.outcomes[label][("gazetteer", outcome, n)] = outcome
    return functools.partial(gazetteer_index, path)


def fill_parents(report: LoadReport, data_dir: Path) -> None:
    """Give the places of cities.csv the parent it names, when that parent is a stored
    place (a gazetteer province) rather than a row of the file; a parent is only filled."""
    path = data_dir / "cities.csv"
    resolver = PlaceResolver()
    for line, row in read_rows(path, ["key", "country", "name_en", "parent"]):
        if not row["parent"] or _ALIAS_NOTE.match(row.get("notes", "")):
            continue
        city = City.objects.filter(
            slug__in=[slugify(row["name_en"]), slugify(f"{row['name_en']} {row['parent']}")],
            country=row["country"],
            parent__isnull=True,
        ).first()
        if city is None:
            continue
        with row_errors(path, line):
            parent_id = resolver.find(row["parent"], row["country"])
        if parent_id and parent_id != city.pk:
            city.parent_id = parent_id
            city.save(update_fields=["parent", "updated_at"])
            report.record(city, "updated")


ADDED_PLACES_COLUMNS = [
    "key",
    "country",
    "name_en",
    "admin_level",
    "parent",
    *_OTHER_NAMES,
    "lat",
    "lon",
    "population",
    "population_year",
    "source",
]
_ADDED_LEVELS = {"eup": AdminLevel.OTHER, "myeon": AdminLevel.OTHER}


def load_added_places(report: LoadReport, data_dir: Path) -> None:
    """Places the gazetteer lacks that the researched ties need (Seoul's districts, Tokyo's
    wards, counties): places_added.csv, one row per name the ties use, each with its source.

    Rows naming the same place (Gangnam, Gangnam-gu) make one place with the other names as
    aliases. A stored place of that name and parent only gets what it lacks.
    """
    path = data_dir / "places_added.csv"
    if not path.exists():
        return
    resolver = PlaceResolver()
    groups: dict[tuple[str, str, str], list[tuple[int, dict]]] = defaultdict(list)
    for line, row in read_rows(path, ADDED_PLACES_COLUMNS):
        groups[(row["country"], row["name_en"], row["parent"])].append((line, row))
    for (country, name, parent_name), rows in groups.items():
        line, row = rows[0]
        with row_errors(path, line):
            if not row["source"]:
                raise ValueError(f"the place '{name}' needs a source")
            parent_id = resolver.find(parent_name, country) if parent_name else None
            if parent_name and parent_id is None:
                raise ValueError(f"unknown parent '{parent_name}' in {country}")
            keys = [r["key"] for _line, r in rows if r["key"] != name]
            values = {
                "country": country,
                "name_en": name,
                "admin_level": _ADDED_LEVELS.get(row["admin_level"], row["admin_level"]),
                "parent_id": parent_id,
                **{name: row[name] for name in _OTHER_NAMES},
                "aliases": "\n".join(dict.fromkeys(keys)),
                "latitude": _optional_decimal(row["lat"]),
                "longitude": _optional_decimal(row["lon"]),
                "population": _optional_int(row["population"]),
                "population_year": _optional_int(row["population_year"]),
                "note": f"Researched: {row['source']}",
            }
            if values["latitude"] is not None:
                values["coordinates_basis"] = CoordinatesBasis.PLACE
            # The same place from cities.csv may lack its parent (the gazetteer lacks it).
            stored = (
                City.objects.filter(country=country, name_en=name)
                .filter(Q(parent_id=parent_id) | Q(parent__isnull=True))
                .first()
            )
            slug = stored.slug if stored else _free_slug(name, parent_name or country)
            upsert(report, City, match=Q(slug=slug), values={"slug": slug, **values})


def _free_slug(name: str, qualifier: str) -> str:
    base = slugify(name)
    for candidate in (base, slugify(f"{name} {qualifier}")):
        if not City.objects.filter(slug=candidate).exists():
            return candidate
    number = 2
    while City.objects.filter(slug=f"{base}-{number}").exists():
        number += 1
    return f"{base}-{number}"


def load_cities_demo(
    report: LoadReport,
    data_dir: Path = CITIES_DATA_DIR,
    *,
    gazetteer_path: Path | None = None,
) -> PlaceIndex:
    """Load places, the gazetteer, ties, milestones, designations, figures and groups.

    The demo places come first (their addresses are kept), then the gazetteer fills
    their empty fields (parents, coordinates, names) and adds every other place of the
    three countries. `gazetteer_path` defaults to the data folder's gazetteer/places.tsv
    (tests pass a small slice). Not atomic alone.
    """
    extra_aliases = designation_local_names(data_dir)
    for place, names in old_spellings(data_dir).items():
        extra_aliases[place] += names
    places = load_places(report, data_dir, extra_aliases)
    gazetteer = load_gazetteer(
        report, gazetteer_path or data_dir / "gazetteer" / "places.tsv", data_dir
    )
    load_added_places(report, data_dir)
    load_ties(report, data_dir, places, gazetteer)
    load_milestones(report, data_dir, places)
    load_designations(report, data_dir, places)
    load_indicators(report, data_dir, places)
    load_trilateral_groups(report, data_dir, places)
    # Derived from the names just loaded: keeps the demo places searchable (the gazetteer
    # and the tie import index the places they write themselves).
    city_search_keys_rebuild(cities=City.objects.filter(pk__in=places.ids()))
    return places
