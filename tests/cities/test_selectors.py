import datetime

import pytest
from django.http import Http404

from cities.models import City, Country
from cities.selectors import (
    city_designated_filter,
    city_list,
    city_name_match,
    city_tied_with_filter,
    city_ties_by_country,
    city_ties_page,
    designation_archive,
    latest_ties,
    places_answering_to,
    tie_between,
)
from tests import factories


@pytest.mark.django_db
def test_city_name_match_searches_every_name_field_and_alias():
    factories.CityFactory(
        slug="gyeongju",
        name_en="Gyeongju",
        name_zh_hans="庆州",
        name_zh_hant="慶州",
        name_ja="慶州",
        name_ko="경주",
        aliases="Kyongju\n경주시",
    )
    factories.CityFactory(slug="other", name_en="Other")

    def slugs(query):
        return list(city_name_match(City.objects.all(), query).values_list("slug", flat=True))

    assert slugs("GYEONG") == ["gyeongju"]
    assert slugs("庆州") == ["gyeongju"]
    assert slugs("慶州") == ["gyeongju"]
    assert slugs("경주") == ["gyeongju"]
    assert slugs("kyongju") == ["gyeongju"]
    assert slugs("Atlantis") == []


@pytest.mark.django_db
def test_city_name_match_blank_query_keeps_everything():
    factories.CityFactory.create_batch(2)

    assert city_name_match(City.objects.all(), "  ").count() == 2


@pytest.mark.django_db
def test_city_list_annotates_ties_on_either_side():
    hub = factories.CityFactory(slug="hub")
    factories.FriendshipLinkFactory(city_a=hub)
    factories.FriendshipLinkFactory(city_b=hub, city_a=factories.CityFactory(country="KR"))

    counts = dict(city_list().values_list("slug", "tie_count"))

    assert counts["hub"] == 2
    assert sorted(counts.values()) == [1, 1, 2]


@pytest.mark.django_db
def test_city_designated_and_tied_with_filters():
    designated = factories.CityFactory(slug="designated", country=Country.KOREA)
    factories.CultureCityDesignationFactory(city=designated)
    plain = factories.CityFactory(slug="plain", country=Country.CHINA)
    factories.FriendshipLinkFactory(city_a=plain, city_b=designated)

    assert [c.slug for c in city_designated_filter(City.objects.all(), True)] == ["designated"]
    assert [c.slug for c in city_designated_filter(City.objects.all(), False)] == ["plain"]
    assert [c.slug for c in city_tied_with_filter(City.objects.all(), "KR")] == ["plain"]
    assert [c.slug for c in city_tied_with_filter(City.objects.all(), "JP")] == []


@pytest.mark.django_db
def test_city_ties_by_country_groups_and_orders_by_date():
    city = factories.CityFactory(slug="yangzhou", country=Country.CHINA)
    nara = factories.CityFactory(slug="nara", country=Country.JAPAN)
    karatsu = factories.CityFactory(slug="karatsu", country=Country.JAPAN)
    yeosu = factories.CityFactory(slug="yeosu", country=Country.KOREA)
    factories.FriendshipLinkFactory(
        city_a=city, city_b=nara, established_on=datetime.date(2010, 5, 23), label_b="友好都市"
    )
    factories.FriendshipLinkFactory(
        city_a=karatsu, city_b=city, established_on=datetime.date(1982, 2, 22)
    )
    factories.FriendshipLinkFactory(city_a=city, city_b=yeosu)

    groups = city_ties_by_country(city=city)

    assert [(g.country, [t.partner.slug for t in g.ties]) for g in groups] == [
        ("JP", ["karatsu", "nara"]),
        ("KR", ["yeosu"]),
    ]
    assert groups[0].ties[1].partner_label == "友好都市"


@pytest.mark.django_db
def test_designation_archive_has_a_row_per_year_from_2014():
    factories.CultureCityDesignationFactory(year=2016, city=factories.CityFactory(country="JP"))
    factories.CultureCityDesignationFactory(year=2014, city=factories.CityFactory(country="CN"))

    countries, rows = designation_archive()

    assert [code for code, _name in countries] == ["CN", "JP", "KR"]
    assert [row.year for row in rows] == [2016, 2015, 2014]
    assert [[len(cell) for cell in row.cells] for row in rows] == [[0, 1, 0], [0, 0, 0], [1, 0, 0]]
    assert rows[1].is_empty is True


@pytest.mark.django_db
def test_city_ties_page_orders_by_country_and_counts_every_page():
    city = factories.CityFactory(slug="yangzhou", country=Country.CHINA)
    yeosu = factories.CityFactory(slug="yeosu", country=Country.KOREA)
    nara = factories.CityFactory(slug="nara", country=Country.JAPAN)
    karatsu = factories.CityFactory(slug="karatsu", country=Country.JAPAN)
    factories.FriendshipLinkFactory(city_a=city, city_b=yeosu)
    factories.FriendshipLinkFactory(
        city_a=city, city_b=nara, established_on=datetime.date(2010, 5, 23)
    )
    factories.FriendshipLinkFactory(
        city_a=karatsu, city_b=city, established_on=datetime.date(1982, 2, 22)
    )

    first, first_groups = city_ties_page(city=city, per_page=2)
    second, second_groups = city_ties_page(city=city, number="2", per_page=2)

    assert first.paginator.num_pages == 2
    assert [(g.country, g.total, [t.partner.slug for t in g.ties]) for g in first_groups] == [
        ("JP", 2, ["karatsu", "nara"])
    ]
    assert [(g.country, g.total, [t.partner.slug for t in g.ties]) for g in second_groups] == [
        ("KR", 1, ["yeosu"])
    ]
    assert second.has_next() is False


@pytest.mark.django_db
def test_city_ties_page_of_a_place_whose_ties_fit_orders_and_counts_them_as_the_paged_one(
    django_assert_num_queries,
):
    city = factories.CityFactory(country=Country.CHINA)
    for country, year in [("KR", None), ("JP", 2010), ("US", 1990), ("JP", 1982), ("KR", 2001)]:
        partner = factories.CityFactory(country=country)
        factories.FriendshipLinkFactory(
            city_a=partner, city_b=city, established_on=year and datetime.date(year, 1, 1)
        )

    # The ties, their sources and their milestones (none here): no COUNT query.
    with django_assert_num_queries(3):
        whole, whole_groups = city_ties_page(city=city)
    paged = [tie for n in (1, 2, 3) for tie in city_ties_page(city=city, number=n, per_page=2)[0]]

    assert whole.complete is True
    assert list(whole) == paged
    assert [(g.country, g.total, len(g.ties)) for g in whole_groups] == [
        ("JP", 2, 2),
        ("KR", 2, 2),
        ("US", 1, 1),
    ]
    assert whole.country_counts == {"JP": 2, "KR": 2, "US": 1}
    assert [tie.established_on and tie.established_on.year for tie in whole] == [
        1982,
        2010,
        2001,
        None,
        1990,
    ]


@pytest.mark.django_db
def test_city_ties_page_out_of_range_is_404():
    city = factories.CityFactory()
    factories.FriendshipLinkFactory(city_a=city)

    with pytest.raises(Http404, match="There is no page 3 here."):
        city_ties_page(city=city, number="3", per_page=2)


@pytest.mark.django_db
def test_tie_between_finds_the_tie_in_either_order_or_none():
    nara = factories.CityFactory(slug="nara")
    yangzhou = factories.CityFactory(slug="yangzhou")
    factories.CityFactory(slug="karatsu")
    tie = factories.FriendshipLinkFactory(city_a=yangzhou, city_b=nara)

    found = [
        tie_between(slug_a="nara", slug_b="yangzhou"),
        tie_between(slug_a="yangzhou", slug_b="nara"),
        tie_between(slug_a="nara", slug_b="karatsu"),
    ]

    assert found == [tie, tie, None]


@pytest.mark.django_db
def test_city_ties_page_carries_the_counts_per_partner_country():
    city = factories.CityFactory(country=Country.CHINA)
    factories.FriendshipLinkFactory(city_a=city)
    factories.FriendshipLinkFactory(city_a=city)
    factories.FriendshipLinkFactory(city_a=city, city_b=factories.CityFactory(country="KR"))

    page, _groups = city_ties_page(city=city, per_page=1)

    assert page.country_counts == {"JP": 2, "KR": 1}
    assert page.paginator.count == 3


@pytest.mark.django_db
def test_latest_ties_are_the_last_added_with_both_places(django_assert_num_queries):
    first = factories.FriendshipLinkFactory()
    second = factories.FriendshipLinkFactory()
    third = factories.FriendshipLinkFactory()

    with django_assert_num_queries(1):
        ties = latest_ties(limit=2)
        names = [(tie.city_a.name_en, tie.city_b.name_en) for tie in ties]

    assert ties == [third, second]
    assert first not in ties
    assert names == [
        (third.city_a.name_en, third.city_b.name_en),
        (second.city_a.name_en, second.city_b.name_en),
    ]


@pytest.mark.django_db
def test_places_answering_to_a_slug_a_name_or_nothing(django_assert_max_num_queries):
    nara = factories.CityFactory(slug="nara", name_en="Nara", name_ja="奈良市")

    assert places_answering_to("Nara (nara)") == [nara]
    assert places_answering_to("奈良市") == [nara]
    with django_assert_max_num_queries(0):
        assert places_answering_to("Na\x00ra") == []
