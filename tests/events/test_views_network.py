import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache

from cities.models import DesignationStatus, TieKind, TieStatus
from cities.network import indicator_series
from events.insights import (
    designations_by_country,
    events_by_category,
    events_per_year_by_format,
    events_shared_by_triads,
)
from events.models import EventCategory, EventFormat
from events.triads import network_shape_compute
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    ExchangeEventFactory,
    ExchangeIndicatorFactory,
    FriendshipLinkFactory,
    SourceFactory,
    TrilateralGroupFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def triangle(**names):
    cn = CityFactory(country="CN", **({"name_en": names["cn"]} if "cn" in names else {}))
    jp = CityFactory(country="JP", **({"name_en": names["jp"]} if "jp" in names else {}))
    kr = CityFactory(country="KR", **({"name_en": names["kr"]} if "kr" in names else {}))
    ties = [
        FriendshipLinkFactory(city_a=cn, city_b=jp),
        FriendshipLinkFactory(city_a=cn, city_b=kr),
        FriendshipLinkFactory(city_a=jp, city_b=kr),
    ]
    for tie in ties:
        tie.sources.add(SourceFactory())
    return (cn, jp, kr), ties


# --- Triads page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_shared_by_triads_needs_all_three_places_or_two_ties():
    (cn, jp, kr), (cn_jp, cn_kr, jp_kr) = triangle()
    all_three = ExchangeEventFactory(host=cn, starts_on=datetime.date(2001, 7, 1))
    all_three.partners.add(jp, kr)
    all_three.links.add(cn_jp)
    two_ties = ExchangeEventFactory(host=jp, starts_on=datetime.date(2005, 7, 1))
    two_ties.links.add(cn_jp, jp_kr)
    bilateral = ExchangeEventFactory(host=cn)
    bilateral.partners.add(kr)
    bilateral.links.add(cn_kr)
    hidden = ExchangeEventFactory(host=cn, is_published=False)
    hidden.partners.add(jp, kr)
    hidden.links.add(cn_jp)
    shape = network_shape_compute()

    shared = events_shared_by_triads(shape.triads)

    assert shared == {(cn.pk, jp.pk, kr.pk): [all_three, two_ties]}


@pytest.mark.django_db
def test_triads_page_shows_triads_near_triads_and_groups(client):
    (cn, jp, kr), _ties = triangle(cn="Yangzhou", jp="Karatsu", kr="Yeosu")
    dalian = CityFactory(country="CN", name_en="Dalian")
    kitakyushu = CityFactory(country="JP", name_en="Kitakyushu")
    incheon = CityFactory(country="KR", name_en="Incheon")
    FriendshipLinkFactory(city_a=dalian, city_b=kitakyushu)
    FriendshipLinkFactory(city_a=kitakyushu, city_b=incheon)
    TrilateralGroupFactory(city_cn=dalian, city_jp=kitakyushu, city_kr=incheon)
    TrilateralGroupFactory(city_cn=cn, city_jp=jp, city_kr=kr)

    response = client.get("/en/network/triads/")

    html = response.content.decode()
    assert [[p.name_en for p in t["places"]] for t in response.context["triads"]] == [
        ["Yangzhou", "Karatsu", "Yeosu"]
    ]
    assert [
        (n["a"].name_en, n["hub"].name_en, n["b"].name_en) for n in response.context["near_triads"]
    ] == [("Dalian", "Kitakyushu", "Incheon")]
    assert "<strong>Dalian — Incheon</strong> would close Dalian–Kitakyushu–Incheon" in html
    assert [(str(g["group"]), g["state"]) for g in response.context["groups"]] == [
        ("Dalian – Kitakyushu – Incheon", "near_triad"),
        ("Yangzhou – Karatsu – Yeosu", "triad"),
    ]
    assert "How these are found and ranked" in html


def test_triads_page_five_real_groups(client, demo_data):
    response = client.get("/en/network/triads/")

    states = {str(g["group"]): g["state"] for g in response.context["groups"]}
    assert states == {
        # Incheon–Dalian: a 1994 friendship agreement (Incheon's own pages, research)
        "Dalian – Kitakyushu – Incheon": "triad",
        "Shandong Province – Yamaguchi Prefecture – South Gyeongsang Province": "triad",
        "Suzhou – Kanazawa – Jeonju": "triad",
        "Yangzhou – Karatsu – Yeosu": "triad",
        "Yangzhou – Nara – Gyeongju": "triad",
    }
    triads = {tuple(p.name_en for p in t["places"]) for t in response.context["triads"]}
    assert {
        ("Yangzhou", "Karatsu", "Yeosu"),
        ("Suzhou", "Kanazawa", "Jeonju"),
        ("Yangzhou", "Nara", "Gyeongju"),
    } <= triads


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_triads_page_query_count_is_fixed(client, django_assert_num_queries, count):
    for _index in range(count):
        (cn, jp, kr), ties = triangle()
        event = ExchangeEventFactory(host=cn)
        event.partners.add(jp, kr)
        event.links.add(*ties)
        TrilateralGroupFactory(city_cn=cn, city_jp=jp, city_kr=kr)
        spoke = FriendshipLinkFactory(city_a=cn, city_b=CityFactory(country="JP"))
        spoke.sources.add(SourceFactory())

    # signature (3) + shape (places, ties, recent events: first time only) + groups count,
    # groups, their sources, ties among their members + places, ties, their sources
    # + event links, events, partners
    with django_assert_num_queries(15):
        response = client.get("/en/network/triads/")
    # Another address (the page cache does not answer it) with the shape already computed.
    with django_assert_num_queries(12):
        client.get("/en/network/triads/?page=1")

    assert len(response.context["triads"]) == count
    assert len(response.context["near_triads"]) == count


# --- Statistics ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_per_year_by_format_shows_the_2020_shift():
    ExchangeEventFactory(starts_on=datetime.date(2019, 5, 1), format=EventFormat.IN_PERSON)
    ExchangeEventFactory(starts_on=datetime.date(2019, 9, 1), format=EventFormat.IN_PERSON)
    ExchangeEventFactory(starts_on=datetime.date(2020, 6, 1), format=EventFormat.ONLINE)
    ExchangeEventFactory(starts_on=datetime.date(2021, 6, 1), format=EventFormat.HYBRID)
    ExchangeEventFactory(starts_on=datetime.date(2021, 8, 1), format=EventFormat.ONLINE)
    ExchangeEventFactory(starts_on=datetime.date(2021, 9, 1), is_published=False)

    years, by_format = events_per_year_by_format(last_year=2022)

    assert years == [2019, 2020, 2021, 2022]
    assert by_format == {
        "in_person": [2, 0, 0, 0],
        "online": [0, 1, 1, 0],
        "hybrid": [0, 0, 1, 0],
    }


@pytest.mark.django_db
def test_events_by_category_keeps_zero_categories():
    ExchangeEventFactory(category=EventCategory.SPORTS)
    ExchangeEventFactory(category=EventCategory.SPORTS)
    ExchangeEventFactory(category=EventCategory.TOURISM)

    counts = {code: n for code, _label, n in events_by_category()}

    assert counts == {
        "culture": 0,
        "sports": 2,
        "tourism": 1,
        "trade_investment": 0,
        "education_youth": 0,
        "science_technology": 0,
        "government": 0,
        "health_disaster_relief": 0,
        "other": 0,
    }


@pytest.mark.django_db
def test_designations_by_country_counts_places_once_and_cancelled_apart():
    twice = CityFactory(country="CN")
    CultureCityDesignationFactory(city=twice, year=2019)
    CultureCityDesignationFactory(city=twice, year=2021)
    CultureCityDesignationFactory(city=CityFactory(country="CN"), year=2021)
    CultureCityDesignationFactory(
        city=CityFactory(country="JP"), year=2024, status=DesignationStatus.CANCELLED
    )
    CultureCityDesignationFactory(
        city=CityFactory(country="KR"), year=2020, status=DesignationStatus.EXTENDED
    )

    assert designations_by_country() == [("CN", 2, 3, 0), ("JP", 1, 1, 1), ("KR", 1, 1, 0)]


@pytest.mark.django_db
def test_indicator_series_groups_by_place_and_indicator_with_sources():
    place = CityFactory(name_en="Yangzhou")
    source = SourceFactory(title="Yangzhou statistical yearbook")
    for year, value in [(2019, 1200), (2021, 300)]:
        record = ExchangeIndicatorFactory(
            city=place,
            indicator_en="inbound tourists from Japan",
            year=year,
            value=value,
            unit_en="people",
        )
        record.sources.add(source)

    series = indicator_series([place])

    assert series == {
        place.pk: [
            {
                "indicator": "inbound tourists from Japan",
                "unit": "people",
                "points": [(2019, 1200), (2021, 300)],
                "rows": [(2019, "1,200"), (2021, "300")],
                "sources": [source],
            }
        ]
    }


@pytest.fixture
def statistics_data():
    yangzhou = CityFactory(name_en="Yangzhou", slug="yangzhou", country="CN")
    nara = CityFactory(name_en="Nara", slug="nara", country="JP")
    gyeongju = CityFactory(name_en="Gyeongju", slug="gyeongju", country="KR")
    FriendshipLinkFactory(
        city_a=yangzhou, city_b=nara, kind=TieKind.SISTER, established_on=datetime.date(2010, 5, 1)
    )
    FriendshipLinkFactory(
        city_a=nara, city_b=gyeongju, kind=TieKind.SISTER, established_on=datetime.date(1970, 4, 1)
    )
    FriendshipLinkFactory(
        city_a=yangzhou,
        city_b=gyeongju,
        kind=TieKind.FRIENDSHIP,
        established_on=datetime.date(2008, 1, 1),
        status=TieStatus.DORMANT,
    )
    ExchangeEventFactory(
        host=yangzhou, starts_on=datetime.date(2020, 10, 1), format=EventFormat.ONLINE
    )
    CultureCityDesignationFactory(city=yangzhou, year=2018)
    ExchangeIndicatorFactory(
        city=nara, indicator_en="students", year=2019, value=12, unit_en="people"
    )
    return yangzhou, nara, gyeongju


def _table(dataset):
    return [[row.label, *(cell.value for cell in row.cells)] for row in dataset.rows]


@pytest.mark.django_db
def test_statistics_page_numbers_match_hand_counts(client, statistics_data):
    response = client.get("/en/statistics/")

    datasets = {d.slug: d for d in response.context["datasets"]}
    assert _table(datasets["ties-by-country-pair"]) == [
        ["China – Japan", 1, 0, 0, 0, 0, 1],
        ["China – South Korea", 0, 1, 0, 0, 0, 1],
        ["Japan – South Korea", 1, 0, 0, 0, 0, 1],
        ["other pairs", 0, 0, 0, 0, 0, 0],
    ]
    per_year = {row[0]: row[1] for row in _table(datasets["ties-per-year"])}
    assert {year: n for year, n in per_year.items() if n} == {"1970": 1, "2008": 1, "2010": 1}
    assert _table(datasets["most-connected-places"]) == [
        ["Gyeongju", "South Korea", 2],
        ["Nara", "Japan", 2],
        ["Yangzhou", "China", 2],
    ]
    # Active, older than 5 years, no event: Yangzhou–Nara and Nara–Gyeongju (CN–KR is dormant).
    assert _table(datasets["dormant-ties"]) == [
        ["China – Japan", 1],
        ["China – South Korea", 0],
        ["Japan – South Korea", 1],
        ["other pairs", 0],
        ["Total", 2],
    ]
    assert _table(datasets["culture-cities"]) == [
        ["China", 1, 1, 0],
        ["Japan", 0, 0, 0],
        ["South Korea", 0, 0, 0],
    ]


@pytest.mark.django_db
def test_statistics_numbers_link_to_the_lists_they_count(client, statistics_data):
    response = client.get("/en/statistics/")

    datasets = {d.slug: d for d in response.context["datasets"]}
    per_year = {row.label: row.cells[0].url for row in datasets["ties-per-year"].rows}
    assert per_year["2010"] == "/en/network/?year=2010"
    sister_cn_jp = datasets["ties-by-country-pair"].rows[0].cells[0]
    assert sister_cn_jp.url == "/en/network/?pair=CN-JP&kind=sister"
    assert datasets["dormant-ties"].rows[-1].cells[0].url == "/en/network/?quiet=5"
    html = response.content.decode()
    # the bar is the link, named for screen readers (the chart is not one image)
    assert re.search(
        r'<a href="/en/network/\?year=2010" aria-label="2010[^"]*">'
        r'<rect class="net-bar net-series-value"',
        html,
    )
    # the list a number links to shows exactly that many ties
    listed = client.get("/en/network/", {"year": 2010})
    assert listed.context["page_obj"].paginator.count == 1
    quiet = client.get("/en/network/", {"quiet": 5})
    assert quiet.context["page_obj"].paginator.count == 2


@pytest.mark.django_db
def test_statistics_dormant_years_come_from_the_query(client, statistics_data):
    response = client.get("/en/statistics/", {"quiet": 20})

    dormant = next(d for d in response.context["datasets"] if d.slug == "dormant-ties")
    assert dormant.title == "Dormant ties: active, but no recorded event for 20 years"
    assert _table(dormant)[-1] == ["Total", 1]  # only Nara–Gyeongju (1970) is older than 20 years


@pytest.mark.django_db
def test_statistics_bad_dormant_years_shows_error_and_uses_default(client, statistics_data):
    response = client.get("/en/statistics/", {"quiet": "-3"})

    assert response.context["form"].errors == {
        "quiet": ["Ensure this value is greater than or equal to 1."]
    }
    assert response.context["quiet_years"] == 5


@pytest.mark.django_db
def test_statistics_page_has_svg_charts_with_tables_and_csv_links(client, statistics_data):
    html = client.get("/en/statistics/").content.decode()

    # six charts; the one figure (a single year) is a figure card, not a one-bar chart
    assert html.count('<svg class="net-chart"') == 6
    assert html.count("<summary>Data table</summary>") == 7
    assert '<dt>2019</dt><dd><span class="net-figure-number">12</span> people</dd>' in html
    assert 'href="/en/statistics/ties-per-year.csv"' in html
    assert "students" in html and "(people)" in html


@pytest.mark.django_db
def test_statistics_csv_has_the_table_numbers(client, statistics_data):
    response = client.get("/en/statistics/ties-by-country-pair.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "Countries",
            "sister city",
            "friendship city",
            "friendly exchange",
            "partnership",
            "other",
            "Total",
        ],
        ["China – Japan", "1", "0", "0", "0", "0", "1"],
        ["China – South Korea", "0", "1", "0", "0", "0", "1"],
        ["Japan – South Korea", "1", "0", "0", "0", "0", "1"],
        ["other pairs", "0", "0", "0", "0", "0", "0"],
    ]


@pytest.mark.django_db
def test_statistics_indicators_csv(client, statistics_data):
    rows = list(
        csv.reader(io.StringIO(client.get("/en/statistics/indicators.csv").content.decode()))
    )

    assert rows == [
        ["place", "country", "indicator", "year", "value", "unit", "sources"],
        ["Nara", "JP", "students", "2019", "12", "people", ""],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["indicators.csv", "ties-by-country-pair.csv"])
def test_statistics_csv_for_excel_starts_with_the_utf8_bom(client, statistics_data, path):
    plain = client.get(f"/en/statistics/{path}").content
    for_excel = client.get(f"/en/statistics/{path}", {"bom": "1"})

    assert for_excel["Content-Type"] == "text/csv; charset=utf-8"
    assert for_excel.content == b"\xef\xbb\xbf" + plain
    assert not plain.startswith(b"\xef\xbb\xbf")


@pytest.mark.django_db
def test_statistics_page_offers_each_csv_for_excel(client, statistics_data):
    html = client.get("/en/statistics/", {"quiet": "3"}).content.decode()

    assert 'href="/en/statistics/ties-per-year.csv?bom=1"' in html
    assert 'href="/en/statistics/indicators.csv?bom=1"' in html
    assert 'href="/en/statistics/dormant-ties.csv?quiet=3&amp;bom=1"' in html
    assert html.count(">CSV for Excel</a>") == html.count(">Download these numbers (CSV)</a>") + 1


@pytest.mark.django_db
def test_statistics_csv_unknown_slug_is_404(client):
    response = client.get("/en/statistics/nothing.csv")

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_statistics_page_query_count_is_fixed(client, django_assert_num_queries, count):
    for _index in range(count):
        tie = FriendshipLinkFactory()
        event = ExchangeEventFactory(host=tie.city_a)
        event.links.add(tie)
        CultureCityDesignationFactory(city=tie.city_a)
        record = ExchangeIndicatorFactory(city=tie.city_b)
        record.sources.add(SourceFactory())

    # 7 statistics + indicator places (count, page) + their figures + sources
    with django_assert_num_queries(12):
        response = client.get("/en/statistics/")

    assert len(response.context["indicator_places"]) == count


@pytest.mark.django_db
def test_statistics_event_numbers_open_the_event_list_they_count(client, statistics_data):
    response = client.get("/en/statistics/")

    datasets = {d.slug: d for d in response.context["datasets"]}
    row_2020 = next(row for row in datasets["events-per-year"].rows if row.label == "2020")
    online = row_2020.cells[1]
    assert (online.value, online.url) == (1, "/en/events/?year=2020&format=online")
    listed = client.get(online.url)
    assert listed.context["paginator"].count == 1  # the list counts what the number says
    culture = datasets["culture-cities"].rows[0].cells[0]
    assert culture.url == "/en/cities/?country=CN&designated=true"
    assert client.get(culture.url).context["paginator"].count == culture.value


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_statistics_csv_query_counts_are_fixed(client, django_assert_num_queries, count):
    for _index in range(count):
        tie = FriendshipLinkFactory()
        ExchangeIndicatorFactory(city=tie.city_a).sources.add(SourceFactory())

    with django_assert_num_queries(2):  # only the statistic asked for is computed
        response = client.get("/en/statistics/most-connected-places.csv")
    with django_assert_num_queries(3):  # figures with places, their sources
        figures = client.get("/en/statistics/indicators.csv")

    assert len(response.content.decode().strip().splitlines()) == 1 + 2 * count
    assert len(figures.content.decode().strip().splitlines()) == 1 + count


@pytest.mark.django_db
def test_every_statistic_csv_link_gives_its_table(client, statistics_data):
    datasets = client.get("/en/statistics/", {"quiet": 7}).context["datasets"]

    for dataset in datasets:
        query = "?quiet=7" if dataset.slug == "dormant-ties" else ""
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(f"/en/statistics/{dataset.slug}.csv{query}").content.decode()
                )
            )
        )
        assert rows == [
            [str(column) for column in dataset.columns],
            *([row.label, *(str(cell.value) for cell in row.cells)] for row in dataset.rows),
        ]


def test_every_statistics_number_opens_a_list_of_that_many(client, demo_data):
    """On the real data: each linked number, followed, lists exactly that many items."""
    datasets = client.get("/en/statistics/").context["datasets"]
    checked = 0
    for dataset in datasets:
        for row in dataset.rows:
            for cell in row.cells:
                if not cell.url or "?" not in cell.url or not cell.value:
                    continue
                listed = client.get(cell.url).context["page_obj"].paginator.count
                assert (dataset.slug, row.label, cell.url, listed) == (
                    dataset.slug,
                    row.label,
                    cell.url,
                    cell.value,
                )
                checked += 1
    assert checked > 100
