"""GeoJSON endpoints of the network map, not language-prefixed (namespace `geojson`).

Served by the open API's views (`cities/api/views.py`): the ties list's filters,
throttling, JSON errors, documented in the OpenAPI schema.
"""

from django.urls import path

from .api.views import CityGeoJSONView, TieGeoJSONView

app_name = "geojson"

urlpatterns = [
    path("cities.geojson", CityGeoJSONView.as_view(), name="cities"),
    path("ties.geojson", TieGeoJSONView.as_view(), name="ties"),
]
