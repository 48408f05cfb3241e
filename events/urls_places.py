"""Event addresses under a place's address (namespace "place_events")."""

from django.urls import path

from . import views

app_name = "place_events"

urlpatterns = [
    path(
        "cities/<slug:slug>/events.ics",
        views.CityEventsCalendarView.as_view(),
        name="city_calendar",
    ),
]
