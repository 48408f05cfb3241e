import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from cities.dates import DatePrecision
from cities.models import (
    City,
    Country,
    CultureCityDesignation,
    FriendshipLink,
    HistoryEntry,
    Source,
    TieConflict,
)
from tests.factories import (
    CityFactory,
    CultureCityDesignationFactory,
    FriendshipLinkFactory,
    SourceFactory,
)


class TieForm(forms.ModelForm):
    class Meta:
        model = FriendshipLink
        fields = ["city_a", "city_b", "kind", "established_precision", "date_basis", "status"]


class DesignationForm(forms.ModelForm):
    class Meta:
        model = CultureCityDesignation
        fields = ["year", "city", "status"]


def tie_form_data(city_a, city_b):
    return {
        "city_a": city_a.pk,
        "city_b": city_b.pk,
        "kind": "friendship",
        "established_precision": "year",
        "date_basis": "unknown",
        "status": "active",
    }


@pytest.mark.django_db
def test_tie_with_itself_is_refused_by_the_database():
    city = CityFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        FriendshipLink.objects.create(city_a=city, city_b=city, kind="friendship")


@pytest.mark.django_db
def test_tie_with_itself_is_refused_by_the_form_with_a_readable_message():
    city = CityFactory()

    form = TieForm(data=tie_form_data(city, city))

    assert form.is_valid() is False
    assert form.non_field_errors() == ["A place cannot be tied to itself."]


@pytest.mark.django_db
def test_reversed_duplicate_tie_is_refused_by_the_database():
    tie = FriendshipLinkFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        FriendshipLink.objects.create(city_a=tie.city_b, city_b=tie.city_a, kind="sister")


@pytest.mark.django_db
def test_reversed_duplicate_tie_is_refused_by_the_form_with_a_readable_message():
    tie = FriendshipLinkFactory()

    form = TieForm(data=tie_form_data(tie.city_b, tie.city_a))

    assert form.is_valid() is False
    assert form.non_field_errors() == [
        "These two places are already tied (in one order or the other)."
    ]


@pytest.mark.django_db
def test_same_order_duplicate_tie_is_refused_by_the_form():
    tie = FriendshipLinkFactory()

    form = TieForm(data=tie_form_data(tie.city_a, tie.city_b))

    assert form.is_valid() is False
    assert form.non_field_errors() == [
        "These two places are already tied (in one order or the other)."
    ]


@pytest.mark.django_db
def test_editing_an_existing_tie_does_not_collide_with_itself():
    tie = FriendshipLinkFactory()

    form = TieForm(data=tie_form_data(tie.city_a, tie.city_b), instance=tie)

    assert form.is_valid() is True, form.errors


@pytest.mark.django_db
def test_duplicate_designation_is_refused_by_the_database():
    designation = CultureCityDesignationFactory(year=2020)

    with pytest.raises(IntegrityError), transaction.atomic():
        CultureCityDesignation.objects.create(year=2020, city=designation.city)


@pytest.mark.django_db
def test_duplicate_designation_is_refused_by_the_form_with_a_readable_message():
    designation = CultureCityDesignationFactory(year=2020)

    form = DesignationForm(data={"year": 2020, "city": designation.city.pk, "status": "proclaimed"})

    assert form.is_valid() is False
    assert form.non_field_errors() == ["This place already has a designation for this year."]


@pytest.mark.django_db
def test_designation_before_2014_is_refused_with_a_readable_message():
    city = CityFactory()

    form = DesignationForm(data={"year": 2013, "city": city.pk, "status": "proclaimed"})

    assert form.is_valid() is False
    assert form.non_field_errors() == ["Culture Cities of East Asia are named from 2014 on."]


@pytest.mark.django_db
def test_ended_on_without_ended_status_is_refused():
    tie = FriendshipLinkFactory.build(
        city_a=CityFactory(), city_b=CityFactory(), ended_on=datetime.date(2020, 1, 1)
    )

    with pytest.raises(ValidationError) as error:
        tie.full_clean()

    assert error.value.messages == ["Only an ended tie has an end date."]


@pytest.mark.django_db
def test_place_with_out_of_range_coordinates_is_refused():
    city = CityFactory.build(latitude=91, longitude=-181)

    with pytest.raises(ValidationError) as error:
        city.full_clean()

    assert error.value.message_dict == {
        "latitude": ["Latitude must be between -90 and 90."],
        "longitude": ["Longitude must be between -180 and 180."],
    }


@pytest.mark.django_db
def test_place_with_a_malformed_wikidata_id_is_refused():
    city = CityFactory.build(wikidata_id="57943")

    with pytest.raises(ValidationError) as error:
        city.full_clean()

    assert error.value.message_dict == {
        "wikidata_id": ["A Wikidata id is the letter Q followed by digits, e.g. Q57943."]
    }


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        (Country.CHINA, "扬州"),
        (Country.JAPAN, "揚州"),
        (Country.KOREA, "양저우"),
        ("US", "Yangzhou"),
    ],
)
def test_own_script_name_follows_the_country(country, expected):
    city = City(
        name_en="Yangzhou", name_zh_hans="扬州", name_ja="揚州", name_ko="양저우", country=country
    )

    assert city.own_script_name == expected


def test_name_follows_the_language_with_english_fallback():
    city = City(name_en="Nara", name_ja="奈良", name_ko="나라", name_zh_hans="")

    with translation.override("ja"):
        japanese = city.name
    with translation.override("zh-hans"):
        chinese = city.name

    assert (japanese, chinese) == ("奈良", "Nara")


@pytest.mark.parametrize(
    ("country", "zone"),
    [("CN", "Asia/Shanghai"), ("JP", "Asia/Tokyo"), ("KR", "Asia/Seoul"), ("VN", "UTC")],
)
def test_time_zone_is_derived_from_the_country(country, zone):
    assert str(City(country=country).time_zone) == zone


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("established_on", "precision", "expected"),
    [
        (datetime.date(1995, 1, 1), DatePrecision.YEAR, "1995"),
        (datetime.date(2002, 11, 1), DatePrecision.MONTH, "Nov 2002"),
        (datetime.date(2010, 5, 23), DatePrecision.DAY, "23 May 2010"),
        (None, DatePrecision.YEAR, ""),
    ],
)
def test_tie_date_shows_only_what_is_known(established_on, precision, expected):
    tie = FriendshipLinkFactory.build(
        established_on=established_on, established_precision=precision
    )

    with translation.override("en"):
        assert tie.established_display == expected


@pytest.mark.django_db
def test_tie_str_is_readable():
    tie = FriendshipLinkFactory(
        city_a=CityFactory(name_en="Yangzhou"),
        city_b=CityFactory(name_en="Nara", country="JP"),
        established_on=datetime.date(2010, 5, 23),
    )

    assert str(tie) == "Yangzhou — Nara (friendship city, 2010)"


@pytest.mark.django_db
def test_source_needs_a_url_or_a_citation():
    with pytest.raises(ValidationError) as error:
        SourceFactory.build(url="", title="").full_clean()

    assert error.value.messages == ["A source needs a URL or a citation."]


def test_source_label_falls_back_to_the_host_name():
    source = SourceFactory.build(
        url="https://www.city.nara.lg.jp/site/kankou/61638.html", publisher=""
    )

    assert source.label == "www.city.nara.lg.jp"


@pytest.mark.django_db
def test_history_entry_rows_read_choices_dates_and_booleans():
    entry = HistoryEntry(
        tie=FriendshipLinkFactory(),
        action="changed",
        via="curator",
        changes={
            "kind": ["friendship", "sister"],
            "established_on": ["1995", "1995-04-12"],
            "verified": [False, True],
            "label_a": ["", "友好城市"],
        },
    )

    assert entry.rows == [
        ("kind", "friendship city", "sister city"),
        ("established", "1995", "12 Apr 1995"),
        ("verified", "no", "yes"),
        ("label used by place A", "—", "友好城市"),
    ]


@pytest.mark.django_db
def test_conflict_concerns_a_tie_or_a_place_not_both():
    with pytest.raises(IntegrityError), transaction.atomic():
        TieConflict.objects.create(
            tie=FriendshipLinkFactory(),
            place=CityFactory(),
            field="name_en",
            incoming_value="X",
        )


def test_source_link_is_its_url_else_its_document():
    assert Source(url="https://a.example.org/", document="sources/x.pdf").link == (
        "https://a.example.org/"
    )
    assert Source(title="Agreement", document="sources/x.pdf").link == "/media/sources/x.pdf"
    assert Source(title="Agreement").link == ""
