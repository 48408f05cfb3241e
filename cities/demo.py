"""Load the researched demo data (cities/data/*.csv, copied from shared/data) into the database.

Every loader is idempotent: rows are matched on their natural key (a place's
slug, a tie's unordered pair, a designation's year and place …), written only
when something differs, and counted as created / updated / unchanged. A row
that cannot be loaded raises `DemoDataError` naming the file, the line and the
reason; the caller runs everything in one transaction so nothing is written.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils.text import slugify

from .dates import DatePrecision, parse_partial_date
from .models import (
    City,
    Country,
    CultureCityDesignation,
    DateBasis,
    DesignationStatus,
    ExchangeIndicator,
    FriendshipLink,
    LinkMilestone,
    MilestoneKind,
    Source,
    TieKind,
    TrilateralGroup,
)
from .services import city_search_keys_rebuild

CITIES_DATA_DIR = Path(__file__).resolve().parent / "data"

COUNTRY_NAMES = {
    "china": Country.CHINA,
    "cn": Country.CHINA,
    "japan": Country.JAPAN,
    "jp": Country.JAPAN,
    "south korea": Country.KOREA,
    "korea": Country.KOREA,
    "republic of korea": Country.KOREA,
    "kr": Country.KOREA,
}

# Citations that the data gives as text. The same interview is cited by URL in
# friendship_links.csv ("Mayor WANG Jinjian's TCS interview"), so we link it.
KNOWN_CITATION_URLS = {
    "TCS interview with Mayor WANG Jinjian of Yangzhou (2022)": (
        "https://cn.tcs-asia.org/en/cooperation/interview_view.php?idx=2&pNo=1&topics=31"
    ),
}

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


def country_from_name(text: str) -> str:
    """ "China" / "Japan" / "South Korea" / "Korea" or an ISO code → CN / JP / KR."""
    code = COUNTRY_NAMES.get(text.strip().lower())
    if code is None:
        raise ValueError(f"unknown country '{text}' (use China, Japan, South Korea or CN, JP, KR)")
    return str(code)


class MissingColumnsError(ValueError):
    """The header of a CSV file lacks required columns."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(f"missing column(s): {', '.join(missing)}")


_EXTRA_CELLS = "\0extra"


def csv_rows(handle, required: list[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Yield (line number, row) from an open CSV text stream, cells stripped.

    Raises MissingColumnsError when the header lacks a required column. A row
    shorter than the header has None in its missing cells; cells beyond the
    header are dropped.
    """
    reader = csv.DictReader(handle, restkey=_EXTRA_CELLS)
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise MissingColumnsError(missing)
    for row in reader:
        yield (
            reader.line_num,
            {
                key: (value.strip() if value is not None else None)
                for key, value in row.items()
                if key != _EXTRA_CELLS
            },
        )


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


@dataclass
class LoadReport:
    """created / updated / unchanged per model, counting each object once."""

    outcomes: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)

    _RANK = {"unchanged": 0, "updated": 1, "created": 2}

    def record(self, obj: models.Model, outcome: str, *, key=None) -> None:
        """Count `obj` once; `key` stands in for the pk of an object not saved (a dry run)."""
        label = obj._meta.verbose_name_plural.title()
        key = obj.pk if key is None else key
        seen = self.outcomes[str(label)].get(key)
        if seen is None or self._RANK[outcome] > self._RANK[seen]:
            self.outcomes[str(label)][key] = outcome

    def table(self) -> list[str]:
        """The counts as lines of a fixed-width table (what the commands print)."""
        counts = self.counts()
        if not counts:
            return []
        width = max(len(label) for label in counts)
        lines = [f"{'':<{width}}  created  updated  unchanged"]
        for label, totals in counts.items():
            lines.append(
                f"{label:<{width}}  {totals['created']:>7}  {totals['updated']:>7}  "
                f"{totals['unchanged']:>9}"
            )
        return lines

    def counts(self) -> dict[str, dict[str, int]]:
        result = {}
        for label, per_object in sorted(self.outcomes.items()):
            totals = {"created": 0, "updated": 0, "unchanged": 0}
            for outcome in per_object.values():
                totals[outcome] += 1
            result[label] = totals
        return result

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts().values())


def upsert(
    report: LoadReport,
    model: type[models.Model],
    *,
    match: Q,
    values: dict,
    many: dict[str, list[models.Model]] | None = None,
) -> models.Model:
    """Create the object matched by `match` with `values`, or update what differs."""
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
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean(validate_constraints=False)
            obj.save()
            outcome = "updated"
    for name, related in (many or {}).items():
        manager = getattr(obj, name)
        wanted = {item.pk for item in related}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(related)
            if outcome == "unchanged":
                outcome = "updated"
    report.record(obj, outcome)
    return obj


def source_values(citation: str) -> dict[str, str]:
    """The url, title and publisher of a Source from a cell holding a URL or a citation."""
    citation = citation.strip()
    if citation.startswith(("http://", "https://")):
        url, title = citation, ""
    else:
        url, title = KNOWN_CITATION_URLS.get(citation, ""), citation
    publisher = (urlsplit(url).hostname or "") if url else ""
    return {"url": url, "title": title, "publisher": publisher}


def source_for(report: LoadReport, citation: str) -> Source:
    """A Source from a cell that holds a URL or a citation text (one query per source a run)."""
    values = source_values(citation)
    key = (values["url"], values["title"])
    if key not in report.sources:
        report.sources[key] = upsert(
            report, Source, match=Q(url=values["url"], title=values["title"]), values=values
        )
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


def load_places(
    report: LoadReport,
    data_dir: Path,
    extra_aliases: dict[tuple[str, str], list[str]] | None = None,
) -> PlaceIndex:
    path = data_dir / "cities.csv"
    columns = ["key", "country", "name_en", "admin_level", "parent", "name_zh_hans"]
    columns += ["name_zh_hant", "name_ja", "name_ko", "romanization", "lat", "lon"]
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
                "name_zh_hans": row["name_zh_hans"],
                "name_zh_hant": row["name_zh_hant"],
                "name_ja": row["name_ja"],
                "name_ko": row["name_ko"],
                "romanization": row["romanization"],
                "aliases": "\n".join(dict.fromkeys(a for a in aliases if a)),
                "latitude": _optional_decimal(row["lat"]),
                "longitude": _optional_decimal(row["lon"]),
                "population": _optional_int(row["population"]),
                "geonames_id": _optional_int(row["geonames_id"]),
                "note": row["notes"],
            }
            city = upsert(report, City, match=Q(slug=slug), values=values)
        index.add(row["key"], row["country"], city)
        for _line, alias_row in alias_rows:
            if _ALIAS_NOTE.match(alias_row["notes"]).group(1) == row["key"]:
                index.add(alias_row["key"], alias_row["country"], city)
    return index


def date_basis_from_note(note: str) -> str:
    lowered = note.lower()
    if "ceremony" in lowered:
        return DateBasis.CEREMONY
    if "signing" in lowered or "signed" in lowered:
        return DateBasis.SIGNED
    if "council approval" in lowered:
        return DateBasis.COUNCIL
    if "mou only" in lowered or "memorandum only" in lowered:
        return DateBasis.MEMORANDUM
    return DateBasis.UNKNOWN


def tie_between(city_a: City, city_b: City) -> Q:
    """Match the tie of two places in either order."""
    return Q(city_a=city_a, city_b=city_b) | Q(city_a=city_b, city_b=city_a)


def load_ties(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
    path = data_dir / "friendship_links.csv"
    columns = ["city_a", "country_a", "city_b", "country_b", "kind", "established"]
    columns += ["source", "note"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            city_a = places.get(row["city_a"], country_from_name(row["country_a"]))
            city_b = places.get(row["city_b"], country_from_name(row["country_b"]))
            if city_a == city_b:
                raise ValueError(f"'{row['city_a']}' is tied to itself")
            if row["kind"] not in TieKind.values:
                raise ValueError(f"unknown kind '{row['kind']}'")
            established, precision = (None, DatePrecision.YEAR)
            if row["established"]:
                established, precision = parse_partial_date(row["established"])
            existing = FriendshipLink.objects.filter(tie_between(city_a, city_b)).first()
            if existing and existing.city_a_id == city_b.pk:
                city_a, city_b = city_b, city_a  # keep the stored orientation
            upsert(
                report,
                FriendshipLink,
                match=tie_between(city_a, city_b),
                values={
                    "city_a": city_a,
                    "city_b": city_b,
                    "kind": row["kind"],
                    "established_on": established,
                    "established_precision": precision,
                    "date_basis": date_basis_from_note(row["note"]),
                    "note": row["note"],
                    "verified": not row["note"].startswith("UNCERTAIN"),
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )


def load_milestones(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
    path = data_dir / "link_milestones.csv"
    columns = ["city_a", "country_a", "city_b", "country_b", "date", "kind", "kind_after"]
    columns += ["source", "note"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            city_a = places.get(row["city_a"], country_from_name(row["country_a"]))
            city_b = places.get(row["city_b"], country_from_name(row["country_b"]))
            tie = FriendshipLink.objects.filter(tie_between(city_a, city_b)).first()
            if tie is None:
                raise ValueError(f"no tie between '{row['city_a']}' and '{row['city_b']}'")
            if row["kind"] not in MilestoneKind.values:
                raise ValueError(f"unknown milestone kind '{row['kind']}'")
            if row["kind_after"] and row["kind_after"] not in TieKind.values:
                raise ValueError(f"unknown kind '{row['kind_after']}'")
            date, precision = parse_partial_date(row["date"])
            upsert(
                report,
                LinkMilestone,
                match=Q(link=tie, date=date, kind=row["kind"]),
                values={
                    "link": tie,
                    "date": date,
                    "date_precision": precision,
                    "kind": row["kind"],
                    "kind_after": row["kind_after"],
                    "note": row["note"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
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
    path = data_dir / "seed_interview_indicators.csv"
    columns = ["city", "country", "year", "indicator", "value", "unit", "source", "note"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            city = places.get(row["city"], country_from_name(row["country"]))
            value = _optional_decimal(row["value"])
            if value is None:
                raise ValueError("value is required")
            upsert(
                report,
                ExchangeIndicator,
                match=Q(city=city, year=int(row["year"]), indicator=row["indicator"]),
                values={
                    "city": city,
                    "year": int(row["year"]),
                    "indicator": row["indicator"],
                    "value": value,
                    "unit": row["unit"],
                    "note": row["note"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )


_MEMBER = re.compile(r"^(.+) \((CN|JP|KR)\)$")


def load_trilateral_groups(report: LoadReport, data_dir: Path, places: PlaceIndex) -> None:
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
            upsert(
                report,
                TrilateralGroup,
                match=Q(city_cn=city_cn, city_jp=city_jp, city_kr=city_kr),
                values={
                    "city_cn": city_cn,
                    "city_jp": city_jp,
                    "city_kr": city_kr,
                    "link_years": row["link_years"],
                    "joint_programme": row["joint_programme"],
                },
                many={"sources": [source_for(report, row["source"])] if row["source"] else []},
            )


def load_cities_demo(report: LoadReport, data_dir: Path = CITIES_DATA_DIR) -> PlaceIndex:
    """Load places, ties, milestones, designations, indicators and groups. Not atomic alone."""
    extra_aliases = designation_local_names(data_dir)
    for place, names in old_spellings(data_dir).items():
        extra_aliases[place] += names
    places = load_places(report, data_dir, extra_aliases)
    load_ties(report, data_dir, places)
    load_milestones(report, data_dir, places)
    load_designations(report, data_dir, places)
    load_indicators(report, data_dir, places)
    load_trilateral_groups(report, data_dir, places)
    # Derived from the names just loaded: keeps the demo places searchable.
    city_search_keys_rebuild()
    return places
