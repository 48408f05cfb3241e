import datetime
from collections import Counter

import pytest

from cities.dates import DatePrecision
from cities.models import FriendshipLink, TieKind, TieStatus
from cities.network import (
    anniversary_date,
    city_tie_counts,
    is_round_anniversary,
    most_connected_places,
    tie_anniversaries,
    ties_by_pair_and_kind,
    ties_filter,
    ties_per_year,
    ties_quiet,
)
from tests.factories import (
    ExchangeEventFactory,
)
from tests.portal_helpers import place, tie

TODAY = datetime.date(2026, 6, 1)


# --- Triads and near-triads on hand-made graphs ------------------------------------------------


def test_is_round_anniversary_every_five_to_fifty_then_every_ten():
    assert [years for years in range(0, 101) if is_round_anniversary(years)] == [
        10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100,
    ]  # fmt: skip


def test_anniversary_date_for_each_precision():
    assert anniversary_date(datetime.date(1982, 2, 22), DatePrecision.DAY, 2027) == datetime.date(
        2027, 2, 22
    )
    assert anniversary_date(datetime.date(2002, 11, 1), DatePrecision.MONTH, 2027) == datetime.date(
        2027, 11, 1
    )
    assert anniversary_date(datetime.date(1995, 1, 1), DatePrecision.YEAR, 2025) == datetime.date(
        2025, 1, 1
    )


def test_anniversary_date_of_29_february_in_common_and_leap_years():
    leap_day = datetime.date(1996, 2, 29)
    assert anniversary_date(leap_day, DatePrecision.DAY, 2026) == datetime.date(2026, 2, 28)
    assert anniversary_date(leap_day, DatePrecision.DAY, 2028) == datetime.date(2028, 2, 29)


@pytest.mark.django_db
def test_tie_anniversaries_this_year_and_next_in_calendar_order():
    def dated(day, precision, **fields):
        return tie(
            place("CN"), place("JP"), established_on=day, established_precision=precision, **fields
        )

    year_only_2026 = dated(datetime.date(1976, 1, 1), DatePrecision.YEAR)  # 50 in 2026
    march_2026 = dated(datetime.date(2016, 3, 15), DatePrecision.DAY)  # 10 in 2026
    leap_2026 = dated(datetime.date(1996, 2, 29), DatePrecision.DAY)  # 30 in 2026
    march_month_2026 = dated(datetime.date(2011, 3, 1), DatePrecision.MONTH)  # 15 in 2026
    may_2027 = dated(datetime.date(2002, 5, 1), DatePrecision.MONTH)  # 25 in 2027
    sixty_2027 = dated(datetime.date(1967, 8, 9), DatePrecision.DAY)  # 60 in 2027
    dated(datetime.date(2013, 4, 1), DatePrecision.DAY)  # 13 / 14: not round
    dated(datetime.date(1971, 4, 1), DatePrecision.DAY)  # 55 / 56: not round after 50
    dated(
        datetime.date(2016, 4, 1),
        DatePrecision.DAY,
        status=TieStatus.ENDED,
        ended_on=datetime.date(2020, 1, 1),
    )
    tie(place("CN"), place("KR"), established_on=None)

    result = [(t.pk, t.anniversary_year, t.anniversary_age) for t in tie_anniversaries(today=TODAY)]

    assert result == [
        (leap_2026.pk, 2026, 30),
        (march_2026.pk, 2026, 10),
        (march_month_2026.pk, 2026, 15),
        (year_only_2026.pk, 2026, 50),
        (may_2027.pk, 2027, 25),
        (sixty_2027.pk, 2027, 60),
    ]


# --- Filters and statistics on factory data -------------------------------------------------


@pytest.fixture
def small_network():
    """CN–JP: 2 sister (1990, 2010) + 1 friendship (2010); CN–KR: 1 friendship (1975, dormant);
    JP–KR: 1 sister (2024, active); CN–US: 1 other (undated)."""
    yangzhou, nara, karatsu = place("CN", "Yangzhou"), place("JP", "Nara"), place("JP", "Karatsu")
    yeosu, boston = place("KR", "Yeosu"), place("US", "Boston")
    ties = {
        "yz-nara": tie(
            yangzhou, nara, kind=TieKind.SISTER, established_on=datetime.date(1990, 5, 1)
        ),
        "yz-karatsu": tie(
            karatsu, yangzhou, kind=TieKind.SISTER, established_on=datetime.date(2010, 1, 1)
        ),
        "nara-cn": tie(
            nara, place("CN"), kind=TieKind.FRIENDSHIP, established_on=datetime.date(2010, 7, 1)
        ),
        "yz-yeosu": tie(
            yangzhou,
            yeosu,
            kind=TieKind.FRIENDSHIP,
            status=TieStatus.DORMANT,
            established_on=datetime.date(1975, 1, 1),
        ),
        "karatsu-yeosu": tie(
            karatsu, yeosu, kind=TieKind.SISTER, established_on=datetime.date(2024, 1, 1)
        ),
        "yz-boston": tie(yangzhou, boston, kind=TieKind.OTHER, established_on=None),
    }
    return {"yangzhou": yangzhou, "nara": nara, "karatsu": karatsu, "yeosu": yeosu, "ties": ties}


@pytest.mark.django_db
def test_ties_by_pair_and_kind_matches_hand_count(small_network):
    assert ties_by_pair_and_kind() == {
        "CN-JP": Counter({"sister": 2, "friendship": 1}),
        "CN-KR": Counter({"friendship": 1}),
        "JP-KR": Counter({"sister": 1}),
        "other": Counter({"other": 1}),
    }


@pytest.mark.django_db
def test_ties_per_year_matches_hand_count(small_network):
    counts = dict(ties_per_year(first_year=1970, last_year=2026))

    assert {year: n for year, n in counts.items() if n} == {1975: 1, 1990: 1, 2010: 2, 2024: 1}
    assert sorted(counts) == list(range(1970, 2027))


@pytest.mark.django_db
def test_most_connected_places_counts_both_sides(small_network):
    result = [(city.name_en, city.tie_count) for city in most_connected_places(limit=3)]

    assert result == [("Yangzhou", 4), ("Karatsu", 2), ("Nara", 2)]


@pytest.mark.django_db
def test_ties_filter_by_pair_kind_since_year_and_city(small_network):
    ties = small_network["ties"]

    def pks(**filters):
        return sorted(
            ties_filter(FriendshipLink.objects.all(), filters).values_list("pk", flat=True)
        )

    assert pks(pair="CN-JP", kind="sister") == sorted([ties["yz-nara"].pk, ties["yz-karatsu"].pk])
    assert pks(since=2010) == sorted(
        [ties["yz-karatsu"].pk, ties["nara-cn"].pk, ties["karatsu-yeosu"].pk]
    )
    assert pks(year=2010) == sorted([ties["yz-karatsu"].pk, ties["nara-cn"].pk])
    assert pks(city="town-does-not-exist") == []
    assert pks(city=small_network["yeosu"].slug) == sorted(
        [ties["yz-yeosu"].pk, ties["karatsu-yeosu"].pk]
    )


@pytest.mark.django_db
def test_ties_quiet_counts_old_active_ties_without_recent_events(small_network):
    ties = small_network["ties"]
    recent = ExchangeEventFactory(starts_on=datetime.date(2023, 4, 1))
    recent.links.add(ties["yz-nara"])
    unpublished = ExchangeEventFactory(starts_on=datetime.date(2024, 4, 1), is_published=False)
    unpublished.links.add(ties["nara-cn"])
    old = ExchangeEventFactory(starts_on=datetime.date(2012, 4, 1))
    old.links.add(ties["yz-karatsu"])

    quiet = ties_quiet(FriendshipLink.objects.all(), years=5, today=TODAY)

    # yz-nara had an event in 2023; yz-yeosu is dormant, not active; karatsu-yeosu is
    # too young to have fallen quiet. The CN–US tie has no date: it counts.
    assert sorted(quiet.values_list("pk", flat=True)) == sorted(
        [ties["yz-karatsu"].pk, ties["nara-cn"].pk, ties["yz-boston"].pk]
    )


@pytest.mark.django_db
def test_city_tie_counts_counts_only_the_filtered_ties(small_network):
    sister = FriendshipLink.objects.filter(kind=TieKind.SISTER)

    assert sorted((c.name_en, c.tie_count) for c in city_tie_counts(sister)) == [
        ("Karatsu", 2),
        ("Nara", 1),
        ("Yangzhou", 2),
        ("Yeosu", 1),
    ]


@pytest.mark.django_db
def test_quiet_ties_counts_stay_exact_with_many_old_events(small_network):
    ties = small_network["ties"]
    for year in (2001, 2003, 2005):
        ExchangeEventFactory(starts_on=datetime.date(year, 4, 1)).links.add(ties["yz-karatsu"])

    quiet = ties_quiet(FriendshipLink.objects.all(), years=5, today=TODAY)
    counts = {city.name_en: city.tie_count for city in city_tie_counts(quiet)}

    # quiet: Yangzhou–Nara, Yangzhou–Karatsu, Nara–(a Chinese town), Yangzhou–Boston
    assert counts["Yangzhou"] == 3
    assert counts["Karatsu"] == 1
    assert counts["Nara"] == 2
    assert quiet.count() == 4
