import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cities.gazetteer import (
    GAZETTEER_DIR,
    PLACES_PATH,
    GazetteerIndex,
    gazetteer_header,
    gazetteer_load,
    gazetteer_read,
)
from cities.management.commands.gazetteer_extract import (
    english_name,
    gazetteer_kana,
    kana_columns,
    native_names,
    read_admin1,
    read_divisions,
    to_shinjitai,
)
from cities.models import AdminLevel, City, CitySearchKey, Country
from tests.factories import CityFactory

SLICE = Path(__file__).parent / "data" / "gazetteer_slice.tsv"
JIANGSU, YANGZHOU, NANJING, SHAANXI, YANGZHOU_SHAANXI = 1806260, 1787227, 1799962, 1796480, 1787266
NORTH_GYEONGSANG, GYEONGJU = 1841597, 1841603


def _names(names: dict) -> tuple:
    return (names["name_zh_hans"], names["name_zh_hant"], names["name_ja"], names["name_ko"])


# --- script rules -------------------------------------------------------------------------


def test_native_names_tokyo_takes_the_japanese_kanji_not_the_simplified_form():
    alternates = ["Tokyo", "Tōkyō", "东京", "東京", "東京都", "도쿄", "동경"]

    assert _names(native_names("JP", "Tokyo", alternates)) == ("东京", "東京", "東京", "도쿄")


def test_native_names_yangzhou_strips_the_city_suffix_in_every_script():
    alternates = ["Yangzhou", "扬州", "扬州市", "揚州", "揚州市", "양저우 시"]

    assert _names(native_names("CN", "Yangzhou", alternates)) == ("扬州", "揚州", "揚州", "양저우")


def test_native_names_gyeongju_derives_simplified_from_the_hanja():
    alternates = ["Gyeongju", "Kyongju", "慶州", "慶州市", "경주시"]

    assert _names(native_names("KR", "Gyeongju", alternates)) == ("庆州", "慶州", "慶州", "경주")


def test_native_names_kanazawa_goes_from_shinjitai_to_traditional_and_simplified():
    alternates = ["Kanazawa", "かなざわ", "金沢", "金沢市", "金澤市", "가나자와 시"]

    assert _names(native_names("JP", "Kanazawa", alternates)) == (
        "金泽",
        "金澤",
        "金沢",
        "가나자와",
    )


def test_native_names_hiroshima_never_takes_the_chinese_form_as_japanese():
    alternates = ["Hiroshima", "广岛", "広島", "広島市", "廣島"]

    assert _names(native_names("JP", "Hiroshima", alternates)) == ("广岛", "廣島", "広島", "")


def test_native_names_chinese_place_in_japanese_is_its_traditional_form_in_shinjitai():
    alternates = ["Guangzhou", "广州", "广州市", "廣州", "광저우"]

    assert _names(native_names("CN", "Guangzhou", alternates)) == ("广州", "廣州", "広州", "광저우")


def test_native_names_prefer_the_han_name_read_as_the_english_name():
    alternates = ["Yangzhou", "洋县", "洋洲", "洋洲镇"]

    assert native_names("CN", "Yangzhou", alternates)["name_zh_hans"] == "洋洲"


def test_native_names_jeju_in_japanese_uses_shinjitai():
    assert native_names("KR", "Jeju City", ["濟州", "濟州市", "제주시"])["name_ja"] == "済州"


def test_to_shinjitai_and_english_name():
    assert (to_shinjitai("廣島縣"), english_name("JP", "Nara-shi"), english_name("JP", "Ōita")) == (
        "広島県",
        "Nara",
        "Oita",
    )


# --- the admin1 crosswalk and the divisions -------------------------------------------------


def test_admin1_crosswalk_names_geonames_codes():
    admin1 = read_admin1()

    assert [admin1[code]["name"] for code in ("JP.40", "CN.04", "KR.14")] == [
        "Tokyo",
        "Jiangsu",
        "Gyeongsangbuk-do",
    ]
    assert admin1["CN.04"]["geonames_id"] == "1806260"


def test_admin1_crosswalk_has_every_division_of_the_three_countries():
    codes = list(read_admin1())

    assert [sum(code.startswith(c) for code in codes) for c in ("CN.", "JP.", "KR.")] == [
        31,
        47,
        17,
    ]
    assert sorted(read_divisions()) == sorted(codes)


def test_divisions_have_four_scripts():
    divisions = read_divisions()

    assert [
        (d["name_en"], d["name_zh_hans"], d["name_zh_hant"], d["name_ja"], d["name_ko"])
        for d in (divisions["CN.04"], divisions["JP.28"], divisions["KR.14"])
    ] == [
        ("Jiangsu Province", "江苏省", "江蘇省", "江蘇省", "장쑤성"),
        ("Nara Prefecture", "奈良县", "奈良縣", "奈良県", "나라현"),
        ("North Gyeongsang Province", "庆尚北道", "慶尚北道", "慶尚北道", "경상북도"),
    ]
    assert all(
        all(d[field] for field in ("name_zh_hans", "name_ja", "name_ko"))
        for d in divisions.values()
    )


# --- the real file --------------------------------------------------------------------------


def test_places_file_has_the_three_countries_with_coordinates_and_parents():
    places = gazetteer_read()
    divisions = [place for place in places if place.is_division]
    ids = {place.geonames_id for place in places}

    assert len(places) >= 6000
    assert all(place.latitude is not None and place.longitude is not None for place in places)
    assert [sum(d.country == c for d in divisions) for c in ("CN", "JP", "KR")] == [31, 47, 17]
    assert all(place.parent_geonames_id in ids for place in places if not place.is_division)
    assert [place.geonames_id for place in places] == sorted(ids)


def test_places_file_makes_capital_municipalities_one_place():
    by_id = {place.geonames_id: place for place in gazetteer_read()}
    beijing, tokyo, seoul = by_id[1816670], by_id[1850147], by_id[1835848]

    assert [(p.name_en, p.admin_level, p.parent_geonames_id) for p in (beijing, tokyo, seoul)] == [
        ("Beijing", AdminLevel.MUNICIPALITY, None),
        ("Tokyo", AdminLevel.PREFECTURE, None),
        ("Seoul", AdminLevel.SPECIAL_CITY, None),
    ]
    assert 2038349 not in by_id  # the admin1 feature of Beijing is not a second place
    assert by_id[1816670 + 0].coordinates_basis == "place"
    assert by_id[JIANGSU].coordinates_basis == "capital"


def test_places_file_header_dates_the_snapshot():
    header = gazetteer_header()

    assert (header["licence"], header["snapshot"]) == ("CC BY 4.0", "2026-03-30")
    assert gazetteer_read()[0].population_as_of in (datetime.date(2026, 3, 30), None)


def test_places_file_lives_in_the_gazetteer_folder():
    with open(GAZETTEER_DIR / "places.tsv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))

    assert rows[1][:6] == [
        "geonames_id",
        "country",
        "admin_level",
        "admin1",
        "parent_geonames_id",
        "name_en",
    ]


# --- candidates -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index():
    return GazetteerIndex(gazetteer_read(SLICE))


@pytest.mark.parametrize(
    "name", ["扬州", "扬州市", "揚州", "揚州市", "양저우", "양저우 시", "Yangchow"]
)
def test_candidates_find_yangzhou_in_any_script_with_or_without_suffix(index, name):
    assert [p.geonames_id for p in index.candidates(name, "CN")] == [YANGZHOU]


@pytest.mark.parametrize("name", ["Yangzhou", "yangzhou city", "YANG ZHOU", "Yángzhōu"])
def test_candidates_report_both_yangzhou_for_the_latin_name(index, name):
    assert [p.geonames_id for p in index.candidates(name, "CN")] == [
        YANGZHOU,
        YANGZHOU_SHAANXI,
    ]


def test_candidates_filter_by_the_province_names(index):
    assert [
        [p.geonames_id for p in index.candidates("Yangzhou", "CN", parent_name=parent)]
        for parent in ("Jiangsu", "江苏省", "Shaanxi Province", "Zhejiang")
    ] == [[YANGZHOU], [YANGZHOU], [YANGZHOU_SHAANXI], []]


def test_candidates_find_divisions_and_korean_places(index):
    assert [
        [p.geonames_id for p in index.candidates(name, country)]
        for name, country in [
            ("경주시", "KR"),
            ("Gyeongju-si", "KR"),
            ("慶州", "KR"),
            ("庆州", "KR"),
            ("경상북도", "KR"),
            ("Jiangsu", "CN"),
            ("東京都", "JP"),
            ("Nara Prefecture", "JP"),
            ("Yangzhou", "JP"),
        ]
    ] == [
        [GYEONGJU],
        [GYEONGJU],
        [GYEONGJU],
        [GYEONGJU],
        [NORTH_GYEONGSANG],
        [JIANGSU],
        [1850147],
        [1855608],
        [],
    ]


# --- gazetteer_load -------------------------------------------------------------------------


@pytest.fixture
def places():
    return gazetteer_read(SLICE)


@pytest.mark.django_db
def test_gazetteer_load_creates_places_with_parents_then_changes_nothing(places):
    first = gazetteer_load(places=places)
    second = gazetteer_load(places=places)

    assert first == {"created": 13, "updated": 0, "unchanged": 0, "ambiguous": 0}
    assert second == {"created": 0, "updated": 0, "unchanged": 13, "ambiguous": 0}
    yangzhou = City.objects.select_related("parent").get(geonames_id=YANGZHOU)
    assert (
        yangzhou.slug,
        yangzhou.parent.name_en,
        yangzhou.name_zh_hans,
        yangzhou.name_ko,
        yangzhou.latitude,
        yangzhou.population_as_of,
        yangzhou.coordinates_basis,
    ) == (
        "yangzhou",
        "Jiangsu Province",
        "扬州",
        "양저우",
        Decimal("32.397220"),
        datetime.date(2026, 3, 30),
        "place",
    )
    assert City.objects.get(geonames_id=YANGZHOU_SHAANXI).slug == "yangzhou-shaanxi-province"
    assert CitySearchKey.objects.filter(city=yangzhou, key="扬州").exists()


@pytest.mark.django_db
def test_gazetteer_load_fills_only_empty_fields_of_a_curated_place(places):
    jiangsu = CityFactory(
        name_en="Jiangsu Province", slug="jiangsu", admin_level=AdminLevel.PROVINCE, parent=None
    )
    curated = CityFactory(
        name_en="Yangzhou",
        slug="yz",
        parent=jiangsu,
        name_zh_hans="扬州",
        name_zh_hant="",
        name_ja="",
        name_ko="양주",  # a curator's (odd) value stays
        latitude=Decimal("32.4"),
        longitude=Decimal("119.4"),
        population=4_600_000,
    )

    counts = gazetteer_load(places=places)

    curated.refresh_from_db()
    assert counts == {"created": 11, "updated": 2, "unchanged": 0, "ambiguous": 0}
    assert (
        curated.geonames_id,
        curated.name_zh_hant,
        curated.name_ja,
        curated.name_ko,
        curated.latitude,
        curated.population,
        curated.population_as_of,
    ) == (YANGZHOU, "揚州", "揚州", "양주", Decimal("32.400000"), 4_600_000, None)
    assert gazetteer_load(places=places)["unchanged"] == 13


@pytest.mark.django_db
def test_gazetteer_load_matches_by_geonames_id_before_name(places):
    by_id = CityFactory(name_en="Yang-chou (old record)", slug="old", geonames_id=YANGZHOU)

    gazetteer_load(places=places)

    by_id.refresh_from_db()
    assert list(City.objects.filter(geonames_id=YANGZHOU)) == [by_id]
    assert by_id.parent.geonames_id == JIANGSU
    assert by_id.name_en == "Yang-chou (old record)"


@pytest.mark.django_db
def test_gazetteer_load_never_matches_by_name_and_country_alone(places):
    elsewhere = CityFactory(name_en="Yangzhou", slug="yangzhou", country=Country.CHINA, parent=None)

    gazetteer_load(places=places)

    elsewhere.refresh_from_db()
    assert elsewhere.geonames_id is None
    assert sorted(City.objects.filter(name_en="Yangzhou").values_list("slug", flat=True)) == [
        "yangzhou",
        "yangzhou-jiangsu-province",
        "yangzhou-shaanxi-province",
    ]


def test_drop_duplicate_records_drops_an_empty_record_beside_a_populated_one():
    from cities.management.commands.gazetteer_extract import drop_duplicate_records

    populated = {
        "geonameid": "1884138",
        "countrycode": "KR",
        "admin1code": "16",
        "name": "Yeosu",
        "population": 268823,
        "latitude": 34.76,
        "longitude": 127.66,
    }
    empty = {
        **populated,
        "geonameid": "13439582",
        "population": 0,
        "latitude": 34.72,
        "longitude": 127.75,
    }
    far = {**empty, "geonameid": "1", "latitude": 36.0}

    kept, dropped = drop_duplicate_records([populated, empty, far])

    assert [c["geonameid"] for c in kept] == ["1884138", "1"]
    assert [c["geonameid"] for c in dropped] == ["13439582"]


@pytest.mark.django_db
def test_gazetteer_load_moves_the_data_version_only_when_it_wrote(places):
    from exchangeportal.infra.cache import data_version

    before = data_version()
    gazetteer_load(places=places)
    after_first = data_version()
    gazetteer_load(places=places)  # nothing to change

    assert (after_first, data_version()) == (before + 1, before + 1)


# --- kana readings --------------------------------------------------------------------------


def test_kana_columns_take_geonames_kana_the_name_reading_first():
    columns = kana_columns("JP", "奈良", ["Nara", "Nara-shi"], ["Nara-shi", "ならし", "ナラシ"])

    assert columns == {"name_kana": "なら|ならし", "kana_basis": "gazetteer"}


def test_gazetteer_kana_keeps_an_ending_that_is_part_of_the_name():
    assert gazetteer_kana(["ずし"], ["Zushi"]) == ["ずし"]


def test_kana_columns_fall_back_to_the_confirmed_machine_reading():
    assert kana_columns("JP", "唐津", ["Karatsu"], ["Karatsu-shi"]) == {
        "name_kana": "からつ",
        "kana_basis": "machine",
    }
    assert kana_columns("JP", "丹波", ["Tamba"], []) == {
        "name_kana": "たんば",
        "kana_basis": "machine",
    }
    assert kana_columns("CN", "揚州", ["Yangzhou"], []) == {"name_kana": "", "kana_basis": ""}


def test_kana_columns_read_the_romanised_name_when_the_kanji_reading_disagrees():
    # GeoNames gives some places another place's kanji: the Latin name is the place's.
    assert kana_columns("JP", "佐原", ["Katori", "Katori"], []) == {
        "name_kana": "かとり",
        "kana_basis": "romanised",
    }
    # No kanji name: the Latin name with macrons first (only it says the vowel is long).
    assert kana_columns("JP", "", ["Tokoji", "Tōkōji", "東光寺"], []) == {
        "name_kana": "とうこうじ",
        "kana_basis": "romanised",
    }
    # Nothing Hepburn to read: no reading.
    assert kana_columns("JP", "", ["Minami-Alps"], []) == {"name_kana": "", "kana_basis": ""}


def test_gazetteer_read_gives_the_readings_and_their_basis():
    by_id = {place.geonames_id: place for place in gazetteer_read(SLICE)}

    nara = by_id[1855612]
    assert (nara.name_kana, nara.kana_basis) == (("なら", "ならし"), "gazetteer")
    assert (by_id[1850147].name_kana, by_id[1850147].kana_basis) == (("とうきょう",), "machine")
    assert (by_id[YANGZHOU].name_kana, by_id[YANGZHOU].kana_basis) == ((), "")


def test_gazetteer_read_accepts_a_file_without_reading_columns(tmp_path):
    lines = SLICE.read_text(encoding="utf-8").splitlines()
    old = tmp_path / "old.tsv"
    old.write_text(
        "\n".join([lines[0], *("\t".join(line.split("\t")[:16]) for line in lines[1:])]) + "\n",
        encoding="utf-8",
    )

    nara = next(place for place in gazetteer_read(old) if place.geonames_id == 1855612)

    assert (nara.name_ja, nara.name_kana, nara.kana_basis) == ("奈良", (), "")


# Well-known places and their readings in the committed gazetteer (first reading, basis).
WELL_KNOWN_READINGS = {
    1855612: ("なら", "gazetteer"),  # Nara
    1855608: ("なら", "machine"),  # Nara Prefecture
    1857910: ("きょうと", "gazetteer"),  # Kyoto
    1850147: ("とうきょう", "machine"),  # Tokyo
    1853909: ("おおさか", "gazetteer"),  # Osaka
    1860243: ("かなざわ", "gazetteer"),  # Kanazawa
    1855431: ("にいがた", "gazetteer"),  # Niigata
    1860063: ("からつ", "machine"),  # Karatsu
    1859307: ("きたきゅうしゅう", "machine"),  # Kitakyushu
    1848354: ("よこはま", "gazetteer"),  # Yokohama (Kanagawa)
    2128295: ("さっぽろ", "gazetteer"),  # Sapporo
}
# Read from the romanised name: no kanji name in GeoNames, or one the analyser misreads.
ROMANISED_READINGS = {
    "Yoshino": "よしの",  # no kanji name
    "Tōkōji": "とうこうじ",  # long vowels from the macrons
    "Kakuda": "かくだ",  # 角田, which the analyser reads すみだ
    "Ryūgasaki": "りゅうがさき",  # 竜崎, a shorter name the analyser reads りゅうざき
    "Shimoseki": "しもせき",  # 下関, which the analyser reads しものせき
    "Kyōgoku": "きょうごく",
}


def test_places_file_reads_well_known_places_right():
    by_id = {place.geonames_id: place for place in gazetteer_read(PLACES_PATH)}

    found = {gid: (by_id[gid].name_kana[0], by_id[gid].kana_basis) for gid in WELL_KNOWN_READINGS}

    assert found == WELL_KNOWN_READINGS


def test_places_file_reads_places_without_a_confirmed_kanji_reading_from_their_latin_name():
    romanised = {
        place.romanization: place.name_kana[0]
        for place in gazetteer_read(PLACES_PATH)
        if place.kana_basis == "romanised"
    }

    assert {name: romanised.get(name) for name in ROMANISED_READINGS} == ROMANISED_READINGS


def test_places_file_has_a_reading_for_every_japanese_place_with_a_hepburn_name():
    japanese = [place for place in gazetteer_read(PLACES_PATH) if place.country == "JP"]
    bases = [place.kana_basis for place in japanese]

    counts = [bases.count(basis) for basis in ("gazetteer", "machine", "romanised", "")]
    assert counts == [319, 1494, 378, 1]
    assert [place.name_en for place in japanese if not place.name_kana] == ["Minami-Alps"]
    assert all(bool(place.name_kana) == bool(place.kana_basis) for place in japanese)


@pytest.mark.django_db
def test_gazetteer_load_fills_the_reading_but_keeps_a_curators(places):
    jiangsu_etc = gazetteer_load(places=[place for place in places if place.is_division])
    assert jiangsu_etc["created"] > 0
    nara_prefecture = City.objects.get(geonames_id=1855608)
    curated = CityFactory(
        name_en="Nara",
        slug="nara",
        country="JP",
        parent=nara_prefecture,
        geonames_id=1855612,
        name_kana="なーら",
        name_kana_basis="curator",
    )
    tokyo_rows = City.objects.filter(geonames_id=1850147)
    tokyo_rows.update(name_kana="とうきよう", name_kana_basis="machine")

    gazetteer_load(places=places)

    curated.refresh_from_db()
    tokyo = City.objects.get(geonames_id=1850147)
    kanazawa = City.objects.get(geonames_id=1860243)
    assert (curated.name_kana, curated.name_kana_basis) == ("なーら", "curator")
    # The file's own earlier reading is the file's to refresh.
    assert (tokyo.name_kana, tokyo.name_kana_basis) == ("とうきょう", "machine")
    assert (kanazawa.name_kana, kanazawa.name_kana_basis) == ("かなざわ かなざわし", "gazetteer")
    assert CitySearchKey.objects.filter(city=kanazawa, key="カナザワ").exists()
    assert gazetteer_load(places=places)["updated"] == 0
