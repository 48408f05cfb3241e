"""Load the researched events (events/data/*.csv) after the places and ties are in."""

import calendar
import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.encoding import iri_to_uri
from django.utils.text import slugify

from cities.dates import DatePrecision, parse_partial_date
from cities.demo import (
    TRANSLATIONS_FILE,
    DemoDataError,
    LoadReport,
    PlaceIndex,
    country_from_name,
    read_rows,
    read_translations,
    row_errors,
    source_for,
    translations_apply,
    upsert,
)
from cities.models import CultureCityDesignation, Source, SourceKind
from cities.selectors import ties_with
from exchangeportal.infra.translation import TextOrigin

from .models import (
    EventCategory,
    EventFormat,
    EventSeries,
    EventStatus,
    ExchangeEvent,
    GoodPractice,
)

EVENTS_DATA_DIR = Path(__file__).resolve().parent / "data"

# Series recognised by their titles in the data: (pattern, slug, English name).
SERIES_PATTERNS = [
    (
        re.compile(r"^CJK Sister/Friendship Cities Go Exchange Tournament \((\d+)\)$"),
        "cjk-go-tournament",
        "CJK Sister/Friendship Cities Go Exchange Tournament",
        "Yangzhou, Karatsu and Yeosu host it in turn every year since 1999.",
    ),
    (
        re.compile(r"^World Canal Cities Forum (?:\d{4})$"),
        "world-canal-cities-forum",
        "World Canal Cities Forum",
        "A yearly forum of canal cities held in Yangzhou.",
    ),
]
_CCEA_YEAR = re.compile(r"(?:CCEA|Culture City of East Asia) (\d{4})")
_PARTICIPANTS = re.compile(r"(?:~|c\. )?([\d,]+)\+? participants")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)$")


def _category(text: str) -> str:
    value = text.strip().lower().replace(" and ", "_").replace(" ", "_")
    if value not in EventCategory.values:
        raise ValueError(f"unknown category '{text}'")
    return value


def _format(text: str) -> str:
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    if value not in EventFormat.values:
        raise ValueError(f"unknown format '{text}' (in-person, online or hybrid)")
    return value


def _period_end(value: datetime.date, precision: str) -> datetime.date:
    """The last day a partial date can mean: 2010 → 2010-12-31, 2021-03 → 2021-03-31."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def _event_slug(title: str, year: int, series: EventSeries | None, edition: int | None) -> str:
    if series and edition:
        return f"{series.slug}-{edition}"
    base = slugify(title)
    if len(base) > 70:
        base = base[:70].rsplit("-", 1)[0]
    return base if base.endswith(str(year)) else f"{base}-{year}"


def _split_partners(text: str, host, places: PlaceIndex):
    """Partner places, and the names that are organisations rather than places."""
    cities, organisations = [], []
    for name in (part.strip() for part in text.split(";")):
        if not name:
            continue
        city = places.find_anywhere(name) or places.find_anywhere(_PARENTHESIS.sub("", name))
        if city is None:
            organisations.append(name)
        elif city != host and city not in cities:
            cities.append(city)
    return cities, organisations


GO_EDITION = re.compile(r"^CJK Sister/Friendship Cities Go Exchange Tournament \(\d+\)$")
SERIES_PREFIX = "SERIES: "


@dataclass(frozen=True)
class NativeTitle:
    suffix: str  # the field suffix of its language: zh_hans, ja, ko
    text: str
    url: str
    publisher: str


def native_titles(path: Path) -> dict[str, list[NativeTitle]]:
    """The researched official titles in Chinese, Japanese and Korean, by English title
    (`research/event_titles.csv`; a series is "SERIES: <its events' title>").

    The Korean titles of the Go tournament's single editions are left out: the source gives
    the series' Korean name and one edition's, not each edition's (see the file's README).
    """
    titles: dict[str, list[NativeTitle]] = {}
    if not path.exists():
        return titles
    columns = ["title_en", "language", "native_title", "source_url", "source_publisher"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            suffix = row["language"].replace("-", "_")
            if suffix not in ("zh_hans", "ja", "ko"):
                raise ValueError(f"unknown language '{row['language']}'")
            if suffix == "ko" and GO_EDITION.match(row["title_en"]):
                continue
            titles.setdefault(row["title_en"], []).append(
                NativeTitle(suffix, row["native_title"], row["source_url"], row["source_publisher"])
            )
    return titles


def _native_values(report: LoadReport, titles: list[NativeTitle], base: str):
    """The fields, their origins ("original") and the sources of an object's native titles."""
    values, origins, sources = {}, {}, []
    for title in titles:
        values[f"{base}_{title.suffix}"] = title.text
        origins[f"{base}_{title.suffix}"] = TextOrigin.ORIGINAL
        source = source_for(report, title.url)
        host = urlsplit(title.url).hostname or ""
        if source.publisher in ("", host) and title.publisher:  # not one a curator wrote
            source.publisher = title.publisher
            source.save(update_fields=["publisher"])
        sources.append(source)
    if values:
        values["text_origins"] = origins
    return values, sources


def _load_events_file(
    report: LoadReport,
    path: Path,
    places: PlaceIndex,
    *,
    with_precision: bool,
    titles: dict[str, list[NativeTitle]],
    translated: dict[tuple[str, str], list[tuple[str, str]]],
) -> None:
    columns = ["title", "start", "end", "city", "country", "partners", "category", "format"]
    columns += ["source", "note"]
    if with_precision:
        columns.append("date_precision")
    today = timezone.localdate()
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            host = places.get(row["city"], country_from_name(row["country"]))
            starts_on, precision = parse_partial_date(row["start"])
            ends_on, end_precision = parse_partial_date(row["end"] or row["start"])
            if with_precision and row["date_precision"] != precision:
                raise ValueError(
                    f"date_precision '{row['date_precision']}' does not match '{row['start']}'"
                )
            ends_on = _period_end(ends_on, end_precision)
            if ends_on < starts_on:
                raise ValueError("the event ends before it starts")

            series, edition = None, None
            for pattern, slug, name, description in SERIES_PATTERNS:
                match = pattern.match(row["title"])
                if match:
                    series_values, series_sources = _native_values(
                        report, titles.get(SERIES_PREFIX + row["title"].split(" (")[0], []), "name"
                    )
                    series = upsert(
                        report,
                        EventSeries,
                        match=Q(slug=slug),
                        values={
                            "slug": slug,
                            "name_en": name,
                            "description_en": description,
                            **series_values,
                        },
                        many={"sources": [source_for(report, row["source"]), *series_sources]},
                    )
                    translations_apply(series, translated.get(("series", slug), []))
                    edition = int(match.group(1)) if match.groups() else None

            partners, organisations = _split_partners(row["partners"], host, places)
            ties = list(ties_with(city=host, partners=partners)) if partners else []

            designation = None
            context = f"{row['title']} {row['note']}"
            if "CCEA" in context or "Culture City of East Asia" in context:
                year_match = _CCEA_YEAR.search(row["title"])
                year = int(year_match.group(1)) if year_match else starts_on.year
                designation = CultureCityDesignation.objects.filter(year=year, city=host).first()

            participants = _PARTICIPANTS.search(row["note"])
            planned = row["note"].lower().startswith("planned")
            status = EventStatus.HELD if ends_on < today and not planned else EventStatus.PLANNED
            summary, note = (row["note"], "") if with_precision else ("", row["note"])
            native, native_sources = _native_values(report, titles.get(row["title"], []), "title")
            event = upsert(
                report,
                ExchangeEvent,
                match=Q(slug=_event_slug(row["title"], starts_on.year, series, edition)),
                values={
                    "slug": _event_slug(row["title"], starts_on.year, series, edition),
                    "title_en": row["title"],
                    "summary_en": summary,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "date_precision": precision,
                    "host": host,
                    "partner_organisations": "; ".join(organisations),
                    "category": _category(row["category"]),
                    "format": _format(row["format"]),
                    "series": series,
                    "edition": edition,
                    "designation": designation,
                    "participants": (
                        int(participants.group(1).replace(",", "")) if participants else None
                    ),
                    "status": status,
                    "is_published": True,
                    "note": note,
                    **native,
                },
                many={
                    "partners": partners,
                    "links": ties,
                    "sources": [
                        *([source_for(report, row["source"])] if row["source"] else []),
                        *native_sources,
                    ],
                },
            )
            translations_apply(event, translated.get(("event", row["title"]), []))


GOOD_PRACTICES_FILE = "good_practices.csv"
GOOD_PRACTICE_SOURCES_FILE = "good_practice_sources.csv"
_PLACE_WITH_COUNTRY = re.compile(r"^(.+) \((CN|JP|KR)\)$")


def _practice_places(text: str, places: PlaceIndex) -> list:
    """ "Yangzhou (CN); Karatsu (JP)" → the places, by the keys the place files use."""
    found = []
    for part in (part.strip() for part in text.split(";")):
        if not part:
            continue
        match = _PLACE_WITH_COUNTRY.match(part)
        if match is None:
            raise ValueError(f"write a place as 'Name (CN)', not '{part}'")
        found.append(places.get(match.group(1), match.group(2)))
    return found


def _practice_source(report: LoadReport, row: dict[str, str]) -> Source:
    """A case's source with its title, publisher, kind and access date. A stored source (the
    same address) keeps what a curator wrote: only its empty fields are filled, and a
    publisher that is only the site's host name is replaced."""
    if row["kind"] not in SourceKind.values:
        raise ValueError(f"unknown kind '{row['kind']}'")
    accessed_on = parse_date(row["accessed_on"]) if row["accessed_on"] else None
    if row["accessed_on"] and accessed_on is None:
        raise ValueError(f"accessed_on '{row['accessed_on']}' is not a date (YYYY-MM-DD)")
    url = iri_to_uri(row["url"].strip())
    stored = Source.objects.filter(url=url).order_by("id").first()
    if stored is None:
        source = upsert(
            report,
            Source,
            match=Q(url=url, title=row["title"]),
            values={
                "url": url,
                "title": row["title"],
                "publisher": row["publisher"],
                "kind": row["kind"],
                "accessed_on": accessed_on,
            },
        )
        report.sources[(url, "")] = source
        return source
    fields = []
    host = urlsplit(url).hostname or ""
    if stored.publisher in ("", host) and row["publisher"] and stored.publisher != row["publisher"]:
        stored.publisher = row["publisher"]
        fields.append("publisher")
        if row["kind"] == SourceKind.PRIMARY and stored.kind != SourceKind.PRIMARY:
            stored.kind = SourceKind.PRIMARY  # the kind followed the host name: it is ours
            fields.append("kind")
    if not stored.title and row["title"]:
        stored.title = row["title"]
        fields.append("title")
    if stored.accessed_on is None and accessed_on:
        stored.accessed_on = accessed_on
        fields.append("accessed_on")
    if fields:
        stored.save(update_fields=fields)
    report.record(stored, "updated" if fields else "unchanged")
    return stored


def load_good_practices(
    report: LoadReport,
    places: PlaceIndex,
    data_dir: Path,
    translated: dict[tuple[str, str], list[tuple[str, str]]],
) -> None:
    """The researched good-practice cases (`good_practices.csv`), their sources
    (`good_practice_sources.csv`: at least one per case) and the portal's translations.
    Fill-only, like every loader: a curator's text, link or date is kept."""
    sources: dict[str, list[Source]] = {}
    path = data_dir / GOOD_PRACTICE_SOURCES_FILE
    columns = ["practice", "url", "title", "publisher", "kind", "accessed_on", "evidence"]
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            if not row["url"].startswith(("http://", "https://")):
                raise ValueError(f"a source needs its address, not '{row['url']}'")
            sources.setdefault(row["practice"], []).append(_practice_source(report, row))

    path = data_dir / GOOD_PRACTICES_FILE
    columns = ["slug", "title", "event", "series", "places", "since", "ongoing", "category"]
    columns += ["format", "what", "who", "result", "repeat"]
    seen = set()
    for line, row in read_rows(path, columns):
        with row_errors(path, line):
            slug = row["slug"]
            if slug in seen:
                raise ValueError(f"the case '{slug}' is there twice")
            seen.add(slug)
            if not sources.get(slug):
                raise ValueError(f"the case '{slug}' has no row in {GOOD_PRACTICE_SOURCES_FILE}")
            event = ExchangeEvent.objects.filter(slug=row["event"]).first()
            if row["event"] and event is None:
                raise ValueError(f"unknown event '{row['event']}'")
            series = EventSeries.objects.filter(slug=row["series"]).first()
            if row["series"] and series is None:
                raise ValueError(f"unknown series '{row['series']}'")
            since_on, precision = parse_partial_date(row["since"]) if row["since"] else (None, "")
            if row["category"] and row["category"] not in EventCategory.values:
                raise ValueError(f"unknown category '{row['category']}'")
            if row["format"] and row["format"] not in EventFormat.values:
                raise ValueError(f"unknown format '{row['format']}'")
            if row["ongoing"] not in ("", "yes"):
                raise ValueError(f"ongoing is 'yes' or empty, not '{row['ongoing']}'")
            # The event may already carry a case a curator wrote: that one is filled in.
            match = Q(slug=slug) | Q(event=event) if event else Q(slug=slug)
            practice = upsert(
                report,
                GoodPractice,
                match=match,
                values={
                    "slug": slug,
                    "title_en": row["title"],
                    "event": event,
                    "series": series,
                    "since_on": since_on,
                    "since_precision": precision or DatePrecision.YEAR,
                    "is_ongoing": row["ongoing"] == "yes",
                    "category": row["category"],
                    "format": row["format"],
                    "what_en": row["what"],
                    "who_en": row["who"],
                    "result_en": row["result"],
                    "repeat_en": row["repeat"],
                    "is_published": True,
                },
                many={"places": _practice_places(row["places"], places), "sources": sources[slug]},
            )
            translations_apply(practice, translated.get(("practice", slug), []))
    unknown = set(sources) - seen
    if unknown:
        raise DemoDataError(
            data_dir / GOOD_PRACTICE_SOURCES_FILE, 0, f"sources of unknown cases: {sorted(unknown)}"
        )


def load_events_demo(
    report: LoadReport, places: PlaceIndex, data_dir: Path = EVENTS_DATA_DIR
) -> None:
    """Load the events and their series. Not atomic alone: the command wraps everything."""
    titles = native_titles(data_dir / "research" / "event_titles.csv")
    translated = read_translations(data_dir / TRANSLATIONS_FILE)
    for name, with_precision in (
        ("exchange_events.csv", False),
        ("seed_interview_events.csv", True),
    ):
        _load_events_file(
            report,
            data_dir / name,
            places,
            with_precision=with_precision,
            titles=titles,
            translated=translated,
        )
    load_good_practices(report, places, data_dir, translated)
