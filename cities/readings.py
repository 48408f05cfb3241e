"""Japanese readings of place names, in hiragana, for the search keys.

A kanji name is read by a morphological analyser (fugashi with the UniDic-lite
dictionary, MIT/BSD: the one `events.slugs` romanises Japanese titles with). Place names
are often ambiguous (角田 is Kakuda or Sumida, 日向 Hyūga or Hinata), and the analyser
guesses, so its guess is kept only when it agrees with the
place's own romanised names, which are data: the reading, written in Hepburn
(`kana_romaji`) and folded like every Latin key (long vowels, macrons), must equal one
of the place's Latin names, with or without its suffix. A reading that agrees with no
Latin name is not indexed: no reading is better than a wrong one.

The rule is `city_reading`; `kana_romaji` and `hiragana` are the script conversions it
and the search keys use. The analyser runs only when the gazetteer is refreshed
(`manage.py gazetteer_extract` writes the readings into places.tsv); the search keys read
the stored `City.name_kana`, so fugashi is imported only when a reading is asked for.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

# Endings of a Japanese place name and how they are read. 町 and 村 are read either
# way depending on the place (町田 machi, 北町 chō): both readings are candidates and
# the romanised name decides; when it names no suffix, both are kept as keys.
SUFFIX_READINGS = {
    "市": ("し",),
    "区": ("く",),
    "町": ("ちょう", "まち"),
    "村": ("むら", "そん"),
    "郡": ("ぐん",),
    "県": ("けん",),
    "府": ("ふ",),
    "都": ("と",),
    "道": ("どう",),
}

_HEPBURN = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o",
    "か": "ka", "き": "ki", "く": "ku", "け": "ke", "こ": "ko",
    "が": "ga", "ぎ": "gi", "ぐ": "gu", "げ": "ge", "ご": "go",
    "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so",
    "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo",
    "た": "ta", "ち": "chi", "つ": "tsu", "て": "te", "と": "to",
    "だ": "da", "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do",
    "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho",
    "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be", "ぼ": "bo",
    "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po",
    "ま": "ma", "み": "mi", "む": "mu", "め": "me", "も": "mo",
    "や": "ya", "ゆ": "yu", "よ": "yo",
    "ら": "ra", "り": "ri", "る": "ru", "れ": "re", "ろ": "ro",
    "わ": "wa", "ゐ": "i", "ゑ": "e", "を": "o", "ん": "n", "ゔ": "vu",
    "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o", "ゎ": "wa",
}  # fmt: skip
_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_VOWELS = "aeiou"


def hiragana(text: str) -> str:
    """Katakana (full- or half-width) → hiragana; every other character is kept."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(char) - 0x60) if "\u30a1" <= char <= "\u30f6" else char for char in text)


def kana_romaji(text: str) -> str:
    """Kana → Hepburn without macrons (とうきょう → toukyou, ナラ → nara).

    Long vowels are spelt as written (おう → ou, ー repeats the vowel), so the result
    folds to the same key as "Tōkyō" and "Tokyo". Characters that are not kana are
    dropped.
    """
    out: list[str] = []
    double_next = False
    for char in hiragana(text):
        if char in _SMALL_Y and out and out[-1].endswith("i") and out[-1] != "i":
            # きょ → kyo, しゃ → sha, ちゅ → chu, じょ → jo
            stem = out[-1][:-1]
            out[-1] = stem + ("" if stem.endswith(("sh", "ch", "j")) else "y") + _SMALL_Y[char]
        elif char == "っ":
            double_next = True
            continue
        elif char == "ー":
            if out and out[-1][-1] in _VOWELS:
                out.append(out[-1][-1])
        elif char in _HEPBURN:
            syllable = _HEPBURN[char]
            if double_next and syllable[0] not in _VOWELS:
                syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            out.append(syllable)
        double_next = False
    # ん before a vowel is written n' in Hepburn; the search keys drop the apostrophe.
    return "".join(out)


_KANA_ONLY = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fcー]+$")


def is_kana(text: str) -> bool:
    return bool(text) and bool(_KANA_ONLY.match(text))


@cache
def _tagger():
    import fugashi  # noqa: PLC0415 — only the gazetteer refresh reads names

    return fugashi.Tagger()  # UniDic-lite, the installed dictionary


def loose_key(key: str) -> str:
    """A folded Latin key with what Hepburn spellings of one reading differ in made equal.

    Vowel runs collapse to one vowel ("bungoono", "bungono" → "bungono"; "toon" → "ton"),
    "ou" becomes "o", and "m" before b, m or p becomes "n" (traditional Hepburn writes
    Tamba, Semboku, Nihombashi for たんば, せんぼく, にほんばし).
    """
    key = re.sub(r"m(?=[bmp])", "n", key)
    key = re.sub(r"ou", "o", key)
    return re.sub(r"([aeiou])\1+", r"\1", key)


def analyser_readings(text: str) -> list[str]:
    """The analyser's readings of a kanji name in hiragana, best first (no duplicates): its
    two best analyses, each read word by word (a name the dictionary knows as a place is
    one word)."""
    readings: list[str] = []
    for analysis in _tagger().nbestToNodeList(text, 2):
        reading = hiragana("".join(node.feature.kana or "" for node in analysis))
        if reading and is_kana(reading) and reading not in readings:
            readings.append(reading)
    return readings


def _split_suffix(name: str) -> tuple[str, str]:
    """A kanji name and its administrative ending (奈良市 → 奈良, 市), if a stem remains."""
    for suffix in SUFFIX_READINGS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def city_reading(
    name_ja: str,
    latin_keys: Iterable[str],
    *,
    fold: Callable[[str], str],
    read: Callable[[str], list[str]] = analyser_readings,
) -> list[str]:
    """The readings of a Japanese place name, in hiragana, that its Latin names confirm.

    `name_ja` is the kanji name (奈良, 湯河原町, 奈良県); `latin_keys` the search keys of
    the place's English name, official romanisation and Latin aliases, with and without
    their suffix; `fold` the search normalisation they went through, applied to each
    candidate's Hepburn spelling (so Tōkyō, Tokyo and Toukyou agree).

    The whole name is read first (四日市 is Yokkaichi, 京都 Kyōto: the ending belongs to
    the name); if no reading of it agrees, the name without its ending (市 町 村 …) is
    read, and agrees alone ("Yugawara") or with the ending ("Yugawara-machi"). Returns
    the readings to index, stem before whole name ([なら, ならけん] for 奈良県, as the
    kanji name is indexed with and without its ending; both readings of 町 when the Latin
    name does not say which), or [] when no candidate agrees. A name already in kana
    is its own reading.
    """
    if not name_ja:
        return []
    if is_kana(name_ja):
        return [hiragana(name_ja)]
    targets = set(latin_keys) - {""}
    if not targets:
        return []

    loose_targets = {loose_key(target) for target in targets}

    def confirmed(reading: str) -> bool:
        key = fold(kana_romaji(reading))
        return key in targets or loose_key(key) in loose_targets

    stem, suffix = _split_suffix(name_ja)
    endings = SUFFIX_READINGS.get(suffix, ())
    # The whole name first: its ending can be part of it (四日市 is Yokkaichi, 京都 Kyōto).
    for candidate in read(name_ja):
        if confirmed(candidate):
            stems = [
                candidate[: -len(ending)]
                for ending in endings
                if candidate.endswith(ending) and confirmed(candidate[: -len(ending)])
            ]
            return [*stems, candidate]
    for candidate in read(stem) if suffix else ():
        with_ending = [candidate + ending for ending in endings]
        confirmed_ending = [reading for reading in with_ending if confirmed(reading)]
        if confirmed(candidate) or confirmed_ending:
            return [candidate, *(confirmed_ending or with_ending)]
    return []


# Hepburn syllables → hiragana, longest first; the inverse of _HEPBURN with the yōon.
_ROMAJI = {
    romaji: kana for kana, romaji in _HEPBURN.items() if kana not in "ぁぃぅぇぉゎゐゑをぢづ"
}
_ROMAJI.update({"o": "お", "ji": "じ", "zu": "ず", "wo": "を"})
for _kana, _stem in [
    ("き", "ky"), ("ぎ", "gy"), ("し", "sh"), ("じ", "j"), ("ち", "ch"), ("に", "ny"),
    ("ひ", "hy"), ("び", "by"), ("ぴ", "py"), ("み", "my"), ("り", "ry"),
]:  # fmt: skip
    for _vowel, _small in (("a", "ゃ"), ("u", "ゅ"), ("o", "ょ")):
        _ROMAJI[_stem + _vowel] = _kana + _small
_ROMAJI.update({"ja": "じゃ", "ju": "じゅ", "jo": "じょ"})
_ROMAJI_LONGEST = max(len(romaji) for romaji in _ROMAJI)
# Macron vowels: the vowel and the kana that lengthens it (ō is おう, or おお: see below).
_MACRONS = {"ā": "aあ", "â": "aあ", "ī": "iい", "î": "iい", "ū": "uう", "û": "uう",
            "ē": "eえ", "ê": "eえ", "ō": "oう", "ô": "oう"}  # fmt: skip


# Characters that begin a place name read おう (the rest of the names starting with Ō are 大).
_READ_OU = tuple("王青近奥桜邑応央欧黄皇凰翁押")
_VOWELS_AND_Y = frozenset("aeiouy")
_LABIALS = frozenset("bmp")


def romaji_reading(latin: str, *, name_ja: str = "") -> str:
    """The hiragana a Hepburn name spells (Yoshino → よしの, Tōkōji → とうこうじ,
    Tamba → たんば, Shin'ichi → しんいち), or "" when it is not Hepburn throughout.

    For a Japanese place the analyser cannot read in agreement with its Latin names (no
    kanji name, or one the dictionary misreads): the reading is then the one the place's
    own romanised name spells. Hepburn writes both おう and おお as ō: inside a name it
    is read おう (Tōkyō, Kōbe, Kyōgoku); a name's first Ō is read おお, as 大 (Ōita,
    Ōguchi, Ōtsu) begins most names that start so, unless the kanji name starts with a
    character read おう (王子 Ōji, 青梅 Ōme, 近江 Ōmi, 奥州 Ōshū).
    """
    text = unicodedata.normalize("NFC", latin).casefold()
    out: list[str] = []
    first_o_is_oo = not name_ja.startswith(_READ_OU)
    for word in re.split(r"[\s\-‐–]+", text):
        if not word:
            continue
        letters: list[str] = []
        for char in word:
            if char in _MACRONS:
                vowel, lengthener = _MACRONS[char]
                if char in "ōô" and first_o_is_oo and not out and not letters:
                    lengthener = "お"  # the name's first letter
                letters.extend([vowel, lengthener])
            else:
                letters.append(char)
        position = 0
        while position < len(letters):
            char = letters[position]
            following = letters[position + 1] if position + 1 < len(letters) else ""
            if not ("a" <= char <= "z") and char not in "'’":
                out.append(char)  # a lengthening kana from a macron
                position += 1
                continue
            if char in "'’":
                position += 1
                continue
            if (char == "n" and following not in _VOWELS_AND_Y) or (
                char == "m" and following in _LABIALS
            ):
                out.append("ん")  # n before a consonant or at the end; m before b, m, p
                position += 1
                continue
            if char not in "aeioun" and following == char or (char == "t" and following == "c"):
                out.append("っ")  # a doubled consonant: Yokkaichi, Hatchō
                position += 1
                continue
            for length in range(_ROMAJI_LONGEST, 0, -1):
                chunk = "".join(letters[position : position + length])
                if chunk in _ROMAJI:
                    out.append(_ROMAJI[chunk])
                    position += length
                    break
            else:
                return ""
    reading = "".join(out)
    return reading if is_kana(reading) else ""
