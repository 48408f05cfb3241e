"""Reads about the network of ties: the ties list's filters, anniversaries, tie statistics,
exchange figures.

Computed from places and ties; the "quiet ties" filter counts events through the reverse
relation `FriendshipLink.events` (the ties list's filter needs it here: `cities` never
imports `events`). The map's GeoJSON is in `cities.geojson`; triads and near-triads, which
rank ties by their recent events, in `events.triads`.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .charts import bar_chart
from .dates import DatePrecision
from .models import (
    City,
    Country,
    ExchangeIndicator,
    FriendshipLink,
    TieStatus,
)

CJK = (Country.CHINA.value, Country.JAPAN.value, Country.KOREA.value)
COUNTRY_PAIRS = ("CN-JP", "CN-KR", "JP-KR")
COUNTRY_PAIR_CHOICES = [
    ("CN-JP", _("China – Japan")),
    ("CN-KR", _("China – South Korea")),
    ("JP-KR", _("Japan – South Korea")),
]
DEFAULT_QUIET_YEARS = 5


def country_pair(country_a: str, country_b: str) -> str:
    """'JP', 'CN' → 'CN-JP': the pair in alphabetical order."""
    return "-".join(sorted([country_a, country_b]))


# --- Filtering ties ---------------------------------------------------------------------------


def ties_filter(queryset, filters: dict, *, today: datetime.date | None = None):
    """Apply the cleaned data of a `filters.TieFilterSet` to a tie queryset."""
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("pair"):
        first, second = filters["pair"].split("-")
        queryset = queryset.filter(
            Q(city_a__country=first, city_b__country=second)
            | Q(city_a__country=second, city_b__country=first)
        )
    if filters.get("since"):
        queryset = queryset.filter(established_on__year__gte=filters["since"])
    if filters.get("year"):
        queryset = queryset.filter(established_on__year=filters["year"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("city"):
        queryset = queryset.filter(
            Q(city_a__slug=filters["city"]) | Q(city_b__slug=filters["city"])
        )
    if filters.get("quiet"):
        queryset = ties_quiet(queryset, years=filters["quiet"], today=today)
    return queryset


def ties_quiet(queryset, *, years: int, today: datetime.date | None = None):
    """Active ties older than `years` years with no published event recorded in that time.

    A tie established within the period is not counted: it has not had the time to
    fall quiet. Events count when they are linked to the tie (`ExchangeEvent.links`).
    """
    today = today or timezone.localdate()
    cutoff = years_before(today, years)
    # NOT EXISTS rather than an aggregate: no join, so counts over the result stay exact.
    recent_events = FriendshipLink.events.through.objects.filter(
        friendshiplink_id=OuterRef("pk"),
        exchangeevent__is_published=True,
        exchangeevent__starts_on__gte=cutoff,
    )
    return (
        queryset.filter(status=TieStatus.ACTIVE)
        .filter(Q(established_on__isnull=True) | Q(established_on__lt=cutoff))
        .filter(~Exists(recent_events))
    )


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def tie_list(filters: dict | None = None, *, today: datetime.date | None = None):
    """Ties for the map's list and the ties GeoJSON: places joined, newest first."""
    queryset = FriendshipLink.objects.with_places().order_by("-established_on", "id")
    return ties_filter(queryset, filters or {}, today=today)


def city_tie_counts(ties):
    """Places taking part in `ties`, annotated `tie_count` (how many of those ties each has).

    Two correlated subqueries (one per side of the tie) so each is served by the
    foreign-key index, even at 100,000 ties.
    """
    ties = ties.order_by()
    side_a = (
        ties.filter(city_a=OuterRef("pk")).values("city_a").annotate(n=Count("id")).values("n")[:1]
    )
    side_b = (
        ties.filter(city_b=OuterRef("pk")).values("city_b").annotate(n=Count("id")).values("n")[:1]
    )
    return (
        City.objects.annotate(
            tie_count=Coalesce(Subquery(side_a, output_field=IntegerField()), 0)
            + Coalesce(Subquery(side_b, output_field=IntegerField()), 0)
        )
        .filter(tie_count__gt=0)
        .order_by("-tie_count", "name_en", "id")
    )


# --- Anniversaries ----------------------------------------------------------------------------


def is_round_anniversary(years: int) -> bool:
    """10, 15, 20 … 50 (every five years), then 60, 70, 80 … (every ten)."""
    if years < 10:
        return False
    return years % 5 == 0 if years <= 50 else years % 10 == 0


def anniversary_date(established: datetime.date, precision: str, year: int) -> datetime.date:
    """The day the tie turns a year older in `year`; a tie of 29 February is marked on 28 February
    in common years. For month or year precision, the first day of what is known."""
    if precision == DatePrecision.DAY:
        try:
            return established.replace(year=year)
        except ValueError:
            return datetime.date(year, 2, 28)
    if precision == DatePrecision.MONTH:
        return datetime.date(year, established.month, 1)
    return datetime.date(year, 1, 1)


def _round_years_established(year: int) -> list[int]:
    return [year - age for age in range(10, year - 1799) if is_round_anniversary(age)]


DEFAULT_ANNIVERSARY_YEARS = 2  # this year and next
# A look-ahead of at most five calendar years: round anniversaries are at least five years
# apart, so within five years a tie has at most one and the list keeps one row per tie.
MAX_ANNIVERSARY_YEARS = 5


def tie_anniversaries(
    *,
    today: datetime.date | None = None,
    years: int = DEFAULT_ANNIVERSARY_YEARS,
    city: City | None = None,
):
    """Ties (not ended) reaching a round anniversary in the `years` calendar years from this
    one (this year and next by default; 1 to `MAX_ANNIVERSARY_YEARS`), in calendar order;
    only the ties of `city` when given.

    Annotated `anniversary_year` and `anniversary_age`. Within a year, ties known to
    the day come in date order; a tie known only to the month sorts after every day
    of its month, a tie known only to the year after every month of its year.
    """
    if not 1 <= years <= MAX_ANNIVERSARY_YEARS:
        raise ValueError(f"years must be 1 to {MAX_ANNIVERSARY_YEARS}, not {years}")
    today = today or timezone.localdate()
    established_in = {
        year: _round_years_established(year) for year in range(today.year, today.year + years)
    }
    ties = FriendshipLink.objects.with_places()
    if city is not None:
        ties = ties.involving(city)
    return (
        ties.exclude(status=TieStatus.ENDED)
        .filter(established_on__isnull=False)
        .filter(established_on__year__in=sorted({y for ys in established_in.values() for y in ys}))
        .annotate(
            anniversary_year=Case(
                *[
                    When(established_on__year__in=ys, then=Value(year))
                    for year, ys in established_in.items()
                ],
                output_field=IntegerField(),
            ),
        )
        .annotate(
            anniversary_age=F("anniversary_year") - ExtractYear("established_on"),
            sort_month=Case(
                When(established_precision=DatePrecision.YEAR, then=Value(13)),
                default=ExtractMonth("established_on"),
                output_field=IntegerField(),
            ),
            sort_day=Case(
                When(established_precision=DatePrecision.DAY, then=ExtractDay("established_on")),
                default=Value(32),
                output_field=IntegerField(),
            ),
        )
        .order_by("anniversary_year", "sort_month", "sort_day", "id")
    )


def anniversary_mark(tie, *, today: datetime.date) -> None:
    """Set `anniversary_on` (the day, or the first day of the month or year, it falls on) and
    `anniversary_passed` (this year's anniversary is over: its day, or its whole month, is
    behind `today`; never for a tie known only to the year) on an annotated tie."""
    tie.anniversary_on = anniversary_date(
        tie.established_on, tie.established_precision, tie.anniversary_year
    )
    passed = False
    if tie.anniversary_year == today.year:
        if tie.established_precision == DatePrecision.DAY:
            passed = tie.anniversary_on < today
        elif tie.established_precision == DatePrecision.MONTH:
            passed = tie.anniversary_on.month < today.month
    tie.anniversary_passed = passed


def tie_anniversaries_in_months(
    *, today: datetime.date | None = None, months: int = 2, limit: int = 50
):
    """The first `limit` ties reaching a round anniversary in this calendar month or the next
    `months - 1` (at most 12), known at least to the month (a tie known only to the year
    cannot be placed in a month), in calendar order, marked as `anniversary_mark` does.
    One query."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    wanted = []
    for step in range(months):
        month_index = first.month - 1 + step
        wanted.append((first.year + month_index // 12, month_index % 12 + 1))
    years_needed = wanted[-1][0] - today.year + 1
    condition = Q()
    for year, month in wanted:
        condition |= Q(anniversary_year=year, established_on__month=month)
    ties = list(
        tie_anniversaries(today=today, years=years_needed)
        .exclude(established_precision=DatePrecision.YEAR)
        .filter(condition)[:limit]
    )
    for tie in ties:
        anniversary_mark(tie, today=today)
    return ties


@dataclass(frozen=True)
class Anniversary:
    """A round anniversary of a tie: its age, its year and the day (or the first day of the
    month or year) it falls on, to the precision of the tie's date."""

    age: int
    year: int
    on: datetime.date
    precision: str


def next_round_anniversary(tie, *, today: datetime.date | None = None) -> Anniversary | None:
    """The tie's next round anniversary that has not passed (this year's while its day, or
    its month, is still ahead or unknown), or None for a tie without a date or one that
    ended. No query."""
    if tie.established_on is None or tie.status == TieStatus.ENDED:
        return None
    today = today or timezone.localdate()
    established, precision = tie.established_on, tie.established_precision
    age = max(today.year - established.year, 10)
    while True:
        if is_round_anniversary(age):
            year = established.year + age
            on = anniversary_date(established, precision, year)
            passed = year == today.year and (
                (precision == DatePrecision.DAY and on < today)
                or (precision == DatePrecision.MONTH and on.month < today.month)
            )
            if not passed:
                return Anniversary(age=age, year=year, on=on, precision=precision)
        age += 1


# --- Tie statistics ---------------------------------------------------------------------------

STATISTICS_FIRST_YEAR = 1970


def ties_by_pair_and_kind() -> dict[str, Counter]:
    """{'CN-JP': Counter({'sister': 3, …}), …, 'other': …}: every tie counted once."""
    rows = (
        FriendshipLink.objects.values("city_a__country", "city_b__country", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[str, Counter] = {pair: Counter() for pair in (*COUNTRY_PAIRS, "other")}
    for row in rows:
        pair = country_pair(row["city_a__country"], row["city_b__country"])
        result[pair if pair in COUNTRY_PAIRS else "other"][row["kind"]] += row["n"]
    return result


def ties_per_year(*, first_year: int = STATISTICS_FIRST_YEAR, last_year: int | None = None):
    """[(year, number of ties established that year)] for every year from `first_year`."""
    last_year = last_year or timezone.localdate().year
    counts = dict(
        FriendshipLink.objects.filter(
            established_on__year__gte=first_year, established_on__year__lte=last_year
        )
        .annotate(y=ExtractYear("established_on"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("y", "n")
    )
    return [(year, counts.get(year, 0)) for year in range(first_year, last_year + 1)]


def most_connected_places(*, limit: int = 10, include_unverified: bool = False):
    """The places with the most ties (any status), most first; verified ties only unless asked."""
    ties = FriendshipLink.objects.all()
    if not include_unverified:
        ties = ties.filter(verified=True)
    return city_tie_counts(ties)[:limit]


# --- Exchange figures (indicators) ------------------------------------------------------------


def places_with_indicators():
    """Places that have exchange figures, by name (paginate, then `indicator_series`)."""
    return City.objects.filter(indicators__isnull=False).distinct().order_by("name_en", "id")


def indicator_series(places) -> dict[int, list[dict]]:
    """{place id: [{'indicator', 'unit', 'points': [(year, value)], 'sources'}]} for the places."""
    records = (
        ExchangeIndicator.objects.filter(city__in=list(places))
        .prefetch_related("sources")
        .order_by("city_id", "indicator_en", "unit_en", "year")
    )
    grouped: dict[int, dict[tuple, dict]] = defaultdict(dict)
    for record in records:
        key = (record.indicator_en, record.unit_en)
        series = grouped[record.city_id].setdefault(
            key,
            {
                "indicator": record.indicator,
                "unit": record.unit,
                "points": [],
                "rows": [],
                "sources": {},
            },
        )
        series["points"].append((record.year, record.value))
        series["rows"].append((record.year, f"{record.value.normalize():,f}"))
        for source in record.sources.all():
            series["sources"][source.pk] = source
    return {
        city_id: [
            {**series, "sources": list(series["sources"].values())} for series in by_key.values()
        ]
        for city_id, by_key in grouped.items()
    }


CHART_MIN_POINTS = 3  # one or two figures are a figure card: a chart of one bar says nothing


def indicator_charts(series_list: list[dict], *, prefix: str) -> list[dict]:
    """A small bar chart per indicator series of three or more years (one bar per year), None
    for a series of one or two (shown as a figure card); `dom_id` is unique on a page."""
    return [
        {
            **series,
            "dom_id": f"{prefix}-{index}",
            "chart": bar_chart(
                [(str(year), float(value), "") for year, value in series["points"]],
                width=320,
                height=140,
            )
            if len(series["points"]) >= CHART_MIN_POINTS
            else None,
        }
        for index, series in enumerate(series_list)
    ]


def place_indicator_charts(city: City) -> list[dict]:
    """One place's figures as small charts (two queries: figures, their sources)."""
    return indicator_charts(
        indicator_series([city]).get(city.pk, []), prefix=f"indicator-{city.pk}"
    )
