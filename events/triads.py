"""Triads (three places of China, Japan and Korea tied pairwise) and near-triads (one tie
missing), ranked by how active their ties are and how many events they had lately; the
trilateral groups and their state. Read by the network pages and the statistics."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    Count,
)
from django.utils import timezone

from cities.models import (
    City,
    FriendshipLink,
    TieStatus,
    TrilateralGroup,
)
from cities.network import CJK, years_before
from exchangeportal.infra.cache import data_version

NEAR_TRIAD_LIMIT = 1000
RECENT_EVENT_YEARS = 10
TRIAD_CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TriadIds:
    """Three places, one per country (CN, JP, KR), pairwise tied, with the three tie ids."""

    cn: int
    jp: int
    kr: int
    tie_cn_jp: int
    tie_cn_kr: int
    tie_jp_kr: int


@dataclass(frozen=True)
class NearTriadIds:
    """Two ties sharing `hub`, to places in the two other countries; `a`–`b` is not tied."""

    hub: int
    a: int
    b: int
    tie_hub_a: int
    tie_hub_b: int
    score: int
    active_points: int
    recent_points: int
    age_points: int


@dataclass(frozen=True)
class NetworkShape:
    triads: list[TriadIds]
    near_triads: list[NearTriadIds]  # the best NEAR_TRIAD_LIMIT, best first
    near_triad_total: int


def _edge_key(status: str, recent_events: int, established, mature_before) -> tuple:
    """What one tie brings to a near-triad's score: (active points, recent events, mature)."""
    active = 2 if status == TieStatus.ACTIVE else 0
    mature = established is not None and established <= mature_before
    return active, min(recent_events, 5), mature


def near_triad_score_parts(key_a: tuple, key_b: tuple) -> tuple[int, int, int, int]:
    """(score, active points, recent-exchange points, maturity point) of two ties' keys.

    Active ties: 2 per active (not dormant) tie, up to 4. Recent exchange: 1 per
    published event recorded for either tie in the last RECENT_EVENT_YEARS years, up
    to 5. Maturity: 1 when both ties are at least ten years old. Score out of 10.
    """
    active = key_a[0] + key_b[0]
    recent = min(key_a[1] + key_b[1], 5)
    mature = 1 if key_a[2] and key_b[2] else 0
    return active + recent + mature, active, recent, mature


def network_shape_compute(
    *, today: datetime.date | None = None, include_unverified: bool = False
) -> NetworkShape:
    """Find every triad and rank the near-triads, from the ties alone.

    Only ties that are not ended and join two different countries among CN, JP and
    KR count. With adjacency sets per place, a triad is found once, from its
    China–Japan tie, by looking up each Korean partner of the Chinese place among
    the Japanese place's partners: O(ties + Σ Korean partners of Chinese places in a
    China–Japan tie).

    A near-triad is found from its hub (the place holding both ties). Its score
    depends only on the two ties' keys (`near_triad_score_parts`), and a key takes
    few values, so a hub's partners are grouped by key: the total is counted from
    group sizes and only the best NEAR_TRIAD_LIMIT near-triads are ever listed —
    best score first, then hub, place A and place B by id, so the order is stable.

    Unverified ties close triads (a pair they join is not suggested) but lead no
    near-triad suggestion unless `include_unverified`.
    """
    today = today or timezone.localdate()
    recent_cutoff = years_before(today, RECENT_EVENT_YEARS)
    mature_before = years_before(today, 10)
    country = dict(City.objects.filter(country__in=CJK).values_list("id", "country"))
    rows = (
        FriendshipLink.objects.exclude(status=TieStatus.ENDED)
        .values_list("id", "city_a_id", "city_b_id", "status", "established_on", "verified")
        .order_by()
    )
    recent = dict(
        FriendshipLink.events.through.objects.filter(
            exchangeevent__is_published=True, exchangeevent__starts_on__gte=recent_cutoff
        )
        .values("friendshiplink_id")
        .annotate(n=Count("id"))
        .values_list("friendshiplink_id", "n")
        .order_by()
    )

    adjacency: dict[int, dict[int, int]] = defaultdict(dict)
    # hub → partner's country → edge key → [partner ids]
    groups: dict[int, dict[str, dict[tuple, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    keys: dict[int, tuple] = {}
    cn_jp_ties = []
    eligible: set[int] = set()  # ties that may lead a suggestion
    for tie_id, a, b, status, established, verified in rows:
        country_a, country_b = country.get(a), country.get(b)
        if country_a is None or country_b is None or country_a == country_b:
            continue
        adjacency[a][b] = tie_id
        adjacency[b][a] = tie_id
        if verified or include_unverified:
            eligible.add(tie_id)
            key = _edge_key(status, recent.get(tie_id, 0), established, mature_before)
            keys[tie_id] = key
            groups[a][country_b][key].append(b)
            groups[b][country_a][key].append(a)
        if country_a == "CN" and country_b == "JP":
            cn_jp_ties.append((tie_id, a, b))
        elif country_a == "JP" and country_b == "CN":
            cn_jp_ties.append((tie_id, b, a))

    triads = []
    for tie_id, cn, jp in cn_jp_ties:
        jp_partners = adjacency[jp]
        for kr, tie_cn_kr in adjacency[cn].items():
            tie_jp_kr = jp_partners.get(kr) if country[kr] == "KR" else None
            if tie_jp_kr is not None:
                triads.append(TriadIds(cn, jp, kr, tie_id, tie_cn_kr, tie_jp_kr))
    triads.sort(key=lambda t: (t.cn, t.jp, t.kr))
    # A triad was counted among the open pairs once for each corner whose two ties are
    # both eligible (three times when all its ties are).
    closed_pairs = sum(
        (t.tie_cn_jp in eligible and t.tie_cn_kr in eligible)
        + (t.tie_cn_jp in eligible and t.tie_jp_kr in eligible)
        + (t.tie_cn_kr in eligible and t.tie_jp_kr in eligible)
        for t in triads
    )

    # Every pair of partners (one per other country) of a hub, counted by score level.
    by_level: dict[int, list[tuple[int, list, list]]] = defaultdict(list)
    open_pairs = 0
    for hub in sorted(groups):
        first, second = (code for code in CJK if code != country[hub])
        for key_a, list_a in groups[hub].get(first, {}).items():
            for key_b, list_b in groups[hub].get(second, {}).items():
                open_pairs += len(list_a) * len(list_b)
                level = near_triad_score_parts(key_a, key_b)
                by_level[level[0]].append((hub, level, list_a, list_b))
    near_total = open_pairs - closed_pairs

    near_triads: list[NearTriadIds] = []
    for score in sorted(by_level, reverse=True):
        entries = by_level[score]  # hubs ascending
        index = 0
        while index < len(entries) and len(near_triads) < NEAR_TRIAD_LIMIT:
            hub = entries[index][0]
            found = []
            while index < len(entries) and entries[index][0] == hub:
                _hub, parts, list_a, list_b = entries[index]
                for a in list_a:
                    closed = adjacency[a]
                    found.extend((a, b, parts) for b in list_b if b not in closed)
                index += 1
            found.sort(key=lambda item: (item[0], item[1]))
            for a, b, (total, active, recent_points, mature) in found:
                near_triads.append(
                    NearTriadIds(
                        hub=hub,
                        a=a,
                        b=b,
                        tie_hub_a=adjacency[hub][a],
                        tie_hub_b=adjacency[hub][b],
                        score=total,
                        active_points=active,
                        recent_points=recent_points,
                        age_points=mature,
                    )
                )
                if len(near_triads) == NEAR_TRIAD_LIMIT:
                    break
        if len(near_triads) >= NEAR_TRIAD_LIMIT:
            break
    return NetworkShape(triads=triads, near_triads=near_triads, near_triad_total=near_total)


def network_shape(*, include_unverified: bool = False) -> NetworkShape:
    """`network_shape_compute`, cached under the data version (any write makes it stale) and
    the year (the ranking counts this year's events)."""
    year = timezone.localdate().year
    key = f"network:shape:v3:{int(include_unverified)}:{data_version()}:{year}"
    shape = cache.get(key)
    if shape is None:
        shape = network_shape_compute(include_unverified=include_unverified)
        cache.set(key, shape, TRIAD_CACHE_SECONDS)
    return shape


def network_hydrate(place_ids: set[int], tie_ids: set[int]):
    """Places and ties (with their places and sources) for one page of triads: three queries."""
    places = City.objects.in_bulk(place_ids)
    ties = FriendshipLink.objects.with_places().prefetch_related("sources").in_bulk(tie_ids)
    return places, ties


def trilateral_groups():
    """The known trilateral groups, members joined, sources prefetched."""
    return TrilateralGroup.objects.select_related("city_cn", "city_jp", "city_kr").prefetch_related(
        "sources"
    )


@dataclass(frozen=True)
class GroupState:
    """What the recorded ties make of a trilateral group."""

    state: str  # 'triad', 'near_triad' (one tie missing) or 'open' (two or three missing)
    missing: list[tuple[City, City]]  # the pairs with no tie (or only an ended one)


def trilateral_group_states(groups) -> dict[int, GroupState]:
    """{group id: GroupState} for groups with their members loaded, in one query.

    Read from the ties themselves (not from the ranked near-triads, which keep
    only the best), counting a tie unless it has ended, as the triads do.
    """
    groups = list(groups)
    members = {place.pk for group in groups for place in group.members}
    tied = {
        frozenset(pair)
        for pair in FriendshipLink.objects.exclude(status=TieStatus.ENDED)
        .filter(city_a__in=members, city_b__in=members)
        .values_list("city_a_id", "city_b_id")
    }
    states = {}
    for group in groups:
        cn, jp, kr = group.members
        missing = [
            (a, b) for a, b in ((cn, jp), (cn, kr), (jp, kr)) if frozenset((a.pk, b.pk)) not in tied
        ]
        state = "triad" if not missing else "near_triad" if len(missing) == 1 else "open"
        states[group.pk] = GroupState(state, missing)
    return states
