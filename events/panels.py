"""The events panels of the place, tie and Culture City year pages (`cities.panels`)."""

from django.utils import timezone

from cities.models import City, FriendshipLink
from cities.panels import DESIGNATION_YEAR, PLACE, TIE, panel_register
from cities.timeline import EVENT, TIMELINE_LIMIT, TimelineEntry
from exchangeportal.infra.paging import paginate_or_404

from .selectors import (
    events_for_city,
    events_for_city_newest,
    events_for_designation_year,
    events_for_tie,
    events_in_city_order,
    events_partners_load,
)

EVENTS_PAGE_SIZE = 10  # a place's and a tie's events
YEAR_EVENTS_PAGE_SIZE = 20  # a Culture City year's programme


def place_events(request, *, city: City) -> dict:
    """The events a place hosted or joined, a page at a time (`?events_page=`), and the newest
    of them as entries of the place's timeline."""
    today = timezone.localdate()
    newest = events_for_city_newest(city=city, limit=TIMELINE_LIMIT)
    timeline = [
        TimelineEntry(event.starts_on, event.date_precision, EVENT, event) for event in newest
    ]
    number = request.GET.get("events_page")
    if len(newest) < TIMELINE_LIMIT:
        # Every event of the place came back: the list is ordered and paged here (no COUNT).
        page = paginate_or_404(
            events_in_city_order(newest, today=today), per_page=EVENTS_PAGE_SIZE, number=number
        )
        events_partners_load(page.object_list)
    else:
        page = paginate_or_404(
            events_for_city(city=city, today=today), per_page=EVENTS_PAGE_SIZE, number=number
        )
    return {"events_page": page, "timeline_entries": timeline}


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
