import pytest

from cities.gazetteer import PLACES_PATH, gazetteer_read
from cities.models import City
from cities.search import (
    canonical_han,
    city_kana_readings,
    city_key_rows,
    city_match_ids,
    city_name_match,
    city_search,
    pinyin_key,
    search_key,
)
from cities.services import city_search_keys_rebuild
from tests.factories import CityFactory, FriendshipLinkFactory

# (query, slug of the place the demo data says it names): every form of the issue.
DEMO_QUERIES = {
    # simplified, traditional, Japanese kanji
    "扬州": "yangzhou",
    "揚州": "yangzhou",
    "广岛": "hiroshima",
    "廣島": "hiroshima",
    "広島": "hiroshima",
    "金泽": "kanazawa",
    "金澤": "kanazawa",
    "金沢": "kanazawa",
    "庆州": "gyeongju",
    "慶州": "gyeongju",
    "济宁": "jining",
    "濟寧": "jining",
    "済寧": "jining",
    "横滨": "yokohama",
    "橫濱": "yokohama",
    "横浜": "yokohama",
    "龙仁": "yongin",
    "竜仁": "yongin",
    "盐城": "yancheng",
    "塩城": "yancheng",
    "ハルビン": "harbin",
    "ソウル": "seoul",
    # hangul
    "양저우": "yangzhou",
    "경주": "gyeongju",
    "가나자와": "kanazawa",
    "히로시마": "hiroshima",
    # pinyin with or without spaces and tones
    "Yangzhou": "yangzhou",
    "yang zhou": "yangzhou",
    "Yángzhōu": "yangzhou",
    "Hángzhōu": "hangzhou",
    "xi an": "xian",
    "Ha'erbin": "harbin",
    "chong qing": "chongqing",
    # Hepburn with or without macrons, long vowels written out
    "Kyōto": "kyoto",
    "Kyoto": "kyoto",
    "Kyouto": "kyoto",
    "Kōbe": "kobe",
    "Koube": "kobe",
    "Kitakyūshū": "kitakyushu",
    "Kitakyuushuu": "kitakyushu",
    "Ōita": "oita",  # the city; the prefecture is "Ōita Prefecture" (below)
    # Revised Romanization and old spellings kept as aliases
    "Gyeongju": "gyeongju",
    "Seogwipo": "seogwipo",
    "Taegu": "daegu",
    "Kyongju": "gyeongju",
    "Pusan": "busan",
    # administrative suffixes
    "扬州市": "yangzhou",
    "揚州市": "yangzhou",
    "奈良市": "nara",
    "대구광역시": "daegu",
    "경주시": "gyeongju",
    "Nara-shi": "nara",
    "Oita Prefecture": "oita-prefecture",
    "大分県": "oita-prefecture",
    "大分县": "oita-prefecture",
    "수성구": "suseong-district",
    "Suseong-gu": "suseong-district",
    "黄浦区": "huangpu-district",
    "Huangpu": "huangpu-district",
    "창녕군": "changnyeong-county",
    "東京都": "tokyo",
    "Jeju Province": "jeju-province",
    "제주특별자치도": "jeju-province",
    "Gwangju Metropolitan City": "gwangju",
    # full-width / half-width, any case
    "ＹＡＮＧＺＨＯＵ": "yangzhou",
    "ｙａｎｇｚｈｏｕ": "yangzhou",
    "NARA": "nara",
    "ｷｮｳﾄ": "kyoto",  # half-width katakana is the reading キョウト
    # kana readings (hiragana = katakana), with or without the ending, and their prefixes
    "なら": "nara",
    "ナラ": "nara",
    "ならし": "nara",
    "きょうと": "kyoto",
    "とうきょう": "tokyo",
    "とうきょうと": "tokyo",
    "おおさか": "osaka",
    "かなざわ": "kanazawa",
    "きたきゅうしゅう": "kitakyushu",
    "きたきゅう": "kitakyushu",
    "からつ": "karatsu",
    "にいがた": "niigata",
    "Ōsaka": "osaka",
    "Osaka": "osaka",
    "Oosaka": "osaka",
    # a part of a name
    "Kitaky": "kitakyushu",
    "九州": "kitakyushu",
}


def test_city_search_finds_every_form_of_a_demo_name(demo_data):
    found = {query: getattr(city_search(query).first(), "slug", None) for query in DEMO_QUERIES}

    assert found == DEMO_QUERIES
    assert len(DEMO_QUERIES) >= 40


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("なら", ["nara", "nara-prefecture"]),
        ("ナラ", ["nara", "nara-prefecture"]),
        ("ならし", ["nara"]),
        ("きょうと", ["kyoto", "kyoto-prefecture", "tokyo"]),  # とうきょうと contains it
        ("とうきょう", ["tokyo"]),
    ],
)
def test_city_search_ranks_the_places_a_kana_reading_finds(demo_data, query, slugs):
    assert [city.slug for city in city_search(query)] == slugs


def test_city_search_kana_finds_no_chinese_or_korean_place_by_its_japanese_reading(demo_data):
    # 揚州 and 慶州 read in Japanese (ようしゅう, けいしゅう): their places keep no kana key.
    assert list(city_search("ようしゅう")) == []
    assert list(city_search("けいしゅう")) == []
    assert {city.country for city in city_search("ナ")} == {"JP"}


def test_search_key_folds_scripts_suffixes_and_spellings():
    assert search_key("広島市") == search_key("廣島") == search_key("广岛") == "广岛"
    assert search_key("Kyōto") == search_key("KYOUTO") == search_key("ｋｙｏｔｏ") == "kyoto"
    assert search_key("대구광역시") == "대구"
    assert search_key("Gwangju (Metropolitan City)") == "gwangju"
    assert search_key("Uchinada-machi") == "uchinada"
    assert search_key("  --  ") == ""


def test_search_key_keeps_a_suffix_when_nothing_would_remain():
    assert search_key("京都") == "京都"  # not "京"
    assert search_key("대구") == "대구"  # not "대"
    assert search_key("Daegu") == "daegu"


def test_search_key_keeps_kana_voicing_marks():
    assert search_key("がさ") == "ガサ"
    assert search_key("かさ") == "カサ"


def test_search_key_keeps_the_suffix_when_asked():
    assert search_key("扬州市", strip_suffix=False) == "扬州市"
    assert search_key("Oita Prefecture", strip_suffix=False) == "oitaprefecture"


def test_canonical_han_brings_japanese_and_traditional_to_simplified():
    assert canonical_han("金沢") == canonical_han("金澤") == "金泽"
    assert canonical_han("Yangzhou") == "Yangzhou"


def test_pinyin_key_reads_chinese_names_without_tones():
    assert pinyin_key("扬州") == "yangzho"
    assert pinyin_key("重慶") == "chongqing"
    assert pinyin_key("Seoul") == ""


@pytest.mark.django_db
def test_city_key_rows_holds_whole_keys_and_their_ends():
    city = CityFactory.build(
        name_en="Oita",
        name_zh_hans="",
        name_zh_hant="",
        name_ja="大分県",
        name_ko="",
        country="JP",
        name_kana="おおいた おおいたけん",  # as the gazetteer stores it
        name_kana_basis="machine",
    )

    assert city_key_rows(city) == {
        "oita": False,
        "ita": True,
        "大分": False,
        "大分县": False,
        "分": True,
        "分县": True,
        "县": True,
        # the stored reading おおいた(けん), in kana and in Hepburn
        "オオイタ": False,
        "オオイタケン": False,
        "オイタ": True,
        "オイタケン": True,
        "イタ": True,
        "イタケン": True,
        "タ": True,
        "タケン": True,
        "ケン": True,
        "ン": True,
        "oitaken": False,
        "itaken": True,
        "taken": True,
        "aken": True,
        "ken": True,
    }


@pytest.mark.django_db
def test_city_name_match_ranks_exact_before_prefix_before_substring():
    substring = CityFactory(name_en="Old Nara Road", slug="old-nara-road")
    prefix = CityFactory(name_en="Naraha", slug="naraha")
    exact = CityFactory(name_en="Nara", slug="nara")

    ranked = list(city_name_match(City.objects.all(), "nara"))

    assert ranked == [exact, prefix, substring]
    assert [city.search_rank for city in ranked] == [0, 2, 3]


@pytest.mark.django_db
def test_city_name_match_ranks_the_name_as_typed_before_the_name_without_suffix():
    city = CityFactory(name_en="Jeju City", slug="jeju-city")
    province = CityFactory(name_en="Jeju Province", slug="jeju-province")

    ranked = list(city_name_match(City.objects.all(), "Jeju Province"))

    assert ranked == [province, city]


@pytest.mark.django_db
def test_city_name_match_ranks_equal_matches_by_number_of_ties():
    lonely = CityFactory(name_en="Ansan", slug="ansan-a")
    busy = CityFactory(name_en="Ansan", slug="ansan-b")
    FriendshipLinkFactory(city_a=busy)
    FriendshipLinkFactory(city_b=busy)

    ranked = list(city_name_match(City.objects.all(), "ansan"))

    assert ranked == [busy, lonely]
    assert [city.search_tie_count for city in ranked] == [2, 0]


@pytest.mark.django_db
def test_city_name_match_keeps_the_filters_of_the_queryset():
    CityFactory(name_en="Nara", slug="nara", country="JP")
    korean = CityFactory(name_en="Nara", slug="nara-kr", country="KR")

    assert list(city_name_match(City.objects.filter(country="KR"), "Nara")) == [korean]


@pytest.mark.django_db
def test_city_name_match_finds_nothing_for_an_empty_query():
    CityFactory(name_en="Nara")

    assert list(city_name_match(City.objects.all(), "")) == []
    assert list(city_name_match(City.objects.all(), " ・- ")) == []
    assert list(city_match_ids("")) == []


@pytest.mark.django_db
def test_city_name_match_matches_short_latin_queries_at_the_start_of_a_key_only():
    start = CityFactory(name_en="Kobe", slug="kobe")
    CityFactory(name_en="Tokorozawa", slug="tokorozawa")

    assert list(city_name_match(City.objects.all(), "ko")) == [start]


@pytest.mark.django_db
def test_city_name_match_runs_one_query(django_assert_num_queries):
    CityFactory(name_en="Nara")
    CityFactory(name_en="Narashino")

    with django_assert_num_queries(1):
        assert len(list(city_name_match(City.objects.all(), "nara"))) == 2


@pytest.mark.django_db
def test_city_search_finds_a_place_by_its_stored_reading_alone():
    # No Japanese name to read: the key can only come from the stored reading.
    city = CityFactory(name_en="Nara", slug="nara", name_ja="", name_kana="なら", country="JP")
    city_search_keys_rebuild(cities=[city])

    assert [found.slug for found in city_search("ナラ")] == ["nara"]
    assert [found.slug for found in city_search("なら")] == ["nara"]


@pytest.mark.django_db
def test_city_key_rows_runs_no_analyser_without_a_stored_reading():
    city = CityFactory.build(
        name_en="Nara", name_zh_hans="", name_zh_hant="", name_ja="奈良", name_ko="", country="JP"
    )

    assert city_key_rows(city) == {"nara": False, "ara": True, "奈良": False, "良": True}


def test_city_kana_readings_add_the_endings_of_the_place_names():
    nara = CityFactory.build(name_en="Nara", name_ja="奈良", aliases="奈良市", name_kana="なら")
    # The curated name 東京都 has an ending its romanisation spells; 京都 has none (都 is
    # part of the name, "Kyōto" does not spell きょうとと).
    tokyo = CityFactory.build(
        name_en="Tokyo", name_ja="東京都", romanization="Tōkyō-to", name_kana="とうきょう"
    )
    kyoto = CityFactory.build(name_en="Kyoto", name_ja="京都", name_kana="きょうと")

    assert city_kana_readings(nara) == ["なら", "ならし"]
    assert city_kana_readings(tokyo) == ["とうきょう", "とうきょうと"]
    assert city_kana_readings(kyoto) == ["きょうと"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "romanization"),
    [
        ("かくだ", "Kakuda"),  # read from its romanised name (the analyser reads 角田 すみだ)
        ("カクダ", "Kakuda"),
        ("とうこうじ", "Tōkōji"),  # no kanji name in GeoNames
        ("りゅうがさき", "Ryūgasaki"),
    ],
)
def test_city_search_finds_a_place_by_the_reading_of_its_romanised_name(query, romanization):
    # The place as the committed gazetteer has it, reading included.
    place = next(row for row in gazetteer_read(PLACES_PATH) if row.romanization == romanization)
    city = CityFactory(
        name_en=place.name_en,
        name_ja=place.name_ja,
        romanization=place.romanization,
        name_kana=" ".join(place.name_kana),
        name_kana_basis=place.kana_basis,
        country="JP",
    )
    city_search_keys_rebuild(cities=[city])

    assert (place.kana_basis, list(city_search(query))) == ("romanised", [city])
