import datetime

import pytest

from events.filters import EventApiFilterSet, EventFilterSet
from events.selectors import event_list
from tests import factories


@pytest.mark.django_db
def test_event_filterset_host_is_a_text_box_not_a_list_of_places():
    factories.ExchangeEventFactory(host=factories.CityFactory(slug="nara", name_en="Nara"))

    filterset = EventFilterSet(None, queryset=event_list())

    assert 'type="text" name="host"' in str(filterset.form["host"])
    assert "<option" not in str(filterset.form["host"])


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["nara", "Nara", "奈良市", "nara city"])
def test_event_filterset_host_takes_a_slug_or_a_name(typed):
    nara = factories.CityFactory(slug="nara", name_en="Nara", name_ja="奈良市", aliases="Nara City")
    narashino = factories.CityFactory(slug="narashino", name_en="Narashino")
    factories.ExchangeEventFactory(slug="in-nara", host=nara)
    factories.ExchangeEventFactory(slug="in-narashino", host=narashino)

    filterset = EventFilterSet({"host": typed}, queryset=event_list())

    assert [event.slug for event in filterset.qs] == ["in-nara"]
    assert filterset.ignored_fields == []


@pytest.mark.django_db
def test_event_filterset_host_no_place_answers_is_ignored_with_a_reason():
    factories.ExchangeEventFactory(slug="any")

    filterset = EventFilterSet({"host": "atlantis"}, queryset=event_list())

    assert [event.slug for event in filterset.qs] == ["any"]
    assert filterset.ignored_fields == ["Host place"]
    assert filterset.form.errors["host"] == ["No place answers to “atlantis”."]


@pytest.mark.django_db
def test_event_filterset_year_must_be_a_whole_year():
    factories.ExchangeEventFactory(slug="a", starts_on=datetime.date(2019, 1, 1))
    factories.ExchangeEventFactory(slug="b", starts_on=datetime.date(2020, 1, 1))

    decimal = EventFilterSet({"year": "2019.5"}, queryset=event_list())
    exact = EventFilterSet({"year": "2019"}, queryset=event_list())

    assert [event.slug for event in decimal.qs] == ["b", "a"]
    assert decimal.ignored_fields == ["Year"]
    assert [event.slug for event in exact.qs] == ["a"]


@pytest.mark.django_db
def test_event_api_filterset_unknown_host_gives_an_empty_list():
    factories.ExchangeEventFactory(slug="in-nara", host=factories.CityFactory(slug="nara"))

    unknown = EventApiFilterSet({"host": "atlantis"}, queryset=event_list())
    known = EventApiFilterSet({"host": "nara"}, queryset=event_list())

    assert unknown.is_valid() is True
    assert list(unknown.qs) == []
    assert [event.slug for event in known.qs] == ["in-nara"]
