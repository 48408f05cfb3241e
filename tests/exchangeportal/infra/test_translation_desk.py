import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cities.models import City
from events.models import ExchangeEvent, GoodPractice
from exchangeportal.infra.translation_desk import (
    is_translator,
    missing_translation_q,
    translated_bases,
    translation_rows,
)
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    CuratorFactory,
    ExchangeEventFactory,
    FriendshipLinkFactory,
    TranslatorFactory,
)


def test_translated_bases_are_the_models_translated_texts_in_declared_order():
    assert translated_bases(ExchangeEvent) == ("title", "summary", "outcome")
    assert translated_bases(GoodPractice) == (
        "title",
        "what",
        "cost",
        "who",
        "result",
        "repeat",
    )


def test_translation_rows_put_each_texts_four_languages_in_one_row():
    assert translation_rows(City) == [
        ("name_en", "name_zh_hans", "name_ja", "name_ko"),
        ("description_en", "description_zh_hans", "description_ja", "description_ko"),
    ]


@pytest.mark.django_db
def test_missing_translation_counts_a_text_empty_here_but_filled_in_another_language():
    missing_title = ExchangeEventFactory(title_en="Go match", title_ja="", title_ko="바둑")
    missing_summary = ExchangeEventFactory(title_ja="囲碁", summary_en="Twelve players.")
    chinese_only = ExchangeEventFactory(title_en="", title_zh_hans="运河论坛", title_ja="")
    ExchangeEventFactory(title_ja="囲碁", summary_en="", summary_ja="")  # nothing to translate

    found = ExchangeEvent.objects.filter(missing_translation_q(ExchangeEvent, "ja"))

    assert set(found) == {missing_title, missing_summary, chinese_only}


@pytest.mark.django_db
def test_is_translator_only_without_curator_or_superuser_rights():
    translator = TranslatorFactory()
    both = TranslatorFactory()
    both.groups.add(Group.objects.get(name="Curator"))

    assert (is_translator(translator), is_translator(both), is_translator(CuratorFactory())) == (
        True,
        False,
        False,
    )


@pytest.mark.django_db
def test_translator_group_may_view_and_change_the_content_models_only():
    codenames = set(
        Group.objects.get(name="Translator").permissions.values_list("codename", flat=True)
    )

    assert codenames == {
        f"{action}_{model}"
        for action in ("view", "change")
        for model in (
            "city",
            "friendshiplink",
            "linkmilestone",
            "culturecitydesignation",
            "exchangeindicator",
            "trilateralgroup",
            "eventseries",
            "exchangeevent",
            "goodpractice",
        )
    }


@pytest.fixture
def curator_client(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(CuratorFactory())
    return client


def _desk_rows(response) -> list[tuple[str, int, str]]:
    return [(str(row["name"]), row["missing"], row["url"]) for row in response.context["rows"]]


@pytest.mark.django_db
def test_desk_page_counts_per_model_what_misses_japanese_and_links_the_filtered_list(
    curator_client,
):
    ExchangeEventFactory(title_ja="")
    ExchangeEventFactory(title_ja="")
    ExchangeEventFactory(title_ja="書道交流")
    CityFactory(name_ja="")
    CultureCityDesignationFactory(theme_en="Canal cities", theme_ja="運河の都市")
    FriendshipLinkFactory(public_note_en="Renewed in 2015.")

    response = curator_client.get(reverse("admin:translation_desk", args=["ja"]))

    # Only models with translated texts are listed (every content model has some now).
    assert _desk_rows(response) == [
        ("Culture City designations", 0, "/admin/cities/culturecitydesignation/?missing=ja"),
        ("exchange indicators", 0, "/admin/cities/exchangeindicator/?missing=ja"),
        ("milestones", 0, "/admin/cities/linkmilestone/?missing=ja"),
        ("places", 1, "/admin/cities/city/?missing=ja"),
        ("ties", 1, "/admin/cities/friendshiplink/?missing=ja"),
        ("trilateral groups", 0, "/admin/cities/trilateralgroup/?missing=ja"),
        ("event series", 0, "/admin/events/eventseries/?missing=ja"),
        ("events", 2, "/admin/events/exchangeevent/?missing=ja"),
        ("good practices", 0, "/admin/events/goodpractice/?missing=ja"),
    ]
    assert response.context["total"] == 4


@pytest.mark.django_db
def test_desk_page_of_an_unknown_language_is_not_found(curator_client):
    response = curator_client.get("/admin/translations/fr/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_admin_index_links_the_three_desk_pages(curator_client):
    response = curator_client.get(reverse("admin:index"))

    desk = ["/admin/translations/zh-hans/", "/admin/translations/ja/", "/admin/translations/ko/"]
    assert [url for url in desk if f'href="{url}"' in response.content.decode()] == desk


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_desk_page_query_count_is_fixed(curator_client, django_assert_num_queries, count):
    for _number in range(count):
        ExchangeEventFactory(title_ko="")
        CityFactory(name_ko="")

    # session, user, the user's and its groups' permissions, the user's groups; one count
    # per model with translated texts (places, designations, figures, milestones, ties,
    # trilateral groups, series, events, good practices)
    with django_assert_num_queries(5 + 9):
        response = curator_client.get(reverse("admin:translation_desk", args=["ko"]))

    assert response.context["total"] == 2 * count
