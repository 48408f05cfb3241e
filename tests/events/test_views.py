import datetime
import re
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


PRACTICE_LINK = "This event is written up as a good practice"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_event_detail_links_its_published_good_practice(
    client, django_assert_num_queries, language
):
    event = factories.ExchangeEventFactory(slug="forum")
    factories.GoodPracticeFactory(event=event, slug="canal-forum", is_published=True)

    # event (with its practice), partners, sources, ties, series neighbours (none: no series)
    with django_assert_num_queries(5):
        response = client.get(f"/{language}/events/forum/")

    html = response.content.decode()
    label = PRACTICE_LINK if language == "en" else "この行事は好事例としてまとめられています"
    assert f'<p class="card"><a href="/{language}/good-practices/canal-forum/">{label}' in html


@pytest.mark.django_db
def test_event_detail_leaves_out_an_unpublished_or_missing_good_practice(client):
    factories.ExchangeEventFactory(slug="alone")
    draft = factories.ExchangeEventFactory(slug="drafted")
    factories.GoodPracticeFactory(event=draft, is_published=False)

    for slug in ("alone", "drafted"):
        html = client.get(f"/en/events/{slug}/").content.decode()
        assert PRACTICE_LINK not in html


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
def test_city_calendar_without_events_is_a_valid_calendar_in_the_places_zone(client):
    factories.CityFactory(slug="quiet-town", country="JP")

    response = client.get("/en/cities/quiet-town/events.ics")
    calendar = icalendar.Calendar.from_ical(response.content)

    # RFC 5545 3.6: a calendar holds at least one component; here the place's time zone.
    assert response.status_code == 200
    assert [component.name for component in calendar.subcomponents] == ["VTIMEZONE"]
    assert str(calendar.subcomponents[0]["TZID"]) == "Asia/Tokyo"
    assert calendar.walk("VEVENT") == []


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


# --- The month calendar -----------------------------------------------------------------------


def _calendar_days(response) -> dict[int, list[str]]:
    """Day of the month → the event addresses listed on it, as the page shows them."""
    html = response.content.decode()
    days = {}
    for cell in re.findall(r'<td class="cal-day[^"]*"[^>]*>(.*?)</td>', html, flags=re.DOTALL):
        number = re.search(r'<span class="cal-day__number" aria-hidden="true">(\d+)</span>', cell)
        if number:
            days[int(number.group(1))] = re.findall(r'<a href="/[^/]+/events/([^/"]+)/"', cell)
    return days


@pytest.mark.django_db
def test_event_calendar_puts_an_event_on_each_of_its_days(client):
    factories.ExchangeEventFactory(
        slug="conference",
        starts_on=datetime.date(2019, 10, 28),
        ends_on=datetime.date(2019, 11, 2),
    )
    factories.ExchangeEventFactory(
        slug="launch", starts_on=datetime.date(2019, 10, 25), ends_on=datetime.date(2019, 10, 25)
    )
    factories.ExchangeEventFactory(
        slug="hidden", starts_on=datetime.date(2019, 10, 25), is_published=False
    )

    october = _calendar_days(client.get("/en/events/calendar/2019/10/"))
    november = _calendar_days(client.get("/en/events/calendar/2019/11/"))

    assert {day: slugs for day, slugs in october.items() if slugs} == {
        25: ["launch"],
        28: ["conference"],
        29: ["conference"],
        30: ["conference"],
        31: ["conference"],
    }
    assert sorted(october) == list(range(1, 32))
    assert {day: slugs for day, slugs in november.items() if slugs} == {
        1: ["conference"],
        2: ["conference"],
    }


@pytest.mark.django_db
def test_event_calendar_lists_events_known_only_to_the_month_or_year_apart(client):
    factories.ExchangeEventFactory(
        slug="supplies",
        title_en="Supplies exchange",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
        date_precision="year",
    )
    factories.ExchangeEventFactory(
        slug="festival",
        title_en="Fireworks festival",
        starts_on=datetime.date(2020, 3, 1),
        ends_on=datetime.date(2020, 3, 31),
        date_precision="month",
    )

    march = client.get("/en/events/calendar/2020/3/")
    june = client.get("/en/events/calendar/2020/6/")

    assert not any(_calendar_days(march).values())
    assert [e.slug for e in march.context["month"].month_events] == ["festival"]
    assert [e.slug for e in march.context["month"].year_events] == ["supplies"]
    text = " ".join(re.sub(r"<[^>]+>", " ", march.content.decode()).split())
    assert "Day not known Fireworks festival (Mar 2020 ·" in text
    assert "Supplies exchange (sometime in 2020 ·" in text
    assert [e.slug for e in june.context["month"].month_events] == []
    assert [e.slug for e in june.context["month"].year_events] == ["supplies"]


@pytest.mark.django_db
def test_event_calendar_marks_today(client):
    today = timezone.localdate()
    factories.ExchangeEventFactory(slug="today-event", starts_on=today, ends_on=today)

    html = client.get(f"/en/events/calendar/{today.year}/{today.month}/").content.decode()

    [today_cell] = re.findall(r'<td class="[^"]*cal-day--today[^"]*"([^>]*)>(.*?)</td>', html, re.S)
    assert today_cell[0] == ' aria-current="date"'
    assert f'<time datetime="{today.isoformat()}">' in today_cell[1]
    assert '<span class="cal-today">today</span>' in today_cell[1]
    assert "/en/events/today-event/" in today_cell[1]
    assert html.count('aria-current="date"') == 1
    assert "<span>This month</span>" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "weekdays", "first_cells"),
    [
        ("en", "December 2026", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], 2),
        ("zh-hans", "2026年12月", ["周一", "周二", "周三", "周四", "周五", "周六", "周日"], 1),
        ("ja", "2026年12月", ["日", "月", "火", "水", "木", "金", "土"], 2),
        ("ko", "2026년 12월", ["일", "월", "화", "수", "목", "금", "토"], 2),
    ],
)
def test_event_calendar_writes_month_and_weekdays_the_language_way(
    client, language, title, weekdays, first_cells
):
    response = client.get(f"/{language}/events/calendar/2026/12/")

    html = response.content.decode()
    assert f'<span class="cal-title">{title}</span>' in html
    assert re.findall(r'<th scope="col"[^>]*><abbr title="[^"]+">([^<]+)</abbr></th>', html) == (
        weekdays
    )
    # 1 December 2026 is a Tuesday: weeks from Sunday leave two cells of November, from Monday one
    first_week = response.context["month"].weeks[0]
    assert [day.in_month for day in first_week].index(True) == first_cells
    assert '<a href="/' + language + '/events/calendar/2026/11/" rel="prev">' in html
    assert '<a href="/' + language + '/events/calendar/2027/1/" rel="next">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["2019/13", "2019/0", "1949/12", "2101/1", "2019/october"])
def test_event_calendar_of_a_month_that_does_not_exist_is_404(client, path):
    response = client.get(f"/en/events/calendar/{path}/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_event_calendar_without_a_month_opens_this_month(client):
    today = timezone.localdate()

    response = client.get("/ja/events/calendar/")

    assert (response.status_code, response["Location"]) == (
        302,
        f"/ja/events/calendar/{today.year}/{today.month}/",
    )


@pytest.mark.django_db
def test_event_calendar_says_when_a_month_has_more_events_than_it_shows(client, monkeypatch):
    from events import views

    monkeypatch.setattr(views, "CALENDAR_EVENT_LIMIT", 2)
    for day in (3, 4, 5):
        factories.ExchangeEventFactory(starts_on=datetime.date(2019, 10, day))

    response = client.get("/en/events/calendar/2019/10/")

    assert response.context["truncated"] is True
    assert sum(len(slugs) for slugs in _calendar_days(response).values()) == 2
    assert '<a href="/en/events/?year=2019">Events of this year</a>' in response.content.decode()


@pytest.mark.django_db
def test_event_calendar_of_an_empty_month_says_so(client):
    html = client.get("/ko/events/calendar/2030/2/").content.decode()

    assert "이달에 기록된 교류 행사가 없습니다." in html
    assert '<a class="button" href="/ko/events/?when=upcoming">예정된 행사</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_event_calendar_query_count_is_fixed(client, django_assert_num_queries, count):
    for index in range(count):
        factories.ExchangeEventFactory(
            starts_on=datetime.date(2019, 10, 1 + index), ends_on=datetime.date(2019, 10, 9)
        )

    with django_assert_num_queries(2):  # the data version, the month's events with their hosts
        response = client.get("/en/events/calendar/2019/10/")

    assert response.context["month"].event_count == count


@pytest.mark.django_db
def test_event_list_links_to_the_month_calendar(client):
    html = client.get("/zh-hans/events/").content.decode()

    assert '<a class="calendar-link" href="/zh-hans/events/calendar/">月历</a>' in html
