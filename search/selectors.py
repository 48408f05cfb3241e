"""Reads of the global search page: places, ties and events found by one query."""

from django.db.models import Q, QuerySet

from cities.models import FriendshipLink
from cities.search import city_match_ids, city_search, search_key
from events.models import ExchangeEvent
from exchangeportal.translation import translated_field_names


def search_places(query: str) -> QuerySet:
    """Places the query finds, ranked (exact, prefix, substring; then by ties)."""
    return city_search(query)


def search_ties(query: str) -> QuerySet:
    """Ties of the places the query finds, newest first, with both places and sources loaded."""
    if not search_key(query or ""):
        return FriendshipLink.objects.none()
    places = city_match_ids(query)
    return (
        FriendshipLink.objects.with_places()
        .prefetch_related("sources")
        .filter(Q(city_a__in=places) | Q(city_b__in=places))
        .order_by("-established_on", "pk")
    )


def search_events(query: str) -> QuerySet:
    """Published events hosted by or partnered with a place the query finds, or whose
    title (in any language) contains the query; newest first, host, series and partner
    places loaded (what `includes/_event_item.html` shows)."""
    query = (query or "").strip()
    if not search_key(query):
        return ExchangeEvent.objects.none()
    places = city_match_ids(query)
    by_title = Q()
    for field in translated_field_names("title"):
        by_title |= Q(**{f"{field}__icontains": query})
    matching = ExchangeEvent.objects.filter(
        Q(host__in=places) | Q(partners__in=places) | by_title
    ).values("pk")
    return (
        ExchangeEvent.objects.published()
        .with_places()
        .prefetch_related("partners")
        .filter(pk__in=matching)
        .order_by("-starts_on", "pk")
    )
