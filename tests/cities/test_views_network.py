import datetime
import io
import json

import icalendar
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cities.dates import DatePrecision
from cities.models import City, TieKind
from cities.outline import clip_ring, decode_arcs, east_asia_geojson, ring_from_arcs
from tests.factories import CityFactory, FriendshipLinkFactory, SourceFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def make_ties(count, **fields):
    ties = []
    for _index in range(count):
        tie = FriendshipLinkFactory(**fields)
        tie.sources.add(SourceFactory())
        ties.append(tie)
    return ties


# --- The map page and its no-JS list ---------------------------------------------------------


@pytest.mark.django_db
def test_network_map_lists_the_ties_without_javascript(client):
    yangzhou = CityFactory(name_en="Yangzhou", country="CN")
    nara = CityFactory(name_en="Nara", country="JP")
    tie = FriendshipLinkFactory(
        city_a=yangzhou,
        city_b=nara,
        kind=TieKind.FRIENDSHIP,
        established_on=datetime.date(2010, 5, 23),
        established_precision=DatePrecision.DAY,
    )
    source = SourceFactory(url="https://www.city.nara.lg.jp/yangzhou", title="Nara city: Yangzhou")
    tie.sources.add(source)

    response = client.get("/en/network/")

    html = response.content.decode()
    rows = response.context["ties"]
    assert [(t.city_a.name_en, t.city_b.name_en) for t in rows] == [("Yangzhou", "Nara")]
    assert "Yangzhou" in html and "Nara" in html
    assert '<time datetime="2010-05-23">23 May 2010</time>' in html
    assert (
        '<a href="https://www.city.nara.lg.jp/yangzhou" rel="external noopener noreferrer">'
        "Nara city: Yangzhou</a>" in html
    )
    assert 'data-ties-url="/api/v1/ties.geojson"' in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.django_db
def test_network_map_filters_the_list_and_passes_filters_to_the_map(client):
    FriendshipLinkFactory(kind=TieKind.SISTER, city_b=CityFactory(country="KR"))
    FriendshipLinkFactory(kind=TieKind.FRIENDSHIP)

    response = client.get("/en/network/", {"kind": "sister", "pair": "CN-KR"})

    assert [t.kind for t in response.context["ties"]] == ["sister"]
    assert response.context["page_obj"].paginator.count == 1
    assert 'data-filter-form=".net-filters"' in response.content.decode()


@pytest.mark.django_db
def test_network_map_bad_filter_shows_the_error_and_keeps_the_input(client):
    FriendshipLinkFactory()

    response = client.get("/en/network/", {"since": "nineteen"})

    html = response.content.decode()
    assert response.context["form"].errors == {"since": ["Enter a whole number."]}
    assert 'value="nineteen"' in html
    assert 'role="alert">Enter a whole number.' in html
    assert response.context["page_obj"].paginator.count == 1


@pytest.mark.django_db
def test_network_map_bad_filter_leaves_the_other_filters_applied(client):
    FriendshipLinkFactory(kind=TieKind.SISTER, verified=True)
    FriendshipLinkFactory(kind=TieKind.SISTER, verified=False)
    FriendshipLinkFactory(kind=TieKind.FRIENDSHIP, verified=True)

    response = client.get(
        "/en/network/", {"since": "nineteen", "kind": "sister", "verified": "true"}
    )

    assert [(t.kind, t.verified) for t in response.context["ties"]] == [("sister", True)]
    assert response.context["form"].errors == {"since": ["Enter a whole number."]}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_network_map_query_count_is_fixed(client, django_assert_num_queries, count):
    make_ties(count)

    with django_assert_num_queries(4):  # count, page of ties with places, their sources
        response = client.get("/en/network/")

    assert len(response.context["ties"]) == count


# --- GeoJSON endpoints -----------------------------------------------------------------------


@pytest.mark.django_db
def test_ties_geojson_is_a_feature_collection_with_lon_lat_lines(client):
    shanghai = CityFactory(country="CN", latitude="31.230400", longitude="121.473700")
    osaka = CityFactory(country="JP", latitude="34.693700", longitude="135.502300")
    tie = FriendshipLinkFactory(city_a=shanghai, city_b=osaka, kind=TieKind.FRIENDSHIP)
    FriendshipLinkFactory(city_b=CityFactory(country="JP", latitude=None, longitude=None))

    response = client.get("/api/v1/ties.geojson")

    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert data["total"] == 2  # both match; the one without a position is not drawn
    assert data["next"] is None
    [feature] = data["features"]
    assert feature["type"] == "Feature"
    assert feature["id"] == tie.pk
    assert feature["geometry"] == {
        "type": "LineString",
        "coordinates": [[121.4737, 31.2304], [135.5023, 34.6937]],
    }
    assert feature["properties"]["kind"] == "friendship"
    assert feature["properties"]["country_pair"] == "CN-JP"
    for lon, lat in feature["geometry"]["coordinates"]:
        assert -180 <= lon <= 180 and -90 <= lat <= 90


@pytest.mark.django_db
def test_cities_geojson_points_are_lon_lat_with_tie_counts(client):
    busan = CityFactory(slug="busan", country="KR", latitude="35.179600", longitude="129.075600")
    for _index in range(2):
        FriendshipLinkFactory(city_a=busan)
    CityFactory(slug="no-ties")

    data = json.loads(client.get("/api/v1/cities.geojson", {"country": "KR"}).content)

    assert data["type"] == "FeatureCollection"
    assert [(f["id"], f["geometry"], f["properties"]["tie_count"]) for f in data["features"]] == [
        ("busan", {"type": "Point", "coordinates": [129.0756, 35.1796]}, 2)
    ]


@pytest.mark.django_db
def test_ties_geojson_pages_link_to_the_next_page(client):
    make_ties(3)

    first = json.loads(client.get("/api/v1/ties.geojson", {"page_size": 2}).content)
    second = json.loads(client.get(first["next"]).content)

    assert (first["total"], len(first["features"]), first["page"]) == (3, 2, 1)
    assert first["next"] == "http://testserver/api/v1/ties.geojson?page=2&page_size=2"
    assert (len(second["features"]), second["next"]) == (1, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        (
            {"kind": "cousin"},
            400,
            {"kind": ["Select a valid choice. cousin is not one of the available choices."]},
        ),
        ({"since": "1O90"}, 400, {"since": ["Enter a whole number."]}),
        ({"page": "x"}, 400, {"page": ["Give a whole number from 1."]}),
        ({"page_size": "0"}, 400, {"page_size": ["Give a whole number from 1."]}),
        ({"page": "9"}, 404, {"detail": "Invalid page."}),
    ],
)
def test_ties_geojson_bad_input_is_a_readable_json_error(client, query, status, body):
    response = client.get("/api/v1/ties.geojson", query)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == body


@pytest.mark.django_db
def test_cities_geojson_bad_country_is_a_readable_400(client):
    response = client.get("/api/v1/cities.geojson", {"country": "Korea"})

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "country": ["Give a two-letter country code such as CN, JP or KR."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_geojson_query_counts_are_fixed(client, django_assert_num_queries, count):
    make_ties(count)

    with django_assert_num_queries(3):
        ties = json.loads(client.get("/api/v1/ties.geojson").content)
    with django_assert_num_queries(3):
        places = json.loads(client.get("/api/v1/cities.geojson").content)

    assert len(ties["features"]) == count
    assert len(places["features"]) == 2 * count


@pytest.mark.django_db
def test_geojson_city_filter_gives_one_place_ties(client):
    kanazawa = CityFactory(slug="kanazawa", country="JP")
    FriendshipLinkFactory(city_b=kanazawa)
    FriendshipLinkFactory()

    data = json.loads(client.get("/api/v1/ties.geojson", {"city": "kanazawa"}).content)

    assert [f["properties"]["city_b"]["slug"] for f in data["features"]] == ["kanazawa"]


# --- Anniversaries page and iCal -------------------------------------------------------------


def _anniversary_ties(count):
    year = timezone.localdate().year
    return [
        FriendshipLinkFactory(
            established_on=datetime.date(year - 20, 3, 10 + index),
            established_precision=DatePrecision.DAY,
        )
        for index in range(count)
    ]


@pytest.mark.django_db
def test_anniversaries_page_says_it_is_a_planning_tool(client):
    tie = FriendshipLinkFactory(
        established_on=datetime.date(timezone.localdate().year - 25, 1, 1),
        established_precision=DatePrecision.YEAR,
    )

    response = client.get("/en/network/anniversaries/")

    html = response.content.decode()
    assert "A planning tool for city offices" in html
    assert [(t.pk, t.anniversary_age) for t in response.context["ties"]] == [(tie.pk, 25)]
    assert "(month not known)" in html
    assert 'href="/en/network/anniversaries.ics"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "lead"),
    [
        ("en", "then every ten — in the years named above, so that"),
        ("ja", "上に示した年に節目の周年"),
        ("ko", "위에 적힌 해에"),
        ("zh-hans", "在上方所示年份迎来整数周年"),
    ],
)
def test_anniversaries_lead_refers_to_the_years_of_the_heading(client, language, lead):
    year = timezone.localdate().year

    response = client.get(f"/{language}/network/anniversaries/?years=5")

    html = response.content.decode()
    assert lead in html
    assert f"{year}" in html and f"{year + 4}" in html
    assert "ten — this year and next" not in html  # (the form's help may say it)


@pytest.mark.django_db
def test_network_pages_answer_404_past_the_last_page(client):
    FriendshipLinkFactory(
        established_on=datetime.date(timezone.localdate().year - 25, 1, 1),
        established_precision=DatePrecision.YEAR,
    )

    statuses = [
        client.get(path).status_code
        for path in (
            "/en/network/?page=2",
            "/en/network/anniversaries/?page=2",
            "/en/network/anniversaries/?page=abc",
        )
    ]

    assert statuses == [404, 404, 404]


@pytest.mark.django_db
def test_anniversaries_page_keeps_one_places_ties_and_looks_ahead_on_request(client):
    year = timezone.localdate().year
    nara = CityFactory(slug="nara", name_en="Nara", country="JP")
    in_four_years = FriendshipLinkFactory(
        city_b=nara, established_on=datetime.date(year - 16, 1, 1)
    )  # 20 in four years
    this_year = FriendshipLinkFactory(city_b=nara, established_on=datetime.date(year - 30, 1, 1))
    FriendshipLinkFactory(established_on=datetime.date(year - 30, 1, 1))  # another place's

    default = client.get("/en/network/anniversaries/", {"place": "nara"})
    ahead = client.get("/en/network/anniversaries/", {"place": "nara", "years": "5"})

    assert [t.pk for t in default.context["ties"]] == [this_year.pk]
    assert [(t.pk, t.anniversary_age) for t in ahead.context["ties"]] == [
        (this_year.pk, 30),
        (in_four_years.pk, 20),
    ]
    html = ahead.content.decode()
    assert f"<h1>Anniversaries of Nara's ties, {year} to {year + 4}</h1>" in html
    assert 'href="/en/network/anniversaries.ics?place=nara&amp;years=5"' in html
    assert [t.partner.slug for t in ahead.context["ties"]] == [
        this_year.city_a.slug,
        in_four_years.city_a.slug,
    ]


@pytest.mark.django_db
def test_anniversaries_page_marks_this_years_passed_anniversaries(client):
    today = timezone.localdate()
    passed = FriendshipLinkFactory(
        established_on=today.replace(year=today.year - 10) - datetime.timedelta(days=1)
        if today.timetuple().tm_yday > 1
        else today.replace(year=today.year - 10),
        established_precision=DatePrecision.DAY,
    )
    ahead = FriendshipLinkFactory(
        established_on=datetime.date(today.year - 14, 1, 1), established_precision=DatePrecision.DAY
    )  # 15 next year

    response = client.get("/en/network/anniversaries/")

    marks = [(t.pk, t.anniversary_passed) for t in response.context["ties"]]
    assert marks == [(passed.pk, today.timetuple().tm_yday > 1), (ahead.pk, False)]
    html = response.content.decode()
    assert html.count('<tr class="net-passed">') == int(marks[0][1])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"years": "abc"}, {"years": ["Give a whole number of years from 1 to 5."]}),
        ({"years": "99"}, {"years": ["Give a whole number of years from 1 to 5."]}),
        ({"years": "0"}, {"years": ["Give a whole number of years from 1 to 5."]}),
        ({"place": "atlantis"}, {"place": ["No place has the address “atlantis”."]}),
        (
            {"place": "no such/place"},
            {"place": ["A place's address is made of letters, digits and -."]},
        ),
    ],
)
def test_anniversaries_page_ignores_a_bad_filter_and_says_why(client, query, errors):
    tie = FriendshipLinkFactory(
        established_on=datetime.date(timezone.localdate().year - 25, 1, 1),
        established_precision=DatePrecision.YEAR,
    )

    response = client.get("/en/network/anniversaries/", query)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert [t.pk for t in response.context["ties"]] == [tie.pk]
    assert (response.context["place"], response.context["years"]) == (None, 2)
    assert "This filter was ignored." in response.content.decode()


@pytest.mark.django_db
def test_anniversaries_ical_keeps_the_pages_filters(client):
    year = timezone.localdate().year
    nara = CityFactory(slug="nara", country="JP")
    mine = FriendshipLinkFactory(city_b=nara, established_on=datetime.date(year - 16, 1, 1))
    FriendshipLinkFactory(established_on=datetime.date(year - 16, 1, 1))

    response = client.get("/en/network/anniversaries.ics", {"place": "nara", "years": "5"})
    ignored = client.get("/en/network/anniversaries.ics", {"years": "many"})

    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    assert uids == [f"tie-{mine.pk}-anniversary-{year + 4}@cjk-exchange-portal"]
    assert icalendar.Calendar.from_ical(ignored.content).walk("VEVENT") == []


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_anniversaries_page_of_one_place_query_count_is_fixed(
    client, django_assert_num_queries, count
):
    nara = CityFactory(slug="nara", country="JP")
    year = timezone.localdate().year
    for index in range(count):
        FriendshipLinkFactory(
            city_b=nara, established_on=datetime.date(year - 20 - index * 5, 1, 1)
        )

    # the place, count, page
    with django_assert_num_queries(4):
        response = client.get("/en/network/anniversaries/", {"place": "nara", "years": "3"})

    assert len(response.context["ties"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_anniversaries_page_query_count_is_fixed(client, django_assert_num_queries, count):
    _anniversary_ties(count)

    with django_assert_num_queries(3):
        response = client.get("/en/network/anniversaries/")

    assert len(response.context["ties"]) == count


@pytest.mark.django_db
def test_anniversaries_ical_has_one_all_day_event_per_tie(client, django_assert_num_queries):
    year = timezone.localdate().year
    nara = CityFactory(name_en="Nara", country="JP")
    gyeongju = CityFactory(name_en="Gyeongju", country="KR")
    sister = FriendshipLinkFactory(
        city_a=nara,
        city_b=gyeongju,
        kind=TieKind.SISTER,
        established_on=datetime.date(year - 60, 4, 15),
        established_precision=DatePrecision.DAY,
    )
    month_only = FriendshipLinkFactory(
        established_on=datetime.date(year - 44, 11, 1),
        established_precision=DatePrecision.MONTH,
    )

    with django_assert_num_queries(2):
        response = client.get("/en/network/anniversaries.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="tie-anniversaries.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Tie anniversaries"
    assert [str(e["uid"]) for e in calendar.walk("VEVENT")] == [
        f"tie-{sister.pk}-anniversary-{year}@cjk-exchange-portal",
        f"tie-{month_only.pk}-anniversary-{year + 1}@cjk-exchange-portal",
    ]
    events = [(str(e["summary"]), e.decoded("dtstart")) for e in calendar.walk("VEVENT")]
    assert events == [
        ("60 years: Nara – Gyeongju (sister city)", datetime.date(year, 4, 15)),
        (
            f"45 years: {month_only.city_a.name_en} – {month_only.city_b.name_en} "
            "(friendship city)"
            " — day not known, month only",
            datetime.date(year + 1, 11, 1),
        ),
    ]


# --- The outline --------------------------------------------------------------------------------


TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [1, 1], "translate": [100, 20]},
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                # A square 120..130 × 30..40 made of two arcs, the second one reversed.
                {
                    "type": "Polygon",
                    "arcs": [[0, ~1]],
                    "id": "392",
                    "properties": {"name": "Japan"},
                },
                {"type": "Polygon", "arcs": [[0, ~1]], "id": "840", "properties": {"name": "USA"}},
            ],
        }
    },
    "arcs": [
        [[20, 10], [10, 0], [0, 10]],  # (120,30) → (130,30) → (130,40)
        [[20, 10], [0, 10], [10, 0]],  # (120,30) → (120,40) → (130,40)
    ],
}


def test_decode_arcs_undoes_quantisation_and_deltas():
    assert decode_arcs(TOPOLOGY) == [
        [(120, 30), (130, 30), (130, 40)],
        [(120, 30), (120, 40), (130, 40)],
    ]


def test_ring_from_arcs_reverses_negative_indexes():
    arcs = decode_arcs(TOPOLOGY)

    assert ring_from_arcs([0, ~1], arcs) == [(120, 30), (130, 30), (130, 40), (120, 40), (120, 30)]


def test_clip_ring_cuts_at_the_box():
    square = [(120, 30), (130, 30), (130, 40), (120, 40), (120, 30)]

    assert clip_ring(square, (125, 0, 180, 35)) == [
        [125, 35], [125, 30], [130, 30], [130, 35], [125, 35],
    ]  # fmt: skip
    assert clip_ring(square, (0, 0, 10, 10)) == []


def test_east_asia_geojson_keeps_only_the_region_countries():
    collection = east_asia_geojson(TOPOLOGY)

    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == ["JP"]
    assert collection["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert "Natural Earth" in collection["attribution"]


def test_build_east_asia_outline_command_writes_geojson(tmp_path):
    source = tmp_path / "countries-50m.json"
    source.write_text(json.dumps(TOPOLOGY))
    output = tmp_path / "east-asia.geojson"

    call_command("build_east_asia_outline", str(source), output=str(output), stdout=io.StringIO())

    assert json.loads(output.read_text())["features"][0]["properties"] == {
        "country": "JP",
        "name": "Japan",
    }


def test_build_east_asia_outline_command_refuses_other_json(tmp_path):
    source = tmp_path / "other.json"
    source.write_text('{"type": "FeatureCollection"}')

    with pytest.raises(CommandError, match="is not a world-atlas countries TopoJSON file"):
        call_command("build_east_asia_outline", str(source), output=str(tmp_path / "x.geojson"))


def test_bundled_outline_is_valid_geojson_in_lon_lat():
    from django.conf import settings

    path = settings.BASE_DIR / "static" / "vendor" / "east-asia" / "east-asia.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))

    assert {"CN", "JP", "KR", "KP", "TW", "MN"} <= {f["id"] for f in collection["features"]}
    for feature in collection["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1]
                assert all(70 <= lon <= 150 and 10 <= lat <= 56 for lon, lat in ring)


@pytest.mark.django_db
def test_place_map_include_points_at_the_place_geojson():
    from django.template.loader import render_to_string

    city = City(slug="yangzhou", name_en="Yangzhou", country="CN")

    html = render_to_string("network/includes/_place_map.html", {"city": city})

    assert f'data-ties-url="{reverse("geojson:ties")}?city=yangzhou"' in html
    assert 'data-focus="yangzhou"' in html


@pytest.mark.django_db
def test_place_page_has_its_tie_map_and_figures_with_unit_and_source(client):
    from tests.factories import ExchangeIndicatorFactory

    nara = CityFactory(slug="nara", name_en="Nara", country="JP")
    FriendshipLinkFactory(city_b=nara)
    source = SourceFactory(url="https://www.city.nara.lg.jp/stats", title="Nara stats")
    for year, value in [(2019, 5400), (2022, 800)]:
        record = ExchangeIndicatorFactory(
            city=nara,
            indicator_en="visitors from Yangzhou",
            year=year,
            value=value,
            unit_en="people",
        )
        record.sources.add(source)

    html = client.get("/en/cities/nara/").content.decode()

    assert 'data-ties-url="/api/v1/ties.geojson?city=nara"' in html
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in html
    assert "<strong>visitors from Yangzhou</strong>" in html
    # two years: a figure card with the numbers and their years, not a chart
    assert '<dt>2019</dt><dd><span class="net-figure-number">5,400</span> people</dd>' in html
    assert '<svg class="net-chart"' not in html
    assert (
        '<a href="https://www.city.nara.lg.jp/stats" rel="external noopener noreferrer">'
        "Nara stats</a>" in html
    )


@pytest.mark.django_db
def test_network_pages_carry_no_inline_script_or_style(client):
    import re

    FriendshipLinkFactory()
    pages = [
        "/en/network/",
        "/en/network/triads/",
        "/en/network/anniversaries/",
        "/en/statistics/",
        "/en/good-practices/",
    ]

    html = "".join(client.get(page).content.decode() for page in pages)

    assert re.findall(r"<script(?![^>]*\bsrc=)|<style| style=| on[a-z]+=", html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_anniversaries_ical_query_count_is_fixed(client, django_assert_num_queries, count):
    _anniversary_ties(count)

    with django_assert_num_queries(2):
        response = client.get("/en/network/anniversaries.ics")

    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == count
