import datetime

import pytest

from events.filters import EventFilterSet
from events.selectors import event_list
from tests import factories


@pytest.mark.django_db
def test_event_filterset_host_choices_are_hosts_of_published_events():
    host = factories.CityFactory(slug="nara", name_en="Nara")
    factories.CityFactory(slug="idle")
    factories.ExchangeEventFactory(host=host)
    factories.ExchangeEventFactory(host=factories.CityFactory(slug="secret"), is_published=False)

    filterset = EventFilterSet(None, queryset=event_list())

    assert [value for value, _label in filterset.form.fields["host"].choices] == ["", "nara"]


@pytest.mark.django_db
def test_event_filterset_year_must_be_a_whole_year():
    factories.ExchangeEventFactory(slug="a", starts_on=datetime.date(2019, 1, 1))
    factories.ExchangeEventFactory(slug="b", starts_on=datetime.date(2020, 1, 1))

    decimal = EventFilterSet({"year": "2019.5"}, queryset=event_list())
    exact = EventFilterSet({"year": "2019"}, queryset=event_list())

    assert [event.slug for event in decimal.qs] == ["b", "a"]
    assert decimal.ignored_fields == ["Year"]
    assert [event.slug for event in exact.qs] == ["a"]
