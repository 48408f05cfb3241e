"""iCalendar (RFC 5545) feeds (exchange events, tie anniversaries), built with `icalendar`."""

import datetime

import icalendar
from django.http import HttpResponse
from django.utils.translation import get_language

PRODUCT_ID = "-//CJK City Exchange Portal//Events//EN"
UID_DOMAIN = "cjk-exchange-portal"

# RFC 5545 STATUS of a VEVENT for our event states (planned and held events are confirmed).
_ICAL_STATUS = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def event_uid(event) -> str:
    """Stable across runs and languages: the row's id, never the (editable) slug or title."""
    return f"exchange-event-{event.pk}@{UID_DOMAIN}"


def event_component(event, *, request) -> icalendar.Event:
    """One VEVENT: all-day dates (DTEND exclusive), or the start time in the host's zone."""
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", event.updated_at.astimezone(datetime.UTC))
    component.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    if event.starts_at is not None:
        component.add("dtstart", event.local_starts_at)
    else:
        component.add("dtstart", event.starts_on)
        component.add("dtend", event.ends_on + datetime.timedelta(days=1))
    component.add("summary", event.title)
    if event.summary:
        component.add("description", event.summary)
    location = ", ".join(part for part in [event.venue, event.host.name] if part)
    component.add("location", location)
    component.add("categories", [event.get_category_display()])
    component.add("status", _ICAL_STATUS.get(event.status, "CONFIRMED"))
    component.add("url", request.build_absolute_uri(event.get_absolute_url()))
    return component


def all_day_component(
    *, uid: str, day: datetime.date, summary: str, description: str, url: str, stamp
) -> icalendar.Event:
    """One all-day VEVENT on `day` (DTEND exclusive, the next day); `url` may be empty."""
    component = icalendar.Event()
    component.add("uid", f"{uid}@{UID_DOMAIN}")
    component.add("dtstamp", stamp)
    component.add("dtstart", day)
    component.add("dtend", day + datetime.timedelta(days=1))
    component.add("summary", summary)
    component.add("description", description)
    if url:
        component.add("url", url)
    return component


def build_calendar(components, *, name: str, time_zone: str = "UTC") -> icalendar.Calendar:
    """A published calendar called `name` holding `components` and the time zones they use.

    RFC 5545 (3.6) wants at least one component in a calendar: one with no event (a place
    that has none yet) holds the VTIMEZONE of `time_zone` (the place's zone), so it stays a
    valid, subscribable calendar that fills when events come."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    if not calendar.subcomponents:
        calendar.add_component(icalendar.Timezone.from_tzid(time_zone))
    return calendar


def calendar_response(
    components, *, name: str, filename: str, time_zone: str = "UTC"
) -> HttpResponse:
    """The feed as text/calendar, titles in the active language."""
    calendar = build_calendar(components, name=name, time_zone=time_zone)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Language"] = get_language()
    return response


def events_calendar_response(
    request, events, *, name: str, filename: str, time_zone: str = "UTC"
) -> HttpResponse:
    """A feed of exchange events (`event_component` each)."""
    return calendar_response(
        (event_component(event, request=request) for event in events),
        name=name,
        filename=filename,
        time_zone=time_zone,
    )
