import datetime

import pytest

from events.selectors import (
    event_series_neighbours,
    events_for_city,
    feed_events,
    portal_totals,
    upcoming_events,
)
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
