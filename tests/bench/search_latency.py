"""Median latency of the place search over generated places (not collected by pytest).

    DJANGO_DEBUG=1 python tests/bench/search_latency.py [--places 20000] [--queries 400]
    DATABASE_URL=postgres://… DJANGO_DEBUG=1 python tests/bench/search_latency.py

Creates a throw-away test database on the configured engine (SQLite or PostgreSQL),
generates places with names in every script the portal knows (simplified and
traditional Chinese, Japanese kanji, hangul, romanisations), builds their search
keys with the real service, then times the query the search page runs for a place
list (the ranked first page and its count) for a mix of query forms: English name,
spaced pinyin, traditional and Japanese kanji with 市, hangul with 시, a prefix,
a substring and a miss. Prints the median and the 95th percentile; exits 1 when
the median is over the budget (default 20 ms).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchangeportal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from opencc import OpenCC  # noqa: E402
from pypinyin import lazy_pinyin  # noqa: E402

# Characters common in place names of the three countries (simplified forms).
HAN = (
    "扬州杭威海西安大连天津重庆沈阳太原青岛成都盐城济宁上海北京黄浦苏金吴江通哈尔滨厦门福"
    "无锡常熟中山舟衢宁波莱昆东营南山省泉长沙绍兴敦煌温梅潍坊澳湖唐厚木奈良九宇佐小滨神户"
    "横出水广岛下关冈贺泽七尾羽咋那霸明石绫部守口气仙沼野京旭川萨摩内鹿儿岛新潟丰静镰仓"
    "世保松本宗像丽龙仁大邱庆顺天寿釜莲堤全光清西归浦杨昌安城首尔原田村平高桥松冈富浜"
)
# Hangul syllables with their Revised Romanization.
HANGUL = [
    ("서", "seo"),
    ("울", "ul"),
    ("부", "bu"),
    ("산", "san"),
    ("대", "dae"),
    ("구", "gu"),
    ("인", "in"),
    ("천", "cheon"),
    ("광", "gwang"),
    ("주", "ju"),
    ("경", "gyeong"),
    ("여", "yeo"),
    ("수", "su"),
    ("용", "yong"),
    ("순", "sun"),
    ("전", "jeon"),
    ("제", "je"),
    ("김", "gim"),
    ("해", "hae"),
    ("안", "an"),
    ("동", "dong"),
    ("성", "seong"),
    ("양", "yang"),
    ("청", "cheong"),
    ("창", "chang"),
    ("녕", "nyeong"),
    ("포", "po"),
    ("원", "won"),
    ("강", "gang"),
    ("릉", "neung"),
    ("춘", "chun"),
    ("목", "mok"),
    ("진", "jin"),
    ("평", "pyeong"),
]
# Japanese syllables for made-up Hepburn names.
KANA_ROMAJI = [
    "ka",
    "ki",
    "ku",
    "ke",
    "ko",
    "sa",
    "shi",
    "su",
    "se",
    "so",
    "ta",
    "chi",
    "tsu",
    "te",
    "to",
    "na",
    "ni",
    "nu",
    "ne",
    "no",
    "ha",
    "hi",
    "fu",
    "ho",
    "ma",
    "mi",
    "mu",
    "me",
    "mo",
    "ya",
    "yu",
    "yo",
    "ra",
    "ri",
    "ru",
    "re",
    "ro",
    "wa",
    "ga",
    "gi",
    "go",
    "za",
    "zu",
    "da",
    "do",
    "ba",
    "bi",
    "bu",
    "be",
    "bo",
]  # noqa: E501

SUFFIXES = {"CN": "市", "JP": "市", "KR": "시"}


def generate_places(count: int, rng: random.Random):
    from cities.models import City
    from cities.search import canonical_han  # noqa: F401  (warms the tables)

    s2t = OpenCC("s2t")
    jp_table = {}
    from cities.search import SEARCH_DATA_DIR

    for line in (SEARCH_DATA_DIR / "jp_variants.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, japanese = line.split("\t")
            jp_table[traditional] = japanese.split()[0]
    places = []
    for number in range(count):
        country = rng.choice(["CN", "JP", "KR"])
        simplified = "".join(rng.choice(HAN) for _ in range(rng.choice([2, 2, 3])))
        traditional = s2t.convert(simplified)
        japanese = "".join(jp_table.get(char, char) for char in traditional)
        syllables = [rng.choice(HANGUL) for _ in range(rng.choice([2, 2, 3]))]
        hangul = "".join(s for s, _r in syllables)
        if country == "CN":
            english = "".join(lazy_pinyin(simplified)).capitalize()
        elif country == "KR":
            english = "".join(r for _s, r in syllables).capitalize()
        else:
            english = "".join(rng.choice(KANA_ROMAJI) for _ in range(rng.choice([2, 3, 4])))
            english = english.capitalize()
        places.append(
            City(
                slug=f"bench-{number}",
                country=country,
                name_en=english,
                name_zh_hans=simplified,
                name_zh_hant=traditional,
                name_ja=japanese,
                name_ko=hangul,
                romanization=english,
            )
        )
    City.objects.bulk_create(places, batch_size=2000)
    return places


def generate_ties(places, count: int, rng: random.Random) -> None:
    """`count` ties between random pairs, so that ranking by ties has work to do."""
    from cities.models import FriendshipLink

    pairs = set()
    while len(pairs) < count:
        a, b = rng.sample(places, 2)
        pairs.add((min(a.pk, b.pk), max(a.pk, b.pk)))
    FriendshipLink.objects.bulk_create(
        [FriendshipLink(city_a_id=a, city_b_id=b, kind="friendship") for a, b in sorted(pairs)],
        batch_size=2000,
    )


def make_queries(places, count: int, rng: random.Random) -> list[str]:
    forms = [
        lambda p: p.name_en,
        lambda p: " ".join(lazy_pinyin(p.name_zh_hans)) if p.country == "CN" else p.name_en.upper(),
        lambda p: p.name_zh_hant + SUFFIXES[p.country],
        lambda p: p.name_ja,
        lambda p: p.name_ko + "시",
        lambda p: p.name_en[:4],
        lambda p: p.name_en[1:5].lower(),
        lambda p: "Xqzvk" + str(rng.randint(0, 999)),
    ]
    return [forms[n % len(forms)](rng.choice(places)) for n in range(count)]


def run(places_count: int, queries_count: int, budget_ms: float) -> int:
    from django.core.paginator import Paginator

    from cities.search import city_search
    from cities.services import city_search_keys_rebuild

    rng = random.Random(20_000)
    started = time.perf_counter()
    places = generate_places(places_count, rng)
    generate_ties(places, places_count, rng)
    written = city_search_keys_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does on a live database
            cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    print(
        f"{connection.vendor}: {places_count} places and as many ties, {written} search keys, "
        f"built in {built:.1f} s"
    )

    queries = make_queries(places, queries_count, rng)
    for query in queries[:20]:  # warm up caches and connections
        list(city_search(query)[:20])
    timings, cpu_timings, results = [], [], 0
    for query in queries:
        start, cpu_start = time.perf_counter(), time.process_time()
        page = Paginator(city_search(query), 20).get_page(1)
        results += len(list(page)) and 1
        timings.append((time.perf_counter() - start) * 1000)
        cpu_timings.append((time.process_time() - cpu_start) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{len(queries)} queries ({results} with results): median {median:.2f} ms, "
        f"p95 {p95:.2f} ms, max {timings[-1]:.2f} ms (budget: median < {budget_ms:g} ms)"
    )
    # On a busy machine the wall clock also counts time spent waiting for a CPU.
    print(
        f"CPU time of this process per query: median {statistics.median(cpu_timings):.2f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    return 0 if median < budget_ms else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--budget-ms", type=float, default=20.0)
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":  # SQLite benches in memory; elsewhere, a database of its own
        connection.settings_dict["TEST"]["NAME"] = f"bench_search_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return run(args.places, args.queries, args.budget_ms)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
