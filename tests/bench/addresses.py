"""Distinct addresses of the benchmark set, for `profile_page.py` and the cold targets of
`run.py`. Needs Django set up (it reads the database); importing this module does not."""

import random
from urllib.parse import quote

KINDS = ("place", "tie", "api-place", "api-tie", "search")
BROAD_QUERY = "Sawa"  # matches many places: the costly search


def addresses(kind: str, count: int, seed: int, *, broad: bool = True) -> list[str]:
    """`count` distinct addresses of `kind`, spread over the whole set (fewer when the set has
    fewer). For `search`: real names in every script and, with `broad`, one search in ten the
    broad "Sawa" (then those are the same address, repeated)."""
    from django.utils import translation

    from cities.api.serializers import tie_pair_slug
    from cities.models import City, FriendshipLink

    translation.activate("en")
    rng = random.Random(seed)
    if kind in ("place", "api-place"):
        slugs = list(City.objects.order_by("pk").values_list("slug", flat=True))
        chosen = rng.sample(slugs, min(count, len(slugs)))
        if kind == "place":
            return [f"/en/cities/{slug}/" for slug in chosen]
        return [f"/api/v1/cities/{slug}/" for slug in chosen]
    if kind in ("tie", "api-tie"):
        ids = list(FriendshipLink.objects.order_by("pk").values_list("pk", flat=True))
        ties = FriendshipLink.objects.filter(pk__in=rng.sample(ids, min(count, len(ids))))
        pairs = [tie_pair_slug(tie) for tie in ties.select_related("city_a", "city_b")]
        if kind == "tie":
            return [f"/en/ties/{pair}/" for pair in pairs]
        return [f"/api/v1/ties/{pair}/" for pair in pairs]
    fields = ["name_en", "name_zh_hans", "name_zh_hant", "name_ja", "name_ko"]
    ids = list(City.objects.order_by("pk").values_list("pk", flat=True))
    places = City.objects.filter(pk__in=rng.sample(ids, min(count, len(ids)))).only(*fields)
    queries = [
        getattr(place, fields[n % len(fields)]) or place.name_en for n, place in enumerate(places)
    ]
    if broad:
        every = max(1, count // 10)  # one search in ten is the broad "Sawa"
        queries[::every] = [BROAD_QUERY] * len(queries[::every])
    return [f"/en/search/?q={quote(query)}" for query in queries]
