"""Translated content: the page's language, else English (exchangeportal.infra.translation)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from exchangeportal.infra.translation import shown_text, validate_text_origins
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
    # Never mixed in silently: the English title is marked as such, with its language.
    assert (
        '<h1><span lang="en">Canal Cities Forum</span> '
        '<small class="text-origin">원문: English</small></h1>'
    ) in korean


def test_shown_text_prefers_the_readers_language_then_the_original_then_english():
    event = ExchangeEventFactory.build(
        title_en="Nara Festival (our words)",
        title_ja="奈良の祭り",
        title_ko="",
        text_origins={"title_ja": "original"},
    )

    japanese, korean, english = (shown_text(event, "title", code) for code in ("ja", "ko", "en"))

    assert (japanese, japanese.language, japanese.is_fallback) == ("奈良の祭り", "ja", False)
    assert (korean, korean.language, korean.is_fallback, korean.origin) == (
        "奈良の祭り",
        "ja",
        True,
        "original",
    )
    assert (english, english.language, english.is_fallback) == (
        "Nara Festival (our words)",
        "en",
        False,
    )


def test_shown_text_without_originals_falls_back_to_english_then_any_language():
    only_korean = ExchangeEventFactory.build(title_en="", title_ko="경주 포럼")
    with_english = ExchangeEventFactory.build(title_en="Gyeongju Forum", title_ko="경주 포럼")

    assert (
        shown_text(only_korean, "title", "ja"),
        shown_text(only_korean, "title", "ja").language,
    ) == (
        "경주 포럼",
        "ko",
    )
    assert shown_text(with_english, "title", "ja").language == "en"


@pytest.mark.django_db
def test_a_translation_by_the_portal_says_so_on_the_page(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    event = ExchangeEventFactory(
        title_en="Canal Cities Forum",
        title_zh_hans="运河城市论坛",
        text_origins={"title_en": "original", "title_zh_hans": "translation"},
    )

    with translation.override("zh-hans"):
        page = client.get(event.get_absolute_url()).content.decode()

    assert '<h1>运河城市论坛 <small class="text-origin">本站翻译</small></h1>' in page


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        ({"title_ja": "original", "summary_en": "translation"}, []),
        (["title_ja"], ["Give an object: field name → “original” or “translation”."]),
        ({"title_fr": "original"}, ["“title_fr” is not a translated field."]),
        ({"title_ja": "guess"}, ["“guess” is not an origin (original, translation)."]),
    ],
)
def test_validate_text_origins(value, messages):
    try:
        validate_text_origins(value)
    except ValidationError as error:
        assert error.messages == messages
    else:
        assert messages == []
