import csv
import datetime
import io

import pytest

from cities.dates import DatePrecision
from cities.models import Country
from events.filters import EventFilterSet
from events.models import EventCategory, EventFormat
from events.selectors import event_list
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    EventSeriesFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_event_detail_fields(client):
    host = CityFactory(slug="yangzhou", country=Country.CHINA)
    partner = CityFactory(slug="karatsu", country=Country.JAPAN)
    series = EventSeriesFactory(slug="go-tournament")
    tie = FriendshipLinkFactory(city_a=host, city_b=partner)
    designation = CultureCityDesignationFactory(city=host, year=2020)
    source = SourceFactory(url="https://example.org/go")
    event = ExchangeEventFactory(
        slug="go-2019",
        host=host,
        series=series,
        edition=21,
        starts_on=datetime.date(2019, 10, 1),
        ends_on=datetime.date(2019, 10, 1),
        date_precision=DatePrecision.MONTH,
        format=EventFormat.HYBRID,
        partner_organisations="CLAIR; CPAFFC",
        designation=designation,
        budget_amount="1000.00",
        budget_currency="CNY",
        outcome_en="Two new junior leagues.",
        outcome_ja="ジュニアリーグが二つ誕生。",
        text_origins={"outcome_ja": "original", "outcome_en": "translation"},
    )
    event.partners.add(partner)
    event.links.add(tie)
    event.sources.add(source)

    data = client.get("/api/v1/events/go-2019/").json()

    assert (data["starts"], data["ends"], data["date_precision"]) == ("2019-10", "2019-10", "month")
    assert data["host"]["slug"] == "yangzhou"
    assert [place["slug"] for place in data["partners"]] == ["karatsu"]
    assert data["partner_organisations"] == ["CLAIR", "CPAFFC"]
    assert (data["series"]["slug"], data["edition"]) == ("go-tournament", 21)
    assert data["ties"] == [
        {
            "slug": "karatsu--yangzhou",
            "url": "http://testserver/api/v1/ties/karatsu--yangzhou/",
            "kind": "friendship",
        }
    ]
    assert (data["designation"]["year"], data["designation"]["city"]) == (2020, "yangzhou")
    assert (data["budget_amount"], data["budget_currency"]) == ("1000.00", "CNY")
    assert {name: data[name] for name in data if name.startswith("outcome")} == {
        "outcome_en": "Two new junior leagues.",
        "outcome_zh_hans": "",
        "outcome_ja": "ジュニアリーグが二つ誕生。",
        "outcome_ko": "",
    }
    assert data["text_origins"] == {"outcome_ja": "original", "outcome_en": "translation"}
    assert [item["url"] for item in data["sources"]] == ["https://example.org/go"]
    assert data["page_url"] == "http://testserver/en/events/go-2019/"


def test_event_detail_unpublished_is_404(client):
    ExchangeEventFactory(slug="secret", is_published=False)

    response = client.get("/api/v1/events/secret/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No ExchangeEvent matches the given query."}


def test_event_list_filters_match_the_portal(client, demo_data):
    queries = [
        {},
        {"category": "culture"},
        {"format": "online"},
        {"country": "KR"},
        {"year": "2019"},
        {"when": "past"},
        {"when": "upcoming"},
        {"series": "cjk-go-tournament"},
        {"host": "yangzhou"},
        {"category": "sports", "country": "CN"},
    ]
    for query in queries:
        portal = EventFilterSet(query or None, queryset=event_list()).qs
        expected = [event.slug for event in portal[:100]]

        response = client.get("/api/v1/events/", {**query, "page_size": 100})

        assert response.status_code == 200, query
        assert response.json()["count"] == portal.count(), query
        assert _slugs(response) == expected, query


def test_event_list_place_filter_includes_hosted_and_joined(client):
    place = CityFactory(slug="yeosu")
    ExchangeEventFactory(slug="hosted", host=place, starts_on=datetime.date(2020, 1, 1))
    ExchangeEventFactory(slug="joined", starts_on=datetime.date(2019, 1, 1)).partners.add(place)
    ExchangeEventFactory(slug="elsewhere")

    response = client.get("/api/v1/events/", {"place": "yeosu"})

    assert _slugs(response) == ["hosted", "joined"]


def test_event_list_search_matches_title_and_host_name(client):
    ExchangeEventFactory(slug="go", title_en="Go tournament")
    ExchangeEventFactory(slug="dance", title_en="Dance", host=CityFactory(name_ko="여수"))

    assert _slugs(client.get("/api/v1/events/", {"search": "tournament"})) == ["go"]
    assert _slugs(client.get("/api/v1/events/", {"search": "여수"})) == ["dance"]


def test_event_list_malformed_filters_are_400(client):
    response = client.get("/api/v1/events/", {"year": "abc", "category": "magic"})

    assert response.status_code == 400
    assert response.json() == {
        "category": ["Select a valid choice. magic is not one of the available choices."],
        "year": ["Enter a whole number."],
    }


def test_event_list_format_filter_and_csv_share_the_parameter(client):
    ExchangeEventFactory(slug="online", format=EventFormat.ONLINE, category=EventCategory.SPORTS)
    ExchangeEventFactory(slug="on-site", format=EventFormat.IN_PERSON)

    filtered = client.get("/api/v1/events/", {"format": "online"})
    as_csv = client.get("/api/v1/events/", {"format": "csv", "category": "sports"})
    both = client.get("/api/v1/events/", {"format": "online"}, headers={"Accept": "text/csv"})

    assert _slugs(filtered) == ["online"]
    assert [row["slug"] for row in _csv(as_csv)] == ["online"]
    assert [row["slug"] for row in _csv(both)] == ["online"]


def test_event_list_csv_shape(client):
    host = CityFactory(slug="nara")
    event = ExchangeEventFactory(
        slug="forum",
        host=host,
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
        date_precision=DatePrecision.YEAR,
    )
    event.partners.add(CityFactory(slug="b-town"), CityFactory(slug="a-town", name_en="A town"))

    rows = _csv(client.get("/api/v1/events/", {"format": "csv"}))

    assert [(r["slug"], r["starts"], r["host"], r["partners"]) for r in rows] == [
        ("forum", "2021", "nara", "a-town; b-town")
    ]


def test_event_list_csv_has_the_outcome_in_four_languages_with_origins(client):
    ExchangeEventFactory(
        slug="forum",
        outcome_en="A joint brochure.",
        outcome_ko="공동 안내서.",
        text_origins={"outcome_ko": "original", "outcome_en": "translation"},
    )

    (row,) = _csv(client.get("/api/v1/events/", {"format": "csv"}))

    assert {name: value for name, value in row.items() if name.startswith("outcome")} == {
        "outcome_en": "A joint brochure.",
        "outcome_en_origin": "translation",
        "outcome_zh_hans": "",
        "outcome_zh_hans_origin": "",
        "outcome_ja": "",
        "outcome_ja_origin": "",
        "outcome_ko": "공동 안내서.",
        "outcome_ko_origin": "original",
    }


def _busy_event(**kwargs):
    event = ExchangeEventFactory(series=EventSeriesFactory(), **kwargs)
    event.partners.add(*CityFactory.create_batch(2))
    event.sources.add(*SourceFactory.create_batch(2))
    event.links.add(FriendshipLinkFactory())
    return event


def test_event_list_query_count_is_fixed(client, django_assert_num_queries):
    _busy_event()
    # count, page, partners, sources, ties
    with django_assert_num_queries(6):
        client.get("/api/v1/events/")
    for _ in range(3):
        _busy_event()
    with django_assert_num_queries(6):
        response = client.get("/api/v1/events/")
    assert response.json()["count"] == 4


def test_event_detail_query_count_is_fixed(client, django_assert_num_queries):
    small = _busy_event()
    big = _busy_event()
    big.partners.add(*CityFactory.create_batch(3))
    big.sources.add(*SourceFactory.create_batch(3))
    with django_assert_num_queries(5):
        client.get(f"/api/v1/events/{small.slug}/")
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/events/{big.slug}/")
    assert len(response.json()["partners"]) == 5


def test_series_list_and_detail(client):
    series = EventSeriesFactory(slug="canal-forum", name_en="World Canal Cities Forum")
    series.sources.add(SourceFactory(url="https://example.org/wccf"))
    ExchangeEventFactory(series=series)
    ExchangeEventFactory(series=series, is_published=False)

    listed = client.get("/api/v1/series/", {"search": "canal"}).json()["results"]
    detail = client.get("/api/v1/series/canal-forum/").json()

    assert [(item["slug"], item["event_count"]) for item in listed] == [("canal-forum", 1)]
    assert detail["events_url"] == "http://testserver/api/v1/events/?series=canal-forum"
    assert [source["url"] for source in detail["sources"]] == ["https://example.org/wccf"]


def test_series_list_query_count_is_fixed(client, django_assert_num_queries):
    EventSeriesFactory().sources.add(SourceFactory())
    with django_assert_num_queries(4):
        client.get("/api/v1/series/")
    for series in EventSeriesFactory.create_batch(3):
        series.sources.add(SourceFactory())
        ExchangeEventFactory(series=series)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/series/")
    assert response.json()["count"] == 4


def test_series_detail_query_count_is_fixed(client, django_assert_num_queries):
    plain = EventSeriesFactory()
    plain.sources.add(SourceFactory())
    busy = EventSeriesFactory()
    busy.sources.add(*SourceFactory.create_batch(3))
    with django_assert_num_queries(3):
        client.get(f"/api/v1/series/{plain.slug}/")
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/series/{busy.slug}/")
    assert len(response.json()["sources"]) == 3


def test_series_list_csv_shape(client):
    EventSeriesFactory(slug="go", name_en="Go tournament")

    rows = _csv(client.get("/api/v1/series/", {"format": "csv"}))

    assert [(row["slug"], row["name_en"], row["event_count"]) for row in rows] == [
        ("go", "Go tournament", "0")
    ]


def test_event_list_csv_query_count_is_fixed(client, django_assert_num_queries):
    _busy_event()
    with django_assert_num_queries(5):
        assert len(_csv(client.get("/api/v1/events/", {"format": "csv"}))) == 1
    for _ in range(3):
        _busy_event()
    with django_assert_num_queries(5):
        assert len(_csv(client.get("/api/v1/events/", {"format": "csv"}))) == 4
