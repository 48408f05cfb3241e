import datetime
from collections import Counter

import pytest
from django.core.cache import cache

from cities.dates import DatePrecision
from cities.models import City, FriendshipLink, TieKind, TieStatus
from cities.network import (
    NearTriadIds,
    TriadIds,
    anniversary_date,
    city_tie_counts,
    is_round_anniversary,
    most_connected_places,
    network_shape,
    network_shape_compute,
    tie_anniversaries,
    ties_by_pair_and_kind,
    ties_filter,
    ties_per_year,
    ties_quiet,
    trilateral_group_states,
    trilateral_groups,
)
from tests.factories import (
    CityFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    TrilateralGroupFactory,
)

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def place(country, name=None):
    return CityFactory(country=country, **({"name_en": name} if name else {}))


def tie(a, b, **fields):
    return FriendshipLinkFactory(city_a=a, city_b=b, **fields)


# --- Triads and near-triads on hand-made graphs ------------------------------------------------


@pytest.mark.django_db
def test_network_shape_path_has_no_triad_and_one_near_triad():
    cn, jp, kr = place("CN"), place("JP"), place("KR")
    cn_jp = tie(cn, jp, established_on=datetime.date(1990, 1, 1))
    jp_kr = tie(kr, jp, established_on=datetime.date(1995, 1, 1))

    shape = network_shape_compute(today=TODAY)

    assert shape.triads == []
    assert shape.near_triad_total == 1
    assert shape.near_triads == [
        NearTriadIds(
            hub=jp.pk,
            a=cn.pk,
            b=kr.pk,
            tie_hub_a=cn_jp.pk,
            tie_hub_b=jp_kr.pk,
            score=5,
            active_points=4,
            recent_points=0,
            age_points=1,
        )
    ]


@pytest.mark.django_db
def test_network_shape_full_triangle_is_one_triad_and_no_near_triad():
    cn, jp, kr = place("CN"), place("JP"), place("KR")
    cn_jp, kr_cn, jp_kr = tie(cn, jp), tie(kr, cn), tie(jp, kr)

    shape = network_shape_compute(today=TODAY)

    assert shape.triads == [TriadIds(cn.pk, jp.pk, kr.pk, cn_jp.pk, kr_cn.pk, jp_kr.pk)]
    assert shape.near_triads == []
    assert shape.near_triad_total == 0


@pytest.mark.django_db
def test_network_shape_place_in_two_triads_counts_both_and_the_cross_pairs():
    hub = place("CN")
    jp1, kr1, jp2, kr2 = place("JP"), place("KR"), place("JP"), place("KR")
    for jp, kr in [(jp1, kr1), (jp2, kr2)]:
        tie(hub, jp)
        tie(hub, kr)
        tie(jp, kr)

    shape = network_shape_compute(today=TODAY)

    assert [(t.cn, t.jp, t.kr) for t in shape.triads] == [
        (hub.pk, jp1.pk, kr1.pk),
        (hub.pk, jp2.pk, kr2.pk),
    ]
    assert sorted((n.hub, n.a, n.b) for n in shape.near_triads) == [
        (hub.pk, jp1.pk, kr2.pk),
        (hub.pk, jp2.pk, kr1.pk),
    ]
    assert shape.near_triad_total == 2


@pytest.mark.django_db
def test_network_shape_same_country_and_other_country_ties_do_not_count():
    cn1, cn2, jp, us = place("CN"), place("CN"), place("JP"), place("US")
    tie(cn1, cn2)
    tie(cn1, jp)
    tie(cn2, jp)
    tie(us, jp)
    tie(us, cn1)

    shape = network_shape_compute(today=TODAY)

    assert shape.triads == []
    assert shape.near_triads == []
    assert shape.near_triad_total == 0


@pytest.mark.django_db
def test_network_shape_ended_tie_does_not_close_a_triad():
    cn, jp, kr = place("CN"), place("JP"), place("KR")
    tie(cn, jp)
    tie(cn, kr)
    tie(jp, kr, status=TieStatus.ENDED, ended_on=datetime.date(2010, 1, 1))

    shape = network_shape_compute(today=TODAY)

    assert shape.triads == []
    assert [(n.hub, n.a, n.b) for n in shape.near_triads] == [(cn.pk, jp.pk, kr.pk)]


@pytest.mark.django_db
def test_network_shape_ranks_active_ties_with_recent_events_first():
    # Two hubs, each with a Japanese and a Korean partner and no third tie.
    quiet_hub, busy_hub = place("CN", "Quiet"), place("CN", "Busy")
    quiet_jp, quiet_kr = place("JP"), place("KR")
    busy_jp, busy_kr = place("JP"), place("KR")
    tie(quiet_hub, quiet_jp, status=TieStatus.DORMANT, established_on=datetime.date(2020, 1, 1))
    tie(quiet_hub, quiet_kr, status=TieStatus.DORMANT, established_on=datetime.date(2020, 1, 1))
    busy_a = tie(busy_hub, busy_jp, established_on=datetime.date(1990, 1, 1))
    busy_b = tie(busy_hub, busy_kr, established_on=datetime.date(1992, 1, 1))
    for year in (2019, 2022, 2024):
        event = ExchangeEventFactory(host=busy_hub, starts_on=datetime.date(year, 5, 1))
        event.links.add(busy_a, busy_b)
    old_event = ExchangeEventFactory(host=busy_hub, starts_on=datetime.date(2001, 5, 1))
    old_event.links.add(busy_a)

    shape = network_shape_compute(today=TODAY)

    assert [
        (n.hub, n.score, n.active_points, n.recent_points, n.age_points) for n in shape.near_triads
    ] == [
        (busy_hub.pk, 10, 4, 5, 1),
        (quiet_hub.pk, 0, 0, 0, 0),
    ]


@pytest.mark.django_db
def test_network_shape_is_cached_until_a_tie_changes(django_assert_num_queries):
    cn, jp, kr = place("CN"), place("JP"), place("KR")
    tie(cn, jp)
    tie(cn, kr)
    first = network_shape()

    with django_assert_num_queries(1):  # the signature only: the shape comes from the cache
        assert network_shape() == first

    closing = tie(jp, kr)
    assert [t.tie_jp_kr for t in network_shape().triads] == [closing.pk]

    closing.status = TieStatus.ENDED
    closing.ended_on = datetime.date(2025, 1, 1)
    closing.save()
    assert network_shape().triads == []

    closing.delete()
    FriendshipLink.objects.filter(city_a=cn, city_b=jp).delete()
    assert network_shape().near_triad_total == 0


@pytest.mark.django_db
def test_network_shape_cache_follows_a_place_changing_country():
    cn, jp, kr = place("CN"), place("JP"), place("KR")
    tie(cn, jp)
    tie(cn, kr)
    tie(jp, kr)
    assert len(network_shape().triads) == 1

    kr.country = "JP"
    kr.save()

    assert network_shape().triads == []


@pytest.mark.django_db
def test_trilateral_group_state_for_triad_near_triad_and_open():
    cn, jp, kr = place("CN"), place("JP"), place("KR")
    tie(cn, jp)
    tie(jp, kr)
    near = TrilateralGroupFactory(city_cn=cn, city_jp=jp, city_kr=kr)
    other_kr = place("KR")
    tie(cn, other_kr)
    tie(jp, other_kr)
    triad = TrilateralGroupFactory(city_cn=cn, city_jp=jp, city_kr=other_kr)
    open_group = TrilateralGroupFactory()

    states = trilateral_group_states(trilateral_groups())

    assert {pk: state.state for pk, state in states.items()} == {
        near.pk: "near_triad",
        triad.pk: "triad",
        open_group.pk: "open",
    }


def test_network_shape_five_real_groups(demo_data):
    shape = network_shape_compute()
    groups = list(trilateral_groups())
    states = trilateral_group_states(groups)

    assert {str(group): states[group.pk].state for group in groups} == {
        # Incheon–Dalian: a 1994 friendship agreement (Incheon's own pages, research)
        "Dalian – Kitakyushu – Incheon": "triad",
        "Shandong Province – Yamaguchi Prefecture – South Gyeongsang Province": "triad",
        "Suzhou – Kanazawa – Jeonju": "triad",
        "Yangzhou – Karatsu – Yeosu": "triad",
        "Yangzhou – Nara – Gyeongju": "triad",
    }
    dalian = City.objects.get(slug="dalian")
    kitakyushu = City.objects.get(slug="kitakyushu")
    incheon = City.objects.get(slug="incheon")
    # closed by the researched tie, the three are a triad and no longer a suggestion
    assert [
        n for n in shape.near_triads if {n.hub, n.a, n.b} == {dalian.pk, kitakyushu.pk, incheon.pk}
    ] == []
    assert (dalian.pk, kitakyushu.pk, incheon.pk) in {(t.cn, t.jp, t.kr) for t in shape.triads}
    [dalian_group] = [group for group in groups if group.city_cn_id == dalian.pk]
    assert states[dalian_group.pk].missing == []
    # the groups that are triads are among the triads computed from the ties alone
    triads = {(t.cn, t.jp, t.kr) for t in shape.triads}
    for group in groups:
        if states[group.pk].state == "triad":
            assert (group.city_cn_id, group.city_jp_id, group.city_kr_id) in triads


# --- Anniversaries ---------------------------------------------------------------------------


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
def test_network_shape_lists_only_the_best_near_triads_but_counts_all(monkeypatch):
    monkeypatch.setattr("cities.network.NEAR_TRIAD_LIMIT", 3)
    hub = place("CN")
    jp1, jp2, kr1, kr2 = place("JP"), place("JP"), place("KR"), place("KR")
    for partner in (jp1, jp2, kr1, kr2):
        tie(hub, partner)

    shape = network_shape_compute(today=TODAY)

    assert shape.near_triad_total == 4
    assert [(n.a, n.b) for n in shape.near_triads] == [
        (jp1.pk, kr1.pk),
        (jp1.pk, kr2.pk),
        (jp2.pk, kr1.pk),
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
