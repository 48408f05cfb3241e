from functools import partial

import pytest

from cities.readings import city_reading, hiragana, kana_romaji, loose_key, romaji_reading
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


def test_city_reading_takes_the_spellings_of_one_reading_as_equal():
    # Traditional Hepburn writes m before b, m, p; a long vowel may be written out or not.
    assert city_reading("丹波", latin_keys("Tamba"), fold=fold) == ["たんば"]
    assert city_reading("東温", latin_keys("Tōon"), fold=fold) == ["とうおん"]
    assert loose_key("bungoono") == loose_key("bungono") == "bungono"
    assert loose_key("nihombashi") == "nihonbashi"


@pytest.mark.parametrize(
    ("latin", "name_ja", "reading"),
    [
        ("Yoshino", "", "よしの"),
        ("Tōkōji", "", "とうこうじ"),
        ("Kyōgoku", "", "きょうごく"),
        ("Ryūgasaki", "竜崎", "りゅうがさき"),
        ("Yokkaichi", "", "よっかいち"),  # a doubled consonant
        ("Hatchō", "", "はっちょう"),
        ("Sannohe", "", "さんのへ"),  # n before n
        ("Shin'ichi", "", "しんいち"),  # n' before a vowel
        ("Tamba", "", "たんば"),  # m before b
        ("Oshamambe", "", "おしゃまんべ"),
        ("Yamazakichō-nakabirose", "", "やまざきちょうなかびろせ"),
        ("Ōguchi", "", "おおぐち"),  # a first Ō is 大 in most names
        ("Ōita", "大分", "おおいた"),
        ("Ōji", "王子", "おうじ"),  # unless the kanji says おう
        ("Jōetsu", "", "じょうえつ"),
    ],
)
def test_romaji_reading_spells_a_hepburn_name_in_hiragana(latin, name_ja, reading):
    assert romaji_reading(latin, name_ja=name_ja) == reading


@pytest.mark.parametrize("latin", ["Minami-Alps", "Sendaj", "Xi'an", "Vakkanai", "四日市", ""])
def test_romaji_reading_reads_nothing_that_is_not_hepburn_throughout(latin):
    assert romaji_reading(latin) == ""
