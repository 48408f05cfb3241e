"""Synthetic events and series on top of the synthetic places and ties (see cities.synthetic)."""

import datetime
import random
from collections.abc import Callable

from django.db import transaction

from cities.bulk import ids_after, insert_rows, last_id
from cities.dates import DatePrecision
from cities.models import (
    City,
    CitySearchKey,
    CultureCityDesignation,
    FriendshipLink,
    LinkMilestone,
    Source,
)
from cities.synthetic import (
    BATCH_SIZE,
    LAST_YEAR,
    SYNTHETIC_NOTE,
    SYNTHETIC_SOURCE_URL,
    SyntheticPlaces,
    WeightedPicker,
    random_date,
    weighted,
)
from exchangeportal.infra.cache import data_version_bump

from .models import EventCategory, EventFormat, EventSeries, EventStatus, ExchangeEvent

SERIES_PREFIX = "synthetic-"
SERIES_COUNT = 60
# What an event is called in each language, per category.
CATEGORY_TITLES = {
    EventCategory.CULTURE: ("Culture Exchange", "文化交流", "文化交流", "문화 교류"),
    EventCategory.SPORTS: ("Sports Meet", "体育交流", "スポーツ交流", "스포츠 교류"),
    EventCategory.TOURISM: ("Tourism Fair", "旅游推介会", "観光交流", "관광 교류"),
    EventCategory.TRADE_INVESTMENT: ("Trade Mission", "经贸洽谈会", "経済交流", "경제 교류"),
    EventCategory.EDUCATION_YOUTH: ("Youth Exchange", "青少年交流", "青少年交流", "청소년 교류"),
    EventCategory.SCIENCE_TECHNOLOGY: (
        "Science Forum",
        "科技论坛",
        "科学技術フォーラム",
        "과학 포럼",
    ),
    EventCategory.GOVERNMENT: ("Mayors' Meeting", "市长会谈", "市長会談", "시장 회담"),
    EventCategory.HEALTH_DISASTER_RELIEF: (
        "Disaster Relief Drill",
        "防灾交流",
        "防災交流",
        "재난 협력",
    ),
    EventCategory.OTHER: ("Friendship Visit", "友好访问", "友好訪問", "우호 방문"),
}
CURRENCY = {"CN": "CNY", "JP": "JPY", "KR": "KRW"}
CATEGORIES = list(EventCategory.values)
PARTNER_COUNT_SHARE = [(0, 15), (1, 55), (2, 20), (3, 10)]
DURATION_SHARE = [(0, 60), (2, 30), (6, 10)]
FORMAT_SHARE = [(EventFormat.IN_PERSON, 75), (EventFormat.ONLINE, 12), (EventFormat.HYBRID, 13)]


def series_generate(*, seed: int, sources: list[int]) -> list[EventSeries]:
    rng = random.Random(f"{seed}:series")
    objects = []
    for n in range(SERIES_COUNT):
        category = rng.choice(CATEGORIES)
        en, hans, ja, ko = CATEGORY_TITLES[category]
        objects.append(
            EventSeries(
                slug=f"{SERIES_PREFIX}{seed}-{n}",
                name_en=f"East Asian {en} Series {n + 1}",
                name_zh_hans=f"东亚{hans}系列{n + 1}",
                name_ja=f"東アジア{ja}シリーズ{n + 1}",
                name_ko=f"동아시아 {ko} 시리즈 {n + 1}",
                description_en=SYNTHETIC_NOTE,
            )
        )
    EventSeries.objects.bulk_create(objects)
    through = EventSeries.sources.through
    through.objects.bulk_create(
        [through(eventseries_id=s.pk, source_id=rng.choice(sources)) for s in objects]
    )
    return objects


def events_generate(
    *,
    places: SyntheticPlaces,
    neighbours: dict[int, list[tuple[int, int]]],
    count: int,
    seed: int,
    sources: list[int],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Create `count` events: hosts weighted like ties, partners often tied to the host."""
    rng = random.Random(f"{seed}:events")
    picker = WeightedPicker(places)
    series = series_generate(seed=seed, sources=sources) if count else []
    editions = dict.fromkeys((s.pk for s in series), 0)
    names = dict(City.objects.filter(pk__in=places.ids).values_list("pk", "name_en"))
    local_names = {
        pk: (hans, ja, ko)
        for pk, hans, ja, ko in City.objects.filter(pk__in=places.ids).values_list(
            "pk", "name_zh_hans", "name_ja", "name_ko"
        )
    }
    today = datetime.date(LAST_YEAR, 6, 30)
    partners_through = ExchangeEvent.partners.through
    links_through = ExchangeEvent.links.through
    sources_through = ExchangeEvent.sources.through
    for start in range(0, count, BATCH_SIZE):
        events, partners_of, ties_of = [], [], []
        for n in range(start, min(start + BATCH_SIZE, count)):
            host = picker.pick(rng)
            partners, ties = [], []
            for _ in range(weighted(rng, PARTNER_COUNT_SHARE)):
                if neighbours.get(host) and rng.random() < 0.7:
                    partner, tie = rng.choice(neighbours[host])
                    ties.append(tie)
                else:
                    partner = picker.pick(rng, other_than=places.country[host])
                if partner != host and partner not in partners:
                    partners.append(partner)
            category = rng.choice(CATEGORIES)
            event_format = weighted(rng, FORMAT_SHARE)
            starts_on, precision = random_date(rng)
            ends_on = starts_on
            if precision == DatePrecision.DAY:
                ends_on = starts_on + datetime.timedelta(days=weighted(rng, DURATION_SHARE))
            elif precision == DatePrecision.MONTH:
                ends_on = (starts_on.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
                ends_on -= datetime.timedelta(days=1)
            else:
                ends_on = starts_on.replace(month=12, day=31)
            in_series = rng.random() < 0.1
            series_of = rng.choice(series) if in_series else None
            edition = None
            if series_of is not None:
                editions[series_of.pk] += 1
                edition = editions[series_of.pk]
            en, hans, ja, ko = CATEGORY_TITLES[category]
            host_hans, host_ja, host_ko = local_names[host]
            partner_en = f"–{names[partners[0]]}" if partners else ""
            status = EventStatus.HELD if ends_on < today else EventStatus.PLANNED
            if rng.random() < 0.03:
                status = rng.choice([EventStatus.CANCELLED, EventStatus.POSTPONED])
            budget = None
            if rng.random() < 0.3:
                budget = rng.randrange(10, 5000) * 1000
            events.append(
                {
                    "slug": f"synthetic-{seed}-{n}",
                    "title_en": f"{names[host]}{partner_en} {en} {starts_on.year}",
                    "title_zh_hans": f"{host_hans}{hans}{starts_on.year}",
                    "title_ja": f"{host_ja}{ja}{starts_on.year}",
                    "title_ko": f"{host_ko} {ko} {starts_on.year}",
                    "summary_en": f"A {en.lower()} hosted by {names[host]}.",
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "date_precision": precision,
                    "host_id": host,
                    "category": category,
                    "format": str(event_format),
                    "online_url": (
                        f"https://example.org/live/{seed}/{n}"
                        if event_format != EventFormat.IN_PERSON
                        else ""
                    ),
                    "series_id": series_of.pk if series_of else None,
                    "edition": edition,
                    "budget_amount": budget,
                    "budget_currency": CURRENCY.get(places.country[host], "") if budget else "",
                    "participants": int(rng.lognormvariate(4.5, 1.0)),
                    "status": str(status),
                    "is_published": rng.random() < 0.97,
                    "note": SYNTHETIC_NOTE,
                }
            )
            partners_of.append(partners)
            ties_of.append(list(dict.fromkeys(ties)))
        before = last_id(ExchangeEvent)
        insert_rows(ExchangeEvent, events)
        event_ids = [pk for (pk,) in ids_after(ExchangeEvent, before)]
        partner_rows, link_rows, source_rows = [], [], []
        for pk, partners, ties in zip(event_ids, partners_of, ties_of, strict=True):
            partner_rows += [{"exchangeevent_id": pk, "city_id": p} for p in partners]
            link_rows += [{"exchangeevent_id": pk, "friendshiplink_id": t} for t in ties]
            source_rows.append({"exchangeevent_id": pk, "source_id": rng.choice(sources)})
        insert_rows(partners_through, partner_rows)
        insert_rows(links_through, link_rows)
        insert_rows(sources_through, source_rows)
        if progress:
            progress(start + len(events))


def synthetic_remove() -> None:
    """Delete the synthetic data set (places marked SYNTHETIC_NOTE and all that hangs on them).

    Deletes in bulk without loading the rows (no signals), in one transaction,
    then makes the cached pages stale.
    """
    places = City.objects.filter(note=SYNTHETIC_NOTE)
    events = ExchangeEvent.objects.filter(host__in=places)
    ties = FriendshipLink.objects.filter(city_a__in=places) | FriendshipLink.objects.filter(
        city_b__in=places
    )
    with transaction.atomic():
        scopes = [
            ExchangeEvent.partners.through.objects.filter(exchangeevent__in=events),
            ExchangeEvent.partners.through.objects.filter(city__in=places),
            ExchangeEvent.links.through.objects.filter(exchangeevent__in=events),
            ExchangeEvent.links.through.objects.filter(friendshiplink__in=ties),
            ExchangeEvent.sources.through.objects.filter(exchangeevent__in=events),
            events,
            EventSeries.sources.through.objects.filter(eventseries__slug__startswith=SERIES_PREFIX),
            EventSeries.objects.filter(slug__startswith=SERIES_PREFIX),
            LinkMilestone.sources.through.objects.filter(linkmilestone__link__in=ties),
            LinkMilestone.objects.filter(link__in=ties),
            FriendshipLink.sources.through.objects.filter(friendshiplink__in=ties),
            ties,
            CultureCityDesignation.sources.through.objects.filter(
                culturecitydesignation__city__in=places
            ),
            CultureCityDesignation.objects.filter(city__in=places),
            CitySearchKey.objects.filter(city__in=places),
            places.filter(admin_level__in=["district", "county"]),
            places.filter(admin_level="municipality"),
            places,
            Source.objects.filter(url__startswith=SYNTHETIC_SOURCE_URL),
        ]
        for scope in scopes:
            # _raw_delete: one DELETE, no per-row signals (the cache is bumped once below).
            scope._raw_delete(scope.db)
        data_version_bump()
