import datetime
import zoneinfo

import icalendar
import pytest
from django.utils import timezone

from cities.models import Country
from events.models import EventCategory, EventFormat, EventStatus
from tests import factories
from tests.portal_helpers import card_links


def _days(number):
    return timezone.localdate() + datetime.timedelta(days=number)


@pytest.mark.django_db
def test_event_list_category_and_format_filters_narrow(client):
    factories.ExchangeEventFactory(slug="go", category=EventCategory.SPORTS)
    factories.ExchangeEventFactory(slug="forum", category=EventCategory.GOVERNMENT)
    factories.ExchangeEventFactory(
        slug="webinar", category=EventCategory.GOVERNMENT, format=EventFormat.ONLINE
    )

    sports = card_links(client.get("/en/events/?category=sports"), "/en/events/")
    online_government = card_links(
        client.get("/en/events/?category=government&format=online"), "/en/events/"
    )

    assert sports == ["go"]
    assert online_government == ["webinar"]


@pytest.mark.django_db
def test_event_list_country_host_and_year_filters_narrow(client):
    nara = factories.CityFactory(slug="nara", country=Country.JAPAN)
    busan = factories.CityFactory(slug="busan", country=Country.KOREA)
    factories.ExchangeEventFactory(slug="nara-2019", host=nara, starts_on=datetime.date(2019, 5, 1))
    factories.ExchangeEventFactory(slug="nara-2021", host=nara, starts_on=datetime.date(2021, 5, 1))
    factories.ExchangeEventFactory(
        slug="busan-2019", host=busan, starts_on=datetime.date(2019, 6, 1)
    )

    korea = card_links(client.get("/en/events/?country=KR"), "/en/events/")
    nara_events = card_links(client.get("/en/events/?host=nara"), "/en/events/")
    in_2019 = card_links(client.get("/en/events/?year=2019"), "/en/events/")

    assert korea == ["busan-2019"]
    assert nara_events == ["nara-2021", "nara-2019"]
    assert in_2019 == ["busan-2019", "nara-2019"]


@pytest.mark.django_db
def test_event_list_when_filter_splits_upcoming_and_past(client):
    factories.ExchangeEventFactory(slug="past", starts_on=_days(-30))
    factories.ExchangeEventFactory(slug="later", starts_on=_days(40))
    factories.ExchangeEventFactory(slug="soon", starts_on=_days(3))
    factories.ExchangeEventFactory(slug="running", starts_on=_days(-1), ends_on=_days(1))

    upcoming = card_links(client.get("/en/events/?when=upcoming"), "/en/events/")
    past = card_links(client.get("/en/events/?when=past"), "/en/events/")

    assert upcoming == ["running", "soon", "later"]
    assert past == ["past"]


@pytest.mark.django_db
def test_event_list_series_filter_narrows(client):
    series = factories.EventSeriesFactory(slug="go-cup")
    factories.ExchangeEventFactory(slug="go-1", series=series, edition=1)
    factories.ExchangeEventFactory(slug="other")

    response = client.get("/en/events/?series=go-cup")

    assert card_links(response, "/en/events/") == ["go-1"]


@pytest.mark.django_db
def test_event_list_hides_unpublished_events(client):
    factories.ExchangeEventFactory(slug="public")
    factories.ExchangeEventFactory(slug="draft", is_published=False)

    response = client.get("/en/events/")

    assert card_links(response, "/en/events/") == ["public"]
    assert client.get("/en/events/draft/").status_code == 404


@pytest.mark.django_db
def test_event_list_malformed_filters_are_ignored_with_a_note(client):
    factories.ExchangeEventFactory(slug="go", category=EventCategory.SPORTS)
    factories.ExchangeEventFactory(slug="forum", category=EventCategory.GOVERNMENT)

    response = client.get("/en/events/?year=twenty&when=someday&host=atlantis&category=sports")

    html = response.content.decode()
    assert response.status_code == 200
    assert card_links(response, "/en/events/") == ["go"]
    assert "Some filter values were not understood and were ignored:" in html
    assert "Host place, Year, When." in html


@pytest.mark.django_db
def test_event_list_paginates_by_20_and_404s_out_of_range(client):
    factories.ExchangeEventFactory.create_batch(21)

    first = client.get("/en/events/")
    second = client.get("/en/events/?page=2")

    assert len(card_links(first, "/en/events/")) == 20
    assert len(card_links(second, "/en/events/")) == 1
    assert client.get("/en/events/?page=3").status_code == 404


def _events(count):
    series = factories.EventSeriesFactory()
    for index in range(count):
        event = factories.ExchangeEventFactory(series=series, edition=index + 1)
        event.partners.add(factories.CityFactory(), factories.CityFactory())


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_list_query_count_is_fixed(client, django_assert_num_queries, count):
    _events(count)

    # series choices, count, events, partners
    with django_assert_num_queries(5):
        response = client.get("/en/events/?category=culture")

    assert len(card_links(response, "/en/events/")) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_list_host_filter_query_count_is_fixed(client, django_assert_num_queries, count):
    host = factories.CityFactory(slug="hub")
    for _index in range(count):
        factories.ExchangeEventFactory(host=host)

    # the host by slug (validation), series choices, count, events, partners
    with django_assert_num_queries(6):
        response = client.get("/en/events/?host=hub")

    assert len(card_links(response, "/en/events/")) == count


@pytest.mark.django_db
def test_event_detail_shows_time_in_host_time_zone(client):
    seoul = factories.CityFactory(slug="seoul", name_en="Seoul", country=Country.KOREA)
    starts_at = datetime.datetime(2025, 9, 1, 1, 30, tzinfo=datetime.UTC)  # 10:30 in Seoul
    factories.ExchangeEventFactory(
        slug="forum",
        host=seoul,
        starts_on=datetime.date(2025, 9, 1),
        starts_at=starts_at,
        format=EventFormat.HYBRID,
        online_url="https://meet.example.org/forum",
        budget_amount=1500000,
        budget_currency="KRW",
        participants=320,
    )

    html = client.get("/en/events/forum/").content.decode()

    assert "starts at 10:30 (Asia/Seoul, local time at the host place)" in html
    assert '<a href="https://meet.example.org/forum" rel="external noopener noreferrer">' in html
    assert "1,500,000 KRW" in html
    assert "<dd>320</dd>" in html


@pytest.mark.django_db
def test_event_detail_in_person_hides_online_link(client):
    factories.ExchangeEventFactory(
        slug="fair", format=EventFormat.IN_PERSON, online_url="https://meet.example.org/x"
    )

    html = client.get("/en/events/fair/").content.decode()

    assert "https://meet.example.org/x" not in html


@pytest.mark.django_db
def test_event_detail_in_japanese_marks_an_english_only_outcome(client):
    factories.ExchangeEventFactory(
        slug="go-2019", status=EventStatus.HELD, outcome_en="Two new junior leagues."
    )

    html = client.get("/ja/events/go-2019/").content.decode()

    assert (
        '<p><span lang="en">Two new junior leagues.</span> '
        '<small class="text-origin">原文：English</small></p>'
    ) in html


@pytest.mark.django_db
def test_event_detail_shows_the_outcome_in_the_readers_language(client):
    factories.ExchangeEventFactory(
        slug="go-2019",
        status=EventStatus.HELD,
        outcome_en="Two new junior leagues.",
        outcome_ja="ジュニアリーグが二つ誕生。",
    )

    html = client.get("/ja/events/go-2019/").content.decode()

    assert "<p>ジュニアリーグが二つ誕生。</p>" in html
    assert "Two new junior leagues." not in html


@pytest.mark.django_db
def test_event_detail_shows_the_proposer_as_organiser_and_the_image(client):
    event = factories.ExchangeEventFactory(
        slug="canal-forum-2027",
        image="events/forum.jpg",
        image_alt="Boats on the canal",
        image_credit="Yangzhou City",
    )
    factories.EventProposalFactory(
        event=event, state="accepted", partner__name_en="Canal Friendship Office"
    )

    html = client.get("/en/events/canal-forum-2027/").content.decode()

    assert '<p class="event-organiser">Organised by Canal Friendship Office</p>' in html
    assert '<img src="/media/events/forum.jpg" alt="Boats on the canal">' in html
    assert '<figcaption class="muted">Image: Yangzhou City</figcaption>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_detail_query_count_is_fixed(client, django_assert_num_queries, count):
    host = factories.CityFactory()
    series = factories.EventSeriesFactory()
    event = factories.ExchangeEventFactory(slug="main", host=host, series=series, edition=2)
    factories.ExchangeEventFactory(series=series, edition=1)
    for _ in range(count):
        tie = factories.FriendshipLinkFactory(city_a=host)
        event.links.add(tie)
        event.partners.add(tie.city_b)
        event.sources.add(factories.SourceFactory())

    # event, partners, sources, ties, series neighbours
    with django_assert_num_queries(6):
        response = client.get("/en/events/main/")

    assert response.content.decode().count("/en/ties/") == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_series_detail_query_count_is_fixed(client, django_assert_num_queries, count):
    series = factories.EventSeriesFactory(slug="cup")
    series.sources.add(factories.SourceFactory())
    for index in range(count):
        event = factories.ExchangeEventFactory(series=series, edition=index + 1)
        event.partners.add(factories.CityFactory())

    # series, sources, count, events, partners
    with django_assert_num_queries(6):
        response = client.get("/en/events/series/cup/")

    assert len(card_links(response, "/en/events/")) == count


# --- iCal feed -----------------------------------------------------------------


@pytest.mark.django_db
def test_event_feed_holds_events_from_one_year_back(client):
    tokyo = factories.CityFactory(slug="tokyo", name_en="Tokyo", name_ja="東京", country="JP")
    factories.ExchangeEventFactory(slug="old", title_en="Old", starts_on=_days(-400), host=tokyo)
    recent = factories.ExchangeEventFactory(
        slug="recent", title_en="Recent", title_ja="最近", starts_on=_days(-100), host=tokyo
    )
    timed = factories.ExchangeEventFactory(
        slug="timed",
        title_en="Timed",
        host=tokyo,
        starts_on=datetime.date(2099, 3, 1),
        starts_at=datetime.datetime(2099, 3, 1, 1, 0, tzinfo=datetime.UTC),
    )

    response = client.get("/ja/events/feed.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(event["SUMMARY"]) for event in events] == ["最近", "Timed"]
    assert [str(event["UID"]) for event in events] == [
        f"exchange-event-{recent.pk}@cjk-exchange-portal",
        f"exchange-event-{timed.pk}@cjk-exchange-portal",
    ]
    assert events[0].decoded("DTSTART") == _days(-100)
    assert events[0].decoded("DTEND") == _days(-99)
    assert events[1].decoded("DTSTART") == datetime.datetime(
        2099, 3, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")
    )
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert str(events[0]["URL"]) == "http://testserver/ja/events/recent/"


@pytest.mark.django_db
def test_event_feed_uids_are_stable_across_languages(client):
    factories.ExchangeEventFactory(starts_on=_days(10))

    english = icalendar.Calendar.from_ical(client.get("/en/events/feed.ics").content)
    korean = icalendar.Calendar.from_ical(client.get("/ko/events/feed.ics").content)

    assert [str(e["UID"]) for e in english.walk("VEVENT")] == [
        str(e["UID"]) for e in korean.walk("VEVENT")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_feed_query_count_is_fixed(client, django_assert_num_queries, count):
    for _ in range(count):
        factories.ExchangeEventFactory(starts_on=_days(5)).partners.add(factories.CityFactory())

    # events, partners
    with django_assert_num_queries(3):
        response = client.get("/en/events/feed.ics")

    assert response.content.decode().count("BEGIN:VEVENT") == count


@pytest.mark.django_db
def test_event_feed_marks_cancelled_and_postponed_events(client):
    factories.ExchangeEventFactory(slug="off", starts_on=_days(3), status=EventStatus.CANCELLED)
    factories.ExchangeEventFactory(slug="later", starts_on=_days(4), status=EventStatus.POSTPONED)
    factories.ExchangeEventFactory(slug="on", starts_on=_days(5), status=EventStatus.PLANNED)

    calendar = icalendar.Calendar.from_ical(client.get("/en/events/feed.ics").content)

    assert [str(event["STATUS"]) for event in calendar.walk("VEVENT")] == [
        "CANCELLED",
        "TENTATIVE",
        "CONFIRMED",
    ]


# --- Place calendar -------------------------------------------------------------


@pytest.mark.django_db
def test_city_events_ical_unknown_place_is_404(client):
    assert client.get("/en/cities/nowhere/events.ics").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_city_events_ical_query_count_is_fixed(client, django_assert_num_queries, count):
    city = factories.CityFactory(slug="hub")
    for _ in range(count):
        factories.ExchangeEventFactory(host=city).partners.add(factories.CityFactory())

    # data version, place, events, partners
    with django_assert_num_queries(4):
        response = client.get("/en/cities/hub/events.ics")

    assert response.content.decode().count("BEGIN:VEVENT") == count


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans", "ja", "ko"])
def test_event_detail_shows_the_budget_grouped_without_whole_cents(client, language):
    factories.ExchangeEventFactory(
        slug="canal-forum-2027", budget_amount="200000.00", budget_currency="CNY"
    )
    factories.ExchangeEventFactory(slug="tea-2027", budget_amount="1234.50", budget_currency="JPY")

    whole = client.get(f"/{language}/events/canal-forum-2027/").content.decode()
    cents = client.get(f"/{language}/events/tea-2027/").content.decode()

    assert "<dd>200,000 CNY</dd>" in whole
    assert "200000" not in whole
    assert "<dd>1,234.50 JPY</dd>" in cents
