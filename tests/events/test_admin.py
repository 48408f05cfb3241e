import pytest
from django.urls import reverse

from events.models import GoodPractice
from tests.factories import CuratorFactory, ExchangeEventFactory, GoodPracticeFactory
from tests.portal_helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(CuratorFactory())
    return client


def test_event_admin_search_finds_an_event_by_its_korean_title(curator_client):
    found = ExchangeEventFactory(title_en="Youth Go match", title_ko="청소년 바둑 대회")
    ExchangeEventFactory(title_en="Canal forum", title_ko="운하 포럼")

    response = curator_client.get(reverse("admin:events_exchangeevent_changelist"), {"q": "바둑"})

    assert list(response.context["cl"].result_list) == [found]


def test_good_practice_admin_search_finds_one_by_its_event_korean_title(curator_client):
    found = GoodPracticeFactory(event__title_ko="청소년 바둑 대회")
    GoodPracticeFactory(event__title_ko="운하 포럼")

    response = curator_client.get(reverse("admin:events_goodpractice_changelist"), {"q": "바둑"})

    assert list(response.context["cl"].result_list) == [found]


def test_marking_a_good_practice_from_the_event_page_records_the_curator(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    curator = CuratorFactory()
    client.force_login(curator)
    event = ExchangeEventFactory()
    url = reverse("admin:events_exchangeevent_change", args=[event.pk])
    data = form_data(client.get(url), "exchangeevent_form")
    data.update(
        {
            "good_practice-TOTAL_FORMS": "1",
            "good_practice-0-is_published": "on",
            "good_practice-0-what_en": "Two high schools run a calligraphy exchange.",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    practice = GoodPractice.objects.get()
    assert (practice.event, practice.marked_by, practice.what_en) == (
        event,
        curator,
        "Two high schools run a calligraphy exchange.",
    )
