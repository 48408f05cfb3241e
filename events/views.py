"""Public pages of exchange events and series, and the events iCal feed."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from cities.models import City
from exchangeportal.infra.cache import AnonymousPageCacheMixin
from exchangeportal.infra.ical import events_calendar_response
from exchangeportal.infra.paging import paginate_or_404

from .filters import EventFilterSet
from .month_view import month_bounds, month_calendar, month_is_shown
from .selectors import (
    event_detail_queryset,
    event_list,
    event_series_neighbours,
    events_for_city,
    events_in_period,
    feed_events,
    series_detail_queryset,
    series_events,
)

EVENT_PAGE_SIZE = 20
# The most events one month of the calendar shows; more (synthetic data, a festival
# month) and the page says so and links to the list.
CALENDAR_EVENT_LIMIT = 300


class EventListView(AnonymousPageCacheMixin, ListView):
    """Exchange events: filters, 20 a page."""

    template_name = "events/event_list.html"
    context_object_name = "events"
    paginate_by = EVENT_PAGE_SIZE

    def get_queryset(self):
        self.filterset = EventFilterSet(self.request.GET or None, queryset=event_list())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filterset=self.filterset, ignored_fields=self.filterset.ignored_fields)
        return context


class EventCalendarTodayView(View):
    """The calendar's current month (not cached: it moves at midnight)."""

    def get(self, request):
        today = timezone.localdate()
        return redirect("events:event_calendar", year=today.year, month=today.month)


class EventCalendarView(AnonymousPageCacheMixin, View):
    """One month of events as a grid of weeks, server-rendered (no JavaScript); a list of
    days on a narrow screen (CSS)."""

    def get(self, request, year: int, month: int):
        if not month_is_shown(year, month):
            raise Http404(_("The calendar has no page for this month."))
        first_day, last_day = month_bounds(year, month)
        events = events_in_period(
            first_day=first_day, last_day=last_day, limit=CALENDAR_EVENT_LIMIT + 1
        )
        month_view = month_calendar(
            year=year,
            month=month,
            today=timezone.localdate(),
            events=events[:CALENDAR_EVENT_LIMIT],
        )
        return render(
            request,
            "events/event_calendar.html",
            {
                "month": month_view,
                "truncated": len(events) > CALENDAR_EVENT_LIMIT,
                "today": timezone.localdate(),
            },
        )


class EventDetailView(AnonymousPageCacheMixin, View):
    """One event: dates in the host's time zone, places, format, figures, series, sources."""

    def get(self, request, slug):
        event = event_detail_queryset().filter(slug=slug).first()
        if event is None:
            raise Http404(_("No published event has this address."))
        previous, following = event_series_neighbours(event=event)
        return render(
            request,
            "events/event_detail.html",
            {"event": event, "previous_edition": previous, "next_edition": following},
        )


class SeriesDetailView(AnonymousPageCacheMixin, View):
    """A series and its editions, latest first."""

    def get(self, request, slug):
        series = series_detail_queryset().filter(slug=slug).first()
        if series is None:
            raise Http404(_("No event series has this address."))
        events = paginate_or_404(
            series_events(series=series), per_page=EVENT_PAGE_SIZE, number=request.GET.get("page")
        )
        return render(
            request, "events/series_detail.html", {"series": series, "events_page": events}
        )


class EventFeedView(AnonymousPageCacheMixin, View):
    """iCal feed of published events from one year back onward."""

    def get(self, request):
        return events_calendar_response(
            request,
            feed_events(today=timezone.localdate()),
            name=_("CJK City Exchange Portal: exchange events"),
            filename="events.ics",
        )


class CityEventsCalendarView(AnonymousPageCacheMixin, View):
    """iCal feed of the events a place hosted or joined."""

    def get(self, request, slug):
        city = City.objects.filter(slug=slug).first()
        if city is None:
            raise Http404(_("No place has this address."))
        events = events_for_city(city=city, today=timezone.localdate())
        return events_calendar_response(
            request,
            events,
            name=_("Exchange events of %(place)s") % {"place": city.name},
            filename=f"{city.slug}-events.ics",
            time_zone=city.time_zone.key,
        )
