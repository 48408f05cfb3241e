from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.EventListView.as_view(), name="event_list"),
    path("feed.ics", views.EventFeedView.as_view(), name="event_feed"),
    path("calendar/", views.EventCalendarTodayView.as_view(), name="event_calendar_today"),
    path(
        "calendar/<int:year>/<int:month>/",
        views.EventCalendarView.as_view(),
        name="event_calendar",
    ),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("<slug:slug>/", views.EventDetailView.as_view(), name="event_detail"),
]
