"""Reads for the network insight pages that need events (statistics, triads' shared events).

`events` may import `cities`; these selectors combine the two. Tie-only reads
live in `cities/network.py`.
"""

from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from cities.models import CultureCityDesignation
from cities.network import CJK

from .models import EventCategory, EventFormat, ExchangeEvent, GoodPractice


def events_per_year_by_format(*, last_year: int | None = None) -> tuple[list[int], dict]:
    """(years, {format: [count per year]}) for published events, first event year to now."""
    rows = (
        ExchangeEvent.objects.published()
        .annotate(y=ExtractYear("starts_on"))
        .values("y", "format")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(row["y"], row["format"]): row["n"] for row in rows}
    last_year = max([last_year or timezone.localdate().year, *(y for y, _f in counts)])
    first_year = min((y for y, _f in counts), default=last_year)
    years = list(range(first_year, last_year + 1))
    by_format = {
        code: [counts.get((year, code), 0) for year in years] for code in EventFormat.values
    }
    return years, by_format


def events_by_category() -> list[tuple[str, str, int]]:
    """[(category, label, number of published events)] in the category's order, zeros kept."""
    counts = dict(
        ExchangeEvent.objects.published()
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("category", "n")
    )
    return [(code, str(label), counts.get(code, 0)) for code, label in EventCategory.choices]


def designations_by_country() -> list[tuple[str, int, int, int]]:
    """[(country, places designated, designations, of which cancelled)] for CN, JP, KR (and any
    other). A place counts once however many years it was named; a designation is one place in
    one year (an extended year is the same designation)."""
    rows = (
        CultureCityDesignation.objects.values("city__country")
        .annotate(
            places=Count("city", distinct=True),
            designations=Count("id"),
            cancelled=Count("id", filter=Q(status="cancelled")),
        )
        .order_by()
    )
    counts = {
        row["city__country"]: (row["places"], row["designations"], row["cancelled"]) for row in rows
    }
    codes = [*CJK, *sorted(code for code in counts if code not in CJK)]
    return [(code, *counts.get(code, (0, 0, 0))) for code in codes]


def events_shared_by_triads(triads) -> dict[tuple[int, int, int], list[ExchangeEvent]]:
    """{(cn, jp, kr): events} — published events recorded for at least one of the triad's ties
    in which all three places take part (as host or partner), or recorded for two of its ties."""
    tie_ids = {tie for t in triads for tie in (t.tie_cn_jp, t.tie_cn_kr, t.tie_jp_kr)}
    if not tie_ids:
        return {}
    link_rows = ExchangeEvent.links.through.objects.filter(
        friendshiplink_id__in=tie_ids, exchangeevent__is_published=True
    ).values_list("exchangeevent_id", "friendshiplink_id")
    ties_of_event: dict[int, set[int]] = defaultdict(set)
    for event_id, tie_id in link_rows:
        ties_of_event[event_id].add(tie_id)
    events = ExchangeEvent.objects.prefetch_related("partners").in_bulk(list(ties_of_event))
    result = {}
    for t in triads:
        triad_ties = {t.tie_cn_jp, t.tie_cn_kr, t.tie_jp_kr}
        members = {t.cn, t.jp, t.kr}
        shared = []
        for event_id, event_ties in ties_of_event.items():
            common = event_ties & triad_ties
            if not common:
                continue
            event = events[event_id]
            places = {event.host_id, *(p.pk for p in event.partners.all())}
            if len(common) >= 2 or members <= places:
                shared.append(event)
        shared.sort(key=lambda event: (event.starts_on, event.pk))
        result[(t.cn, t.jp, t.kr)] = shared
    return result


def good_practices(filters: dict | None = None):
    """Published good practices, the latest started first, filtered by category and format
    (a case's own, else its event's)."""
    filters = filters or {}
    queryset = GoodPractice.objects.published().for_list()
    for name in ("category", "format"):
        if filters.get(name):
            queryset = queryset.filter(
                Q(**{name: filters[name]}) | Q(**{name: "", f"event__{name}": filters[name]})
            )
    return queryset


def good_practice_detail_queryset():
    """Published good practices for their own page: the list's relations plus the event's
    sources and its series' edition count."""
    return (
        GoodPractice.objects.published()
        .for_list()
        .select_related("event__series")
        .annotate(
            series_editions=Count("series__events", filter=Q(series__events__is_published=True))
        )
    )
