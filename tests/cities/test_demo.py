import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from cities.demo import CITIES_DATA_DIR
from cities.models import (
    City,
    CultureCityDesignation,
    ExchangeIndicator,
    FriendshipLink,
    LinkMilestone,
    Source,
    TrilateralGroup,
)
from events.demo import EVENTS_DATA_DIR
from events.models import EventSeries, ExchangeEvent
from tests.conftest import DEMO_GAZETTEER

MODELS = [
    City,
    FriendshipLink,
    LinkMilestone,
    CultureCityDesignation,
    ExchangeIndicator,
    TrilateralGroup,
    Source,
    EventSeries,
    ExchangeEvent,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def load(**options):
    out = io.StringIO()
    call_command("load_demo", stdout=out, **{"gazetteer": DEMO_GAZETTEER, **options})
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_loads_every_row_of_the_research_data():
    load()

    assert counts() == {
        "City": 614,
        "FriendshipLink": 515,
        "LinkMilestone": 21,
        "CultureCityDesignation": 44,
        "ExchangeIndicator": 10,
        "TrilateralGroup": 5,
        "Source": 714,
        "EventSeries": 2,
        "ExchangeEvent": 42,
    }


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    load()
    first = counts()

    output = load()

    assert counts() == first
    assert "Demo data already up to date." in output
    ties_line = next(line for line in output.splitlines() if line.startswith("Ties "))
    assert ties_line.split() == ["Ties", "0", "0", str(first["FriendshipLink"])]


@pytest.mark.django_db
def test_load_demo_with_a_broken_row_writes_nothing_and_names_the_line(tmp_path):
    cities_dir = tmp_path / "cities"
    shutil.copytree(CITIES_DATA_DIR, cities_dir)
    links = cities_dir / "friendship_links.csv"
    lines = links.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].replace(",sister,", ",twin,", 1)
    links.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        load(cities_data=cities_dir, events_data=EVENTS_DATA_DIR)

    assert str(error.value) == (
        "Nothing was loaded. friendship_links.csv, line 5: unknown kind 'twin' "
        "(use one of sister, friendship, friendly_exchange, partnership, other)"
    )
    assert set(counts().values()) == {0}


@pytest.mark.django_db
def test_load_demo_with_a_missing_column_names_it(tmp_path):
    cities_dir = tmp_path / "cities"
    shutil.copytree(CITIES_DATA_DIR, cities_dir)
    designations = cities_dir / "ccea_designations.csv"
    text = designations.read_text(encoding="utf-8").replace("year,country,", "yr,country,", 1)
    designations.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        load(cities_data=cities_dir, events_data=EVENTS_DATA_DIR)

    assert str(error.value) == (
        "Nothing was loaded. ccea_designations.csv, line 1: missing column(s): year"
    )
    assert City.objects.count() == 0


@pytest.mark.django_db
def test_yangzhou_has_its_eight_formal_ties_with_their_dates(demo_data):
    yangzhou = City.objects.get(slug="yangzhou")
    ties = FriendshipLink.objects.involving(yangzhou).with_places().exclude(kind="other")

    found = sorted(
        (tie.partner_of(yangzhou).name_en, tie.established_iso, tie.kind) for tie in ties
    )

    assert found == [
        ("Atsugi", "1984-10-23", "friendship"),
        ("Daegu", "2003-03-21", "friendship"),
        ("Gunsan", "2015-06", "friendship"),
        ("Gyeongju", "2008", "friendship"),
        ("Karatsu", "1982-02-22", "friendship"),
        ("Nara", "2010-05-23", "friendship"),
        ("Yeosu", "1995", "friendship"),
        ("Yongin", "2000-05-10", "sister"),
    ]


@pytest.mark.django_db
def test_yangzhou_yongin_keeps_its_1997_friendship_milestone(demo_data):
    tie = FriendshipLink.objects.get(city_a__slug="yangzhou", city_b__slug="yongin")

    steps = [(m.date.isoformat(), m.kind, m.kind_after) for m in tie.milestones.all()]

    assert steps == [
        ("1997-10-08", "agreement", "friendship"),
        ("2000-05-10", "upgrade", "sister"),
    ]


@pytest.mark.django_db
def test_uncertain_rows_load_unverified(demo_data):
    tie = FriendshipLink.objects.get(city_a__slug="yangzhou", city_b__slug="kitakyushu")

    assert (tie.kind, tie.verified, tie.established_on) == ("other", False, None)


@pytest.mark.django_db
def test_culture_cities_2020_were_extended_to_2021(demo_data):
    def designations(year):
        return sorted(
            (d.city.slug, d.status)
            for d in CultureCityDesignation.objects.filter(year=year).select_related("city")
        )

    assert designations(2020) == [
        ("kitakyushu", "proclaimed"),
        ("suncheon", "proclaimed"),
        ("yangzhou", "proclaimed"),
    ]
    assert ("kitakyushu", "extended") in designations(2021)
    assert ("suncheon", "extended") in designations(2021)
    assert ("ishikawa-prefecture", "cancelled") in designations(2024)


@pytest.mark.django_db
def test_go_tournament_is_a_series_with_the_editions_yangzhou_hosted(demo_data):
    series = EventSeries.objects.get(slug="cjk-go-tournament")

    hosted = list(
        series.events.filter(host__slug="yangzhou")
        .order_by("edition")
        .values_list("edition", "starts_on__year")
    )

    assert series.events.count() == 18
    assert hosted == [(1, 1999), (4, 2002), (7, 2005), (10, 2008), (13, 2011), (16, 2014)]


@pytest.mark.django_db
def test_organisations_are_kept_apart_from_partner_places(demo_data):
    event = ExchangeEvent.objects.get(title_en__startswith="21st China-Japan-Korea")

    assert event.partner_organisation_list == ["CPAFFC", "CLAIR", "GAOK"]
    assert list(event.partners.all()) == []


@pytest.mark.django_db
def test_alias_spellings_are_one_place(demo_data):
    gwangju = City.objects.get(slug="gwangju")

    # the old spelling (McCune–Reischauer) comes from cities/data/old_spellings.csv
    assert gwangju.alias_list == ["Gwangju (Metropolitan City)", "광주광역시", "Kwangju"]
    assert gwangju.designations.get().year == 2014


@pytest.mark.django_db
def test_every_tie_and_designation_has_a_source(demo_data):
    assert FriendshipLink.objects.filter(sources__isnull=True).count() == 0
    assert CultureCityDesignation.objects.filter(sources__isnull=True).count() == 0
    assert ExchangeEvent.objects.filter(sources__isnull=True).count() == 0
