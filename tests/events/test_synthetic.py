import io
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from cities.models import City, CultureCityDesignation, FriendshipLink, Source, TieKind
from cities.synthetic import FIRST_YEAR, LAST_YEAR, SYNTHETIC_NOTE
from events.models import EventCategory, EventFormat, ExchangeEvent
from tests.factories import CityFactory

SMALL = ["--places", "300", "--ties", "1200", "--events", "1500", "--no-progress"]


def generate(*extra: str) -> str:
    out = io.StringIO()
    call_command("generate_synthetic", *SMALL, *extra, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """The generated set without its database ids."""
    return {
        "places": list(
            City.objects.order_by("slug").values_list(
                "slug",
                "name_en",
                "name_zh_hans",
                "name_ja",
                "name_ko",
                "admin_level",
                "parent__slug",
            )
        ),
        "ties": sorted(
            FriendshipLink.objects.values_list(
                "city_a__slug", "city_b__slug", "kind", "established_on", "status", "verified"
            )
        ),
        "events": list(
            ExchangeEvent.objects.order_by("slug").values_list(
                "slug", "title_en", "starts_on", "ends_on", "host__slug", "category", "format"
            )
        ),
        "partners": sorted(
            ExchangeEvent.partners.through.objects.values_list("exchangeevent__slug", "city__slug")
        ),
    }


@pytest.mark.django_db
def test_generate_synthetic_is_the_same_for_the_same_seed():
    generate("--seed", "7")
    first = snapshot()

    generate("--seed", "7", "--replace")

    assert snapshot() == first
    assert (len(first["places"]), len(first["ties"]), len(first["events"])) == (300, 1200, 1500)


@pytest.mark.django_db
def test_generate_synthetic_differs_between_seeds():
    generate("--seed", "1")
    first = snapshot()

    generate("--seed", "2", "--replace")

    assert snapshot()["places"] != first["places"]


@pytest.mark.django_db
def test_generate_synthetic_refuses_to_run_twice_without_replace():
    generate()

    with pytest.raises(CommandError) as raised:
        generate()

    assert str(raised.value) == (
        "The database already holds a synthetic set: use --replace to regenerate it."
    )


@pytest.mark.django_db
def test_generate_synthetic_replace_keeps_real_places():
    real = CityFactory(name_en="Yangzhou", slug="yangzhou")
    generate()

    generate("--replace")

    assert City.objects.filter(pk=real.pk).exists()
    assert City.objects.exclude(note=SYNTHETIC_NOTE).count() == 1


@pytest.mark.django_db
def test_generate_synthetic_has_hubs_and_a_long_tail():
    generate()

    degrees = sorted(
        (
            City.objects.annotate(
                ties=Count("ties_as_a", distinct=True) + Count("ties_as_b", distinct=True)
            ).values_list("ties", flat=True)
        ),
        reverse=True,
    )

    assert degrees[0] >= 10 * statistics.median(degrees)
    assert statistics.median(degrees) <= 10


@pytest.mark.django_db
def test_generate_synthetic_writes_names_in_four_scripts_and_all_kinds():
    generate()

    place = City.objects.filter(country="KR").first()
    assert place.name_en.isascii() and not place.name_ko.isascii()
    assert all("\uac00" <= c <= "\ud7a3" for c in place.name_ko.replace(" ", ""))
    assert City.objects.filter(Q(name_zh_hans="") | Q(name_ja="") | Q(name_ko="")).count() == 0
    assert set(FriendshipLink.objects.values_list("kind", flat=True)) == set(TieKind.values)
    assert set(ExchangeEvent.objects.values_list("category", flat=True)) == set(
        EventCategory.values
    )
    assert set(ExchangeEvent.objects.values_list("format", flat=True)) == set(EventFormat.values)
    assert set(Counter(City.objects.values_list("country", flat=True))) == {"CN", "JP", "KR"}
    assert CultureCityDesignation.objects.filter(year=2014).count() == 3


@pytest.mark.django_db
def test_generate_synthetic_respects_the_rules_of_the_data():
    generate()

    years = FriendshipLink.objects.values_list("established_on__year", flat=True)
    event_years = ExchangeEvent.objects.values_list("starts_on__year", flat=True)
    assert (min(years), max(years)) >= (FIRST_YEAR, FIRST_YEAR)
    assert max(years) <= LAST_YEAR and max(event_years) <= LAST_YEAR
    assert min(event_years) >= FIRST_YEAR
    assert FriendshipLink.objects.filter(city_a=F("city_b")).count() == 0
    pairs = [frozenset(p) for p in FriendshipLink.objects.values_list("city_a", "city_b")]
    assert len(pairs) == len(set(pairs))
    assert ExchangeEvent.objects.filter(ends_on__lt=F("starts_on")).count() == 0
    assert FriendshipLink.objects.filter(sources__isnull=True).count() == 0
    assert ExchangeEvent.objects.filter(sources__isnull=True).count() == 0
    assert Source.objects.filter(url__startswith="https://example.org/synthetic/").exists()
    unverified = FriendshipLink.objects.filter(verified=False)
    assert unverified.exclude(note__startswith="UNCERTAIN").count() == 0
    for event in ExchangeEvent.objects.all()[:50]:
        event.full_clean()
    for tie in FriendshipLink.objects.all()[:50]:
        tie.full_clean()


@pytest.mark.django_db
def test_synthetic_places_are_found_by_the_search():
    from cities.search import city_search

    generate("--seed", "3")
    place = City.objects.filter(note=SYNTHETIC_NOTE).order_by("pk")[17]

    found = list(city_search(place.name_ko).values_list("pk", flat=True))

    assert place.pk in found


@pytest.mark.django_db
def test_generate_synthetic_and_its_replace_move_the_data_version():
    from exchangeportal.infra.cache import data_version

    before = data_version()
    generate()
    after_generate = data_version()
    generate("--replace")

    # --replace removes the earlier set (one bump) before writing the new one (another).
    assert (after_generate, data_version()) == (before + 1, before + 3)
