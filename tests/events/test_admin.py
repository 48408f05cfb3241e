import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from events.models import ExchangeEvent, GoodPractice
from tests.factories import (
    CuratorFactory,
    ExchangeEventFactory,
    GoodPracticeFactory,
    TranslatorFactory,
)
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


@pytest.fixture
def translator_client(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(TranslatorFactory())
    return client


def test_event_change_form_shows_each_texts_four_languages_in_one_row(curator_client):
    event = ExchangeEventFactory()

    response = curator_client.get(reverse("admin:events_exchangeevent_change", args=[event.pk]))

    rows = re.findall(r'class="form-row ([^"]*)"', response.content.decode())
    assert rows[:4] == [
        "field-slug",
        "field-title_en field-title_zh_hans field-title_ja field-title_ko",
        "field-summary_en field-summary_zh_hans field-summary_ja field-summary_ko",
        "field-description",
    ]


def test_event_changelist_filters_the_events_missing_japanese(curator_client):
    missing = ExchangeEventFactory(title_en="Go match", title_ja="")
    ExchangeEventFactory(title_en="Canal forum", title_ja="運河フォーラム")

    response = curator_client.get(
        reverse("admin:events_exchangeevent_changelist"), {"missing": "ja"}
    )

    assert list(response.context["cl"].result_list) == [missing]


def test_translator_changes_the_japanese_title_but_not_the_english_title_or_the_dates(
    translator_client,
):
    event = ExchangeEventFactory(title_en="Go match", starts_on=datetime.date(2019, 10, 25))
    url = reverse("admin:events_exchangeevent_change", args=[event.pk])
    data = form_data(translator_client.get(url), "exchangeevent_form")
    data |= {"title_ja": "囲碁大会", "title_en": "Changed", "starts_on": "2020-01-01"}

    response = translator_client.post(url, data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title_ja, event.title_en, event.starts_on) == (
        "囲碁大会",
        "Go match",
        datetime.date(2019, 10, 25),
    )


def test_translator_sees_only_the_translation_fields_as_inputs(translator_client):
    event = ExchangeEventFactory()

    response = translator_client.get(reverse("admin:events_exchangeevent_change", args=[event.pk]))

    form = response.context["adminform"].form
    assert sorted(form.fields) == [
        "loaded_version",
        "outcome_ja",
        "outcome_ko",
        "outcome_zh_hans",
        "summary_ja",
        "summary_ko",
        "summary_zh_hans",
        "title_ja",
        "title_ko",
        "title_zh_hans",
    ]


def test_translator_cannot_add_or_delete_an_event_even_with_those_permissions(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    translator = TranslatorFactory()
    translator.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_exchangeevent", "delete_exchangeevent"])
    )
    client.force_login(translator)
    event = ExchangeEventFactory()

    added = client.get(reverse("admin:events_exchangeevent_add"))
    deleted = client.post(
        reverse("admin:events_exchangeevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert list(ExchangeEvent.objects.all()) == [event]
