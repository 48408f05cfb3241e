import pytest
from django.urls import reverse

from tests.factories import CuratorFactory, ExchangeEventFactory, GoodPracticeFactory

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
