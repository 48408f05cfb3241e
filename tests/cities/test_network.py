import datetime
from collections import Counter

import pytest

from cities.dates import DatePrecision
from cities.models import FriendshipLink, TieKind, TieStatus
from cities.network import (
    MAX_ANNIVERSARY_YEARS,
    Anniversary,
    anniversary_date,
    anniversary_mark,
    city_tie_counts,
    indicator_charts,
    is_round_anniversary,
    most_connected_places,
    next_round_anniversary,
    tie_anniversaries,
    tie_anniversaries_in_months,
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


@pytest.mark.django_db
def test_tie_anniversaries_look_ahead_five_years_for_one_place():
    nara, yangzhou, other = place("JP", "Nara"), place("CN", "Yangzhou"), place("KR")
    in_2030 = tie(yangzhou, nara, established_on=datetime.date(2010, 5, 23))  # 20 in 2030
    tie(yangzhou, other, established_on=datetime.date(1985, 1, 1))  # 41 … 45: 45 in 2030
    in_2028 = tie(other, nara, established_on=datetime.date(2003, 3, 21))  # 25 in 2028
    tie(nara, place("CN"), established_on=datetime.date(2019, 1, 1))  # 7 … 11: 10 in 2029

    result = [
        (t.pk, t.anniversary_year, t.anniversary_age)
        for t in tie_anniversaries(today=TODAY, years=5, city=nara)
        if t.anniversary_year != 2029
    ]
    two_years = list(tie_anniversaries(today=TODAY, city=nara))

    assert result == [(in_2028.pk, 2028, 25), (in_2030.pk, 2030, 20)]
    assert two_years == []


@pytest.mark.parametrize("years", [0, MAX_ANNIVERSARY_YEARS + 1])
def test_tie_anniversaries_refuse_a_look_ahead_out_of_range(years):
    with pytest.raises(ValueError, match="years must be 1 to 5"):
        tie_anniversaries(today=TODAY, years=years)


@pytest.mark.django_db
def test_anniversary_mark_says_which_of_this_years_are_passed():
    def marked(day, precision):
        dated = tie(place("CN"), place("JP"), established_on=day, established_precision=precision)
        annotated = tie_anniversaries(today=TODAY).get(pk=dated.pk)
        anniversary_mark(annotated, today=TODAY)
        return annotated.anniversary_on, annotated.anniversary_passed

    assert marked(datetime.date(2016, 5, 31), DatePrecision.DAY) == (
        datetime.date(2026, 5, 31),
        True,
    )
    assert marked(datetime.date(2016, 6, 1), DatePrecision.DAY) == (
        datetime.date(2026, 6, 1),
        False,
    )
    assert marked(datetime.date(2001, 5, 1), DatePrecision.MONTH) == (
        datetime.date(2026, 5, 1),
        True,
    )
    assert marked(datetime.date(2001, 6, 1), DatePrecision.MONTH) == (
        datetime.date(2026, 6, 1),
        False,
    )
    assert marked(datetime.date(1996, 1, 1), DatePrecision.YEAR) == (
        datetime.date(2026, 1, 1),
        False,
    )
    assert marked(datetime.date(2012, 2, 1), DatePrecision.DAY) == (
        datetime.date(2027, 2, 1),
        False,
    )


@pytest.mark.django_db
def test_tie_anniversaries_in_months_cross_the_new_year_and_skip_year_only_ties():
    december = datetime.date(2026, 12, 15)

    def dated(day, precision=DatePrecision.DAY):
        return tie(place("JP"), place("KR"), established_on=day, established_precision=precision)

    passed = dated(datetime.date(2016, 12, 3))
    coming = dated(datetime.date(2006, 12, 20))
    january = dated(datetime.date(1987, 1, 1), DatePrecision.MONTH)
    dated(datetime.date(1996, 1, 1), DatePrecision.YEAR)  # 30 in 2026, month unknown
    dated(datetime.date(2017, 2, 9))  # February
    dated(datetime.date(2016, 11, 30))  # November

    ties = tie_anniversaries_in_months(today=december, months=2)

    assert [(t.pk, t.anniversary_on, t.anniversary_age, t.anniversary_passed) for t in ties] == [
        (passed.pk, datetime.date(2026, 12, 3), 10, True),
        (coming.pk, datetime.date(2026, 12, 20), 20, False),
        (january.pk, datetime.date(2027, 1, 1), 40, False),
    ]
    assert [t.pk for t in tie_anniversaries_in_months(today=december, limit=1)] == [passed.pk]


def test_next_round_anniversary_skips_this_years_when_it_has_passed():
    def tie_on(day, precision=DatePrecision.DAY, status=TieStatus.ACTIVE):
        return FriendshipLink(established_on=day, established_precision=precision, status=status)

    assert next_round_anniversary(tie_on(datetime.date(2016, 6, 2)), today=TODAY) == Anniversary(
        age=10, year=2026, on=datetime.date(2026, 6, 2), precision=DatePrecision.DAY
    )
    assert next_round_anniversary(tie_on(datetime.date(2016, 5, 31)), today=TODAY) == Anniversary(
        age=15, year=2031, on=datetime.date(2031, 5, 31), precision=DatePrecision.DAY
    )
    assert next_round_anniversary(
        tie_on(datetime.date(1970, 1, 1), DatePrecision.YEAR), today=TODAY
    ) == Anniversary(age=60, year=2030, on=datetime.date(2030, 1, 1), precision=DatePrecision.YEAR)
    assert next_round_anniversary(tie_on(datetime.date(2024, 3, 1)), today=TODAY).year == 2034
    assert next_round_anniversary(tie_on(None), today=TODAY) is None
    assert (
        next_round_anniversary(
            tie_on(datetime.date(2016, 6, 2), status=TieStatus.ENDED), today=TODAY
        )
        is None
    )


def test_indicator_charts_start_at_three_points():
    def series(*years):
        return {"points": [(year, 10 + year % 7) for year in years], "rows": []}

    charts = indicator_charts(
        [series(2019), series(2019, 2022), series(2019, 2020, 2021)], prefix="x"
    )

    assert [chart["chart"] is None for chart in charts] == [True, True, False]
    assert [chart["dom_id"] for chart in charts] == ["x-0", "x-1", "x-2"]


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
