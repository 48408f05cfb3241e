"""The events panels of the place, tie and Culture City year pages (`cities.panels`)."""

from django.utils import timezone

from cities.models import City, FriendshipLink
from cities.panels import DESIGNATION_YEAR, PLACE, TIE, panel_register
from exchangeportal.infra.paging import paginate_or_404

from .selectors import events_for_city, events_for_designation_year, events_for_tie

EVENTS_PAGE_SIZE = 10  # a place's and a tie's events
YEAR_EVENTS_PAGE_SIZE = 20  # a Culture City year's programme


def place_events(request, *, city: City) -> dict:
    """The events a place hosted or joined, a page at a time (`?events_page=`)."""
    events = events_for_city(city=city, today=timezone.localdate())
    number = request.GET.get("events_page")
    return {"events_page": paginate_or_404(events, per_page=EVENTS_PAGE_SIZE, number=number)}


def tie_events(request, *, tie: FriendshipLink) -> dict:
    """The events of a tie, a page at a time (`?page=`)."""
    events = events_for_tie(tie=tie)
    number = request.GET.get("page")
    return {"events_page": paginate_or_404(events, per_page=EVENTS_PAGE_SIZE, number=number)}


def designation_year_events(request, *, year: int) -> dict:
    """That year's Culture City programme events, a page at a time (`?page=`)."""
    events = events_for_designation_year(year=year)
    number = request.GET.get("page")
    return {"events_page": paginate_or_404(events, per_page=YEAR_EVENTS_PAGE_SIZE, number=number)}


def panels_register() -> None:
    panel_register(PLACE, place_events)
    panel_register(TIE, tie_events)
    panel_register(DESIGNATION_YEAR, designation_year_events)
