from functools import partial

import pytest

from cities.readings import city_reading, hiragana, kana_romaji
from cities.search import search_key

fold = partial(search_key, strip_suffix=False)


def latin_keys(*names: str) -> set[str]:
    return {search_key(name, strip_suffix=strip) for name in names for strip in (True, False)}


def test_hiragana_and_kana_romaji_convert_scripts():
    assert hiragana("ナラ") == hiragana("ﾅﾗ") == "なら"
    assert kana_romaji("とうきょう") == "toukyou"
    assert kana_romaji("キタキュウシュウ") == "kitakyuushuu"
    assert kana_romaji("しんじゅく") == "shinjuku"
    assert kana_romaji("よっかいち") == "yokkaichi"
    assert kana_romaji("はっちょう") == "hatchou"
    assert kana_romaji("トーキョー") == "tookyoo"


@pytest.mark.parametrize(
    ("name_ja", "latin", "readings"),
    [
        ("奈良", ("Nara",), ["なら"]),
        ("京都", ("Kyoto",), ["きょうと"]),  # 都 belongs to the name
        ("東京", ("Tōkyō",), ["とうきょう"]),
        ("大阪", ("Ōsaka",), ["おおさか"]),
        ("金沢", ("Kanazawa",), ["かなざわ"]),
        ("新潟", ("Niigata",), ["にいがた"]),
        ("唐津", ("Karatsu",), ["からつ"]),
        ("北九州", ("Kitakyushu",), ["きたきゅうしゅう"]),
        ("四日市", ("Yokkaichi",), ["よっかいち"]),  # not Yokka City
        ("奈良県", ("Nara Prefecture", "Nara-ken"), ["なら", "ならけん"]),
        ("湯河原町", ("Yugawara",), ["ゆがわら", "ゆがわらちょう", "ゆがわらまち"]),
        ("ニセコ", ("Niseko",), ["にせこ"]),
    ],
)
def test_city_reading_keeps_the_analyser_reading_its_latin_name_confirms(name_ja, latin, readings):
    assert city_reading(name_ja, latin_keys(*latin), fold=fold) == readings


def test_city_reading_prefers_the_reading_the_romanised_name_confirms():
    def read(text: str) -> list[str]:
        return {"角田": ["かくだ", "すみだ"]}[text]

    assert city_reading("角田", latin_keys("Sumida"), fold=fold, read=read) == ["すみだ"]
    assert city_reading("角田", latin_keys("Kakuda"), fold=fold, read=read) == ["かくだ"]


def test_city_reading_indexes_nothing_the_latin_names_contradict():
    def read(text: str) -> list[str]:
        return {"米子": ["よねこ"]}[text]

    # Read よねこ only; the place is Yonago: no reading beats a wrong one.
    assert city_reading("米子", latin_keys("Yonago"), fold=fold, read=read) == []
    assert city_reading("揚州", latin_keys("Yangzhou"), fold=fold) == []


def test_city_reading_takes_the_analysers_second_reading_when_the_name_confirms_it():
    # UniDic reads 米子 よねこ first and よなご second; the place is Yonago.
    assert city_reading("米子", latin_keys("Yonago"), fold=fold) == ["よなご"]
    assert city_reading("奈良", set(), fold=fold) == []
