"""Translated content: the page's language, else English (exchangeportal.infra.translation)."""

import pytest
from django.utils import translation

from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    ExchangeEventFactory,
)


@pytest.mark.django_db
def test_event_title_and_summary_follow_the_language_and_fall_back_to_english():
    event = ExchangeEventFactory(
        title_en="Go Exchange Tournament",
        title_zh_hans="围棋交流赛",
        title_ja="",
        title_ko="바둑 교류전",
        summary_en="Held in turn since 1999.",
        summary_ja="1999年から持ち回りで開催。",
    )

    shown = {}
    for language in ("en", "zh-hans", "ja", "ko"):
        with translation.override(language):
            shown[language] = (event.title, event.summary)

    assert shown == {
        "en": ("Go Exchange Tournament", "Held in turn since 1999."),
        "zh-hans": ("围棋交流赛", "Held in turn since 1999."),
        "ja": ("Go Exchange Tournament", "1999年から持ち回りで開催。"),
        "ko": ("바둑 교류전", "Held in turn since 1999."),
    }


@pytest.mark.django_db
def test_place_description_and_designation_theme_fall_back_to_english():
    place = CityFactory(description_en="A canal city.", description_ko="운하 도시.")
    designation = CultureCityDesignationFactory(
        city=place, theme_en="Canals and culture", theme_zh_hans="运河与文化"
    )

    with translation.override("ko"):
        korean = (place.description, designation.theme)
    with translation.override("zh-hans"):
        chinese = (place.description, designation.theme)

    assert korean == ("운하 도시.", "Canals and culture")
    assert chinese == ("A canal city.", "运河与文化")


@pytest.mark.django_db
def test_event_page_shows_the_english_title_where_a_translation_is_missing(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    event = ExchangeEventFactory(title_en="Canal Cities Forum", title_ja="運河都市フォーラム")

    with translation.override("ja"):
        japanese = client.get(event.get_absolute_url()).content.decode()
    with translation.override("ko"):
        korean = client.get(event.get_absolute_url()).content.decode()

    assert "<h1>運河都市フォーラム</h1>" in japanese
    assert "<h1>Canal Cities Forum</h1>" in korean
