"""GeoJSON endpoints of the network map, not language-prefixed (namespace `geojson`)."""

from django.urls import path

from . import views_network

app_name = "geojson"

urlpatterns = [
    path("cities.geojson", views_network.cities_geojson, name="cities"),
    path("ties.geojson", views_network.ties_geojson, name="ties"),
]
