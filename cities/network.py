"""Reads about the network of ties: map features, triads, anniversaries, tie statistics.

Everything here is computed from places and ties (and, through the reverse
relation `FriendshipLink.events`, how many events were recorded for a tie) —
`cities` never imports `events`. The portal, the GeoJSON endpoints and the open
API all use these selectors.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
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

from exchangeportal.infra.cache import data_version

from .charts import bar_chart
from .dates import DatePrecision
from .models import (
    City,
    Country,
    ExchangeIndicator,
    FriendshipLink,
    TieStatus,
    TrilateralGroup,
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
    cutoff = _years_before(today, years)
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


def _years_before(day: datetime.date, years: int) -> datetime.date:
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


# --- GeoJSON ----------------------------------------------------------------------------------


def _position(city: City) -> list[float] | None:
    if city.latitude is None or city.longitude is None:
        return None
    # GeoJSON (RFC 7946) order: longitude first.
    return [float(city.longitude), float(city.latitude)]


def _names(city: City) -> dict[str, str]:
    return {
        "en": city.name_en,
        "zh-hans": city.name_zh_hans,
        "ja": city.name_ja,
        "ko": city.name_ko,
    }


def city_feature(city: City) -> dict | None:
    """A place as a GeoJSON Point feature (None when it has no coordinates)."""
    position = _position(city)
    if position is None:
        return None
    return {
        "type": "Feature",
        "id": city.slug,
        "geometry": {"type": "Point", "coordinates": position},
        "properties": {
            "slug": city.slug,
            "name": city.name,
            "names": _names(city),
            "country": city.country,
            "admin_level": city.admin_level,
            "tie_count": getattr(city, "tie_count", None),
            "url": city.get_absolute_url(),
        },
    }


def tie_feature(tie: FriendshipLink) -> dict | None:
    """A tie as a GeoJSON LineString from place A to place B (None when one has no position)."""
    start, end = _position(tie.city_a), _position(tie.city_b)
    if start is None or end is None:
        return None
    return {
        "type": "Feature",
        "id": tie.pk,
        "geometry": {"type": "LineString", "coordinates": [start, end]},
        "properties": {
            "kind": tie.kind,
            "kind_label": str(tie.get_kind_display()),
            "status": tie.status,
            "established": tie.established_iso,
            "established_display": tie.established_display,
            "country_pair": country_pair(tie.city_a.country, tie.city_b.country),
            "city_a": {"slug": tie.city_a.slug, "name": tie.city_a.name},
            "city_b": {"slug": tie.city_b.slug, "name": tie.city_b.name},
            "url": tie.get_absolute_url(),
        },
    }


def feature_collection(objects, build, **foreign_members) -> dict:
    """A FeatureCollection of the objects that have a position (others are left out)."""
    features = [feature for feature in map(build, objects) if feature is not None]
    return {"type": "FeatureCollection", **foreign_members, "features": features}


# --- Triads and near-triads -------------------------------------------------------------------

NEAR_TRIAD_LIMIT = 1000
RECENT_EVENT_YEARS = 10
TRIAD_CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TriadIds:
    """Three places, one per country (CN, JP, KR), pairwise tied, with the three tie ids."""

    cn: int
    jp: int
    kr: int
    tie_cn_jp: int
    tie_cn_kr: int
    tie_jp_kr: int


@dataclass(frozen=True)
class NearTriadIds:
    """Two ties sharing `hub`, to places in the two other countries; `a`–`b` is not tied."""

    hub: int
    a: int
    b: int
    tie_hub_a: int
    tie_hub_b: int
    score: int
    active_points: int
    recent_points: int
    age_points: int


@dataclass(frozen=True)
class NetworkShape:
    triads: list[TriadIds]
    near_triads: list[NearTriadIds]  # the best NEAR_TRIAD_LIMIT, best first
    near_triad_total: int


def _edge_key(status: str, recent_events: int, established, mature_before) -> tuple:
    """What one tie brings to a near-triad's score: (active points, recent events, mature)."""
    active = 2 if status == TieStatus.ACTIVE else 0
    mature = established is not None and established <= mature_before
    return active, min(recent_events, 5), mature


def near_triad_score_parts(key_a: tuple, key_b: tuple) -> tuple[int, int, int, int]:
    """(score, active points, recent-exchange points, maturity point) of two ties' keys.

    Active ties: 2 per active (not dormant) tie, up to 4. Recent exchange: 1 per
    published event recorded for either tie in the last RECENT_EVENT_YEARS years, up
    to 5. Maturity: 1 when both ties are at least ten years old. Score out of 10.
    """
    active = key_a[0] + key_b[0]
    recent = min(key_a[1] + key_b[1], 5)
    mature = 1 if key_a[2] and key_b[2] else 0
    return active + recent + mature, active, recent, mature


def network_shape_compute(
    *, today: datetime.date | None = None, include_unverified: bool = False
) -> NetworkShape:
    """Find every triad and rank the near-triads, from the ties alone.

    Only ties that are not ended and join two different countries among CN, JP and
    KR count. With adjacency sets per place, a triad is found once, from its
    China–Japan tie, by looking up each Korean partner of the Chinese place among
    the Japanese place's partners: O(ties + Σ Korean partners of Chinese places in a
    China–Japan tie).

    A near-triad is found from its hub (the place holding both ties). Its score
    depends only on the two ties' keys (`near_triad_score_parts`), and a key takes
    few values, so a hub's partners are grouped by key: the total is counted from
    group sizes and only the best NEAR_TRIAD_LIMIT near-triads are ever listed —
    best score first, then hub, place A and place B by id, so the order is stable.

    Unverified ties close triads (a pair they join is not suggested) but lead no
    near-triad suggestion unless `include_unverified`.
    """
    today = today or timezone.localdate()
    recent_cutoff = _years_before(today, RECENT_EVENT_YEARS)
    mature_before = _years_before(today, 10)
    country = dict(City.objects.filter(country__in=CJK).values_list("id", "country"))
    rows = (
        FriendshipLink.objects.exclude(status=TieStatus.ENDED)
        .values_list("id", "city_a_id", "city_b_id", "status", "established_on", "verified")
        .order_by()
    )
    recent = dict(
        FriendshipLink.events.through.objects.filter(
            exchangeevent__is_published=True, exchangeevent__starts_on__gte=recent_cutoff
        )
        .values("friendshiplink_id")
        .annotate(n=Count("id"))
        .values_list("friendshiplink_id", "n")
        .order_by()
    )

    adjacency: dict[int, dict[int, int]] = defaultdict(dict)
    # hub → partner's country → edge key → [partner ids]
    groups: dict[int, dict[str, dict[tuple, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    keys: dict[int, tuple] = {}
    cn_jp_ties = []
    eligible: set[int] = set()  # ties that may lead a suggestion
    for tie_id, a, b, status, established, verified in rows:
        country_a, country_b = country.get(a), country.get(b)
        if country_a is None or country_b is None or country_a == country_b:
            continue
        adjacency[a][b] = tie_id
        adjacency[b][a] = tie_id
        if verified or include_unverified:
            eligible.add(tie_id)
            key = _edge_key(status, recent.get(tie_id, 0), established, mature_before)
            keys[tie_id] = key
            groups[a][country_b][key].append(b)
            groups[b][country_a][key].append(a)
        if country_a == "CN" and country_b == "JP":
            cn_jp_ties.append((tie_id, a, b))
        elif country_a == "JP" and country_b == "CN":
            cn_jp_ties.append((tie_id, b, a))

    triads = []
    for tie_id, cn, jp in cn_jp_ties:
        jp_partners = adjacency[jp]
        for kr, tie_cn_kr in adjacency[cn].items():
            tie_jp_kr = jp_partners.get(kr) if country[kr] == "KR" else None
            if tie_jp_kr is not None:
                triads.append(TriadIds(cn, jp, kr, tie_id, tie_cn_kr, tie_jp_kr))
    triads.sort(key=lambda t: (t.cn, t.jp, t.kr))
    # A triad was counted among the open pairs once for each corner whose two ties are
    # both eligible (three times when all its ties are).
    closed_pairs = sum(
        (t.tie_cn_jp in eligible and t.tie_cn_kr in eligible)
        + (t.tie_cn_jp in eligible and t.tie_jp_kr in eligible)
        + (t.tie_cn_kr in eligible and t.tie_jp_kr in eligible)
        for t in triads
    )

    # Every pair of partners (one per other country) of a hub, counted by score level.
    by_level: dict[int, list[tuple[int, list, list]]] = defaultdict(list)
    open_pairs = 0
    for hub in sorted(groups):
        first, second = (code for code in CJK if code != country[hub])
        for key_a, list_a in groups[hub].get(first, {}).items():
            for key_b, list_b in groups[hub].get(second, {}).items():
                open_pairs += len(list_a) * len(list_b)
                level = near_triad_score_parts(key_a, key_b)
                by_level[level[0]].append((hub, level, list_a, list_b))
    near_total = open_pairs - closed_pairs

    near_triads: list[NearTriadIds] = []
    for score in sorted(by_level, reverse=True):
        entries = by_level[score]  # hubs ascending
        index = 0
        while index < len(entries) and len(near_triads) < NEAR_TRIAD_LIMIT:
            hub = entries[index][0]
            found = []
            while index < len(entries) and entries[index][0] == hub:
                _hub, parts, list_a, list_b = entries[index]
                for a in list_a:
                    closed = adjacency[a]
                    found.extend((a, b, parts) for b in list_b if b not in closed)
                index += 1
            found.sort(key=lambda item: (item[0], item[1]))
            for a, b, (total, active, recent_points, mature) in found:
                near_triads.append(
                    NearTriadIds(
                        hub=hub,
                        a=a,
                        b=b,
                        tie_hub_a=adjacency[hub][a],
                        tie_hub_b=adjacency[hub][b],
                        score=total,
                        active_points=active,
                        recent_points=recent_points,
                        age_points=mature,
                    )
                )
                if len(near_triads) == NEAR_TRIAD_LIMIT:
                    break
        if len(near_triads) >= NEAR_TRIAD_LIMIT:
            break
    return NetworkShape(triads=triads, near_triads=near_triads, near_triad_total=near_total)


def network_shape(*, include_unverified: bool = False) -> NetworkShape:
    """`network_shape_compute`, cached under the data version (any write makes it stale) and
    the year (the ranking counts this year's events)."""
    year = timezone.localdate().year
    key = f"network:shape:v3:{int(include_unverified)}:{data_version()}:{year}"
    shape = cache.get(key)
    if shape is None:
        shape = network_shape_compute(include_unverified=include_unverified)
        cache.set(key, shape, TRIAD_CACHE_SECONDS)
    return shape


def network_hydrate(place_ids: set[int], tie_ids: set[int]):
    """Places and ties (with their places and sources) for one page of triads: three queries."""
    places = City.objects.in_bulk(place_ids)
    ties = FriendshipLink.objects.with_places().prefetch_related("sources").in_bulk(tie_ids)
    return places, ties


def trilateral_groups():
    """The known trilateral groups, members joined, sources prefetched."""
    return TrilateralGroup.objects.select_related("city_cn", "city_jp", "city_kr").prefetch_related(
        "sources"
    )


@dataclass(frozen=True)
class GroupState:
    """What the recorded ties make of a trilateral group."""

    state: str  # 'triad', 'near_triad' (one tie missing) or 'open' (two or three missing)
    missing: list[tuple[City, City]]  # the pairs with no tie (or only an ended one)


def trilateral_group_states(groups) -> dict[int, GroupState]:
    """{group id: GroupState} for groups with their members loaded, in one query.

    Read from the ties themselves (not from the ranked near-triads, which keep
    only the best), counting a tie unless it has ended, as the triads do.
    """
    groups = list(groups)
    members = {place.pk for group in groups for place in group.members}
    tied = {
        frozenset(pair)
        for pair in FriendshipLink.objects.exclude(status=TieStatus.ENDED)
        .filter(city_a__in=members, city_b__in=members)
        .values_list("city_a_id", "city_b_id")
    }
    states = {}
    for group in groups:
        cn, jp, kr = group.members
        missing = [
            (a, b) for a, b in ((cn, jp), (cn, kr), (jp, kr)) if frozenset((a.pk, b.pk)) not in tied
        ]
        state = "triad" if not missing else "near_triad" if len(missing) == 1 else "open"
        states[group.pk] = GroupState(state, missing)
    return states


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


def tie_anniversaries(*, today: datetime.date | None = None):
    """Ties (not ended) reaching a round anniversary this year or next, in calendar order.

    Annotated `anniversary_year` and `anniversary_age`. Within a year, ties known to
    the day come in date order; a tie known only to the month sorts after every day
    of its month, a tie known only to the year after every month of its year.
    """
    today = today or timezone.localdate()
    this_year, next_year = today.year, today.year + 1
    this_years = _round_years_established(this_year)
    next_years = _round_years_established(next_year)
    return (
        FriendshipLink.objects.with_places()
        .exclude(status=TieStatus.ENDED)
        .filter(established_on__isnull=False)
        .filter(established_on__year__in=this_years + next_years)
        .annotate(
            anniversary_year=Case(
                When(established_on__year__in=this_years, then=Value(this_year)),
                default=Value(next_year),
                output_field=IntegerField(),
            ),
            anniversary_age=Case(
                When(
                    established_on__year__in=this_years,
                    then=Value(this_year) - ExtractYear("established_on"),
                ),
                default=Value(next_year) - ExtractYear("established_on"),
                output_field=IntegerField(),
            ),
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
        .order_by("city_id", "indicator", "unit", "year")
    )
    grouped: dict[int, dict[tuple, dict]] = defaultdict(dict)
    for record in records:
        key = (record.indicator, record.unit)
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


def indicator_charts(series_list: list[dict], *, prefix: str) -> list[dict]:
    """A small bar chart per indicator series (one bar per year); `dom_id` is unique on a page."""
    return [
        {
            **series,
            "dom_id": f"{prefix}-{index}",
            "chart": bar_chart(
                [(str(year), float(value), "") for year, value in series["points"]],
                width=320,
                height=140,
            ),
        }
        for index, series in enumerate(series_list)
    ]


def place_indicator_charts(city: City) -> list[dict]:
    """One place's figures as small charts (two queries: figures, their sources)."""
    return indicator_charts(
        indicator_series([city]).get(city.pk, []), prefix=f"indicator-{city.pk}"
    )
