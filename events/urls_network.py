"""The network insight pages, under the language prefix (namespace `network`)."""

from django.urls import path

from cities import views_network as map_views

from . import views_network

app_name = "network"

urlpatterns = [
    path("network/", map_views.NetworkMapView.as_view(), name="map"),
    path("network/triads/", views_network.TriadListView.as_view(), name="triads"),
    path("network/anniversaries/", map_views.AnniversaryListView.as_view(), name="anniversaries"),
    path("network/anniversaries.ics", map_views.anniversaries_ical, name="anniversaries_ical"),
    path("statistics/", views_network.StatisticsView.as_view(), name="statistics"),
    path("statistics/<slug:slug>.csv", views_network.statistics_csv, name="statistics_csv"),
]
