from django.utils import translation

from cities.api.serializers import CitySerializer, PlaceRefSerializer
from cities.selectors import city_list
from tests.factories import CityFactory


def test_fields_are_built_once_per_class_and_language_and_copied_to_each_serializer():
    with translation.override("en"):
        first, second = CitySerializer().fields, CitySerializer().fields
    assert list(first) == list(second)
    assert first["population"] is not second["population"]
    assert first["population"].parent is not second["population"].parent
    with translation.override("en"):
        reference = PlaceRefSerializer().fields
    assert list(CitySerializer._built_fields["en"]) == list(first)
    assert list(PlaceRefSerializer._built_fields["en"]) == list(reference) != list(first)


def test_labels_are_in_the_language_the_fields_were_asked_in():
    with translation.override("en"):
        english = str(CitySerializer().fields["population"].label)
    with translation.override("ja"):
        japanese = str(CitySerializer().fields["population"].label)
    with translation.override("en"):
        again = str(CitySerializer().fields["population"].label)
    assert (english, japanese, again) == ("Population", "人口", "Population")


def test_copies_represent_each_instance_apart(db):
    CityFactory(slug="kobe", name_en="Kobe", population=1_500_000)
    CityFactory(slug="nara", name_en="Nara", population=350_000)
    answers = [CitySerializer(place).data for place in city_list()]
    assert [(a["slug"], a["population"]) for a in answers] == [
        ("kobe", 1_500_000),
        ("nara", 350_000),
    ]
