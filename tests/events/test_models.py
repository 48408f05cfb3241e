import datetime

import pytest
from django import forms
from django.db import IntegrityError, transaction
from django.utils import translation

from cities.dates import DatePrecision
from events.models import ExchangeEvent
from tests.factories import CityFactory, EventSeriesFactory, ExchangeEventFactory


class EventDatesForm(forms.ModelForm):
    class Meta:
        model = ExchangeEvent
        fields = ["slug", "title_en", "starts_on", "ends_on", "host", "category", "format"]


@pytest.mark.django_db
def test_event_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeEventFactory(starts_on=datetime.date(2020, 5, 2), ends_on=datetime.date(2020, 5, 1))


@pytest.mark.django_db
def test_event_ending_before_it_starts_is_refused_by_the_form_with_a_readable_message():
    host = CityFactory()

    form = EventDatesForm(
        data={
            "slug": "go-tournament",
            "title_en": "Go tournament",
            "starts_on": "2020-05-02",
            "ends_on": "2020-05-01",
            "host": host.pk,
            "category": "sports",
            "format": "in_person",
        }
    )

    assert form.is_valid() is False
    assert form.errors["ends_on"] == ["An event cannot end before it starts."]
    assert form.data["title_en"] == "Go tournament"


@pytest.mark.django_db
def test_same_series_edition_twice_is_refused_by_the_database():
    series = EventSeriesFactory()
    ExchangeEventFactory(series=series, edition=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeEventFactory(series=series, edition=3)


@pytest.mark.django_db
def test_negative_budget_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeEventFactory(budget_amount=-1, budget_currency="CNY")


@pytest.mark.django_db
def test_start_time_is_shown_in_the_host_time_zone():
    event = ExchangeEventFactory(
        host=CityFactory(country="JP"),
        starts_on=datetime.date(2010, 5, 23),
        starts_at=datetime.datetime(2010, 5, 23, 1, 0, tzinfo=datetime.UTC),
    )

    assert event.local_starts_at.isoformat() == "2010-05-23T10:00:00+09:00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_on", "ends_on", "precision", "expected"),
    [
        (datetime.date(2010, 1, 1), datetime.date(2010, 12, 31), DatePrecision.YEAR, "2010"),
        (datetime.date(2021, 3, 1), datetime.date(2021, 3, 31), DatePrecision.MONTH, "Mar 2021"),
        (
            datetime.date(1999, 7, 5),
            datetime.date(1999, 7, 11),
            DatePrecision.DAY,
            "5 Jul 1999 – 11 Jul 1999",
        ),
    ],
)
def test_event_dates_show_only_what_is_known(starts_on, ends_on, precision, expected):
    event = ExchangeEventFactory.build(
        starts_on=starts_on, ends_on=ends_on, date_precision=precision
    )

    with translation.override("en"):
        assert event.dates_display == expected
