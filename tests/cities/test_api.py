import csv
import datetime
import io

import pytest

from cities.dates import DatePrecision
from cities.filters import CityFilterSet
from cities.models import Country, DesignationStatus, TieKind, TieStatus
from cities.selectors import city_list
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    FriendshipLinkFactory,
    LinkMilestoneFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


# --- places -------------------------------------------------------------------------------------


def test_city_detail_has_every_name_and_links(client):
    parent = CityFactory(slug="jiangsu", name_en="Jiangsu")
    city = CityFactory(
        slug="yangzhou",
        name_en="Yangzhou",
        name_zh_hans="扬州",
        name_zh_hant="揚州",
        name_ja="揚州",
        name_ko="양저우",
        romanization="Yángzhōu",
        aliases="Yangchow\n扬州市",
        parent=parent,
        latitude="32.397200",
        longitude="119.435800",
        population=1584237,
    )
    CultureCityDesignationFactory(city=city, year=2020)
    FriendshipLinkFactory(city_a=city)

    response = client.get("/api/v1/cities/yangzhou/")

    assert response.status_code == 200
    data = response.json()
    assert data["parent"]["slug"] == "jiangsu"
    assert {key: data[key] for key in ("name_en", "name_zh_hans", "name_zh_hant")} == {
        "name_en": "Yangzhou",
        "name_zh_hans": "扬州",
        "name_zh_hant": "揚州",
    }
    assert data["aliases"] == ["Yangchow", "扬州市"]
    assert (data["latitude"], data["longitude"], data["population"]) == (32.3972, 119.4358, 1584237)
    assert data["tie_count"] == 1
    assert data["designation_years"] == [2020]
    assert data["url"] == "http://testserver/api/v1/cities/yangzhou/"
    assert data["page_url"] == "http://testserver/en/cities/yangzhou/"
    assert data["ties_url"] == "http://testserver/api/v1/ties/?city=yangzhou"
    assert data["events_url"] == "http://testserver/api/v1/events/?place=yangzhou"


def test_city_detail_unknown_slug_is_json_404(client):
    response = client.get("/api/v1/cities/atlantis/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No City matches the given query."}


def test_city_detail_is_found_by_its_slug_alone_whatever_the_list_filters(client):
    CityFactory(slug="nara", name_en="Nara", country=Country.JAPAN)

    response = client.get("/api/v1/cities/nara/", {"country": "KR", "q": "Seoul"})

    assert response.status_code == 200
    assert response.json()["slug"] == "nara"


PORTAL_QUERIES = [
    {},
    {"country": "JP"},
    {"admin_level": "prefecture"},
    {"designated": "true"},
    {"designated": "false"},
    {"tied_with": "KR"},
    {"q": "ka"},
    {"ordering": "-population"},
    {"ordering": "-ties"},
    {"country": "CN", "ordering": "name"},
]


def test_city_list_filters_match_the_portal(client, demo_data):
    for query in PORTAL_QUERIES:
        portal = CityFilterSet(query or None, queryset=city_list()).qs
        expected = [city.slug for city in portal[:100]]

        response = client.get("/api/v1/cities/", {**query, "page_size": 100})

        assert response.status_code == 200, query
        assert response.json()["count"] == portal.count(), query
        assert _slugs(response) == expected, query
        assert expected, query


def test_city_list_search_uses_the_name_match(client):
    CityFactory(slug="gyeongju", name_en="Gyeongju", aliases="Kyongju", name_ko="경주")
    CityFactory(slug="nara", name_en="Nara", name_ko="나라")

    by_alias = client.get("/api/v1/cities/", {"search": "kyongju"})
    by_hangul = client.get("/api/v1/cities/", {"search": "경주"})

    assert _slugs(by_alias) == ["gyeongju"]
    assert _slugs(by_hangul) == ["gyeongju"]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"country": "XX"},
            {"country": ["Select a valid choice. XX is not one of the available choices."]},
        ),
        (
            {"ordering": "area"},
            {"ordering": ["Select a valid choice. area is not one of the available choices."]},
        ),
        ({"format": "xml"}, {"format": ["Unknown format “xml”: use one of json, csv."]}),
        ({"search": "a\x00b"}, {"search": ["The search text cannot contain control characters."]}),
        ({"q": "a\x00b"}, {"q": ["Null characters are not allowed."]}),
    ],
)
def test_city_list_malformed_parameter_is_400_naming_it(client, query, errors):
    response = client.get("/api/v1/cities/", query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == errors


def test_city_list_page_size_is_capped_at_100(client):
    CityFactory.create_batch(101)

    response = client.get("/api/v1/cities/", {"page_size": 500})

    assert response.json()["count"] == 101
    assert len(response.json()["results"]) == 100


def test_city_list_page_past_the_end_is_json_404(client):
    CityFactory()

    response = client.get("/api/v1/cities/", {"page": 9})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_city_list_csv_has_a_row_per_matching_place(client):
    CityFactory(
        slug="nara",
        name_en="Nara",
        country=Country.JAPAN,
        aliases="Nara-shi\n奈良市",
        name_kana="なら ならし",
        name_kana_basis="gazetteer",
    )
    CityFactory(slug="gimhae", name_en="Gimhae", country=Country.KOREA)

    response = client.get("/api/v1/cities/", {"format": "csv", "country": "JP"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="places.csv"'
    assert response.streaming
    rows = _csv(response)
    assert [
        (row["slug"], row["country"], row["aliases"], row["name_kana"], row["name_kana_basis"])
        for row in rows
    ] == [("nara", "JP", "Nara-shi; 奈良市", "なら; ならし", "gazetteer")]
    assert list(rows[0]) == [
        "slug", "country", "admin_level", "parent", "name_en", "name_zh_hans",
        "name_zh_hant", "name_ja", "name_ko", "romanization", "aliases", "name_kana",
        "name_kana_basis", "latitude", "longitude", "population", "population_year",
        "area_km2", "valid_from", "valid_to",
        "website", "wikidata_id", "geonames_id", "tie_count", "designation_years",
    ]  # fmt: skip


def test_city_list_csv_is_not_paginated(client):
    CityFactory.create_batch(130)

    response = client.get("/api/v1/cities/", {"format": "csv"})

    assert len(_csv(response)) == 130


def test_city_list_query_count_is_fixed(client, django_assert_num_queries):
    CityFactory(parent=CityFactory())
    # count, page, designations
    with django_assert_num_queries(4):
        first = client.get("/api/v1/cities/")
    more = CityFactory.create_batch(3, parent=CityFactory())
    for city in more:
        CultureCityDesignationFactory(city=city)
        FriendshipLinkFactory(city_a=city)
    with django_assert_num_queries(4):
        second = client.get("/api/v1/cities/")
    assert (first.json()["count"], second.json()["count"]) == (2, 9)


def test_city_detail_query_count_is_fixed(client, django_assert_num_queries):
    lonely = CityFactory(slug="lonely")
    busy = CityFactory(slug="busy", parent=CityFactory())
    for year in (2016, 2020, 2024):
        CultureCityDesignationFactory(city=busy, year=year)
    FriendshipLinkFactory.create_batch(3, city_a=busy)
    with django_assert_num_queries(3):
        client.get(f"/api/v1/cities/{lonely.slug}/")
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/cities/{busy.slug}/")
    assert response.json()["designation_years"] == [2016, 2020, 2024]


def test_city_list_csv_query_count_is_fixed(client, django_assert_num_queries):
    CityFactory()
    with django_assert_num_queries(3):
        assert len(_csv(client.get("/api/v1/cities/", {"format": "csv"}))) == 1
    for city in CityFactory.create_batch(3):
        CultureCityDesignationFactory(city=city)
    with django_assert_num_queries(3):
        assert len(_csv(client.get("/api/v1/cities/", {"format": "csv"}))) == 4


# --- ties ---------------------------------------------------------------------------------------


def _tie_between(slug_a: str, slug_b: str, **kwargs):
    return FriendshipLinkFactory(
        city_a=CityFactory(slug=slug_a, name_en=slug_a.title(), country=Country.CHINA),
        city_b=CityFactory(slug=slug_b, name_en=slug_b.title(), country=Country.JAPAN),
        **kwargs,
    )


def test_tie_detail_has_partial_date_milestones_and_sources(client):
    source = SourceFactory(
        url="https://www.clair.or.jp/x", title="CLAIR", publisher="CLAIR", kind="primary"
    )
    tie = _tie_between(
        "yangzhou",
        "karatsu",
        kind=TieKind.FRIENDSHIP,
        label_a="友好城市",
        label_b="友好都市",
        established_on=datetime.date(1982, 2, 1),
        established_precision=DatePrecision.MONTH,
    )
    tie.sources.add(source)
    milestone = LinkMilestoneFactory(
        link=tie, date=datetime.date(1980, 1, 1), date_precision=DatePrecision.YEAR
    )
    milestone.sources.add(source)

    response = client.get("/api/v1/ties/karatsu--yangzhou/")

    data = response.json()
    assert data["slug"] == "karatsu--yangzhou"
    assert (data["city_a"]["slug"], data["city_b"]["slug"]) == ("yangzhou", "karatsu")
    assert (data["established"], data["established_precision"]) == ("1982-02", "month")
    assert (data["label_a"], data["label_b"]) == ("友好城市", "友好都市")
    source_json = {
        "id": source.pk,
        "url": "https://www.clair.or.jp/x",
        "title": "CLAIR",
        "publisher": "CLAIR",
        "kind": "primary",
        "accessed_on": None,
    }
    assert data["sources"] == [source_json]
    assert (data["verified"], data["evidence"], data["note"]) == (True, "primary", "")
    assert data["text_origins"] == {}
    assert data["milestones"] == [
        {
            "date": "1980",
            "date_precision": "year",
            "kind": "memorandum",
            "kind_after": "",
            "note_en": "",
            "note_zh_hans": "",
            "note_ja": "",
            "note_ko": "",
            "text_origins": {},
            "sources": [source_json],
        }
    ]


def test_tie_detail_has_the_public_note_in_four_languages_and_note_in_english(client):
    _tie_between(
        "yangzhou",
        "karatsu",
        public_note_en="Renewed in 2015.",
        public_note_zh_hans="2015年续签。",
        text_origins={"public_note_zh_hans": "original", "public_note_en": "translation"},
    )

    data = client.get("/api/v1/ties/karatsu--yangzhou/").json()

    assert {name: data[name] for name in data if "note" in name} == {
        "note": "Renewed in 2015.",
        "public_note_en": "Renewed in 2015.",
        "public_note_zh_hans": "2015年续签。",
        "public_note_ja": "",
        "public_note_ko": "",
    }
    assert data["text_origins"] == {
        "public_note_zh_hans": "original",
        "public_note_en": "translation",
    }


def test_tie_detail_answers_in_either_order(client):
    _tie_between("yangzhou", "karatsu")

    response = client.get("/api/v1/ties/yangzhou--karatsu/")

    assert response.json()["slug"] == "karatsu--yangzhou"


def test_tie_detail_without_a_tie_is_json_404(client):
    CityFactory(slug="nara")
    CityFactory(slug="busan")

    response = client.get("/api/v1/ties/busan--nara/")

    assert response.status_code == 404
    assert response.json() == {"detail": "These two places have no recorded tie."}


def test_tie_list_filters(client):
    _tie_between(
        "yangzhou", "karatsu", kind=TieKind.SISTER, established_on=datetime.date(1990, 1, 1)
    )
    _tie_between("dalian", "kitakyushu", status=TieStatus.DORMANT)
    korean = CityFactory(slug="yeosu", country=Country.KOREA)
    FriendshipLinkFactory(city_a=CityFactory(slug="qingdao"), city_b=korean)

    assert _slugs(client.get("/api/v1/ties/", {"kind": "sister"})) == ["karatsu--yangzhou"]
    assert _slugs(client.get("/api/v1/ties/", {"status": "dormant"})) == ["dalian--kitakyushu"]
    assert _slugs(client.get("/api/v1/ties/", {"pair": "CN-KR"})) == ["qingdao--yeosu"]
    assert _slugs(client.get("/api/v1/ties/", {"city": "yeosu"})) == ["qingdao--yeosu"]
    assert _slugs(client.get("/api/v1/ties/", {"year": 1990})) == ["karatsu--yangzhou"]
    assert _slugs(client.get("/api/v1/ties/", {"search": "Dalian"})) == ["dalian--kitakyushu"]


def test_tie_list_ordering(client):
    _tie_between("a-one", "a-two", established_on=datetime.date(2001, 1, 1))
    _tie_between("b-one", "b-two", established_on=datetime.date(1999, 1, 1))

    newest = client.get("/api/v1/ties/", {"ordering": "-established"})
    bad = client.get("/api/v1/ties/", {"ordering": "population"})

    assert _slugs(newest) == ["a-one--a-two", "b-one--b-two"]
    assert bad.status_code == 400
    assert bad.json() == {
        "ordering": ["Order by one of established, kind, status (with “-” for descending)."]
    }


def test_tie_list_csv_shape(client):
    tie = _tie_between("yangzhou", "karatsu", established_on=datetime.date(1982, 2, 22))
    tie.established_precision = DatePrecision.DAY
    tie.save()
    tie.sources.add(
        SourceFactory(url="https://a.example/1"), SourceFactory(url="https://a.example/2")
    )

    rows = _csv(client.get("/api/v1/ties/", {"format": "csv"}))

    assert [(row["slug"], row["established"], row["source_urls"]) for row in rows] == [
        ("karatsu--yangzhou", "1982-02-22", "https://a.example/1; https://a.example/2")
    ]


def test_tie_list_csv_has_the_public_note_in_four_languages_with_origins(client):
    _tie_between(
        "yangzhou",
        "karatsu",
        public_note_en="Renewed in 2015.",
        public_note_zh_hans="2015年续签。",
        text_origins={"public_note_zh_hans": "original", "public_note_en": "translation"},
    )

    (row,) = _csv(client.get("/api/v1/ties/", {"format": "csv"}))

    assert {name: value for name, value in row.items() if "note" in name} == {
        "note": "Renewed in 2015.",
        "public_note_en": "Renewed in 2015.",
        "public_note_en_origin": "translation",
        "public_note_zh_hans": "2015年续签。",
        "public_note_zh_hans_origin": "original",
        "public_note_ja": "",
        "public_note_ja_origin": "",
        "public_note_ko": "",
        "public_note_ko_origin": "",
    }


def test_tie_list_query_count_is_fixed(client, django_assert_num_queries):
    LinkMilestoneFactory()
    # count, page, sources, milestones, milestone sources
    with django_assert_num_queries(6):
        client.get("/api/v1/ties/")
    for tie in FriendshipLinkFactory.create_batch(3):
        tie.sources.add(SourceFactory())
        LinkMilestoneFactory(link=tie).sources.add(SourceFactory())
    with django_assert_num_queries(6):
        response = client.get("/api/v1/ties/")
    assert response.json()["count"] == 4


def test_tie_detail_query_count_is_fixed(client, django_assert_num_queries):
    LinkMilestoneFactory(link=_tie_between("a-one", "a-two"))
    busy = _tie_between("b-one", "b-two")
    busy.sources.add(*SourceFactory.create_batch(3))
    for year in (1990, 1995, 2000):
        LinkMilestoneFactory(link=busy, date=datetime.date(year, 1, 1))
    with django_assert_num_queries(5):
        client.get("/api/v1/ties/a-one--a-two/")
    with django_assert_num_queries(5):
        response = client.get("/api/v1/ties/b-one--b-two/")
    assert len(response.json()["milestones"]) == 3


# --- designations -------------------------------------------------------------------------------


def test_designation_list_filters_and_sources(client):
    source = SourceFactory()
    kr = CultureCityDesignationFactory(
        city=CityFactory(slug="suncheon", country=Country.KOREA),
        year=2020,
        status=DesignationStatus.EXTENDED,
    )
    kr.sources.add(source)
    CultureCityDesignationFactory(
        city=CityFactory(slug="ishikawa", country=Country.JAPAN), year=2024
    )

    response = client.get("/api/v1/designations/", {"country": "KR"})

    results = response.json()["results"]
    assert [(item["year"], item["city"]["slug"], item["status"]) for item in results] == [
        (2020, "suncheon", "extended")
    ]
    assert [item["id"] for item in results[0]["sources"]] == [source.pk]
    assert results[0]["page_url"] == "http://testserver/en/culture-cities/2020/"
    assert [
        i["year"]
        for i in client.get("/api/v1/designations/", {"ordering": "year"}).json()["results"]
    ] == [2020, 2024]


def test_designation_list_query_count_is_fixed(client, django_assert_num_queries):
    CultureCityDesignationFactory()
    with django_assert_num_queries(4):
        client.get("/api/v1/designations/")
    for designation in CultureCityDesignationFactory.create_batch(3):
        designation.sources.add(SourceFactory())
    with django_assert_num_queries(4):
        response = client.get("/api/v1/designations/")
    assert response.json()["count"] == 4


def test_designation_detail_query_count_is_fixed(client, django_assert_num_queries):
    plain = CultureCityDesignationFactory()
    sourced = CultureCityDesignationFactory(city=CityFactory(parent=CityFactory()))
    sourced.sources.add(*SourceFactory.create_batch(3))
    with django_assert_num_queries(3):
        client.get(f"/api/v1/designations/{plain.pk}/")
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/designations/{sourced.pk}/")
    assert len(response.json()["sources"]) == 3


def test_designation_list_csv_shape(client):
    CultureCityDesignationFactory(city=CityFactory(slug="quanzhou"), year=2014, theme_en="Maritime")

    rows = _csv(client.get("/api/v1/designations/", {"format": "csv"}))

    assert [(r["year"], r["city"], r["theme_en"], r["status"]) for r in rows] == [
        ("2014", "quanzhou", "Maritime", "proclaimed")
    ]


# --- GeoJSON ------------------------------------------------------------------------------------


def test_ties_geojson_filters_like_the_ties_list(client):
    _tie_between("yangzhou", "karatsu", kind=TieKind.SISTER)
    _tie_between("dalian", "kitakyushu", kind=TieKind.FRIENDSHIP)
    query = {"kind": "sister", "search": "yangzhou"}

    listed = _slugs(client.get("/api/v1/ties/", query))
    drawn = client.get("/api/v1/ties.geojson", query).json()

    assert listed == ["karatsu--yangzhou"]
    assert [
        "--".join(sorted([f["properties"]["city_a"]["slug"], f["properties"]["city_b"]["slug"]]))
        for f in drawn["features"]
    ] == listed
    assert (drawn["type"], drawn["total"], drawn["page"], drawn["next"]) == (
        "FeatureCollection",
        1,
        1,
        None,
    )


def test_cities_geojson_counts_only_the_filtered_ties(client):
    yangzhou = CityFactory(slug="yangzhou", latitude="32.397200", longitude="119.435800")
    FriendshipLinkFactory(city_a=yangzhou, kind=TieKind.SISTER)
    FriendshipLinkFactory(city_a=yangzhou, kind=TieKind.FRIENDSHIP)

    data = client.get("/api/v1/cities.geojson", {"kind": "sister", "country": "cn"}).json()

    assert [(f["id"], f["properties"]["tie_count"]) for f in data["features"]] == [("yangzhou", 1)]
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [119.4358, 32.3972]}


def test_geojson_is_open_to_cross_origin_reads(client):
    response = client.get("/api/v1/ties.geojson", headers={"Origin": "https://maps.example"})

    assert response["Content-Type"] == "application/geo+json"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_tie_list_filters_match_the_network_map(client, demo_data_readonly):
    from cities.filters import TieFilterSet
    from cities.network import tie_list

    queries = [
        {"kind": "sister", "city": "busan"},
        {"pair": "CN-JP", "city": "kobe"},
        {"pair": "JP-KR", "since": "2000"},
        {"status": "active", "city": "yangzhou"},
        {"year": "1995"},
        {"quiet": "5", "pair": "CN-KR", "kind": "sister"},
    ]
    for query in queries:
        filterset = TieFilterSet(query, queryset=tie_list())
        assert filterset.is_valid(), query
        expected = sorted(tie.pk for tie in filterset.qs)

        response = client.get("/api/v1/ties/", {**query, "page_size": 100})
        listed = sorted(
            tie.pk
            for slug in _slugs(response)
            for tie in tie_list({"city": slug.split("--")[0]})
            if "--".join(sorted([tie.city_a.slug, tie.city_b.slug])) == slug
        )

        assert response.json()["count"] == len(expected), query
        assert listed == expected, query
        assert expected, query
