import re

import pytest
from django.urls import reverse

from cities.models import City
from cities.search import city_search
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    CuratorFactory,
    FriendshipLinkFactory,
    SourceFactory,
    TranslatorFactory,
)
from tests.portal_helpers import form_data


@pytest.fixture
def curator_client(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(CuratorFactory())
    return client


@pytest.mark.django_db
def test_city_admin_search_finds_a_place_in_another_script_in_ranked_order(curator_client):
    hiroshima = CityFactory(name_en="Hiroshima", name_ja="広島", slug="hiroshima", country="JP")
    higashihiroshima = CityFactory(
        name_en="Higashihiroshima", name_ja="東広島", slug="higashihiroshima", country="JP"
    )
    FriendshipLinkFactory(city_a=higashihiroshima)
    CityFactory(name_en="Nara", slug="nara")

    response = curator_client.get(reverse("admin:cities_city_changelist"), {"q": "廣島市"})

    assert list(response.context["cl"].result_list) == [hiroshima, higashihiroshima]


@pytest.mark.django_db
def test_city_admin_search_keeps_the_curators_column_order(curator_client):
    CityFactory(name_en="Hiroshima", name_ja="広島", slug="hiroshima", population=1)
    CityFactory(name_en="Higashihiroshima", name_ja="東広島", slug="higashi", population=2)

    response = curator_client.get(reverse("admin:cities_city_changelist"), {"q": "広島", "o": "-6"})

    assert [city.slug for city in response.context["cl"].result_list] == [
        "higashi",
        "hiroshima",
    ]


@pytest.mark.django_db
def test_city_admin_autocomplete_uses_the_search(curator_client):
    yangzhou = CityFactory(name_en="Yangzhou", name_zh_hans="扬州", slug="yangzhou")
    CityFactory(name_en="Nara", slug="nara")

    response = curator_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "揚州",
            "app_label": "cities",
            "model_name": "friendshiplink",
            "field_name": "city_a",
        },
    )

    assert response.json()["results"] == [{"id": str(yangzhou.pk), "text": "Yangzhou"}]


@pytest.mark.django_db
def test_city_admin_save_rebuilds_the_search_keys(admin_client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    city = CityFactory(name_en="Taegu", slug="daegu", country="KR")
    url = reverse("admin:cities_city_change", args=[city.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"name_en": "Daegu", "name_ko": "대구", "aliases": "Taegu"}
    for prefix in (
        "social_accounts",
        "designations",
        "ties_as_a",
        "ties_as_b",
        "conflicts",
        "history",
    ):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(city_search("대구광역시")) == [City.objects.get(pk=city.pk)]


@pytest.mark.django_db
def test_designation_admin_search_finds_a_designation_by_its_korean_theme(curator_client):
    found = CultureCityDesignationFactory(theme_en="Sea and light", theme_ko="바다와 빛")
    CultureCityDesignationFactory(theme_en="Mountains", theme_ko="산")

    response = curator_client.get(
        reverse("admin:cities_culturecitydesignation_changelist"), {"q": "바다"}
    )

    assert list(response.context["cl"].result_list) == [found]


@pytest.fixture
def translator_client(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(TranslatorFactory())
    return client


@pytest.mark.django_db
def test_city_change_form_shows_the_names_and_descriptions_side_by_side(curator_client):
    city = CityFactory()

    response = curator_client.get(reverse("admin:cities_city_change", args=[city.pk]))

    rows = re.findall(r'class="form-row ([^"]*)"', response.content.decode())
    assert [row for row in rows if "name_" in row or "description" in row] == [
        "field-name_en field-name_zh_hans field-name_ja field-name_ko",
        "field-name_zh_hant",
        "field-name_kana field-name_kana_basis",
        "field-description_en field-description_zh_hans field-description_ja field-description_ko",
    ]


@pytest.mark.django_db
def test_designation_changelist_filters_the_themes_missing_korean(curator_client):
    missing = CultureCityDesignationFactory(year=2019, theme_en="Canal cities", theme_ko="")
    CultureCityDesignationFactory(year=2020, theme_en="Sea routes", theme_ko="바닷길")
    CultureCityDesignationFactory(year=2021, theme_en="", theme_ko="")

    response = curator_client.get(
        reverse("admin:cities_culturecitydesignation_changelist"), {"missing": "ko"}
    )

    assert list(response.context["cl"].result_list) == [missing]


@pytest.mark.django_db
def test_translator_changes_a_places_japanese_name_but_not_its_slug(translator_client):
    city = CityFactory(name_en="Yangzhou", slug="yangzhou", name_ja="")
    url = reverse("admin:cities_city_change", args=[city.pk])
    data = form_data(translator_client.get(url), "city_form")
    data |= {"name_ja": "揚州", "slug": "changed", "name_en": "Changed"}

    response = translator_client.post(url, data)

    assert response.status_code == 302
    city.refresh_from_db()
    assert (city.name_ja, city.slug, city.name_en) == ("揚州", "yangzhou", "Yangzhou")


@pytest.mark.django_db
def test_translator_cannot_add_a_designation(translator_client):
    response = translator_client.get(reverse("admin:cities_culturecitydesignation_add"))

    assert response.status_code == 403


# --- The list filters the dashboard links to ---------------------------------------------------


def _listed(client, url_name, **params):
    response = client.get(reverse(url_name), params)
    return sorted(str(obj) for obj in response.context["cl"].result_list)


@pytest.mark.django_db
def test_tie_list_filters_ties_by_date_known_or_unknown(curator_client):
    undated = FriendshipLinkFactory(established_on=None)
    dated = FriendshipLinkFactory()

    unknown = _listed(curator_client, "admin:cities_friendshiplink_changelist", date="unknown")
    known = _listed(curator_client, "admin:cities_friendshiplink_changelist", date="known")

    assert (unknown, known) == ([str(undated)], [str(dated)])


@pytest.mark.django_db
def test_tie_list_filters_ties_without_a_source(curator_client):
    unsourced = FriendshipLinkFactory()
    sourced = FriendshipLinkFactory()
    sourced.sources.add(SourceFactory(), SourceFactory())

    without = _listed(curator_client, "admin:cities_friendshiplink_changelist", sourced="no")
    with_sources = _listed(curator_client, "admin:cities_friendshiplink_changelist", sourced="yes")

    # A tie with two sources is listed once.
    assert (without, with_sources) == ([str(unsourced)], [str(sourced)])


@pytest.mark.django_db
def test_place_list_filters_places_without_coordinates(curator_client):
    CityFactory(name_en="Mapped")
    CityFactory(name_en="No latitude", latitude=None)
    CityFactory(name_en="Nowhere", latitude=None, longitude=None)

    missing = _listed(curator_client, "admin:cities_city_changelist", coordinates="missing")
    known = _listed(curator_client, "admin:cities_city_changelist", coordinates="known")

    assert (missing, known) == (["No latitude", "Nowhere"], ["Mapped"])


@pytest.mark.django_db
def test_tie_list_shows_the_places_and_the_columns_that_fit(curator_client):
    tie = FriendshipLinkFactory(
        city_a=CityFactory(name_en="Yangzhou"), city_b=CityFactory(name_en="Nara", country="JP")
    )

    response = curator_client.get(reverse("admin:cities_friendshiplink_changelist"))

    assert response.context["cl"].list_display == [
        "action_checkbox",
        "places",
        "kind",
        "established_display",
        "date_basis",
        "status",
        "verified",
    ]
    assert f'href="/admin/cities/friendshiplink/{tie.pk}/change/' in response.content.decode()
    assert ">Yangzhou — Nara</a>" in response.content.decode()
