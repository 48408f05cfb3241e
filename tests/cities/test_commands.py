import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from cities.demo import CITIES_DATA_DIR
from cities.models import City, CitySearchKey
from cities.search import city_key_rows, city_search
from tests.factories import CityFactory


def clear_search_index() -> None:
    CitySearchKey.objects.all().delete()


@pytest.mark.django_db
def test_rebuild_search_index_rebuilds_every_place():
    nara = CityFactory(name_en="Nara", slug="nara")
    sakai = CityFactory(name_en="Sakai", slug="sakai")
    clear_search_index()
    out = io.StringIO()

    call_command("rebuild_search_index", stdout=out)

    keys, places = CitySearchKey.objects.count(), City.objects.count()
    assert out.getvalue() == f"Rebuilt {keys} search keys for {places} places.\n"
    expected = len(city_key_rows(nara)) + len(city_key_rows(sakai))
    assert CitySearchKey.objects.filter(city__in=[nara, sakai]).count() == expected
    assert (list(city_search("Nara")), list(city_search("Sakai"))) == ([nara], [sakai])


@pytest.mark.django_db
def test_rebuild_search_index_rebuilds_only_the_places_named():
    nara = CityFactory(name_en="Nara", slug="nara")
    CityFactory(name_en="Sakai", slug="sakai")
    clear_search_index()

    call_command("rebuild_search_index", "nara", stdout=io.StringIO())

    assert (list(city_search("Nara")), list(city_search("Sakai"))) == ([nara], [])


@pytest.mark.django_db
def test_rebuild_search_index_refuses_an_unknown_slug_and_rebuilds_nothing():
    CityFactory(name_en="Nara", slug="nara")
    clear_search_index()

    with pytest.raises(CommandError) as error:
        call_command("rebuild_search_index", "nara", "atlantis", stdout=io.StringIO())

    assert str(error.value) == "Nothing was rebuilt. No place with the slug(s): atlantis"
    assert CitySearchKey.objects.count() == 0


def test_load_demo_keeps_old_spellings_as_aliases_and_makes_them_searchable(demo_data):
    assert City.objects.get(slug="daegu").alias_list == ["대구광역시", "Taegu"]
    assert City.objects.get(slug="busan").alias_list == ["부산광역시", "Pusan"]
    # Both Gwangju (the metropolitan city and the city of Gyeonggi) were once "Kwangju".
    assert [city.slug for city in city_search("Kwangju")] == [
        "gwangju",
        "gwangju-gyeonggi-province",
    ]
    assert CitySearchKey.objects.filter(city__slug="daegu").count() > 0


def test_load_demo_refuses_an_old_spelling_without_source(db, tmp_path):
    data = tmp_path / "cities"
    shutil.copytree(CITIES_DATA_DIR, data)
    with (data / "old_spellings.csv").open("a", encoding="utf-8") as handle:
        handle.write("Daegu,KR,Taiku,Hepburn,\n")

    with pytest.raises(CommandError) as error:
        call_command("load_demo", cities_data=data, stdout=io.StringIO())

    assert str(error.value) == (
        "Nothing was loaded. old_spellings.csv, line 8: the old spelling 'Taiku' needs a source"
    )
    assert City.objects.count() == 0
