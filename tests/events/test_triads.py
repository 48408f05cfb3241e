import datetime

import pytest

from cities.models import City, FriendshipLink, TieStatus
from events.triads import (
    NearTriadIds,
    TriadIds,
    network_shape,
    network_shape_compute,
    trilateral_group_states,
    trilateral_groups,
)
from tests.factories import (
    ExchangeEventFactory,
    TrilateralGroupFactory,
)
from tests.portal_helpers import place, tie

TODAY = datetime.date(2026, 6, 1)


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


@pytest.mark.django_db
def test_network_shape_lists_only_the_best_near_triads_but_counts_all(monkeypatch):
    monkeypatch.setattr("events.triads.NEAR_TRIAD_LIMIT", 3)
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
