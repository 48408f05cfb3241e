"""Optimistic locking in the admin for every model curators edit: two curators open the same
record, the first saves, the second is refused with a clear message and keeps their input."""

import pytest
from django.urls import reverse

from exchangeportal.infra.optimistic import LOADED_VERSION_FIELD
from tests import factories
from tests.portal_helpers import form_data

pytestmark = pytest.mark.django_db

MESSAGE = "This {} was changed by someone else since you opened it — reload to see their changes."

# (factory, admin URL name part, field edited, word in the message)
MODELS = {
    "event": (factories.ExchangeEventFactory, "events_exchangeevent", "note", "event"),
    "place": (factories.CityFactory, "cities_city", "note", "place"),
    "designation": (
        factories.CultureCityDesignationFactory,
        "cities_culturecitydesignation",
        "note",
        "designation",
    ),
    "series": (factories.EventSeriesFactory, "events_eventseries", "description_en", "series"),
    "good practice": (
        factories.GoodPracticeFactory,
        "events_goodpractice",
        "what_en",
        "good practice",
    ),
    "figure": (factories.ExchangeIndicatorFactory, "cities_exchangeindicator", "note_en", "figure"),
}


@pytest.fixture
def curator_client(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    return client


def _open(client, url, form_id):
    response = client.get(url)
    assert response.status_code == 200
    data = form_data(response, form_id)
    assert data[LOADED_VERSION_FIELD], "the change form carries the version it was opened at"
    return data


@pytest.mark.parametrize("kind", list(MODELS))
def test_second_curator_saving_an_old_version_is_refused(curator_client, kind):
    factory, admin_name, field, word = MODELS[kind]
    record = factory()
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    form_id = f"{record._meta.model_name}_form"
    first, second = _open(curator_client, url, form_id), _open(curator_client, url, form_id)

    saved = curator_client.post(url, {**first, field: "First curator's change."})
    refused = curator_client.post(url, {**second, field: "Second curator's change."})

    record.refresh_from_db()
    assert saved.status_code == 302
    assert refused.status_code == 200
    assert MESSAGE.format(word) in refused.content.decode()
    assert "Second curator&#x27;s change." in refused.content.decode()
    assert getattr(record, field) == "First curator's change."


@pytest.mark.parametrize("kind", list(MODELS))
def test_curator_saving_the_current_version_twice_in_turn_is_saved(curator_client, kind):
    factory, admin_name, field, _word = MODELS[kind]
    record = factory()
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    form_id = f"{record._meta.model_name}_form"

    first = curator_client.post(url, {**_open(curator_client, url, form_id), field: "One."})
    second = curator_client.post(url, {**_open(curator_client, url, form_id), field: "Two."})

    record.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 302)
    assert getattr(record, field) == "Two."
