import pytest

from cities.filters import CityFilterSet
from cities.selectors import city_list
from tests import factories


@pytest.mark.django_db
def test_city_filterset_combines_filters_and_reports_malformed_ones():
    factories.CityFactory(slug="nara", name_en="Nara", country="JP", population=350000)
    factories.CityFactory(slug="narita", name_en="Narita", country="JP", population=130000)
    factories.CityFactory(slug="naju", name_en="Naju", country="KR")

    filterset = CityFilterSet(
        {"q": "nar", "country": "JP", "ordering": "population", "designated": "maybe"},
        queryset=city_list(),
    )

    assert [city.slug for city in filterset.qs] == ["narita", "nara"]
    assert filterset.ignored_fields == ["Culture City of East Asia"]


@pytest.mark.django_db
def test_city_filterset_unbound_lists_everything_by_name():
    factories.CityFactory(slug="b", name_en="Beta")
    factories.CityFactory(slug="a", name_en="Alpha")

    filterset = CityFilterSet(None, queryset=city_list())

    assert [city.slug for city in filterset.qs] == ["a", "b"]
    assert filterset.ignored_fields == []
