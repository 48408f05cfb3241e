"""Synthetic places, sources and ties: the portal at ten times the real world, for load tests.

Deterministic for a seed: each part draws from its own `random.Random` seeded
with the seed and the part's name, so the places of seed 1 are the same
whatever the number of ties asked for. The shapes follow the real data: a few
hubs (provincial capitals, port cities) with hundreds of ties and most places
with a handful; names in Latin script, simplified and traditional Chinese,
Japanese and Korean; dates from 1970 to 2026 with year, month or day precision.
Every synthetic place carries `SYNTHETIC_NOTE`, so the set can be found and
removed (`events.synthetic.synthetic_remove`). Places go in with `bulk_create`, the large
tables as plain rows (`cities.bulk.insert_rows`: COPY on PostgreSQL).
"""

import datetime
import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.utils.text import slugify

from .bulk import ids_after, insert_rows, last_id
from .dates import DatePrecision
from .models import (
    AdminLevel,
    City,
    Country,
    CultureCityDesignation,
    DateBasis,
    DesignationStatus,
    FriendshipLink,
    Source,
    TieKind,
    TieStatus,
)

SYNTHETIC_NOTE = "Synthetic data (generate_synthetic)."
SYNTHETIC_SOURCE_URL = "https://example.org/synthetic/source/"
BATCH_SIZE = 2000
FIRST_YEAR, LAST_YEAR = 1970, 2026

# Syllables: (Latin, simplified Chinese, traditional Chinese / Japanese, Korean).
CN_SYLLABLES = [
    ("an", "安", "安", "안"),
    ("bei", "北", "北", "베이"),
    ("chang", "长", "長", "창"),
    ("dong", "东", "東", "둥"),
    ("feng", "丰", "豐", "펑"),
    ("gu", "古", "古", "구"),
    ("hai", "海", "海", "하이"),
    ("he", "河", "河", "허"),
    ("hua", "华", "華", "화"),
    ("jiang", "江", "江", "장"),
    ("jin", "金", "金", "진"),
    ("kai", "开", "開", "카이"),
    ("lin", "林", "林", "린"),
    ("long", "龙", "龍", "룽"),
    ("nan", "南", "南", "난"),
    ("ning", "宁", "寧", "닝"),
    ("ping", "平", "平", "핑"),
    ("qing", "青", "青", "칭"),
    ("shan", "山", "山", "산"),
    ("shui", "水", "水", "수이"),
    ("tai", "泰", "泰", "타이"),
    ("tian", "天", "天", "톈"),
    ("xi", "西", "西", "시"),
    ("xin", "新", "新", "신"),
    ("yang", "阳", "陽", "양"),
    ("yun", "云", "雲", "윈"),
    ("zhou", "州", "州", "저우"),
    ("zhong", "中", "中", "중"),
    ("bao", "宝", "寶", "바오"),
    ("de", "德", "德", "더"),
    ("guang", "广", "廣", "광"),
    ("hu", "湖", "湖", "후"),
    ("lu", "鹿", "鹿", "루"),
    ("ming", "明", "明", "밍"),
    ("rui", "瑞", "瑞", "루이"),
    ("song", "松", "松", "쑹"),
]
JP_SYLLABLES = [
    ("yama", "山", "山", "야마"),
    ("kawa", "川", "川", "카와"),
    ("ta", "田", "田", "타"),
    ("naka", "中", "中", "나카"),
    ("shima", "岛", "島", "시마"),
    ("mori", "森", "森", "모리"),
    ("hara", "原", "原", "하라"),
    ("matsu", "松", "松", "마쓰"),
    ("oka", "冈", "岡", "오카"),
    ("saki", "崎", "崎", "사키"),
    ("sawa", "泽", "沢", "사와"),
    ("no", "野", "野", "노"),
    ("kita", "北", "北", "기타"),
    ("minami", "南", "南", "미나미"),
    ("higashi", "东", "東", "히가시"),
    ("nishi", "西", "西", "니시"),
    ("taka", "高", "高", "다카"),
    ("hira", "平", "平", "히라"),
    ("fuku", "福", "福", "후쿠"),
    ("toyo", "丰", "豊", "도요"),
    ("ishi", "石", "石", "이시"),
    ("kami", "上", "上", "가미"),
    ("wa", "和", "和", "와"),
    ("ki", "木", "木", "기"),
    ("tsu", "津", "津", "쓰"),
    ("hama", "滨", "浜", "하마"),
    ("ura", "浦", "浦", "우라"),
    ("miya", "宫", "宮", "미야"),
    ("kura", "仓", "倉", "구라"),
    ("fuji", "藤", "藤", "후지"),
    ("shiro", "白", "白", "시로"),
    ("kuro", "黑", "黒", "구로"),
]
KR_SYLLABLES = [
    ("an", "安", "安", "안"),
    ("cheon", "川", "川", "천"),
    ("dae", "大", "大", "대"),
    ("gwang", "光", "光", "광"),
    ("gyeong", "庆", "慶", "경"),
    ("ju", "州", "州", "주"),
    ("san", "山", "山", "산"),
    ("seong", "城", "城", "성"),
    ("yang", "阳", "陽", "양"),
    ("won", "原", "原", "원"),
    ("jeon", "全", "全", "전"),
    ("nam", "南", "南", "남"),
    ("buk", "北", "北", "북"),
    ("dong", "东", "東", "동"),
    ("seo", "西", "西", "서"),
    ("jin", "晋", "晉", "진"),
    ("hae", "海", "海", "해"),
    ("ha", "河", "河", "하"),
    ("myeong", "明", "明", "명"),
    ("cheong", "清", "淸", "청"),
    ("pyeong", "平", "平", "평"),
    ("yeong", "永", "永", "영"),
    ("hwa", "华", "華", "화"),
    ("mun", "文", "文", "문"),
    ("go", "高", "高", "고"),
    ("bo", "宝", "寶", "보"),
    ("song", "松", "松", "송"),
    ("il", "日", "日", "일"),
    ("wol", "月", "月", "월"),
    ("gang", "江", "江", "강"),
    ("sin", "新", "新", "신"),
    ("deok", "德", "德", "덕"),
]
SYLLABLES = {Country.CHINA: CN_SYLLABLES, Country.JAPAN: JP_SYLLABLES, Country.KOREA: KR_SYLLABLES}

# (Latin suffix, simplified, traditional/Japanese, Korean) per country and level.
LEVEL_NAMES = {
    (Country.CHINA, AdminLevel.PROVINCE): (" Province", "省", "省", "성"),
    (Country.JAPAN, AdminLevel.PREFECTURE): (" Prefecture", "县", "県", "현"),
    (Country.KOREA, AdminLevel.PROVINCE): ("-do", "道", "道", "도"),
    (Country.CHINA, AdminLevel.DISTRICT): (" District", "区", "區", "구"),
    (Country.JAPAN, AdminLevel.DISTRICT): (" Ward", "区", "区", "구"),
    (Country.KOREA, AdminLevel.DISTRICT): ("-gu", "区", "區", "구"),
    (Country.CHINA, AdminLevel.COUNTY): (" County", "县", "縣", "현"),
    (Country.KOREA, AdminLevel.COUNTY): ("-gun", "郡", "郡", "군"),
}
TOP_LEVEL = {
    Country.CHINA: AdminLevel.PROVINCE,
    Country.JAPAN: AdminLevel.PREFECTURE,
    Country.KOREA: AdminLevel.PROVINCE,
}
COUNTRY_SHARE = [(Country.CHINA, 45), (Country.JAPAN, 30), (Country.KOREA, 25)]
BOUNDS = {  # latitude and longitude ranges
    Country.CHINA: ((22.0, 45.0), (100.0, 125.0)),
    Country.JAPAN: ((31.0, 44.0), (130.0, 145.0)),
    Country.KOREA: ((34.0, 38.0), (126.0, 129.5)),
}
TIE_LABELS = {
    Country.CHINA: ["友好城市", "友好交流城市", "友好合作关系"],
    Country.JAPAN: ["姉妹都市", "友好都市", "友好交流都市"],
    Country.KOREA: ["자매도시", "우호도시", "우호교류도시"],
}
KIND_SHARE = [
    (TieKind.FRIENDSHIP, 45),
    (TieKind.SISTER, 30),
    (TieKind.FRIENDLY_EXCHANGE, 15),
    (TieKind.PARTNERSHIP, 7),
    (TieKind.OTHER, 3),
]
STATUS_SHARE = [(TieStatus.ACTIVE, 85), (TieStatus.DORMANT, 10), (TieStatus.ENDED, 5)]
DATE_BASES = list(DateBasis.values)
PRECISION_SHARE = [(DatePrecision.DAY, 55), (DatePrecision.MONTH, 25), (DatePrecision.YEAR, 20)]


_CUMULATIVE: dict[int, tuple[list, list, list]] = {}


def weighted(rng: random.Random, pairs: list[tuple]) -> object:
    """One value of [(value, weight), …], drawn by weight."""
    prepared = _CUMULATIVE.get(id(pairs))
    if prepared is None or prepared[0] is not pairs:  # prepared once per (module-level) list
        prepared = (pairs, [v for v, _w in pairs], list(accumulate(w for _v, w in pairs)))
        _CUMULATIVE[id(pairs)] = prepared
    _pairs, values, cumulative = prepared
    return values[bisect_left(cumulative, rng.random() * cumulative[-1])]


def random_date(rng: random.Random, first: int = FIRST_YEAR, last: int = LAST_YEAR):
    """A date between two years and a precision; the date is the first day of what is known."""
    day = datetime.date(first, 1, 1) + datetime.timedelta(
        days=rng.randrange((datetime.date(last, 12, 31) - datetime.date(first, 1, 1)).days)
    )
    precision = weighted(rng, PRECISION_SHARE)
    if precision == DatePrecision.YEAR:
        day = day.replace(month=1, day=1)
    elif precision == DatePrecision.MONTH:
        day = day.replace(day=1)
    return day, str(precision)


def _names(rng: random.Random, country: str, count: int) -> list[list[tuple]]:
    """`count` different syllable sequences for a country: two syllables first, then three."""
    syllables = SYLLABLES[country]
    seen: set[tuple[int, ...]] = set()
    result = []
    length = 2
    while len(result) < count:
        if len(seen) >= int(len(syllables) ** length * 0.6):
            length += 1
        key = tuple(rng.randrange(len(syllables)) for _ in range(length))
        if key not in seen:
            seen.add(key)
            result.append([syllables[i] for i in key])
    return result


def _place(rng, country, level, syllables, parent_id) -> City:
    latin = "".join(s[0] for s in syllables).capitalize()
    hans, hant, ko = ("".join(s[i] for s in syllables) for i in (1, 2, 3))
    suffix = LEVEL_NAMES.get((country, level), ("", "", "", ""))
    (lat_low, lat_high), (lon_low, lon_high) = BOUNDS[country]
    population = int(rng.lognormvariate(12.3, 1.1))
    if level == TOP_LEVEL[country]:
        population *= 20
    return City(
        country=country,
        admin_level=level,
        parent_id=parent_id,
        name_en=latin + suffix[0],
        name_zh_hans=hans + suffix[1],
        name_zh_hant=hant + suffix[2],
        name_ja=hant + suffix[2],
        name_ko=ko + suffix[3],
        romanization=latin,
        latitude=Decimal(f"{rng.uniform(lat_low, lat_high):.6f}"),
        longitude=Decimal(f"{rng.uniform(lon_low, lon_high):.6f}"),
        population=population,
        population_year=2020,
        note=SYNTHETIC_NOTE,
    )


def _bulk(model, objects: list, progress: Callable[[int], None] | None, done: int = 0) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        batch = objects[start : start + BATCH_SIZE]
        model.objects.bulk_create(batch)
        if progress:
            progress(done + start + len(batch))


@dataclass
class SyntheticPlaces:
    ids: list[int] = field(default_factory=list)
    country: dict[int, str] = field(default_factory=dict)
    weight: dict[int, float] = field(default_factory=dict)


def places_generate(
    *, count: int, seed: int, progress: Callable[[int], None] | None = None
) -> SyntheticPlaces:
    """Create `count` places (top levels, then cities, then districts and counties)."""
    rng = random.Random(f"{seed}:places")
    per_country = {}
    for country, share in COUNTRY_SHARE[:-1]:
        per_country[country] = count * share // 100
    per_country[COUNTRY_SHARE[-1][0]] = count - sum(per_country.values())
    taken = set(City.objects.values_list("slug", flat=True))
    result = SyntheticPlaces()
    done = 0
    plans = {}
    for country, number in per_country.items():
        names = _names(rng, country, number)
        tops = max(1, number * 3 // 200) if number else 0
        lower = number * 18 // 100
        plans[country] = (names, tops, lower)

    def save(objects: list[City]) -> None:
        nonlocal done
        for city in objects:
            slug = slugify(city.name_en)[:70]
            if slug in taken:
                slug = f"{slug}-{city.country.lower()}"
            number = 2
            while slug in taken:
                slug = f"{slugify(city.name_en)[:60]}-{city.country.lower()}-{number}"
                number += 1
            taken.add(slug)
            city.slug = slug
        _bulk(City, objects, progress, done)
        done += len(objects)

    tops_of, cities_of = {}, {}
    for stage in ("top", "city", "lower"):
        objects = []
        for country, (names, tops, lower) in plans.items():
            if stage == "top":
                chosen = names[:tops]
                objects += [_place(rng, country, TOP_LEVEL[country], n, None) for n in chosen]
            elif stage == "city":
                chosen = names[tops : len(names) - lower]
                objects += [
                    _place(rng, country, AdminLevel.MUNICIPALITY, n, rng.choice(tops_of[country]))
                    for n in chosen
                ]
            else:
                chosen = names[len(names) - lower :]
                levels = [AdminLevel.DISTRICT] + (
                    [AdminLevel.COUNTY] if country != Country.JAPAN else []
                )
                objects += [
                    _place(rng, country, rng.choice(levels), n, rng.choice(cities_of[country]))
                    for n in chosen
                ]
        save(objects)
        for city in objects:
            target = tops_of if stage == "top" else cities_of if stage == "city" else None
            if target is not None:
                target.setdefault(city.country, []).append(city.pk)
            result.ids.append(city.pk)
            result.country[city.pk] = city.country
            # Most places have a handful of ties; one in a hundred is a hub with hundreds.
            hub = rng.random() < 0.01
            result.weight[city.pk] = 120.0 if hub else rng.paretovariate(2.0)
    return result


def sources_generate(*, count: int, seed: int) -> list[int]:
    """A pool of `count` synthetic sources (example.org addresses, marked as synthetic)."""
    existing = set(
        Source.objects.filter(url__startswith=SYNTHETIC_SOURCE_URL).values_list("url", flat=True)
    )
    objects = [
        Source(
            url=f"{SYNTHETIC_SOURCE_URL}{seed}/{n}",
            title=f"Synthetic source {n} (seed {seed})",
            publisher="example.org",
        )
        for n in range(count)
        if f"{SYNTHETIC_SOURCE_URL}{seed}/{n}" not in existing
    ]
    _bulk(Source, objects, None)
    return list(
        Source.objects.filter(url__startswith=f"{SYNTHETIC_SOURCE_URL}{seed}/")
        .order_by("id")
        .values_list("id", flat=True)
    )


class WeightedPicker:
    """Draw place ids in proportion to their weights, optionally outside one country."""

    def __init__(self, places: SyntheticPlaces):
        self.by_country = {}
        for country in {places.country[pk] for pk in places.ids}:
            ids = [pk for pk in places.ids if places.country[pk] == country]
            self.by_country[country] = (ids, list(accumulate(places.weight[pk] for pk in ids)))
        self.all = (places.ids, list(accumulate(places.weight[pk] for pk in places.ids)))

    def pick(self, rng: random.Random, country: str | None = None, other_than: str = "") -> int:
        if country:
            ids, cumulative = self.by_country[country]
        elif other_than:
            countries = [c for c in self.by_country if c != other_than] or [other_than]
            ids, cumulative = self.by_country[rng.choice(countries)]
        else:
            ids, cumulative = self.all
        index = bisect_left(cumulative, rng.random() * cumulative[-1])
        return ids[min(index, len(ids) - 1)]


def ties_generate(
    *,
    places: SyntheticPlaces,
    count: int,
    seed: int,
    sources: list[int],
    progress: Callable[[int], None] | None = None,
) -> dict[int, list[tuple[int, int]]]:
    """Create `count` ties (nine in ten between two countries); return {place: [(other, tie)]}."""
    rng = random.Random(f"{seed}:ties")
    picker = WeightedPicker(places)
    pairs: set[tuple[int, int]] = set()
    max_pairs = len(places.ids) * (len(places.ids) - 1) // 2
    count = min(count, max_pairs)
    planned = []
    while len(planned) < count:
        a = picker.pick(rng)
        domestic = rng.random() < 0.1 or len(picker.by_country) == 1
        b = (
            picker.pick(rng, country=places.country[a])
            if domestic
            else picker.pick(rng, other_than=places.country[a])
        )
        pair = (min(a, b), max(a, b))
        if a == b or pair in pairs:
            if len(pairs) > max_pairs * 0.9:  # nearly complete: take any missing pair
                a, b = rng.sample(places.ids, 2)
            continue
        pairs.add(pair)
        planned.append((a, b))

    through = FriendshipLink.sources.through
    neighbours: dict[int, list[tuple[int, int]]] = {}
    for start in range(0, len(planned), BATCH_SIZE):
        rows = []
        for a, b in planned[start : start + BATCH_SIZE]:
            established, precision = random_date(rng)
            status = weighted(rng, STATUS_SHARE)
            ended_on = None
            if status == TieStatus.ENDED:
                ended_on = min(
                    established + datetime.timedelta(days=rng.randrange(365, 365 * 20)),
                    datetime.date(LAST_YEAR, 12, 31),
                )
            verified = rng.random() < 0.9
            rows.append(
                {
                    "city_a_id": a,
                    "city_b_id": b,
                    "kind": weighted(rng, KIND_SHARE),
                    "label_a": rng.choice(TIE_LABELS[places.country[a]]),
                    "label_b": rng.choice(TIE_LABELS[places.country[b]]),
                    "established_on": established,
                    "established_precision": precision,
                    "date_basis": rng.choice(DATE_BASES),
                    "status": str(status),
                    "ended_on": ended_on,
                    "note": "" if verified else "UNCERTAIN: a single secondary source",
                    "verified": verified,
                }
            )
        before = last_id(FriendshipLink)
        insert_rows(FriendshipLink, rows)
        links = []
        for pk, a, b in ids_after(FriendshipLink, before, "city_a_id", "city_b_id"):
            links.append({"friendshiplink_id": pk, "source_id": rng.choice(sources)})
            neighbours.setdefault(a, []).append((b, pk))
            neighbours.setdefault(b, []).append((a, pk))
        insert_rows(through, links)
        if progress:
            progress(start + len(rows))
    return neighbours


def designations_generate(*, places: SyntheticPlaces, seed: int, sources: list[int]) -> None:
    """One Culture City of East Asia per country and year, 2014–2026 (two for China from 2021)."""
    rng = random.Random(f"{seed}:designations")
    picker = WeightedPicker(places)
    through = CultureCityDesignation.sources.through
    objects = []
    for year in range(2014, LAST_YEAR + 1):
        for country in picker.by_country:
            for _ in range(2 if country == Country.CHINA and year >= 2021 else 1):
                city = picker.pick(rng, country=country)
                if any(d.city_id == city and d.year == year for d in objects):
                    continue
                status = DesignationStatus.PROCLAIMED if year < LAST_YEAR else "selected"
                objects.append(CultureCityDesignation(year=year, city_id=city, status=status))
    CultureCityDesignation.objects.bulk_create(objects)
    through.objects.bulk_create(
        [through(culturecitydesignation_id=d.pk, source_id=rng.choice(sources)) for d in objects]
    )
