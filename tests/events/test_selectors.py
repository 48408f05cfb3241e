import datetime

import pytest
from django.db import connection

from events.models import ExchangeEvent
from events.selectors import (
    TITLE_TRIGRAM_TABLE,
    event_series_neighbours,
    events_by_title,
    events_for_city,
    events_for_city_newest,
    events_in_city_order,
    feed_events,
    latest_events,
    portal_totals,
    upcoming_events,
)
from exchangeportal.infra.translation import translated_field_names
from tests import factories

TODAY = datetime.date(2026, 6, 1)


def _on(days):
    return TODAY + datetime.timedelta(days=days)


@pytest.mark.django_db
def test_events_for_city_includes_hosted_and_joined_without_duplicates():
    city = factories.CityFactory()
    hosted = factories.ExchangeEventFactory(host=city, slug="hosted", starts_on=_on(-10))
    hosted.partners.add(city)  # both host and partner: still once
    joined = factories.ExchangeEventFactory(slug="joined", starts_on=_on(-20))
    joined.partners.add(city)
    factories.ExchangeEventFactory(slug="unrelated")
    factories.ExchangeEventFactory(host=city, slug="draft", is_published=False)

    slugs = [event.slug for event in events_for_city(city=city, today=TODAY)]

    assert slugs == ["hosted", "joined"]


@pytest.mark.django_db
def test_events_in_city_order_is_the_order_of_events_for_city():
    city = factories.CityFactory()
    for days, length in [(-30, 0), (5, 0), (-400, 0), (-3, 10), (40, 2), (5, 1), (-30, 1)]:
        factories.ExchangeEventFactory(host=city, starts_on=_on(days), ends_on=_on(days + length))

    in_memory = events_in_city_order(events_for_city_newest(city=city, limit=10), today=TODAY)

    assert in_memory == list(events_for_city(city=city, today=TODAY))
    # Upcoming (not over: the one that began 3 days ago included) soonest first, then past.
    assert [event.starts_on for event in in_memory] == [
        _on(-3),
        _on(5),
        _on(5),
        _on(40),
        _on(-30),
        _on(-30),
        _on(-400),
    ]


@pytest.mark.django_db
def test_event_series_neighbours_follow_editions():
    series = factories.EventSeriesFactory()
    first = factories.ExchangeEventFactory(series=series, edition=1, starts_on=_on(-300))
    second = factories.ExchangeEventFactory(series=series, edition=2, starts_on=_on(-200))
    third = factories.ExchangeEventFactory(series=series, edition=3, starts_on=_on(-100))

    assert event_series_neighbours(event=first) == (None, second)
    assert event_series_neighbours(event=second) == (first, third)
    assert event_series_neighbours(event=third) == (second, None)
    assert event_series_neighbours(event=factories.ExchangeEventFactory()) == (None, None)


@pytest.mark.django_db
def test_upcoming_events_and_feed_window():
    factories.ExchangeEventFactory(slug="long-ago", starts_on=_on(-366))
    factories.ExchangeEventFactory(slug="last-year", starts_on=_on(-365))
    factories.ExchangeEventFactory(slug="next", starts_on=_on(7))
    factories.ExchangeEventFactory(slug="today", starts_on=TODAY)

    upcoming = [event.slug for event in upcoming_events(today=TODAY, limit=5)]
    feed = [event.slug for event in feed_events(today=TODAY)]

    assert upcoming == ["today", "next"]
    assert feed == ["last-year", "today", "next"]


@pytest.mark.django_db
def test_portal_totals_counts_published_events_only():
    factories.FriendshipLinkFactory()
    factories.ExchangeEventFactory(is_published=False)

    assert portal_totals() == {"places": 3, "ties": 1, "designations": 0, "events": 0}


@pytest.mark.django_db
def test_events_for_city_newest_are_the_newest_published_ones_hosted_or_joined(
    django_assert_num_queries,
):
    city = factories.CityFactory()
    hosted = factories.ExchangeEventFactory(host=city, starts_on=datetime.date(2019, 5, 1))
    joined = factories.ExchangeEventFactory(starts_on=datetime.date(2021, 5, 1))
    joined.partners.add(city)
    factories.ExchangeEventFactory(host=city, starts_on=datetime.date(2015, 5, 1))
    factories.ExchangeEventFactory(
        host=city, starts_on=datetime.date(2022, 5, 1), is_published=False
    )
    factories.ExchangeEventFactory(starts_on=datetime.date(2023, 5, 1))

    with django_assert_num_queries(1):
        events = events_for_city_newest(city=city, limit=2)
        titles = [str(event.title) for event in events]

    assert events == [joined, hosted]
    assert titles == [joined.title_en, hosted.title_en]


@pytest.mark.django_db
def test_latest_events_are_the_last_published_ones_added(django_assert_num_queries):
    first = factories.ExchangeEventFactory(starts_on=datetime.date(2030, 1, 1))
    second = factories.ExchangeEventFactory(starts_on=datetime.date(2001, 1, 1))
    factories.ExchangeEventFactory(is_published=False)

    with django_assert_num_queries(1):
        events = latest_events(limit=5)
        hosts = [event.host.name_en for event in events]

    assert events == [second, first]
    assert hosts == [second.host.name_en, first.host.name_en]


def _titled(slug, **titles):
    return factories.ExchangeEventFactory(slug=slug, **titles)


def _by_title(query):
    return sorted(event.slug for event in events_by_title(query))


@pytest.mark.django_db
def test_events_by_title_finds_a_title_in_any_language_whatever_the_case():
    _titled("go", title_en="Trilateral Go Tournament", title_ja="日中韓囲碁大会")
    _titled("forum", title_en="Mayors' Forum", title_ko="시장 포럼")

    assert _by_title("go tour") == ["go"]
    assert _by_title("囲碁大会") == ["go"]
    assert _by_title("시장 포") == ["forum"]
    assert _by_title("MAYORS") == ["forum"]
    assert _by_title("marathon") == []


@pytest.mark.django_db
def test_events_by_title_follows_every_write_of_a_title():
    event = _titled("renamed", title_en="Harbour Festival")
    factories.ExchangeEventFactory.create_batch(2, title_en="Lantern Night")
    ExchangeEvent.objects.bulk_create(
        [ExchangeEvent(**{**_event_fields(event), "slug": "bulk", "title_en": "Bulk Regatta"})]
    )

    event.title_en = "Canal Concert"
    event.save()

    assert _by_title("harbour") == []
    assert _by_title("canal conc") == ["renamed"]
    assert _by_title("regatta") == ["bulk"]
    assert len(_by_title("lantern")) == 2

    ExchangeEvent.objects.filter(title_en="Lantern Night").delete()
    assert _by_title("lantern") == []


def _event_fields(event):
    return {
        field.attname: getattr(event, field.attname)
        for field in ExchangeEvent._meta.concrete_fields
        if not field.primary_key
    }


@pytest.mark.django_db
def test_events_by_title_takes_quotes_and_search_operators_as_text():
    _titled("quoted", title_en='The "Sea Road" Talks')
    _titled("plain", title_en="Sea Road OR NOT talks")

    assert _by_title('"Sea Road"') == ["quoted"]
    assert _by_title("OR NOT") == ["plain"]
    assert _by_title("Road*") == []


@pytest.mark.django_db
def test_events_by_title_finds_a_query_too_short_for_trigrams():
    _titled("go", title_en="Go in Kobe", title_zh_hans="围棋赛")
    _titled("other", title_en="Forum", title_zh_hans="论坛")

    assert _by_title("go") == ["go"]
    assert _by_title("围棋") == ["go"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the trigram table exists on SQLite only")
def test_the_sqlite_title_index_covers_every_title_field():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM pragma_table_info('{TITLE_TRIGRAM_TABLE}')")
        columns = [row[0] for row in cursor.fetchall()]

    assert columns == translated_field_names("title")
